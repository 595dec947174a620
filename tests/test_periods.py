"""Whole periods: billing-shaped windows, zones, zero fill, partial marks, exact sums."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from anchor_history import InvalidInputError, ResponseFormatError
from anchor_history.calendar.boundaries import period_after, period_floor
from anchor_history.calendar.windows import parse_when
from anchor_history.calendar.wire import format_api_datetime
from anchor_history.calendar.zones import zone
from anchor_history.models import (
    History,
    HistoryPoint,
    HistoryQuery,
    HistorySummary,
    exact_sum,
)
from anchor_history.periods import fetch_periods, whole_periods
from conftest import KEY, Recorder, body, make_client

NOW = datetime(2026, 11, 25, 12, 30, tzinfo=UTC)  # a Wednesday
BERLIN = zone("Europe/Berlin")


@pytest.mark.parametrize(
    ("text", "role", "expected"),
    [
        ("1y", "from", datetime(2025, 11, 25, 12, 30, tzinfo=UTC)),
        ("6mo", "from", datetime(2026, 5, 25, 12, 30, tzinfo=UTC)),
        ("2026-03", "from", datetime(2026, 3, 1, tzinfo=UTC)),
        ("2026-03", "to", datetime(2026, 3, 31, 23, 59, 59, 999000, tzinfo=UTC)),
        ("this-month", "from", datetime(2026, 11, 1, tzinfo=UTC)),
        ("last-month", "from", datetime(2026, 10, 1, tzinfo=UTC)),
        ("last-month", "to", datetime(2026, 10, 31, 23, 59, 59, 999000, tzinfo=UTC)),
        ("this-week", "from", datetime(2026, 11, 23, tzinfo=UTC)),
        ("last-week", "from", datetime(2026, 11, 16, tzinfo=UTC)),
        ("last-week", "to", datetime(2026, 11, 22, 23, 59, 59, 999000, tzinfo=UTC)),
    ],
)
def test_billing_shaped_windows(text: str, role: str, expected: datetime) -> None:
    assert parse_when(text, now=NOW, role=role) == expected


def test_a_span_of_months_keeps_the_day_or_takes_the_months_last() -> None:
    may_31 = datetime(2026, 5, 31, 9, tzinfo=UTC)
    assert parse_when("3mo", now=may_31, role="from") == datetime(2026, 2, 28, 9, tzinfo=UTC)


def test_dates_and_named_periods_are_read_in_the_zone() -> None:
    assert parse_when("2026-11-01", now=NOW, role="from", tz=BERLIN) == datetime(
        2026, 10, 31, 23, tzinfo=UTC
    )
    assert parse_when("today", now=NOW, role="to", tz=BERLIN) == datetime(
        2026, 11, 25, 22, 59, 59, 999000, tzinfo=UTC
    )


def test_an_unknown_zone_and_a_half_hour_zone_are_refused_clearly() -> None:
    with pytest.raises(InvalidInputError, match="unknown time zone 'Mars/Olympus'"):
        zone("Mars/Olympus")
    client = make_client(lambda r: httpx.Response(500))
    with pytest.raises(InvalidInputError, match=r"Asia/Kolkata is UTC\+05:30.*whole-hour"):
        fetch_periods(client, "7d", tz="Asia/Kolkata", now=NOW)


def test_period_arithmetic_across_a_dst_change() -> None:
    # 2026-03-29: Berlin moves from UTC+1 to UTC+2; that day lasts 23 hours.
    start = period_floor(datetime(2026, 3, 29, 5, tzinfo=UTC), "day", BERLIN)
    assert start == datetime(2026, 3, 28, 23, tzinfo=UTC)
    assert period_after(start, "day", BERLIN) - start == timedelta(hours=23)
    assert period_floor(NOW, "week") == datetime(2026, 11, 23, tzinfo=UTC)
    assert period_after(datetime(2026, 12, 1, tzinfo=UTC), "month") == datetime(
        2027, 1, 1, tzinfo=UTC
    )


def points(*items: tuple[datetime, int | float | None]) -> tuple[HistoryPoint, ...]:
    return tuple(
        HistoryPoint(session_count=v, start=s, date=s.strftime("%Y-%m-%dT%H:%M:%S.000Z"))
        for s, v in items
    )


def history_of(
    items: tuple[HistoryPoint, ...], start: datetime, end: datetime, granularity: str = "day"
) -> History:
    query = HistoryQuery(start, end, granularity, ("session_count",))
    total = exact_sum(p.session_count for p in items)
    return History(items, HistorySummary(session_count=total), query)


def day(n: int, hour: int = 0) -> datetime:
    return datetime(2026, 11, n, hour, tzinfo=UTC)


def test_quiet_days_are_filled_with_zeros_in_order() -> None:
    sent = points((day(20), 5), (day(23), 7))
    result = whole_periods(history_of(sent, day(20), NOW), now=NOW)
    assert [(p.start.day, p.session_count) for p in result] == [
        (20, 5),
        (21, 0),
        (22, 0),
        (23, 7),
        (24, 0),
        (25, 0),
    ]
    assert [p.date for p in result][:2] == ["2026-11-20T00:00:00.000Z", ""]
    assert result.totals_match()


def test_no_fill_keeps_only_what_the_server_sent() -> None:
    sent = points((day(20), 5), (day(23), 7))
    result = whole_periods(history_of(sent, day(20), NOW), now=NOW, fill=False)
    assert [p.start.day for p in result] == [20, 23]


def test_the_unfinished_period_and_a_cut_first_period_are_partial() -> None:
    sent = points((day(20), 5), (day(25), 7))
    result = whole_periods(history_of(sent, day(20, 6), NOW), now=NOW)
    assert [p.partial for p in result] == [True, False, False, False, False, True]


def test_a_window_ending_at_a_days_last_millisecond_covers_it() -> None:
    end = datetime(2026, 11, 22, 23, 59, 59, 999000, tzinfo=UTC)
    result = whole_periods(history_of(points((day(22), 1)), day(20), end), now=NOW)
    assert [p.partial for p in result] == [False, False, False]


def test_hours_are_rebucketed_into_local_days_exactly() -> None:
    # Berlin is UTC+1 in November: 21:00 and 22:00 UTC are still the 23rd there,
    # 23:00 UTC is already midnight of the 24th.
    hours = points((day(23, 21), 0.1), (day(23, 22), 0.2), (day(23, 23), 0.1))
    start = datetime(2026, 11, 22, 23, tzinfo=UTC)
    source = history_of(hours, start, datetime(2026, 11, 24, 23, tzinfo=UTC), "hour")
    result = whole_periods(source, granularity="day", tz=BERLIN, now=NOW)
    assert [(p.start, p.session_count) for p in result] == [
        (datetime(2026, 11, 22, 23, tzinfo=UTC), 0.3),  # exactly, not 0.30000000000000004
        (datetime(2026, 11, 23, 23, tzinfo=UTC), 0.1),
    ]
    assert result.query.granularity == "day"
    assert result.tz is BERLIN


def test_server_buckets_off_the_calendar_are_refused() -> None:
    sunday_weeks = points((datetime(2026, 11, 22, tzinfo=UTC), 5))
    with pytest.raises(ResponseFormatError, match="does not start on a week boundary"):
        whole_periods(history_of(sunday_weeks, day(16), NOW, "week"), now=NOW)


def test_exact_sum_has_no_float_noise() -> None:
    assert exact_sum([0.1, 0.2]) == 0.3
    assert exact_sum([652.8336, 0.0001, None]) == 652.8337
    assert exact_sum([1, 2, 3]) == 6
    assert isinstance(exact_sum([1, 2]), int)
    assert exact_sum([None, None]) is None


def test_fetch_periods_snaps_the_start_and_asks_hours_outside_utc() -> None:
    seen = Recorder(lambda r: httpx.Response(200, json=body([], total_pages=0, total_records=0)))
    client = make_client(seen)
    result = fetch_periods(client, "2d", granularity="day", tz="Europe/Berlin", now=NOW)
    params = seen.requests[0].url.params
    assert params["from_date"] == "2026-11-22T23:00:00.000Z"  # Berlin midnight
    assert params["granularity"] == "hour"
    assert len(result) == 3
    assert result.points[-1].partial
    fetch_periods(client, "2d", granularity="day", exact=True, now=NOW)
    assert seen.requests[1].url.params["from_date"] == "2026-11-23T12:30:00.000Z"
    # A day the start cuts is summed from hours: how the API labels a cut bucket is unknown.
    assert seen.requests[1].url.params["granularity"] == "hour"
    assert KEY not in str(seen.requests[1].url)


def daily(request: httpx.Request) -> httpx.Response:
    """40 sessions every hour, in UTC buckets of the granularity asked, the first and
    last cut by the window and labelled with their period's start (one page)."""
    start = datetime.fromisoformat(request.url.params["from_date"])
    end = datetime.fromisoformat(request.url.params["to_date"])
    granularity = request.url.params["granularity"]
    points, when = [], period_floor(start, granularity)
    while when < end:
        after = period_after(when, granularity)
        hours = -(-(min(after, end) - max(when, start)) // timedelta(hours=1))  # to the ms
        points.append({"date": format_api_datetime(when), "session_count": 40 * hours})
        when = after
    total = sum(p["session_count"] for p in points)
    return httpx.Response(200, json=body(points, summary={"session_count": total}))


@pytest.mark.parametrize("granularity", ["day", "week", "month"])
def test_an_explicit_window_is_exact_and_its_total_is_the_same_at_every_granularity(
    granularity: str,
) -> None:
    """`--from last-month --to last-month -g week` used to start on the Monday before
    the 1st, shown whole: 7,664 sessions by week against 6,862 by month."""
    seen = Recorder(daily)
    client = make_client(seen)
    history = fetch_periods(client, "last-month", "last-month", granularity, now=NOW)
    params = seen.requests[0].url.params
    assert params["from_date"] == "2026-10-01T00:00:00.000Z"
    assert history.totals()["session_count"] == 31 * 24 * 40
    if granularity == "week":  # Thursday the 1st: its week is cut, so partial
        assert history.points[0].start == datetime(2026, 9, 28, tzinfo=UTC)
        assert history.points[0].partial
        assert history.points[0].session_count == 4 * 24 * 40
        assert params["granularity"] == "day"


def test_only_a_relative_start_snaps_to_the_period() -> None:
    seen = Recorder(daily)
    client = make_client(seen)
    fetch_periods(client, "10d", granularity="week", now=NOW)
    assert seen.requests[0].url.params["from_date"] == "2026-11-09T00:00:00.000Z"
    fetch_periods(client, "2026-11-11", granularity="week", now=NOW)
    assert seen.requests[1].url.params["from_date"] == "2026-11-11T00:00:00.000Z"


def test_the_clients_own_points_carry_partial() -> None:
    today = {"date": "2026-11-24T00:00:00.000Z", "session_count": 3}
    client = make_client(lambda r: httpx.Response(200, json=body([today])))
    (point,) = client.fetch(from_date="2026-11-24")  # the conftest clock: 2026-11-24 12:00
    assert point.partial
