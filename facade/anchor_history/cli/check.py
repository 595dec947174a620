"""``anchor-history check``: budgets from cron, with exit codes and a webhook."""

from __future__ import annotations

import argparse
from typing import Any

from .common import add_connection_args, notify, open_client, print_result
from .errors import EXIT_CODES, EXIT_FOUND, EXIT_OK, UsageError
from .stored import store_moment

__all__ = ["add_parser", "run"]


def add_parser(subs: Any) -> None:
    p = subs.add_parser(
        "check",
        help="budgets: used so far, the period-end forecast with its range, and a status",
        description="Check budgets for the current day, ISO week or billing month (UTC): "
        "what was used so far, the forecast at the period's end with a 90% range, and a "
        "status: ok, at_risk (forecast over the limit) or over (used over the limit).",
        epilog="example (cron):\n  anchor-history check --budget credits_used=30000 "
        "--notify https://hooks.slack.com/services/...\n\n" + EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--budget",
        action="append",
        default=[],
        metavar="METRIC=LIMIT",
        help="a limit on a metric's total per period; repeatable",
    )
    p.add_argument(
        "--period",
        choices=("day", "week", "month"),
        default=None,
        help="day, week (ISO, from Monday) or month (default month)",
    )
    p.add_argument(
        "--cycle-start",
        type=int,
        default=None,
        help="the day (1-28) a billing month starts on (default 1)",
    )
    p.add_argument(
        "--as-of",
        default=None,
        help="when to judge from (default now; any --from form: 2026-11-15 is the end of that day)",
    )
    p.add_argument(
        "--fail-on",
        choices=("forecast", "over"),
        default=None,
        help="exit 1 when a budget is at risk or over (forecast, the default), or only when over",
    )
    p.add_argument(
        "--notify",
        default=None,
        metavar="URL",
        help="POST a message to this webhook when a budget is not ok",
    )
    p.add_argument(
        "--config",
        default=None,
        metavar="FILE",
        help="TOML with budgets, period, cycle_start, fail_on, notify",
    )
    p.add_argument("--format", "-f", choices=("table", "json"), default="table")
    add_connection_args(p)


def _settings(args: argparse.Namespace) -> dict[str, Any]:
    """Flags over the config file over the defaults."""
    from ..budgets import make_budget, parse_budget
    from .config import load_config

    config = load_config(args.config) if args.config else {}
    budgets = [make_budget(m, v) for m, v in config.get("budgets", {}).items()]
    given = [parse_budget(text) for text in args.budget]
    chosen = {b.metric: b for b in [*budgets, *given]}  # a flag replaces the file's
    if not chosen:
        raise UsageError("no budget: give --budget METRIC=LIMIT (repeatable) or --config FILE")
    fail_on = args.fail_on or config.get("fail_on", "forecast")
    if fail_on not in ("forecast", "over"):
        raise UsageError(f"fail_on: {fail_on!r} is not forecast or over")
    return {
        "budgets": list(chosen.values()),
        "period": args.period or config.get("period", "month"),
        "cycle_start": args.cycle_start or config.get("cycle_start", 1),
        "fail_on": fail_on,
        "notify": args.notify or config.get("notify"),
    }


def run(args: argparse.Namespace) -> int:
    from ..budgets import check_budgets
    from ..notify import budget_message, check_webhook_url

    settings = _settings(args)
    if settings["notify"]:
        check_webhook_url(settings["notify"])  # before any request
    with open_client(args, reading=True) as client:
        report = check_budgets(
            client,
            settings["budgets"],
            period=settings["period"],
            cycle_start=settings["cycle_start"],
            as_of=args.as_of,
            now=store_moment(client, args),
            deadline=args.deadline,
        )
    print_result(report.to_dict(), render_report(report), args.format)
    code = EXIT_FOUND if report.failing(settings["fail_on"]) else EXIT_OK
    if settings["notify"] and any(b.status != "ok" for b in report.budgets):
        return notify(settings["notify"], budget_message(report), code)
    return code


_MARKS = {"ok": "ok", "at_risk": "AT RISK", "over": "OVER"}


def render_report(report: Any) -> str:
    from ..render import align, format_value

    start, end = report.period
    head = (
        f"budgets for {start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} (UTC), "
        f"as of {report.as_of:%Y-%m-%d %H:%M}"
    )
    rows = [["metric", "limit", "used", "forecast", "90% range", "status"]]
    for b in report.budgets:
        f, m = b.forecast, b.metric
        rows.append(
            [
                m,
                format_value(m, b.limit),
                format_value(m, f.used),
                format_value(m, f.value),
                f"{format_value(m, f.low)} - {format_value(m, f.high)}",
                _MARKS[b.status],
            ]
        )
    methods = sorted({b.forecast.method for b in report.budgets})
    return (
        "\n".join([head, "", *align(rows, also_left={5}), "", "forecast: " + "; ".join(methods)])
        + "\n"
    )
