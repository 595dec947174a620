"""Dates as the API spells them: what the client sends (UTC ISO 8601 with
milliseconds and a ``Z``) and what it reads back. The API documents its bucket
``date`` only as a string, so :func:`parse_bucket_start` accepts every reasonable
form instead of guessing one.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time

from .zones import as_utc

__all__ = ["format_api_datetime", "parse_bucket_start"]

_ISO_WEEK = re.compile(r"^(\d{4})-?W(\d{2})(?:-?([1-7]))?$")
_YEAR_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def format_api_datetime(value: datetime) -> str:
    """UTC ISO 8601 with milliseconds and ``Z``, as JavaScript's toISOString writes it.

    >>> format_api_datetime(datetime(2026, 11, 24, 13, 5, tzinfo=UTC))
    '2026-11-24T13:05:00.000Z'
    >>> format_api_datetime(datetime(999, 1, 2, tzinfo=UTC))
    '0999-01-02T00:00:00.000Z'
    """
    value = as_utc(value)
    # strftime writes year 999 as '999' on some platforms; the wire needs four digits.
    return (
        f"{value.year:04d}-"
        + value.strftime("%m-%dT%H:%M:%S.")
        + (f"{value.microsecond // 1000:03d}Z")
    )


def parse_bucket_start(text: str) -> datetime:
    """The start of a bucket, as aware UTC, from the API's ``date`` string.

    Accepts date-times with or without ``Z``, offset or fraction (naive is UTC),
    plain dates, ``YYYY-MM`` and ISO weeks (``2026-W48`` = that week's Monday).
    Raises ``ValueError`` for anything else; the caller turns it into a
    response-format error naming the field.

    >>> parse_bucket_start("2026-W48").isoformat()
    '2026-11-23T00:00:00+00:00'
    """
    if not isinstance(text, str):
        raise ValueError(f"expected a string, got {type(text).__name__}")
    stripped = text.strip()
    try:
        if len(stripped) == 10 and stripped[4] == "-":
            return datetime.combine(date.fromisoformat(stripped), time(0), UTC)
        value = datetime.fromisoformat(stripped)
        return value if value.tzinfo is UTC else as_utc(value)  # "...Z" is the usual case
    except ValueError:
        pass
    try:
        week = _ISO_WEEK.match(stripped)
        if week:
            year, number, day = int(week.group(1)), int(week.group(2)), int(week.group(3) or 1)
            return datetime.combine(date.fromisocalendar(year, number, day), time(0), UTC)
        month = _YEAR_MONTH.match(stripped)
        if month:
            return datetime(int(month.group(1)), int(month.group(2)), 1, tzinfo=UTC)
    except ValueError:
        pass
    raise ValueError(f"not a date, date-time, YYYY-MM or ISO week: {text!r}")
