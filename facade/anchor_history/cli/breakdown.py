"""``anchor-history breakdown``: who spent it, by tag, API key, domain, proxy,
status or task, from ``GET /v1/sessions`` (or a store synced with ``--sessions``),
and reconciled with the history every run."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from .common import add_connection_args, add_format_arg, open_client
from .errors import EXIT_CODES, EXIT_FOUND, EXIT_OK, UsageError, fail
from .output import FORMATS, plan_output
from .prices import add_price_args, price_list

__all__ = ["add_parser", "run"]

Window = tuple[datetime, datetime]


def add_parser(subs: Any) -> None:
    from ..insights.breakdown_values import BREAKDOWN_METRICS
    from ..models.session import DIMENSIONS

    ways = "\n".join(f"  {k:<11} {v}" for k, v in DIMENSIONS.items())
    p = subs.add_parser(
        "breakdown",
        help="who spent it: usage by tag, API key, domain, proxy, status or task",
        description="Usage of a window broken down by who ran the sessions (GET /v1/sessions), "
        "largest first, each group's share of the credits, and the sessions' credits "
        "reconciled with the history's for the same window. Running sessions are "
        "counted apart (their credits are not known yet).",
        epilog=f"--by:\n{ways}\n  tag:KEY     the value of tags written KEY:VALUE "
        "(tag:team groups team:search, team:web, ...)\n\n"
        f"metrics: {', '.join(BREAKDOWN_METRICS)}\n\n"
        "A session without a value is grouped as (untagged) or (none). Tag and domain "
        "groups overlap (a session counts under each of its tags); the total counts "
        "each session once.\n\n"
        + EXIT_CODES
        + "  1  (breakdown) with --fail-on mismatch: the sessions do not add up to the history\n",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--by", default="tag", help="what to group by (default tag; see below)")
    p.add_argument(
        "--from", dest="from_date", default="30d", help="start, as in history (default 30d)"
    )
    p.add_argument("--to", dest="to_date", default="now", help="end, as in history (default now)")
    p.add_argument("--tz", default="UTC", help="IANA time zone for dates and periods (default UTC)")
    p.add_argument("--exact", action="store_true", help="keep a relative --from's precise instant")
    p.add_argument(
        "--metrics",
        "-m",
        default="all",
        help=f"comma list or 'all' (default): {', '.join(BREAKDOWN_METRICS)}",
    )
    p.add_argument("--top", type=int, default=None, metavar="N",
                   help="the N largest groups; the rest summed as (other)")  # fmt: skip
    p.add_argument(
        "--granularity",
        "-g",
        default=None,
        choices=("day", "week", "month"),
        help="groups per period over time (default: one set for the whole window)",
    )
    add_format_arg(p, FORMATS, default=None,
                   help="table (default on a terminal), json, csv, ndjson or parquet")  # fmt: skip
    p.add_argument("--output", "-o", default=None, help="write to FILE (.json, .csv, .ndjson, "
                   ".parquet, .txt) or - for stdout")  # fmt: skip
    p.add_argument(
        "--fail-on",
        choices=("mismatch",),
        default=None,
        help="exit 1 when the sessions' credits do not add up to the history's",
    )
    p.add_argument("--concurrency", type=int, default=8, help="pages fetched at once (default 8)")
    add_price_args(p)
    add_connection_args(p)


def _target(args: argparse.Namespace) -> tuple[str, str | None]:
    """Where the breakdown goes, as ``history`` decides it (``plan_output``): by the
    file's extension, else a table on a terminal and CSV otherwise; not a chart."""
    target = plan_output(args.output, args.format, chart=False, stdout_is_tty=sys.stdout.isatty())
    if target.format == "image":
        raise UsageError(f"--output {args.output}: a breakdown is not drawn as a chart")
    return target.format, target.path


def run(args: argparse.Namespace) -> int:
    from .._optional import require
    from ..insights.breakdown import breakdown, check_by, check_metrics

    by = check_by(args.by)
    metrics = check_metrics(args.metrics)
    if args.top is not None and args.top < 1:
        raise UsageError(f"--top: {args.top} is not a whole number >= 1")
    fmt, path = _target(args)
    if fmt == "parquet":
        require("pyarrow", "parquet")
    with open_client(args, reading=True) as source:
        window, tz = _window(source, args)
        prices = price_list(args, None if args.store else source)
        if args.store:
            window = _held(source, args, window)
        history, used_before = _history(source, window, prices is not None)
        rows, unit_prices = _rows_and_prices(source, args, by, window, tz, prices, used_before)
        result = breakdown(
            rows, by=by, window=window, tz=tz, metrics=metrics, top=args.top,
            granularity=args.granularity, unit_prices=unit_prices,
            currency=None if prices is None else prices.currency, history_credits=history,
        )  # fmt: skip
    from ..outputs.breakdown import notes, write_breakdown

    write_breakdown(result, fmt, path)
    if fmt != "table" and not args.quiet:
        for text in notes(result):
            print(f"anchor-history: {text}", file=sys.stderr)
    check = result.reconciliation
    if check is not None and check.agrees is False:
        if fmt == "table" and not args.quiet:
            print(f"anchor-history: warning: {check.sentence()}", file=sys.stderr)
        if args.fail_on == "mismatch":
            return fail("the breakdown does not add up to the history (--fail-on mismatch)",
                        EXIT_FOUND)  # fmt: skip
    return EXIT_OK


