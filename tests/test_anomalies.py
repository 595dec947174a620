"""Anomalies at the edges: young accounts, the skipped count, the minimum impact,
and the rolling baseline (checked against the plain definition)."""

from __future__ import annotations

import random
import statistics
from datetime import UTC, datetime, timedelta

import pytest
from anchor_history import InvalidInputError
from anchor_history.insights.anomalies import LOOKBACK, Anomaly, find_anomalies, scan_anomalies
from anchor_history.models import History, HistoryPoint, HistoryQuery, HistorySummary

START = datetime(2026, 6, 1, tzinfo=UTC)


def days(values: list[float | None], metric: str = "session_count") -> History:
    points = tuple(
        HistoryPoint(**{metric: v}, start=START + timedelta(days=i), date="")
        for i, v in enumerate(values)
    )
    end = START + timedelta(days=len(values))
    return History(points, HistorySummary(), HistoryQuery(START, end, "day", (metric,)))


def steady(n: int, seed: int = 1) -> list[float]:
    rng = random.Random(seed)
    return [float(round(rng.gauss(300, 10))) for _ in range(n)]


def test_days_before_the_first_usage_are_no_history_not_zeros() -> None:
    """A young account: 56 zero-filled days, then 34 days of steady use. The zeros
    used to be every weekday's median, so each early day was a +inf 'anomaly'."""
    history = days([0.0] * 56 + steady(34))
    scan = scan_anomalies(history, since=START)
    assert scan.anomalies == ()
    # 56 days before the first use, and 21 more until each weekday has 3 of its kind.
    assert scan.skipped == {"session_count": 56 + 21}
    assert scan.judged == {"session_count": 34 - 21}
    assert scan.skipped_periods == 77


def test_a_spike_in_a_young_account_is_found_once_it_has_a_baseline() -> None:
    values = [0.0] * 30 + steady(40)
    values[-3] = 2400.0
    found = find_anomalies(days(values), since=START)
    assert [(a.start, a.value) for a in found] == [(START + timedelta(days=67), 2400.0)]


def test_a_drop_to_zero_after_first_use_is_still_judged() -> None:
    """Zeros after the first usage are real quiet days, not 'no history'."""
    values = steady(60)
    values[50] = 0.0
    found = find_anomalies(days(values), since=START)
    assert [a.start for a in found] == [START + timedelta(days=50)]
    assert found[0].score < 0


def test_minimum_impact_absolute_and_percent() -> None:
    values = [100.0] * 60
    values[55] = 112.0  # 12 over a flat 100: a score of 1.2 (the floor is 10% of expected)
    history = days(values)
    loose = {"sensitivity": 1.0}
    assert find_anomalies(history, min_impact=0, min_impact_percent=0, **loose)[0].impact == 12
    assert find_anomalies(history, min_impact=13, min_impact_percent=0, **loose) == []
    assert find_anomalies(history, min_impact=0, min_impact_percent=15, **loose) == []
    assert len(find_anomalies(history, min_impact={"session_count": 12}, **loose)) == 1
    with pytest.raises(InvalidInputError, match="not among the metrics searched"):
        find_anomalies(history, min_impact={"credits_used": 5})
    with pytest.raises(InvalidInputError, match="not a number >= 0"):
        find_anomalies(history, min_impact=-1)


def test_by_default_a_one_session_blip_in_a_quiet_hour_is_not_reported() -> None:
    """Hours of a quiet night are 0; one has a single session. A user who asks for
    more (a low sensitivity) still does not want it: it moves nothing that matters."""
    rng = random.Random(3)
    start = START
    points = []
    for h in range(24 * 30):
        when = start + timedelta(hours=h)
        busy = 9 <= when.hour < 17  # Poisson-like sessions, about 10 an hour
        value = float(sum(rng.random() < 0.05 for _ in range(200))) if busy else 0.0
        points.append(HistoryPoint(session_count=value, start=when, date=""))
    blip = 24 * 29 + 3  # 03:00 on the last day
    points[blip] = HistoryPoint(session_count=1.0, start=points[blip].start, date="")
    query = HistoryQuery(start, start + timedelta(days=30), "hour", ("session_count",))
    history = History(tuple(points), HistorySummary(), query)
    since = start + timedelta(days=29)
    everything = find_anomalies(
        history, sensitivity=0.9, since=since, min_impact=0, min_impact_percent=0
    )
    assert points[blip].start in [a.start for a in everything]
    assert points[blip].start not in [
        a.start for a in find_anomalies(history, sensitivity=0.9, since=since)
    ]


def _plain(series: list[tuple[datetime, float]], granularity: str) -> list[tuple[datetime, float]]:
    """The definition, read literally: every earlier period of the same kind within
    the lookback, rescanned for each period (quadratic, as it was)."""
    lookback = LOOKBACK[granularity]

    def same(a: datetime, b: datetime) -> bool:
        if granularity == "day":
            return a.weekday() == b.weekday()
        return a.hour == b.hour and (a.weekday() >= 5) == (b.weekday() >= 5)

    out = []
    for i, (start, _) in enumerate(series):
        past = [v for s, v in series[:i] if start - s <= lookback and same(start, s)]
        if len(past) >= 3:
            out.append((start, statistics.median(past)))
    return out


@pytest.mark.parametrize("granularity", ["day", "hour"])
def test_the_rolling_baseline_is_the_plain_definition(granularity: str) -> None:
    rng = random.Random(granularity)
    step = timedelta(days=1) if granularity == "day" else timedelta(hours=1)
    count = 200 if granularity == "day" else 24 * 45
    points = tuple(
        HistoryPoint(session_count=float(rng.randint(1, 50)), start=START + i * step, date="")
        for i in range(count)
    )
    query = HistoryQuery(START, START + count * step, granularity, ("session_count",))
    history = History(points, HistorySummary(), query)
    series = [(p.start, float(p.session_count)) for p in points]
    expected = dict(_plain(series, granularity))
    scan = scan_anomalies(history, sensitivity=0.01, min_impact=0, min_impact_percent=0)
    found = {a.start: a.expected for a in scan.anomalies}
    assert scan.judged["session_count"] == len(expected)
    # Every judged period whose value differs from its median is found, with that median.
    for start, expected_value in found.items():
        assert expected[start] == expected_value
    assert len(found) >= 0.9 * len(expected)


def test_an_anomaly_states_its_impact() -> None:
    a = Anomaly("credits_used", START, 150.0, 100.0, 5.0)
    assert a.impact == 50.0
    assert a.to_dict()["impact"] == 50.0
