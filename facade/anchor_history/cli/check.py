"""``anchor-history check``: budgets from cron, with exit codes and a webhook."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from attrs import evolve

from .check_settings import CheckSettings, read_settings
from .common import (
    add_alert_state_args,
    add_as_of_arg,
    add_connection_args,
    add_format_arg,
    add_notify_arg,
    open_client,
    print_result,
)
from .errors import EXIT_CODES, EXIT_FOUND, EXIT_NOTIFY, EXIT_OK
from .prices import add_price_args, price_list
from .stored import store_moment

if TYPE_CHECKING:
    from ..core.client import HistoryClient
    from ..insights.budgets import BudgetReport

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
        "--where",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="judge the budgets over the sessions that match only (GET /v1/sessions, or a "
        "store synced with --sessions); KEY is tag, api_key, domain, proxy_type, status, "
        "task or tag:NAME; repeatable, all must hold",
    )
    add_as_of_arg(p)
    p.add_argument(
        "--fail-on",
        choices=("forecast", "over"),
        default=None,
        help="exit 1 when a budget is at risk or over (forecast, the default), or only when over",
    )
    p.add_argument(
        "--plan",
        action="store_true",
        default=None,
        help="budgets from the plan (GET /v1/billing): credits_used at its included credits "
        "and, when set, at its cost limit, over its billing period",
    )
    p.add_argument(
        "--alert",
        action="append",
        default=[],
        metavar="KIND:PERCENT",
        help="a threshold for every budget, notified once when crossed: actual:80 (80%% of "
        "the limit used) or forecast:100 (the period-end forecast at the limit); repeatable "
        "(default actual:80, actual:100, forecast:100)",
    )
    add_notify_arg(p, "per run that crosses a threshold, or clears a forecast one")
    add_alert_state_args(p, "an alert still crossed")
    p.add_argument(
        "--config",
        default=None,
        metavar="FILE",
        help="TOML with budgets (and their alerts), period, cycle_start, fail_on, notify, "
        "remind, state",
    )
    add_format_arg(p)
    add_price_args(p)
    add_connection_args(p)


def run(args: argparse.Namespace) -> int:
    from ..alerts.notify import check_webhook_url
    from ..insights.budgets import check_budgets
    from ..insights.filtered import FilteredUsage
    from .alerting import run_alerts

    settings = read_settings(args)
    for url in settings.notify:
        check_webhook_url(url)  # before any request
    with open_client(args, reading=True) as client:
        if settings.plan:
            settings = plan_budgets(client, settings, args)
        prices = price_list(args, None if args.store else client)
        # Budgets over the same sessions are judged together: the team's from the
        # history, each filter's from the history of its sessions (--where, or where).
        groups: dict[Any, list[Any]] = {}
        for budget in settings.budgets:
            groups.setdefault(settings.wheres.get(budget.key, ()), []).append(budget)
        reports = [
            check_budgets(
                FilteredUsage(client, where) if where else client,
                budgets,
                prices=prices,
                period=settings.period,
                cycle_start=settings.cycle_start,
                as_of=args.as_of,
                now=store_moment(client, args),
                deadline=args.deadline,
            )
            for where, budgets in groups.items()
        ]
    results = {b.key: b for r in reports for b in r.budgets}
    report = evolve(reports[0], budgets=tuple(results[b.key] for b in settings.budgets))
    statuses, delivered = run_alerts(report, settings, args)
    document = report.to_dict()
    for budget, given in zip(document["budgets"], settings.budgets, strict=True):
        where = settings.wheres.get(given.key)
        budget["where"] = dict(where) if where else None
        budget["alerts"] = [
            s.to_dict()
            for s in statuses
            if (s.budget.metric, s.budget.name) == (budget["metric"], budget["name"])
        ]
    print_result(document, render_report(report), args.format)
    code = EXIT_FOUND if report.failing(settings.fail_on) else EXIT_OK
    return code if delivered else EXIT_NOTIFY


def plan_budgets(
    client: HistoryClient, settings: CheckSettings, args: argparse.Namespace
) -> CheckSettings:
    """``settings`` with the plan's budgets (and their thresholds): credits_used at
    the included credits and at the cost limit, over the billing month. A key that
    cannot read the plan is said once; the other budgets are still checked."""
    import sys

    from ..alerts import DEFAULT_THRESHOLDS, parse_threshold
    from ..errors import PlanUnavailableError
    from ..insights.budgets import Budget

    try:
        plan = client.plan(deadline=args.deadline)
    except PlanUnavailableError as error:
        if not settings.budgets:
            raise
        if not args.quiet:
            print(
                f"anchor-history: note: {error}; checking the other budgets",
                file=sys.stderr,
            )
        return settings
    given = tuple(parse_threshold(t) for t in settings.alerts) or DEFAULT_THRESHOLDS
    limits = [("included", plan.included_credits), ("cost limit", plan.cost_limit)]
    budgets = [
        Budget("credits_used", float(limit), name)
        for name, limit in limits
        if limit is not None and limit > 0
    ]
    # The plan's period is the calendar month in UTC (its YYYY-MM, see anchor_history.models.plan).
    return evolve(
        settings,
        budgets=(*settings.budgets, *budgets),
        thresholds={**settings.thresholds, **{b.key: given for b in budgets}},
        period="month",
        cycle_start=1,
    )


_MARKS = {"ok": "ok", "at_risk": "AT RISK", "over": "OVER"}


def render_report(report: BudgetReport) -> str:
    from ..outputs.table import align, format_money, format_value

    start, end = report.period
    head = (
        f"budgets for {start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} (UTC), "
        f"as of {report.as_of:%Y-%m-%d %H:%M}"
    )
    rows = [["metric", "limit", "used", "forecast", "90% range", "pace", "status"]]
    for b in report.budgets:
        f, m = b.forecast, b.metric
        status = _MARKS[b.status]
        if b.exhausts_at is not None and b.status != "ok":
            verb = "ran out" if b.exhausts_at <= report.as_of else "runs out"
            status += f", {verb} {b.exhausts_at:%b %d} (UTC)"
        if b.money is not None:
            money = b.money
            figures = [
                format_money(x, money.currency)
                for x in (money.limit, money.used, money.value, money.low, money.high)
            ]
            key = f"{b.key} ({money.currency})"
        else:
            figures = [format_value(m, x) for x in (b.limit, f.used, f.value, f.low, f.high)]
            key = b.key
        rows.append(
            [
                key,
                *figures[:3],
                f"{figures[3]} - {figures[4]}",
                "-" if b.pace is None else f"{b.pace:.2f}",
                status,
            ]
        )
    methods = sorted({b.forecast.method for b in report.budgets})
    rules = sorted({b.money.rule for b in report.budgets if b.money is not None})
    return (
        "\n".join(
            [
                head,
                "",
                *align(rows, also_left={6}),
                "",
                "forecast: " + "; ".join(methods),
                *(f"cost: {rule}" for rule in rules),
                "pace: used / limit over the share of the period gone (1.00 = on track)",
            ]
        )
        + "\n"
    )
