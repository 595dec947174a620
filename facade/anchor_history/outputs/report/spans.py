"""The spans a report sets side by side, and how its headlines name them. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any

from ...calendar.boundaries import LAST_MS, period_after, period_floor
from ...calendar.zones import zone_name
from ...periods import HistorySource, fetch_periods
from ..table import format_value

if TYPE_CHECKING:
    from ...insights.compare import SpanCosts
    from . import ReportData

__all__ = ["headlines", "previous_held_in_part", "span_before", "span_text"]


def span_before(start: datetime, end: datetime, tz: tzinfo) -> tuple[datetime, datetime]:
    """The span a report compares against: the same number of months before a
    window of whole months in ``tz`` (October against September), else a span as
    long, just before."""
    if start == period_floor(start, "month", tz) and end == period_floor(end, "month", tz):
        first, months = start, 0
        while first < end:
            first, months = period_after(first, "month", tz), months + 1
        back = start
        for _ in range(months):
            back = period_floor(back - LAST_MS, "month", tz)
        return back, start
    return start - (end - start), start


def previous_held_in_part(
    source: HistorySource,
    span: tuple[datetime, datetime],
    metrics: Sequence[str],
    **fetch_options: Any,
) -> bool:
    """True when the span before the report's starts before the account's usage
    does: a run of days with nothing at all in any metric, over a tenth of the
    span (and over two days), then usage. A young account's first month set
    against the weeks before it is not a +164% rise. (A store that holds the
    span only in part already answers None.)"""
    from ...errors import NotHeldError

    start, end = span
    if end - start < timedelta(days=3):
        return False
    try:
        days = fetch_periods(
            source, start, end, "day", tuple(metrics), exact=True, now=end, **fetch_options
        )
    except NotHeldError:
        return True
    empty = timedelta(0)
    for point in days:
        if any(point.as_dict(metrics).values()):
            break
        empty += timedelta(days=1)
    else:
        return False  # nothing used at all: 'no earlier data', said as such
    return empty > max(timedelta(days=2), (end - start) / 10)


def span_text(start: datetime, end: datetime, tz: tzinfo) -> str:
    """``2026-10-01 to 2026-10-31 (Europe/Berlin)``: the days of [start, end), the
    last one inclusive, as a person reads a span."""
    last = (end - LAST_MS).astimezone(tz)
    return f"{start.astimezone(tz):%Y-%m-%d} to {last:%Y-%m-%d} ({zone_name(tz)})"


def headlines(data: ReportData) -> list[tuple[str, str, str]]:
    """(metric, total, change) for each metric:
    ``('credits_used', '25,760.58', '▲ +3.4% on 2026-07-03 to 2026-09-01 (UTC)')``."""
    rows = []
    tz = data.history.tz
    before = data.comparison.previous
    span = span_text(before.start, before.end, tz)
    for metric, change in data.comparison.change.items():
        total = format_value(metric, data.comparison.current.values.get(metric))
        if data.comparison.current.values.get(metric) is None:
            shown = "-"  # the server sent no value for it
        elif before.values.get(metric) is None:
            shown = f"not comparable: {span} {data.previous_gap}"
        elif change.percent is None:
            shown = f"no earlier data in {span}"
        else:
            arrow = "▲" if change.percent > 0 else ("▼" if change.percent < 0 else "=")
            shown = f"{arrow} {change.percent:+.1f}% on {span}"
        rows.append((metric, total, shown))
    if data.comparison.cost is not None:
        rows.append(_cost_headline(data.comparison.cost, span, data.previous_gap))
    return rows


def _cost_headline(cost: SpanCosts, span: str, gap: str) -> tuple[str, str, str]:
    """('cost (USD)', '1,234.57', '▲ +3.4% on ...'): the money, rounded only here."""
    from ..table import format_money

    now, before, currency = cost.current, cost.previous, cost.currency
    total = "-" if now is None else format_money(now, currency)
    if now is None:
        shown = "-"
    elif before is None:
        shown = f"not comparable: {span} {gap}"
    elif not before:
        shown = f"no earlier data in {span}"
    else:
        percent = float(100 * (now - before) / before)
        arrow = "▲" if percent > 0 else ("▼" if percent < 0 else "=")
        shown = f"{arrow} {percent:+.1f}% on {span}"
    return (f"cost ({currency})", total, shown)
