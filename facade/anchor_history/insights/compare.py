"""What changed since last period: this period so far against the same span of the last.

Monday to Wednesday noon is compared with last Monday to Wednesday noon, the
1st to the 15th of this month with the 1st to the 15th of the last (cut at the
last month's end when it is shorter), so a half-finished period is never set
against a whole one.

>>> # comparison = compare_periods(client, period="week", metrics="all")
>>> # comparison.change["credits_used"].percent
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from attrs import evolve, frozen

from ..calendar.boundaries import LAST_MS, billing_month, billing_period, period_floor
from ..calendar.windows import DateLike, parse_as_of
from ..calendar.wire import format_api_datetime
from ..errors import InvalidInputError
from ..metrics import MetricsArg, normalize_metrics
from ..models.history import Number
from ..periods import HistorySource
from ..pricing.prices import PriceList

__all__ = [
    "Change",
    "Comparison",
    "Span",
    "SpanCosts",
    "compare_periods",
    "compare_spans",
    "comparison_spans",
    "is_early",
    "span_totals",
]


@frozen
class Span:
    start: datetime
    end: datetime
    values: dict[str, Number | None]

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": format_api_datetime(self.start),
            "end": format_api_datetime(self.end),
            "values": dict(self.values),
        }


@frozen
class Change:
    absolute: Number | None
    percent: float | None  # None when the previous value is 0 (or unknown)


@frozen
class SpanCosts:
    """Each span's credits priced (None where unknown), in ``currency``, by ``rule``."""

    current: Decimal | None
    previous: Decimal | None
    currency: str
    rule: str  # how the credits were priced

    def to_dict(self) -> dict[str, Any]:
        return {
            "current": None if self.current is None else str(self.current),
            "previous": None if self.previous is None else str(self.previous),
            "currency": self.currency,
            "pricing": self.rule,
            "change": _money_change(self.current, self.previous),
        }


@frozen
class Comparison:
    current: Span
    previous: Span
    change: dict[str, Change]
    # Spans too short or too small to read a change from (see EARLY_SHARE, EARLY_EVENTS).
    early: bool = False
    cost: SpanCosts | None = None  # with a price list
    as_of: datetime | None = None  # the moment compared as of, when compare_periods set it

    def to_dict(self) -> dict[str, Any]:
        return {
            **({"as_of": format_api_datetime(self.as_of)} if self.as_of is not None else {}),
            "current": self.current.to_dict(),
            "previous": self.previous.to_dict(),
            "early": self.early,
            **({"cost": self.cost.to_dict()} if self.cost is not None else {}),
            "change": {
                m: {"absolute": c.absolute, "percent": c.percent} for m, c in self.change.items()
            },
        }


# A comparison is "early" when its spans are under a tenth of the period (Monday
# 01:28 against last Monday 01:28), or hold under 30 sessions: +100% from 4 to 8
# sessions is noise, not news.
EARLY_SHARE = 0.1
EARLY_EVENTS = 30


def is_early(current: Span, previous: Span, period_length: timedelta) -> bool:
    """True when the spans are too short or too small for a change to mean much."""
    if current.end - current.start < EARLY_SHARE * period_length:
        return True
    counts = [span.values.get("session_count") for span in (current, previous)]
    return any(c is not None and c < EARLY_EVENTS for c in counts)


def _money_change(now: Decimal | None, before: Decimal | None) -> dict[str, Any]:
    if now is None or before is None:
        return {"absolute": None, "percent": None}
    percent = None if not before else round(float(100 * (now - before) / before), 2)
    return {"absolute": str(now - before), "percent": percent}


AGAINST = ("previous", "week-ago")


