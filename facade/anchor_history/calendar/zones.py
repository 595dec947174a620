"""Time zones: reading a zone's name, and wall times in it: pure functions.

The API's smallest bucket is the UTC hour. A day, week or month in a zone is a
run of whole UTC hours only when the zone's offset is a whole number of hours,
so such zones are the ones accepted (:func:`check_whole_hour_zone`).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo

from ..errors import InvalidInputError

__all__ = ["as_utc", "check_whole_hour_zone", "zone", "zone_name"]


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
