"""Budgets, forecasts, comparisons and anomalies: pure functions, then against the sandbox."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from anchor_history import HistoryClient, InvalidInputError
from anchor_history.calendar.boundaries import billing_period
from anchor_history.insights.anomalies import LOOKBACK, find_anomalies
from anchor_history.insights.budgets import Budget, evaluate, parse_budget
from anchor_history.insights.compare import Span, compare_spans, comparison_spans
from anchor_history.insights.forecast import FINAL, METHOD, RUN_RATE, forecast
from anchor_history.models import History, HistoryPoint, HistoryQuery, HistorySummary
from anchor_history.periods import whole_periods
from anchor_history.testing.sandbox import Sandbox


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("as_of", "period", "cycle", "expected"),
    [
        (utc(2026, 11, 25, 13), "day", 1, (utc(2026, 11, 25), utc(2026, 11, 26))),
        (utc(2026, 11, 25, 13), "week", 1, (utc(2026, 11, 23), utc(2026, 11, 30))),
        (utc(2026, 11, 25, 13), "month", 1, (utc(2026, 11, 1), utc(2026, 12, 1))),
        (utc(2026, 11, 25, 13), "month", 15, (utc(2026, 11, 15), utc(2026, 12, 15))),
        (utc(2026, 11, 10), "month", 15, (utc(2026, 10, 15), utc(2026, 11, 15))),
        (utc(2026, 1, 3), "month", 28, (utc(2025, 12, 28), utc(2026, 1, 28))),
    ],
)
def test_billing_periods(as_of, period, cycle, expected) -> None:
    assert billing_period(as_of, period, cycle) == expected


def test_bad_budgets_and_periods_are_refused_with_what_is_allowed() -> None:
    with pytest.raises(InvalidInputError, match="not METRIC=LIMIT"):
        parse_budget("credits_used")
    with pytest.raises(InvalidInputError, match="did you mean 'credits_used'"):
        parse_budget("credit_used=5")
    with pytest.raises(InvalidInputError, match="must be a number > 0"):
        parse_budget("credits_used=-5")
    with pytest.raises(InvalidInputError, match="cycle_start: 29 is not a day from 1 to 28"):
        billing_period(utc(2026, 1, 1), "month", 29)
    with pytest.raises(InvalidInputError, match="period: 'year'"):
        billing_period(utc(2026, 1, 1), "year")


_WEEKLY = (1.0, 1.1, 1.1, 1.0, 0.9, 0.4, 0.3)


def steady_hours(start: datetime, end: datetime, per_day: float, growth: float = 0.0) -> History:
    """Noise-free hours: a weekday rhythm, work hours 8-18 UTC, a linear trend."""
    points = []
    hour = start
    while hour < end:
        day = (hour - start).days
        if 8 <= hour.hour < 18:
            value = per_day * (1 + growth * day) * _WEEKLY[hour.weekday()] / 10
            points.append(HistoryPoint(credits_used=value, start=hour, date=""))
        hour += timedelta(hours=1)
    query = HistoryQuery(start, end, "hour", ("credits_used",))
    return History(tuple(points), HistorySummary(), query)


def test_a_forecast_of_steady_usage_is_right_and_narrow() -> None:
    history = steady_hours(utc(2026, 9, 1), utc(2026, 12, 1), per_day=100.0)
    period = billing_period(utc(2026, 11, 15), "month")
    outlook = forecast(history.points, "credits_used", period=period, as_of=utc(2026, 11, 15, 12))
    truth = sum(p.credits_used for p in history if period[0] <= p.start < period[1])
    assert outlook.value == pytest.approx(truth, rel=0.005)
    assert outlook.low <= truth <= outlook.high
    assert outlook.used == pytest.approx(
        sum(p.credits_used for p in history if period[0] <= p.start < utc(2026, 11, 15, 12))
    )
    assert outlook.method == METHOD


def test_a_forecast_follows_a_trend() -> None:
    history = steady_hours(utc(2026, 9, 1), utc(2026, 12, 1), per_day=100.0, growth=0.01)
    period = billing_period(utc(2026, 11, 15), "month")
    outlook = forecast(history.points, "credits_used", period=period, as_of=utc(2026, 11, 15))
    truth = sum(p.credits_used for p in history if period[0] <= p.start < period[1])
    flat = outlook.used * 30 / 14  # what a straight run rate would say
    assert abs(outlook.value - truth) / truth < 0.01
    assert abs(flat - truth) / truth > 0.015  # the trend is worth learning


def test_a_spike_does_not_bend_the_forecast() -> None:
    base = steady_hours(utc(2026, 9, 1), utc(2026, 12, 1), per_day=100.0)
    spiked = tuple(
        HistoryPoint(
            credits_used=p.credits_used * (8 if p.start.date() == date(2026, 11, 4) else 1),
            start=p.start,
            date="",
        )
        for p in base
    )
    period = billing_period(utc(2026, 11, 15), "month")
    calm = forecast(base.points, "credits_used", period=period, as_of=utc(2026, 11, 15))
    rough = forecast(spiked, "credits_used", period=period, as_of=utc(2026, 11, 15))
    spike_extra = 7 * 100 * _WEEKLY[date(2026, 11, 4).weekday()]
    assert rough.value - calm.value == pytest.approx(spike_extra, rel=0.05)  # counted once, as used


def test_at_the_period_end_the_forecast_is_what_was_used() -> None:
    history = steady_hours(utc(2026, 9, 1), utc(2026, 12, 1), per_day=100.0)
    period = billing_period(utc(2026, 11, 15), "month")
    outlook = forecast(history.points, "credits_used", period=period, as_of=period[1])
    assert outlook.value == outlook.low == outlook.high == outlook.used
    assert outlook.method == FINAL


def test_with_under_a_week_of_history_the_run_rate_is_used() -> None:
    history = steady_hours(utc(2026, 11, 1), utc(2026, 11, 4), per_day=100.0)
    period = billing_period(utc(2026, 11, 3), "month")
    outlook = forecast(history.points, "credits_used", period=period, as_of=utc(2026, 11, 4))
    assert outlook.method == RUN_RATE
    assert outlook.value == pytest.approx(outlook.used * 10)  # 3 of 30 days gone
    assert outlook.low == outlook.used


def test_statuses() -> None:
    history = steady_hours(utc(2026, 9, 1), utc(2026, 11, 16), per_day=100.0)
    period = billing_period(utc(2026, 11, 15), "month")
    report = evaluate(
        history,
        [Budget("credits_used", 100), Budget("credits_used", 2000), Budget("credits_used", 9999)],
        period=period,
        as_of=utc(2026, 11, 15),
    )
    assert [b.status for b in report.budgets] == ["over", "at_risk", "ok"]
    assert [b.metric for b in report.failing("over")] == ["credits_used"]
    assert len(report.failing("forecast")) == 2
    document = report.to_dict()
    assert set(document) == {"as_of", "period", "budgets"}
    assert document["as_of"] == "2026-11-15T00:00:00.000Z"
    assert document["period"] == {
        "start": "2026-11-01T00:00:00.000Z",
        "end": "2026-12-01T00:00:00.000Z",
    }
    assert set(document["budgets"][0]) == {
        "metric",
        "limit",
        "used",
        "forecast",
        "forecast_low",
        "forecast_high",
        "forecast_method",
        "status",
        "exhausts_at",
        "pace",
        "name",
    }


def test_comparison_spans_are_the_same_length_or_the_whole_previous_period() -> None:
    wednesday_noon = utc(2026, 11, 25, 12)
    current, previous = comparison_spans(wednesday_noon, "week")
    assert current == (utc(2026, 11, 23), wednesday_noon)
    assert previous == (utc(2026, 11, 16), utc(2026, 11, 18, 12))
    current, previous = comparison_spans(utc(2026, 3, 31, 12), "month")
    assert previous == (utc(2026, 2, 1), utc(2026, 3, 1))  # February is shorter: all of it


def test_changes_and_a_previous_zero() -> None:
    now = Span(utc(2026, 11, 23), utc(2026, 11, 25), {"session_count": 150, "credits_used": 5.0})
    before = Span(utc(2026, 11, 16), utc(2026, 11, 18), {"session_count": 100, "credits_used": 0})
    change = compare_spans(now, before).to_dict()["change"]
    assert change["session_count"] == {"absolute": 50, "percent": 50.0}
    assert change["credits_used"] == {"absolute": 5.0, "percent": None}


# ---- against the sandbox -------------------------------------------------------

END = utc(2026, 11, 1)
SPIKE = date(2026, 10, 7)


@pytest.fixture(scope="module")
def steady() -> Sandbox:
    """150 steady days ending 2026-11-01, one day at 8x."""
    with Sandbox(seed=21, sessions=60_000, days=150, end=END, spikes=((SPIKE, 8.0),)) as box:
        yield box


def test_month_end_forecasts_from_mid_month_are_within_5_percent(steady: Sandbox) -> None:
    """The backtest: each month's total forecast on the 15th, against what came."""
    errors = []
    with HistoryClient(steady.api_key, steady.base_url) as client:
        history = client.fetch(utc(2026, 6, 1), END, "hour", "session_count,credits_used")
    for month in (8, 9, 10):
        as_of = utc(2026, month, 15)
        period = billing_period(as_of, "month")
        for metric in ("session_count", "credits_used"):
            outlook = forecast(history.points, metric, period=period, as_of=as_of)
            actual = sum(
                getattr(p, metric) or 0 for p in history if period[0] <= p.start < period[1]
            )
            if month == 10:  # the spike's month: it was used before the 15th, so it is known
                assert outlook.used > actual / 2
            errors.append(abs(outlook.value - actual) / actual)
    print(
        f"month-end forecast from mid-month: mean error {100 * sum(errors) / len(errors):.2f}%, "
        f"worst {100 * max(errors):.2f}%"
    )
    assert max(errors) < 0.05


