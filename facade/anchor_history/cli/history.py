"""``anchor-history history``: usage by whole periods, as a table, a chart or files."""

from __future__ import annotations

import argparse
import sys
from typing import IO, Any

from .common import add_connection_args, add_format_arg, open_client
from .errors import EXIT_CODES, EXIT_OK
from .output import FORMATS, SUFFIXES, plan_output, required_extras, write_output
from .prices import add_price_args, price_list
from .stored import store_moment
from .window import periods_of

__all__ = ["add_parser", "run"]

WHEN_FORMS = (
    "30d, 12h, 2w, 90m, 6mo, 1y, today, yesterday, this-week, last-week, this-month, "
    "last-month, now, a date (2026-11-01), a month (2026-03) or an ISO date-time"
)


def add_parser(subs: Any) -> None:
    from ..models.history import metric_names  # attrs only: no httpx, so --help stays fast

    metrics = ", ".join(metric_names())
    p = subs.add_parser(
        "history",
        help="usage history as a table, chart, CSV, JSON, NDJSON or Parquet (the default)",
        description="Usage history for a window, by whole hours, days, weeks or months. "
        "A window given as a date, month, named period or date-time is taken exactly "
        "(a period it cuts is marked partial); a relative start (30d, 12h) snaps down to "
        "a period boundary (--exact keeps it). Quiet "
        "periods show as zeros (--no-fill hides them), and a period still in progress "
        "or cut by the window is marked partial.",
        epilog=f"metrics: {metrics}\n\n{EXIT_CODES}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--from", dest="from_date", default="30d", help=f"start: {WHEN_FORMS} (default 30d)"
    )
    p.add_argument(
        "--to",
        dest="to_date",
        default="now",
        help="end, same forms (default now); a date, month or named period given to --to "
        "includes the whole of it (--to 2026-11-24 ends at 23:59:59.999)",
    )
    p.add_argument(
        "--granularity", "-g", default="day", help="hour, day, week or month (default day)"
    )
    p.add_argument(
        "--metrics",
        "-m",
        default="session_count",
        help=f"comma list, or 'all': {metrics} (default session_count)",
    )
    p.add_argument(
        "--tz",
        default="UTC",
        help="IANA time zone for days, weeks, months and dates, e.g. Europe/Berlin "
        "(default UTC; re-bucketed from hourly data; whole-hour offsets only)",
    )
    p.add_argument(
        "--exact",
        action="store_true",
        help="keep a relative --from's precise instant (30d: no snap to a period)",
    )
    p.add_argument(
        "--no-fill",
        dest="fill",
        action="store_false",
        help="list only the periods the server sent (no zeros for quiet periods)",
    )
    add_format_arg(
        p,
        FORMATS,
        default=None,
        help="output format (default: from --output's extension; else table on a terminal, "
        "csv otherwise)",
    )
    p.add_argument(
        "--output",
        "-o",
        default=None,
        help=f"write to FILE ({', '.join(SUFFIXES)}; .png/.svg draw a chart) or - for stdout",
    )
    p.add_argument(
        "--chart",
        action="store_true",
        help="also draw a chart in the terminal (to stderr when stdout carries data)",
    )
    p.add_argument(
        "--raw-dates", action="store_true", help="keep the server's raw 'date' string column"
    )
    p.add_argument(
        "--by-team",
        action="store_true",
        help="with --store: a column per team and metric (table, csv or json)",
    )
    p.add_argument(
        "--page-size", type=int, default=1000, help="points per request, 1-1000 (default 1000)"
    )
    p.add_argument("--concurrency", type=int, default=4, help="pages fetched at once (default 4)")
    add_price_args(p)
    add_connection_args(p)


def run(args: argparse.Namespace) -> int:
    from .._optional import require

    target = plan_output(
        args.output, args.format, chart=args.chart, stdout_is_tty=sys.stdout.isatty()
    )
    for module, extra in required_extras(target, args.chart):  # before any request
        require(module, extra)
    if args.by_team:
        from .by_team import run_by_team

        return run_by_team(args, target)
    on_terminal = not args.quiet and sys.stderr.isatty()
    progress = _progress_bar(sys.stderr) if on_terminal else None
    with open_client(args, reading=True) as client:
        history = periods_of(
            client,
            args,
            store_moment(client, args),
            page_size=args.page_size,
            progress=progress,
            deadline=args.deadline,
        )
        prices = price_list(args, None if args.store else client)
        if prices is not None:
            history = _priced(client, history, prices, args)
    write_output(history, target, raw_dates=args.raw_dates, quiet=args.quiet)
    if prices is not None and not args.quiet:
        print(f"anchor-history: cost: {prices.rule()}", file=sys.stderr)
    if target.format != "table" and not args.quiet:
        from ..outputs.table import warnings

        for text in warnings(history):
            print(f"anchor-history: warning: {text}", file=sys.stderr)
    if args.chart:
        from ..outputs.chart import terminal_chart

        stream = sys.stderr if target.chart_to_stderr else sys.stdout
        stream.write(terminal_chart(history, width=min(100, _columns())))
    return EXIT_OK


def _priced(client: Any, history: Any, prices: Any, args: argparse.Namespace) -> Any:
    """``history`` with a cost per period: its credits priced from the start of its
    window's billing month (so included credits spent before it count), by UTC day,
    or by hour where a day would straddle the window's edge or the zone's day."""
    from datetime import UTC

    from ..calendar.boundaries import period_floor
    from ..periods import fetch_periods
    from ..pricing import billing_month, price_history

    start, end = history.query.from_date, history.query.to_date
    whole_days = period_floor(start, "day") == start and history.tz is UTC
    unit = "day" if whole_days and history.query.granularity != "hour" else "hour"
    units = fetch_periods(
        client, billing_month(start), end, unit, "credits_used", exact=True, fill=False,
        now=store_moment(client, args), deadline=args.deadline,
    )  # fmt: skip
    return price_history(history, units, prices)


def _columns() -> int:
    import shutil

    return shutil.get_terminal_size((80, 24)).columns


def _progress_bar(stream: IO[str]) -> Any:
    def show(done: int, total: int) -> None:
        if total <= 1:
            return
        width = 30
        filled = width * done // total
        stream.write(f"\rfetching pages [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        if done >= total:
            stream.write("\r" + " " * (width + 40) + "\r")
        stream.flush()

    return show
