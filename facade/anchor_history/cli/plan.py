"""``anchor-history plan``: the plan, what is left of it, and whether the history
adds up to the bill."""

from __future__ import annotations

import argparse
from typing import Any

from .common import add_as_of_arg, add_connection_args, add_format_arg, open_client, print_result
from .errors import EXIT_CODES, EXIT_FOUND, EXIT_OK, UsageError
from .prices import add_price_args, price_list

__all__ = ["add_parser", "render_plan", "run"]

# The library's default (a test checks they agree): importing it would load httpx.
DEFAULT_TOLERANCE = 1.0


def add_parser(subs: Any) -> None:
    p = subs.add_parser(
        "plan",
        help="the plan you pay for: what is left, when it runs out, and a check of the bill",
        description="Read GET /v1/billing: the tier and billing period, included credits and "
        "what is left before overage, the cost limit, the gift balance, the forecast at the "
        "period's end (as check computes it) and when the included credits and the cost limit "
        "run out at its pace; then reconcile the history's credits over the billing period "
        "with the plan's own credits_used, and show the busiest hours' mean concurrency "
        "against the plan's cap.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--tolerance",
        type=float,
        default=DEFAULT_TOLERANCE,
        metavar="PERCENT",
        help="how far the history's credits may differ from the plan's and agree "
        f"(default {DEFAULT_TOLERANCE:g}%%)",
    )
    p.add_argument(
        "--fail-on",
        choices=("mismatch", "never"),
        default="never",
        help="exit 1 when the history and the plan disagree (default never)",
    )
    add_as_of_arg(p)
    add_format_arg(p)
    add_price_args(p)
    add_connection_args(p, store=False)  # GET /v1/billing: the API only


def run(args: argparse.Namespace) -> int:
    from ..insights.plan_check import check_plan

    if not 0 <= args.tolerance < float("inf"):
        raise UsageError(f"--tolerance: {args.tolerance:g} is not a percent >= 0")
    with open_client(args) as client:
        report = check_plan(
            client, tolerance=args.tolerance, as_of=args.as_of, deadline=args.deadline
        )
        prices = price_list(args, client)
    document, text = report.to_dict(), render_plan(report)
    if prices is not None:
        from ..insights.plan_check import plan_costs

        costs = plan_costs(report, prices)
        document["cost"] = _strings(costs)
        text += _cost_lines(costs)
    print_result(document, text, args.format)
    mismatch = not report.reconciliation.agrees
    return EXIT_FOUND if mismatch and args.fail_on == "mismatch" else EXIT_OK


def _strings(value: Any) -> Any:
    """Decimals as decimal strings (JSON has no exact number)."""
    from decimal import Decimal

    if isinstance(value, dict):
        return {k: _strings(v) for k, v in value.items()}
    return str(value) if isinstance(value, Decimal) else value


def _cost_lines(costs: dict[str, Any]) -> str:
    from ..outputs.table import format_money

    currency = costs["currency"]

    def money(amount: Any) -> str:
        return f"{format_money(amount, currency)} {currency}"

    f = costs["forecast"]
    return (
        f"\ncost: {money(costs['used'])} so far (overage {money(costs['overage'])}); "
        f"forecast {money(f['value'])} ({money(f['low'])} - {money(f['high'])})\n"
        f"priced {costs['pricing']}\n"
    )


def _when(moment: Any) -> str:
    return "not this period" if moment is None else f"{moment:%b %d %H:%M} UTC"


def render_plan(report: Any) -> str:
    from datetime import timedelta

    from ..outputs.table import align, format_value

    plan, f, r, c = report.plan, report.forecast, report.reconciliation, report.concurrency
    start, end = plan.billing_period

    def credits(value: Any) -> str:
        return format_value("credits_used", value)

    def share(part: float, whole: float | None, what: str) -> str:
        return f"{100 * part / whole:.1f}% {what}" if whole else ""

    rows = [
        ["included credits", credits(plan.included_credits), ""],
        ["used", credits(plan.credits_used),
         share(plan.credits_used, plan.included_credits, "of included")],
        ["left before overage", credits(plan.credits_left_included), ""],
        ["overage so far", credits(plan.overage_credits), ""],
        ["cost limit", "none" if plan.cost_limit is None else credits(plan.cost_limit),
         share(plan.credits_used, plan.cost_limit, "used")],
        ["gift balance", "-" if plan.gifts_balance is None else credits(plan.gifts_balance), ""],
        ["balance", credits(plan.credits), "available credits"],
        ["forecast at period end", credits(f.value),
         f"90% range {credits(f.low)} - {credits(f.high)}"],
        ["included credits run out", _when(report.included_exhausts_at), "at the forecast's pace"],
    ]  # fmt: skip
    if plan.cost_limit is not None:
        rows.append(["cost limit runs out", _when(report.cost_limit_exhausts_at), ""])
    last_day = end - timedelta(days=1)
    head = (
        f"plan {plan.tier}, billing period {start:%Y-%m-%d} to {last_day:%Y-%m-%d} (UTC), "
        f"as of {report.as_of:%Y-%m-%d %H:%M} UTC"
    )
    verdict = "agrees" if r.agrees else "DISAGREES"
    percent = "n/a" if r.percent is None else f"{r.percent:+.2f}%"
    reconciliation = (
        f"reconciliation: the history's {credits(r.history_credits)} credits over the period "
        f"against the plan's {credits(r.plan_credits)}: difference {r.difference:+,.2f} "
        f"({percent}), {verdict} (tolerance {r.tolerance:g}%)"
    )
    cap = c.max_concurrent_browsers
    limit = "unlimited" if cap == -1 else ("unknown" if cap is None else f"{cap:g}")
    busiest = [
        f"busiest hours, mean concurrent sessions (a lower bound on the peak), limit {limit}:"
    ]
    busiest += [f"  {hour:%Y-%m-%d %H:%M} UTC  {mean:6.1f}" for hour, mean in c.busiest]
    if not c.busiest:
        busiest.append("  no sessions yet this period")
    table = align(rows, left=1, also_left={2})
    return "\n".join([head, "", *table, "", reconciliation, "", *busiest]) + "\n"