def test_an_8x_day_in_90_steady_days_is_found_with_at_most_two_false_alarms(steady) -> None:
    with HistoryClient(steady.api_key, steady.base_url) as client:
        raw = client.fetch(utc(2026, 6, 1), END, "day", "session_count,credits_used")
    history = whole_periods(raw, now=END)
    since = END - timedelta(days=90)
    for metric in ("session_count", "credits_used"):
        found = find_anomalies(history, [metric], since=since)
        spikes = [a for a in found if a.start.date() == SPIKE]
        assert len(spikes) == 1
        assert spikes[0].value > 6 * spikes[0].expected
        assert spikes[0].score > 10
        assert len(found) - 1 <= 2, found


def test_by_hour_the_8x_day_is_found_and_quiet_hours_stay_quiet(steady) -> None:
    """60 days by hour (1,440 hours a metric): bytes come in large single sessions,
    so an hour that is usually empty used to flag its first ordinary session
    (14 false alarms for proxy_bytes here)."""
    since = END - timedelta(days=60)
    with HistoryClient(steady.api_key, steady.base_url) as client:
        raw = client.fetch(since - LOOKBACK["hour"], END, "hour", "all")
    history = whole_periods(raw, now=END)
    for metric in history.query.metrics:
        found = find_anomalies(history, [metric], since=since)
        spike_hours = [a for a in found if a.start.date() == SPIKE]
        others = [a for a in found if a.start.date() != SPIKE]
        assert len(spike_hours) >= 12, (metric, len(spike_hours))
        assert len(others) <= 5, (metric, others)


