"""Time zones, and the hours, days, ISO weeks and months in them: pure functions.

The API's smallest bucket is the UTC hour. A day, week or month in a zone is a
run of whole UTC hours only when the zone's offset is a whole number of hours,
so such zones are the ones accepted (:func:`check_whole_hour_zone`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo

from ..errors import InvalidInputError

__all__ = [
    "as_utc",
    "check_whole_hour_zone",
    "month_start",
    "period_after",
    "period_floor",
    "zone",
    "zone_name",
]


def zone(name: str | tzinfo | None) -> tzinfo:
    """A time zone from an IANA name (``Europe/Berlin``), ``UTC`` or a tzinfo.

    The API's smallest bucket is the UTC hour, so only zones whose offset is a
    whole number of hours can be re-bucketed exactly: the others are refused by
    :func:`check_whole_hour_zone` when a window is known.
    """
    if name is None:
        return UTC
    if isinstance(name, tzinfo):
        return name
    if not isinstance(name, str) or not name.strip():
        raise InvalidInputError("tz", f"{name!r} is not a time zone name like 'Europe/Berlin'")
    text = name.strip()
    if text.upper() in ("UTC", "Z", "ETC/UTC"):
        return UTC
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInputError(
            "tz",
            f"unknown time zone {text!r}; use an IANA name like 'Europe/Berlin', "
            "'America/New_York' or 'UTC'",
        ) from None


def zone_name(tz: tzinfo) -> str:
    """``UTC``, or the IANA key of a ZoneInfo (what a label should say)."""
    return "UTC" if tz is UTC else str(getattr(tz, "key", None) or tz)


def check_whole_hour_zone(tz: tzinfo, start: datetime, end: datetime) -> None:
    """Refuse a zone whose offset is not whole hours anywhere in ``[start, end]``.

    Checked once a day across the window, and at both ends (offsets change at most
    a few times a year, never twice in a day).
    """
    if tz is UTC:
        return
    when = start
    while True:
        offset = tz.utcoffset(when.astimezone(tz).replace(tzinfo=None)) or timedelta(0)
        if offset % timedelta(hours=1):
            minutes = int(offset.total_seconds() // 60)
            raise InvalidInputError(
                "tz",
                f"{zone_name(tz)} is UTC{minutes // 60:+03d}:{abs(minutes) % 60:02d} "
                f"on {when.astimezone(tz):%Y-%m-%d}; the API's smallest bucket is the UTC hour, "
                "so only zones with whole-hour offsets can be re-bucketed exactly",
            )
        if when >= end:
            return
        when = min(end, when + timedelta(days=1))


def as_utc(value: datetime, tz: tzinfo = UTC) -> datetime:
    """Aware datetimes are converted to UTC; naive ones are taken in ``tz`` (UTC by default)."""
    if value.tzinfo is None:
        value = _local(value, tz)
    return value.astimezone(UTC)


def _local(naive: datetime, tz: tzinfo) -> datetime:
    """A naive wall time in ``tz``; a time skipped by a DST change moves past the gap."""
    value = naive.replace(tzinfo=tz)
    if tz is UTC:
        return value
    there_and_back = value.astimezone(UTC).astimezone(tz).replace(tzinfo=None)
    return value if there_and_back == naive else naive.replace(tzinfo=tz, fold=1)


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
