"""Where periods begin and end: the hour, day, ISO week or month holding an
instant in a zone, the one after it, and the billing period (a day, an ISO week,
or a month that may start on another day than the 1st). Pure functions; the one
home of each of these rules.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from ..errors import InvalidInputError
from .zones import as_utc

__all__ = [
    "BILLING_PERIODS",
    "LAST_MS",
    "billing_month",
    "billing_period",
    "month_start",
    "period_after",
    "period_floor",
    "period_starts",
]

# The API's dates go down to milliseconds: a window ending at a period's last
# millisecond covers the whole of it (``--to 2026-11-24`` ends at 23:59:59.999).
LAST_MS = timedelta(milliseconds=1)

BILLING_PERIODS = ("day", "week", "month")


def month_start(year: int, month: int) -> date:
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    return date(year, month, 1)


def period_floor(instant: datetime, granularity: str, tz: tzinfo = UTC) -> datetime:
    """The start (aware UTC) of the hour, day, ISO week or month holding ``instant`` in ``tz``.

    >>> period_floor(datetime(2026, 11, 25, 13, 30, tzinfo=UTC), "week").isoformat()
    '2026-11-23T00:00:00+00:00'
    """
    if granularity == "hour":
        return instant.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    day = instant.astimezone(tz).date()
    if granularity == "week":
        day -= timedelta(days=day.weekday())
    elif granularity == "month":
        day = day.replace(day=1)
    return as_utc(datetime.combine(day, time(0)), tz)


def period_after(start: datetime, granularity: str, tz: tzinfo = UTC) -> datetime:
    """The start of the period after the one starting at ``start`` (a period's end).

    >>> period_after(datetime(2026, 12, 1, tzinfo=UTC), "month").isoformat()
    '2027-01-01T00:00:00+00:00'
    """
    if granularity == "hour":
        return start + timedelta(hours=1)
    day = start.astimezone(tz).date()
    if granularity == "day":
        day += timedelta(days=1)
    elif granularity == "week":
        day += timedelta(days=7)
    else:
        day = month_start(day.year, day.month + 1)
    return as_utc(datetime.combine(day, time(0)), tz)


def period_starts(
    first: datetime, end: datetime, granularity: str, tz: tzinfo = UTC
) -> Iterator[datetime]:
    """The start (aware UTC) of every period of ``granularity`` in ``tz`` from the one
    holding ``first`` up to ``end`` (exclusive).

    >>> [s.day for s in period_starts(datetime(2026, 11, 2, 5, tzinfo=UTC),
    ...                               datetime(2026, 11, 4, tzinfo=UTC), "day")]
    [2, 3]
    """
    start = period_floor(first, granularity, tz)
    while start < end:
        yield start
        start = period_after(start, granularity, tz)


def billing_period(as_of: datetime, period: str, cycle_start: int = 1) -> tuple[datetime, datetime]:
    """The UTC [start, end) of the day, ISO week or billing month holding ``as_of``.

    A billing month starting on day ``cycle_start`` (1-28) runs from that day of
    one month to that day of the next.

    >>> s, e = billing_period(datetime(2026, 11, 10, tzinfo=UTC), "month", cycle_start=15)
    >>> s.date().isoformat(), e.date().isoformat()
    ('2026-10-15', '2026-11-15')
    """
    if period not in BILLING_PERIODS:
        raise InvalidInputError("period", f"{period!r} is not one of {', '.join(BILLING_PERIODS)}")
    if type(cycle_start) is not int or not 1 <= cycle_start <= 28:
        raise InvalidInputError("cycle_start", f"{cycle_start!r} is not a day from 1 to 28")
    if period != "month" or cycle_start == 1:
        start = period_floor(as_of, period)
        return start, period_after(start, period)
    day = as_of.astimezone(UTC)
    month_start = period_floor(day, "month")
    start = month_start.replace(day=cycle_start)
    if day < start:
        start = period_floor(month_start - timedelta(days=1), "month").replace(day=cycle_start)
    return start, period_after(start, "month").replace(day=cycle_start)


def billing_month(instant: datetime) -> datetime:
    """The start of the UTC calendar month holding ``instant``: the plan's billing
    period, where included credits apply."""
    return billing_period(instant, "month")[0]
