"""What callers may pass as a window, or as the moment they ask as of.

Callers pass ``from_date``/``to_date`` (and ``as_of``) in many forms: a date, a
month, a named period, a span before now, a date-time. Nothing here reads the
clock: ``now`` is always passed in, so one call resolves "now" once and every
page of it asks for the same window.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from ..errors import InvalidInputError
from .boundaries import LAST_MS, month_start, period_after, period_floor
from .wire import format_api_datetime
from .zones import as_utc

__all__ = [
    "ACCEPTED_FORMS",
    "PYTHON_FORMS",
    "DateLike",
    "is_relative",
    "parse_as_of",
    "parse_when",
    "resolve_window",
]

DateLike = datetime | date | timedelta | str

DEFAULT_SPAN = timedelta(days=30)

# What a caller of the library may pass besides text; an error carries it apart
# (InvalidInputError.python_forms), so the CLI can leave it out: a person typing
# a flag gives text.
PYTHON_FORMS = "a datetime (naive is taken as UTC), a date, a timedelta (that long before now), "
TEXT_FORMS = (
    "an ISO 8601 date or date-time ('2026-11-01', '2026-11-01T13:00:00Z', "
    "'2026-11-01T13:00+01:00'), a month ('2026-03'), 'now', 'today', 'yesterday', 'this-week', "
    "'last-week', 'this-month', 'last-month', or a span before now: '90m', '12h', '30d', '2w', "
    "'6mo', '1y'"
)
ACCEPTED_FORMS = PYTHON_FORMS + TEXT_FORMS
# The years a date can be written in on the wire (ISO 8601's four digits).
_YEARS = "years 0001 to 9999 (UTC)"

_RELATIVE = re.compile(r"^\s*(\d+)\s*(m|min|h|d|w|mo|y)\s*$", re.IGNORECASE)
_UNIT = {"m": "minutes", "min": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_CALENDAR_UNIT = {"mo": 1, "y": 12}  # months: a calendar span, not a fixed length
# Named periods: (granularity, how many periods back from the current one).
_NAMED_PERIODS = {
    "today": ("day", 0),
    "yesterday": ("day", 1),
    "this-week": ("week", 0),
    "last-week": ("week", 1),
    "this-month": ("month", 0),
    "last-month": ("month", 1),
}
_YEAR_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def _period_back(
    now: datetime, granularity: str, back: int, tz: tzinfo
) -> tuple[datetime, datetime]:
    """The [start, end) of the period ``back`` periods before the one holding ``now``."""
    start = period_floor(now, granularity, tz)
    for _ in range(back):
        start = period_floor(start - timedelta(hours=1), granularity, tz)
    return start, period_after(start, granularity, tz)


def _edge(start: datetime, end: datetime, role: str) -> datetime:
    """``from`` takes a period's first instant, ``to`` its last millisecond."""
    return start if role == "from" else end - LAST_MS


def _months_before(now: datetime, months: int, tz: tzinfo) -> datetime:
    local = now.astimezone(tz)
    first = month_start(local.year, local.month - months)
    last_day = (month_start(first.year, first.month + 1) - timedelta(days=1)).day
    moved = local.replace(
        tzinfo=None, year=first.year, month=first.month, day=min(local.day, last_day)
    )
    return as_utc(moved, tz)


def parse_when(
    value: DateLike, *, now: datetime, role: str, tz: tzinfo = UTC, param: str | None = None
) -> datetime:
    """One end of a window as an aware UTC datetime.

    ``role`` is ``"from"`` or ``"to"``: a plain date (or a month, or a named period
    such as ``last-month``) means its first instant for ``from`` and its last
    millisecond for ``to``, so ``to_date=date.today()`` includes today. Dates,
    named periods and naive times are read in ``tz`` (UTC by default). An error
    names ``param`` (default ``from_date`` or ``to_date``, after the role).

    >>> now = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    >>> parse_when("2d", now=now, role="from").isoformat()
    '2026-11-22T12:00:00+00:00'
    >>> parse_when("last-month", now=now, role="to").isoformat()
    '2026-10-31T23:59:59.999000+00:00'
    """
    name = param or f"{role}_date"
    try:
        if isinstance(value, datetime):
            return as_utc(value, tz)
        if isinstance(value, date):
            return _day_edge(value, role, tz)
        if isinstance(value, timedelta):
            if value < timedelta(0):
                raise InvalidInputError(
                    name, f"{value!r} is negative; a timedelta means that long before now"
                )
            return now - value
        if isinstance(value, str):
            return _parse_text(value, now=now, role=role, tz=tz, param=name)
    except OverflowError:
        raise InvalidInputError(
            name, f"{value!s} is outside the dates the API can be sent: {_YEARS}", value=value
        ) from None
    raise InvalidInputError(
        name,
        f"{value!r} is a {type(value).__name__}",
        value=value,
        allowed=TEXT_FORMS,
        python_forms=PYTHON_FORMS,
    )