def _window(source: Any, args: argparse.Namespace) -> tuple[tuple[datetime, datetime], Any]:
    """The window as ``history`` reads it (``period_window``), a relative start
    snapped to the period (a day without -g), and the zone."""
    from ..calendar.zones import zone
    from ..periods import period_window
    from .stored import store_moment

    tz = zone(args.tz)
    moment = store_moment(source, args) or datetime.now(UTC)
    start, end = period_window(args.from_date, args.to_date, args.granularity or "day",
                               tz=tz, exact=args.exact, now=moment)  # fmt: skip
    return (start, min(end, moment)), tz


def _held(source: Any, args: argparse.Namespace, window: Window) -> Window:
    """The window clipped to the whole hours the store holds sessions and hours for."""
    from ..calendar.boundaries import period_floor
    from ..errors import NotHeldError

    spans = (source.sessions_held(), source.held())
    start = max(period_floor(window[0], "hour"), *(s[0] for s in spans))
    end = min(window[1], *(s[1] for s in spans))
    if start >= end:
        raise NotHeldError(
            f"store {args.store} holds sessions from {spans[0][0]:%Y-%m-%d %H:%M} to "
            f"{spans[0][1]:%Y-%m-%d %H:%M} UTC, nothing of the window asked for"
        )
    return start, end


def _rows_and_prices(
    source: Any,
    args: argparse.Namespace,
    by: str,
    window: Window,
    tz: Any,
    prices: Any,
    used_before: dict[datetime, Decimal],
) -> tuple[list[Any], dict[int, Decimal] | None]:
    """The breakdown's rows, and (priced) each hour's price of a credit, from the
    hours' credits of the whole. From the API: the window's sessions, listed once
    and rolled up by hour. From a store: its rows summed in SQL into pieces that no
    period boundary and no change of price cuts (see ``UsageStore.session_rows``)."""
    from ..insights.breakdown import hour_unit_prices, rows_wanted
    from ..models.session_rows import credits_of_nanos, session_rows

    wanted = rows_wanted(by)
    rows: list[Any] = []
    if args.store:
        hourly = source.session_rows(("",), window[0], window[1], cuts=None) if prices else []
    else:
        listed = source.sessions(window[0], window[1], concurrency=args.concurrency,
                                 deadline=args.deadline)  # fmt: skip
        rows = [r for r in session_rows(listed, [by]) if r[1] in wanted]
        hourly = [r for r in rows if r[1] == ""]
    unit_prices = None
    if prices is not None:
        whole = {h: credits_of_nanos(f[2]) for h, _, _, f in hourly}
        unit_prices = hour_unit_prices(whole, prices, used_before)
    if args.store:
        cuts = _cuts(args, window, tz, unit_prices)
        rows = source.session_rows(wanted, window[0], window[1], cuts=cuts)
    return rows, unit_prices


def _cuts(
    args: argparse.Namespace, window: Window, tz: Any, unit_prices: dict[int, Decimal] | None
) -> tuple[int, ...]:
    """Where a store's rows must be cut: each period's start, each change of price."""
    from ..calendar.boundaries import period_starts
    from ..models.session_rows import epoch_hour

    cuts: list[int] = []
    if args.granularity is not None:
        cuts += map(epoch_hour, period_starts(window[0], window[1], args.granularity, tz))
    previous = None
    for hour in sorted(unit_prices or {}):
        if unit_prices is not None and unit_prices[hour] != previous:
            cuts.append(hour)
            previous = unit_prices[hour]
    return tuple(sorted(set(cuts)))


def _history(
    source: Any, window: tuple[datetime, datetime], priced: bool
) -> tuple[Decimal, dict[datetime, Decimal]]:
    """The history's credits over the window, and (priced) each billing month's
    credits before it, so the included credits already spent are counted."""
    from ..pricing import billing_month
    from ..pricing.charges import credits_decimal

    if not priced:
        history = source.fetch(window[0], window[1], "day", "credits_used")
        return credits_decimal(history.summary.credits_used), {}
    month = billing_month(window[0])
    before: dict[datetime, Decimal] = {}
    if month < window[0]:
        from ..errors import NotHeldError

        try:
            earlier = source.fetch(month, window[0], "day", "credits_used")
            before[month] = credits_decimal(earlier.summary.credits_used)
            whole = earlier.covers(month, window[0])
        except NotHeldError:
            whole = False
        if not whole:  # a store that holds the month from later on: say so, never guess
            print(
                f"anchor-history: note: the store does not hold all of {month:%Y-%m} before "
                f"{window[0]:%Y-%m-%d %H:%M} UTC; the included credits spent then are counted "
                "only as far as it holds them",
                file=sys.stderr,
            )
    history = source.fetch(window[0], window[1], "day", "credits_used")
    return credits_decimal(history.summary.credits_used), before
