"""Pure date handling: what callers may pass as a window, and what the API sends back.

Callers pass ``from_date``/``to_date`` in many forms; the API gets UTC ISO 8601
with a ``Z``. The API documents its bucket ``date`` only as a string, so
:func:`parse_bucket_start` accepts every reasonable form instead of guessing one.
Nothing here reads the clock: ``now`` is always passed in, so one call resolves
"now" once and every page of it asks for the same window.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

from .errors import InvalidInputError

__all__ = [
    "ACCEPTED_FORMS",
    "DateLike",
    "format_api_datetime",
    "parse_bucket_start",
    "parse_when",
    "resolve_window",
]

DateLike = datetime | date | timedelta | str

DEFAULT_SPAN = timedelta(days=30)

ACCEPTED_FORMS = (
    "a datetime (naive is taken as UTC), a date, a timedelta (that long before now), "
    "an ISO 8601 string ('2026-11-01', '2026-11-01T13:00:00Z', '2026-11-01T13:00+01:00'), "
    "'now', 'today', 'yesterday', or a span before now: '90m', '12h', '30d', '2w'"
)

_RELATIVE = re.compile(r"^\s*(\d+)\s*(m|min|h|d|w)\s*$", re.IGNORECASE)
_UNIT = {"m": "minutes", "min": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_ISO_WEEK = re.compile(r"^(\d{4})-?W(\d{2})(?:-?([1-7]))?$")
_YEAR_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def _as_utc(value: datetime) -> datetime:
    """Aware datetimes are converted to UTC; naive ones are taken as UTC already."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _end_of_day(day: date) -> datetime:
    """The last millisecond of ``day``: the API's dates go down to milliseconds."""
    return datetime.combine(day, time(23, 59, 59, 999000), UTC)


def parse_when(value: DateLike, *, now: datetime, role: str) -> datetime:
    """One end of a window as an aware UTC datetime.

    ``role`` is ``"from"`` or ``"to"``: a plain date means the start of that day
    for ``from`` and its end for ``to``, so ``to_date=date.today()`` includes today.

    >>> now = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    >>> parse_when("2d", now=now, role="from").isoformat()
    '2026-11-22T12:00:00+00:00'
    """
    if isinstance(value, datetime):
        return _as_utc(value)
    if isinstance(value, date):
        return _day_edge(value, role)
    if isinstance(value, timedelta):
        if value < timedelta(0):
            raise InvalidInputError(
                f"{role}_date: {value!r} is negative; a timedelta means that long before now"
            )
        return now - value
    if isinstance(value, str):
        return _parse_text(value, now=now, role=role)
    raise InvalidInputError(
        f"{role}_date: {value!r} is a {type(value).__name__}; accepted: {ACCEPTED_FORMS}"
    )


def _day_edge(day: date, role: str) -> datetime:
    if role == "to":
        return _end_of_day(day)
    return datetime.combine(day, time(0), UTC)


def _parse_text(text: str, *, now: datetime, role: str) -> datetime:
    word = text.strip().lower()
    if word == "now":
        return now
    if word == "today":
        return _day_edge(now.date(), role)
    if word == "yesterday":
        return _day_edge(now.date() - timedelta(days=1), role)
    match = _RELATIVE.match(word)
    if match:
        amount, unit = int(match.group(1)), match.group(2)
        return now - timedelta(**{_UNIT[unit]: amount})
    stripped = text.strip()
    try:
        if len(stripped) == 10:
            return _day_edge(date.fromisoformat(stripped), role)
        return _as_utc(datetime.fromisoformat(stripped))
    except ValueError:
        pass
    raise InvalidInputError(f"{role}_date: cannot read {text!r}; accepted: {ACCEPTED_FORMS}")


def resolve_window(
    from_date: DateLike | None, to_date: DateLike | None, *, now: datetime
) -> tuple[datetime, datetime]:
    """The UTC window of one call: ``to`` defaults to now, ``from`` to 30 days before ``to``.

    >>> now = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    >>> [d.isoformat() for d in resolve_window("1d", None, now=now)]
    ['2026-11-23T12:00:00+00:00', '2026-11-24T12:00:00+00:00']
    """
    end = now if to_date is None else parse_when(to_date, now=now, role="to")
    start = end - DEFAULT_SPAN if from_date is None else parse_when(from_date, now=now, role="from")
    if start > now:
        raise InvalidInputError(
            f"from_date: {format_api_datetime(start)} is in the future (now is "
            f"{format_api_datetime(now)}); there is no history there yet"
        )
    if start >= end:
        raise InvalidInputError(
            f"from_date {format_api_datetime(start)} is not before to_date "
            f"{format_api_datetime(end)}; swap them or widen the window"
        )
    return start, end


def format_api_datetime(value: datetime) -> str:
    """UTC ISO 8601 with milliseconds and ``Z``, as JavaScript's toISOString writes it.

    >>> format_api_datetime(datetime(2026, 11, 24, 13, 5, tzinfo=UTC))
    '2026-11-24T13:05:00.000Z'
    """
    value = _as_utc(value)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


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
        return value if value.tzinfo is UTC else _as_utc(value)  # "...Z" is the usual case
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