def _day_edge(day: date, role: str, tz: tzinfo = UTC) -> datetime:
    start = as_utc(datetime.combine(day, time(0)), tz)
    return _edge(start, period_after(start, "day", tz), role)


def _parse_text(text: str, *, now: datetime, role: str, tz: tzinfo, param: str) -> datetime:
    word = text.strip().lower()
    if word == "now":
        return now
    if word in _NAMED_PERIODS:
        granularity, back = _NAMED_PERIODS[word]
        return _edge(*_period_back(now, granularity, back, tz), role)
    match = _RELATIVE.match(word)
    if match:
        amount, unit = int(match.group(1)), match.group(2)
        if unit in _CALENDAR_UNIT:
            return _months_before(now, amount * _CALENDAR_UNIT[unit], tz)
        return now - timedelta(**{_UNIT[unit]: amount})
    stripped = text.strip()
    if stripped.startswith("-") and _RELATIVE.match(stripped[1:]):
        raise InvalidInputError(
            param,
            f"{text!r} has a sign; a span before now is written without one ({stripped[1:]!r})",
            value=text,
        )
    try:
        month = _YEAR_MONTH.match(stripped)
        if month:
            first = as_utc(datetime(int(month.group(1)), int(month.group(2)), 1), tz)
            return _edge(first, period_after(first, "month", tz), role)
        if len(stripped) == 10:
            return _day_edge(date.fromisoformat(stripped), role, tz)
        return as_utc(datetime.fromisoformat(stripped), tz)
    except ValueError as error:
        reason = _reason(error)
    raise InvalidInputError(
        param,
        f"cannot read {text!r}{reason}",
        value=text,
        allowed=TEXT_FORMS,
        python_forms=PYTHON_FORMS,
    )


def _reason(error: ValueError) -> str:
    """What Python found wrong in a date that has the right shape ('month must be
    in 1..12'), or nothing when the text is no date at all."""
    text = str(error)
    if text.startswith("Invalid isoformat string") or not text:
        return ""
    return f" ({text})"


def parse_as_of(value: DateLike | None, *, now: datetime, tz: tzinfo = UTC) -> datetime:
    """The one instant an ``as_of`` means, in every command and function that takes one.

    Nothing means ``now``. A date, month or named period means the moment it is
    complete: its last millisecond, as ``to_date`` reads it, or ``now`` while it
    is still going on (``today``, or the day a store was last synced). A
    date-time means that instant, and a span (``2d``) that long before now.
    An instant after ``now`` is refused: there is no usage there yet.

    >>> now = datetime(2026, 3, 20, 9, 30, tzinfo=UTC)
    >>> parse_as_of("2026-03-15", now=now).isoformat()
    '2026-03-15T23:59:59.999000+00:00'
    >>> parse_as_of("2026-03-20", now=now) == now
    True
    """
    if value is None:
        return now
    end = parse_when(value, now=now, role="to", tz=tz, param="as_of")
    if end <= now:
        return end
    if parse_when(value, now=now, role="from", tz=tz, param="as_of") <= now:
        return now  # the day (month, week) is still going on: as of now
    raise InvalidInputError(
        "as_of",
        f"{format_api_datetime(end)} is in the future (now is {format_api_datetime(now)})",
        value=value,
    )


def is_relative(value: DateLike | None) -> bool:
    """True for a start given as a span before now (``30d``, ``12h``, a timedelta,
    or nothing: 30 days): the one kind of start that whole periods snap down to a
    boundary. A date, a month, a named period or a date-time is taken exactly.

    >>> [is_relative(v) for v in ("30d", "2026-11", "last-month", None)]
    [True, False, False, True]
    """
    if value is None or isinstance(value, timedelta):
        return True
    return isinstance(value, str) and _RELATIVE.match(value) is not None


def resolve_window(
    from_date: DateLike | None, to_date: DateLike | None, *, now: datetime, tz: tzinfo = UTC
) -> tuple[datetime, datetime]:
    """The UTC window of one call: ``to`` defaults to now, ``from`` to 30 days before ``to``.

    >>> now = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    >>> [d.isoformat() for d in resolve_window("1d", None, now=now)]
    ['2026-11-23T12:00:00+00:00', '2026-11-24T12:00:00+00:00']
    """
    end = now if to_date is None else parse_when(to_date, now=now, role="to", tz=tz)
    start = (
        end - DEFAULT_SPAN
        if from_date is None
        else parse_when(from_date, now=now, role="from", tz=tz)
    )
    if start > now:
        raise InvalidInputError(
            "from_date",
            f"{format_api_datetime(start)} is in the future (now is "
            f"{format_api_datetime(now)}); there is no history there yet",
        )
    if start >= end:
        raise InvalidInputError(
            "from_date",
            f"from_date {format_api_datetime(start)} is not before to_date "
            f"{format_api_datetime(end)}; swap them or widen the window",
            named=False,
            mentions=("from_date", "to_date"),
        )
    return start, end