def comparison_spans(
    as_of: datetime, period: str, cycle_start: int = 1, against: str = "previous"
) -> tuple[tuple[datetime, datetime], tuple[datetime, datetime]]:
    """The period holding ``as_of`` from its start to ``as_of``'s last whole hour, and
    the same span of the period before.

    Whole hours: a store's atom is the UTC hour, so a span ending at 01:29 is held
    to 01:59 for yesterday and to 01:29 for today. Cut at the hour, both spans are
    as long, and the API and a store give the same answer. An ``as_of`` at a day's
    last millisecond (``--as-of 2026-11-24``) ends the span with that whole day.
    ``against="week-ago"`` sets it against the same span a week before instead: a
    Saturday against the Saturday before, not against Friday.

    >>> now = datetime(2026, 11, 25, 12, 29, tzinfo=UTC)  # a Wednesday
    >>> [[d.isoformat()[:16] for d in span] for span in comparison_spans(now, "week")]
    [['2026-11-23T00:00', '2026-11-25T12:00'], ['2026-11-16T00:00', '2026-11-18T12:00']]
    """
    if against not in AGAINST:
        raise InvalidInputError(
            "against", f"{against!r} is not one of {', '.join(AGAINST)}", value=against
        )
    start, _ = billing_period(as_of, period, cycle_start)
    end = period_floor(as_of + LAST_MS, "hour")  # never past the period's end
    if against == "week-ago":
        week = timedelta(days=7)
        return (start, end), (start - week, end - week)
    previous_start, previous_end = billing_period(start - LAST_MS, period, cycle_start)
    elapsed = end - start
    return (start, end), (previous_start, min(previous_start + elapsed, previous_end))


def _change(now: Number | None, before: Number | None) -> Change:
    if now is None or before is None:
        return Change(None, None)
    absolute = now - before
    if isinstance(absolute, float):
        absolute = round(absolute, 6)
    percent = None if before == 0 else round(100.0 * (now - before) / before, 2)
    return Change(absolute, percent)


def compare_spans(current: Span, previous: Span) -> Comparison:
    """The change of each metric of ``current`` against ``previous``."""
    change = {m: _change(v, previous.values.get(m)) for m, v in current.values.items()}
    return Comparison(current, previous, change)


def compare_periods(
    client: HistorySource,
    *,
    period: str = "week",
    metrics: MetricsArg = ("session_count",),
    as_of: DateLike | None = None,
    cycle_start: int = 1,
    now: datetime | None = None,
    prices: PriceList | None = None,
    against: str = "previous",
    **fetch_options: Any,
) -> Comparison:
    """Two small requests: each span's totals, whatever its length (and, with a
    tiered price list, each span's month before it, so included credits count)."""
    names = normalize_metrics(metrics)
    moment = now or datetime.now(UTC)
    when = parse_as_of(as_of, now=moment)
    spans = comparison_spans(when, period, cycle_start, against)
    current, previous = (span_totals(client, span, names, **fetch_options) for span in spans)
    comparison = compare_spans(current, previous)
    start, end = billing_period(when, period, cycle_start)
    cost: SpanCosts | None = None
    if prices is not None:
        costs = tuple(span_cost(client, span, prices, **fetch_options) for span in spans)
        cost = SpanCosts(costs[0], costs[1], prices.currency, prices.rule())
    return evolve(comparison, early=is_early(current, previous, end - start), cost=cost, as_of=when)


def span_cost(
    client: HistorySource,
    span: tuple[datetime, datetime],
    prices: PriceList,
    **fetch_options: Any,
) -> Decimal | None:
    """The span's credits priced; with included credits, after the credits of its
    billing month before it (one more small request). None where unknown."""
    from ..pricing.charges import cost_of, credits_decimal

    start, _ = span
    (credits,) = span_totals(client, span, ("credits_used",), **fetch_options).values.values()
    before: Number | None = 0
    month = billing_month(start)
    if prices.tiered and start > month:
        (before,) = span_totals(
            client, (month, start), ("credits_used",), **fetch_options
        ).values.values()
    if credits is None or before is None:
        return None
    return cost_of(credits_decimal(credits), prices, before=credits_decimal(before))


def span_totals(
    client: HistorySource,
    span: tuple[datetime, datetime],
    metrics: tuple[str, ...],
    **fetch_options: Any,
) -> Span:
    """Each metric's total over ``span``; None where it is unknown: a metric the
    server sent no value for, or a span a store holds only part of, or none."""
    from ..errors import NotHeldError

    start, end = span
    if end <= start:  # the period has only just begun: nothing used yet
        return Span(start, end, dict.fromkeys(metrics, 0))
    # Month buckets: one or two points cover any span, so one page answers it.
    try:
        history = client.fetch(start, end, "month", metrics, **fetch_options)
    except NotHeldError:
        return Span(start, end, dict.fromkeys(metrics, None))
    if not history.covers(start, end):  # a store holds only part of it
        return Span(start, end, dict.fromkeys(metrics, None))
    missing = set(history.missing_metrics())
    totals = history.totals()
    return Span(start, end, {m: None if m in missing else totals[m] for m in metrics})
