"""``anchor-history compare``: this period so far against the same span of the last."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from .common import add_as_of_arg, add_connection_args, add_format_arg, open_client, print_result
from .errors import EXIT_CODES, EXIT_OK
from .prices import add_price_args, price_list
from .stored import store_moment

if TYPE_CHECKING:
    from decimal import Decimal

    from ..insights.compare import Change, Comparison, SpanCosts

__all__ = ["add_parser", "render_comparison", "run"]


def add_parser(subs: Any) -> None:
    p = subs.add_parser(
        "compare",
        help="this period so far against the same span of the previous one",
        description="Compare this day, week or month so far with the same span of the "
        "previous one (Monday to Wednesday noon against last Monday to Wednesday noon), "
        "in UTC, to the last whole hour (so the API and a store answer alike). A comparison "
        "of spans under a tenth of the period, or under 30 sessions, is marked early.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--period",
        choices=("day", "week", "month"),
        default="week",
        help="day, week (ISO, from Monday) or month (default week)",
    )
    p.add_argument(
        "--metrics",
        "-m",
        default="session_count,credits_used",
        help="comma list, or 'all' (default session_count,credits_used)",
    )
    p.add_argument(
        "--against",
        choices=("previous", "week-ago"),
        default="previous",
        help="the span compared with: the same span of the previous period (default), or "
        "of a week before (with --period day: a Saturday against the Saturday before)",
    )
    add_as_of_arg(p)
    p.add_argument(
        "--cycle-start",
        type=int,
        default=1,
        help="the day (1-28) a billing month starts on (default 1)",
    )
    add_format_arg(p)
    add_price_args(p)
    add_connection_args(p)


def run(args: argparse.Namespace) -> int:
    from ..insights.compare import compare_periods

    with open_client(args, reading=True) as client:
        comparison = compare_periods(
            client,
            prices=price_list(args, None if args.store else client),
            period=args.period,
            metrics=args.metrics,
            as_of=args.as_of,
            now=store_moment(client, args),
            cycle_start=args.cycle_start,
            against=args.against,
            deadline=args.deadline,
        )
    print_result(comparison.to_dict(), render_comparison(comparison, args.period), args.format)
    return EXIT_OK


def _change_text(metric: str, change: Change) -> str:
    """``▲ +49 (+3.4%)``, ``▼ -43 (-2.6%)``, ``= 0 (0.0%)``, or ``-`` when unknown."""
    from ..outputs.table import format_value

    if change.absolute is None:
        return "-"
    if change.absolute == 0:
        return "= 0 (0.0%)"
    arrow, sign = ("▲", "+") if change.absolute > 0 else ("▼", "-")
    percent = "n/a" if change.percent is None else f"{change.percent:+.1f}%"
    return f"{arrow} {sign}{format_value(metric, abs(change.absolute))} ({percent})"


def _cost_row(cost: SpanCosts) -> list[str]:
    from ..outputs.table import format_money

    now, before, currency = cost.current, cost.previous, cost.currency

    def shown(amount: Decimal | None) -> str:
        return "-" if amount is None else format_money(amount, currency)

    if now is None or before is None:
        change = "-"
    else:
        delta = now - before
        arrow = "▲" if delta > 0 else ("▼" if delta < 0 else "=")
        percent = f" ({100 * delta / before:+.1f}%)" if before else ""
        change = (
            f"{arrow} {'+' if delta >= 0 else '-'}{format_money(abs(delta), currency)}{percent}"
        )
    return [f"cost ({currency})", shown(now), shown(before), change]


def render_comparison(comparison: Comparison, period: str) -> str:
    from ..outputs.table import align, format_value

    cur, prev = comparison.current, comparison.previous
    head = (
        f"{period} so far, {cur.start:%Y-%m-%d %H:%M} to {cur.end:%Y-%m-%d %H:%M}, against "
        f"{prev.start:%Y-%m-%d %H:%M} to {prev.end:%Y-%m-%d %H:%M} (UTC)"
    )
    rows = [["metric", "current", "previous", "change"]]
    for metric, change in comparison.change.items():
        rows.append(
            [
                metric,
                format_value(metric, cur.values[metric]),
                format_value(metric, prev.values.get(metric)),
                _change_text(metric, change),
            ]
        )
    if comparison.cost is not None:
        rows.append(_cost_row(comparison.cost))
    lines = align([row[:3] for row in rows])  # the change column reads best unpadded
    body = [f"{line}  {row[3]}" for line, row in zip(lines, rows, strict=True)]
    note = (
        ["", "early: the spans are short or hold few sessions, so the change means little"]
        if comparison.early
        else []
    )
    pricing = [f"cost: {comparison.cost.rule}"] if comparison.cost is not None else []
    return "\n".join([head, "", *body, *note, *pricing]) + "\n"
