"""``anchor-history compare``: this period so far against the same span of the last."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from .common import EXIT_CODES, EXIT_OK, add_connection_args, open_client

__all__ = ["add_parser", "render_comparison", "run"]


def add_parser(subs: Any) -> None:
    p = subs.add_parser(
        "compare",
        help="this period so far against the same span of the previous one",
        description="Compare this day, week or month so far with the same span of the "
        "previous one (Monday to Wednesday noon against last Monday to Wednesday noon), "
        "in UTC.",
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
    p.add_argument("--as-of", default=None, help="compare as of this moment (default now)")
    p.add_argument(
        "--cycle-start",
        type=int,
        default=1,
        help="the day (1-28) a billing month starts on (default 1)",
    )
    p.add_argument("--format", "-f", choices=("table", "json"), default="table")
    add_connection_args(p)


def run(args: argparse.Namespace) -> int:
    from ..compare import compare_periods

    with open_client(args) as client:
        comparison = compare_periods(
            client,
            period=args.period,
            metrics=args.metrics,
            as_of=args.as_of,
            cycle_start=args.cycle_start,
            deadline=args.deadline,
        )
    if args.format == "json":
        json.dump(comparison.to_dict(), sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(render_comparison(comparison, args.period))
    return EXIT_OK


def _arrow(percent: float | None, absolute: float | None) -> str:
    if absolute is None:
        return "-"
    if absolute == 0:
        return "= 0"
    return "▲" if absolute > 0 else "▼"


def render_comparison(comparison: Any, period: str) -> str:
    from ..render import format_value

    cur, prev = comparison.current, comparison.previous
    head = (
        f"{period} so far, {cur.start:%Y-%m-%d %H:%M} to {cur.end:%Y-%m-%d %H:%M}, against "
        f"{prev.start:%Y-%m-%d %H:%M} to {prev.end:%Y-%m-%d %H:%M} (UTC)"
    )
    rows = [["metric", "current", "previous", "change"]]
    for metric, change in comparison.change.items():
        if change.absolute is None:
            shown = "-"
        else:
            sign = "+" if change.absolute > 0 else ("-" if change.absolute < 0 else "")
            amount = format_value(metric, abs(change.absolute))
            percent = "n/a" if change.percent is None else f"{change.percent:+.1f}%"
            shown = f"{_arrow(change.percent, change.absolute)} {sign}{amount} ({percent})"
            if change.absolute == 0:
                shown = "= 0 (0.0%)"
        rows.append(
            [
                metric,
                format_value(metric, cur.values[metric]),
                format_value(metric, prev.values.get(metric)),
                shown,
            ]
        )
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = [
        "  ".join([r[0].ljust(widths[0]), r[1].rjust(widths[1]), r[2].rjust(widths[2]), r[3]])
        for r in rows
    ]
    return "\n".join([head, "", *lines]) + "\n"