def test_a_period_in_progress_is_never_an_anomaly() -> None:
    days = [
        HistoryPoint(session_count=100, start=utc(2026, 9, 1) + timedelta(days=i), date="")
        for i in range(60)
    ]
    days.append(HistoryPoint(session_count=3, start=utc(2026, 10, 31), date="", partial=True))
    query = HistoryQuery(utc(2026, 9, 1), utc(2026, 10, 31, 1), "day", ("session_count",))
    history = History(tuple(days), HistorySummary(), query)
    assert find_anomalies(history) == []
    with pytest.raises(InvalidInputError, match="by hour or day, not month"):
        find_anomalies(
            History((), HistorySummary(), HistoryQuery(END, END, "month", ("ai_steps",)))
        )


def test_a_comparison_of_short_or_small_spans_is_early() -> None:
    from anchor_history.insights.compare import Span, is_early

    week = timedelta(days=7)
    monday = utc(2026, 11, 23)

    def span(hours: float, sessions: int) -> Span:
        return Span(monday, monday + timedelta(hours=hours), {"session_count": sessions})

    # Monday 01:28: 8 against 4 sessions, a +100% that means nothing.
    assert is_early(span(1, 8), span(1, 4), week)
    assert is_early(span(60, 800), span(60, 12), week)  # long enough, but few sessions
    assert not is_early(span(60, 800), span(60, 760), week)
    assert not is_early(
        Span(monday, monday + timedelta(hours=60), {"credits_used": 3.0}),
        Span(monday, monday + timedelta(hours=60), {"credits_used": 1.0}),
        week,
    )  # no session count asked: only the length can tell


def test_zero_filled_hours_before_the_first_usage_do_not_feed_the_forecast() -> None:
    """Whole periods fill the weeks before a young account's first usage with zeros;
    the forecast reads them as no history, exactly as if they were not there."""
    first = utc(2026, 10, 20)
    used = steady_hours(first, utc(2026, 12, 1), per_day=100.0)
    zeros = []
    hour = first - timedelta(days=40)
    while hour < first:
        zeros.append(HistoryPoint(credits_used=0.0, start=hour, date=""))
        hour += timedelta(hours=1)
    filled = (*zeros, *used.points)
    period = billing_period(utc(2026, 11, 15), "month")
    as_of = utc(2026, 11, 15, 12)
    assert forecast(filled, "credits_used", period=period, as_of=as_of) == forecast(
        used.points, "credits_used", period=period, as_of=as_of
    )


def test_a_young_accounts_forecast_has_no_trend_and_skips_its_partial_first_day() -> None:
    """Ten days old, its first day begun mid-afternoon: that short day read as a whole
    one, and a trend fitted to ten days, forecast a third too much."""
    from anchor_history.insights.forecast import PROFILE

    history = steady_hours(utc(2026, 11, 5, 14), utc(2026, 12, 1), per_day=100.0)
    period = billing_period(utc(2026, 11, 15), "month")
    as_of = utc(2026, 11, 15, 12)
    outlook = forecast(history.points, "credits_used", period=period, as_of=as_of)
    truth = sum(p.credits_used for p in history if period[0] <= p.start < period[1])
    assert outlook.method == PROFILE.format(days=9)  # Nov 6 to 14: the 5th was partial
    assert outlook.value == pytest.approx(truth, rel=0.01)
    assert outlook.low - 1e-6 <= truth <= outlook.high + 1e-6  # noise-free: a narrow range
