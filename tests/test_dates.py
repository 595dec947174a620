"""Every date form callers pass, and every `date` form the API may send back."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from anchor_history.calendar.windows import parse_when, resolve_window
from anchor_history.calendar.wire import format_api_datetime, parse_bucket_start
from anchor_history.errors import InvalidInputError
from hypothesis import given
from hypothesis import strategies as st

NOW = datetime(2026, 11, 24, 12, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "role", "expected"),
    [
        ("now", "to", NOW),
        ("today", "from", datetime(2026, 11, 24, tzinfo=UTC)),
        ("today", "to", datetime(2026, 11, 24, 23, 59, 59, 999000, tzinfo=UTC)),
        ("yesterday", "from", datetime(2026, 11, 23, tzinfo=UTC)),
        ("90m", "from", NOW - timedelta(minutes=90)),
        ("12h", "from", NOW - timedelta(hours=12)),
        ("30d", "from", NOW - timedelta(days=30)),
        ("2w", "from", NOW - timedelta(weeks=2)),
        (" 3D ", "from", NOW - timedelta(days=3)),
        (timedelta(hours=5), "from", NOW - timedelta(hours=5)),
        (date(2026, 11, 1), "from", datetime(2026, 11, 1, tzinfo=UTC)),
        (date(2026, 11, 1), "to", datetime(2026, 11, 1, 23, 59, 59, 999000, tzinfo=UTC)),
        ("2026-11-01", "from", datetime(2026, 11, 1, tzinfo=UTC)),
        ("2026-11-01T13:00:00Z", "from", datetime(2026, 11, 1, 13, tzinfo=UTC)),
        ("2026-11-01T13:00:00+02:00", "from", datetime(2026, 11, 1, 11, tzinfo=UTC)),
        ("2026-11-01T13:00:00.250", "from", datetime(2026, 11, 1, 13, 0, 0, 250000, tzinfo=UTC)),
        (datetime(2026, 11, 1, 13), "from", datetime(2026, 11, 1, 13, tzinfo=UTC)),
        (
            datetime(2026, 11, 1, 13, tzinfo=timezone(timedelta(hours=-5))),
            "from",
            datetime(2026, 11, 1, 18, tzinfo=UTC),
        ),
    ],
)
def test_parse_when_accepts_every_documented_form(value, role, expected) -> None:
    assert parse_when(value, now=NOW, role=role) == expected


@pytest.mark.parametrize("value", ["yesterdayish", "30 days", "2026-13-01", "", 12, None])
def test_parse_when_rejects_with_the_value_and_accepted_forms(value) -> None:
    with pytest.raises(InvalidInputError) as caught:
        parse_when(value, now=NOW, role="from")
    assert repr(value) in str(caught.value)
    assert "accepted" in str(caught.value)


def test_a_signed_span_is_refused_with_the_unsigned_one() -> None:
    with pytest.raises(InvalidInputError, match=r"'-3d' has a sign; .* without one \('3d'\)"):
        parse_when("-3d", now=NOW, role="from")


def test_negative_timedelta_is_rejected() -> None:
    with pytest.raises(InvalidInputError, match="negative"):
        parse_when(timedelta(days=-1), now=NOW, role="from")


def test_window_defaults_to_thirty_days_ending_now() -> None:
    assert resolve_window(None, None, now=NOW) == (NOW - timedelta(days=30), NOW)


def test_from_after_to_is_an_error_quoting_both() -> None:
    with pytest.raises(InvalidInputError, match=r"2026-11-10T00:00:00.000Z is not before to_date"):
        resolve_window("2026-11-10", "2026-11-01T00:00:00Z", now=NOW)


def test_window_in_the_future_is_an_error() -> None:
    with pytest.raises(InvalidInputError, match="in the future"):
        resolve_window("2027-01-01", "2027-02-01", now=NOW)


def test_api_datetimes_are_utc_with_z_and_milliseconds() -> None:
    plus_two = timezone(timedelta(hours=2))
    assert format_api_datetime(datetime(2026, 11, 1, 2, 0, 0, 123456, tzinfo=plus_two)) == (
        "2026-11-01T00:00:00.123Z"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-24T13:00:00.000Z", datetime(2026, 11, 24, 13, tzinfo=UTC)),
        ("2026-11-24T13:00:00Z", datetime(2026, 11, 24, 13, tzinfo=UTC)),
        ("2026-11-24T13:00:00", datetime(2026, 11, 24, 13, tzinfo=UTC)),
        ("2026-11-24 13:00:00", datetime(2026, 11, 24, 13, tzinfo=UTC)),
        ("2026-11-24T14:00:00+01:00", datetime(2026, 11, 24, 13, tzinfo=UTC)),
        ("2026-11-24", datetime(2026, 11, 24, tzinfo=UTC)),
        ("2026-11", datetime(2026, 11, 1, tzinfo=UTC)),
        ("2026-W48", datetime(2026, 11, 23, tzinfo=UTC)),
        ("2026-W01", datetime(2025, 12, 29, tzinfo=UTC)),
    ],
)
def test_bucket_dates_parse_whatever_their_form(text, expected) -> None:
    assert parse_bucket_start(text) == expected


@pytest.mark.parametrize("text", ["", "yesterday", "2026-W60", "2026-13", "24/11/2026"])
def test_unparseable_bucket_dates_raise_value_error(text) -> None:
    with pytest.raises(ValueError, match="not a date, date-time, YYYY-MM or ISO week") as caught:
        parse_bucket_start(text)
    assert repr(text) in str(caught.value)


instants = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)


@given(instants)
def test_format_then_parse_round_trips_to_the_millisecond(when: datetime) -> None:
    parsed = parse_bucket_start(format_api_datetime(when))
    assert parsed == when.replace(microsecond=when.microsecond // 1000 * 1000)


@given(st.text(max_size=30))
def test_parse_when_gives_a_utc_datetime_or_the_input_error(text: str) -> None:
    try:
        result = parse_when(text, now=NOW, role="from")
    except InvalidInputError:
        return
    assert result.tzinfo is not None
    assert result.utcoffset() == timedelta(0)


@given(st.text(max_size=30))
def test_parse_bucket_start_gives_utc_or_value_error(text: str) -> None:
    try:
        result = parse_bucket_start(text)
    except ValueError:
        return
    assert result.utcoffset() == timedelta(0)
