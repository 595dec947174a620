"""Anomalies: periods far from what the trailing history predicts.

For each day, the expected value is the median of the same weekday over the
trailing eight weeks; for each hour, the median of the same hour of day over
the trailing three weeks, among days of the same kind (weekdays or weekends).
The score is the distance from it in robust standard deviations (1.4826 x the
median absolute deviation), with a floor so that a perfectly flat history, or
one near zero, does not turn noise into alarms: at least the noise a sum of
sessions has at the expected size, and never less than one session's worth.
Medians ignore one-off spikes, so a spike neither hides itself nor the next
one. A period still in progress is never scored: it is bound to look low.

>>> # found = find_anomalies(history, sensitivity=4.0)
>>> # [(a.metric, a.start.date(), a.value, a.expected) for a in found]
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from attrs import frozen

from .dates import DateLike, format_api_datetime, resolve_window
from .errors import InvalidInputError
from .metrics import MetricsArg, normalize_granularity
from .models import History
from .periods import HistorySource, fetch_periods
from .zones import period_floor

__all__ = ["DEFAULT_SENSITIVITY", "LOOKBACK", "Anomaly", "detect_anomalies", "find_anomalies"]

DEFAULT_SENSITIVITY = 4.0
LOOKBACK = {"day": timedelta(weeks=8), "hour": timedelta(weeks=3)}
_MIN_SAMPLES = 3
# The scale of a score is at least 10% of the expected value and 5% of the
# metric's typical (median non-zero) value, so a flat history does not turn
# noise into alarms; and at least the noise a sum of many sessions has at that
# size: sqrt(dispersion x expected), the dispersion measured on the series
# itself (quasi-Poisson, so it holds for counts, credits and bytes alike).
# Hours hold few sessions each, so their median deviation over three weeks
# understates their noise: measured on the sandbox's steady data (4 seeds, 90
# days by hour, 2 metrics), 150-200 false alarms without the dispersion floor.
# Its least value (see _scored) took false alarms by hour on 10 sandboxes of 60
# days from 737 to 124 over all metrics, keeping 406 of 419 hours of a 3x day.
_RELATIVE_FLOOR = 0.1
_SERIES_FLOOR = 0.05


@frozen
class Anomaly:
    metric: str
    start: datetime
    value: float
    expected: float
    score: float  # robust standard deviations from expected; negative for a drop

    def to_dict(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "start": format_api_datetime(self.start),
            "value": self.value,
            "expected": self.expected,
            "score": self.score,
        }


def _same_kind(granularity: str, a: datetime, b: datetime) -> bool:
    if granularity == "day":
        return a.weekday() == b.weekday()
    return a.hour == b.hour and (a.weekday() >= 5) == (b.weekday() >= 5)


def find_anomalies(
    history: History,
    metrics: Iterable[str] | None = None,
    *,
    sensitivity: float = DEFAULT_SENSITIVITY,
    since: datetime | None = None,
) -> list[Anomaly]:
    """Anomalies among ``history``'s whole periods from ``since`` on, oldest first.

    ``history`` is by hour or day, quiet periods filled as zeros (see
    :func:`~anchor_history.periods.whole_periods`), and should start
    ``LOOKBACK[granularity]`` before ``since`` so the first periods have a past.
    """
    granularity = history.query.granularity
    if granularity not in LOOKBACK:
        raise InvalidInputError(
            f"granularity: anomalies are found by hour or day, not {granularity}"
        )
    if not sensitivity > 0:
        raise InvalidInputError(f"sensitivity: {sensitivity!r} is not a number > 0")
    lookback = LOOKBACK[granularity]
    found = []
    for metric in metrics or history.query.metrics:
        series = [
            (p.start, float(getattr(p, metric)))
            for p in history
            if not p.partial and getattr(p, metric) is not None
        ]
        found += _scored(metric, series, granularity, lookback, since, sensitivity)
    return sorted(found, key=lambda a: (a.start, a.metric))


def _scored(
    metric: str,
    series: list[tuple[datetime, float]],
    granularity: str,
    lookback: timedelta,
    since: datetime | None,
    sensitivity: float,
) -> list[Anomaly]:
    typical = statistics.median([v for _, v in series if v > 0] or [0.0])
    candidates = []  # (start, value, expected, spread)
    for i, (start, value) in enumerate(series):
        if since is not None and start < since:
            continue
        past = [
            v for s, v in series[:i] if start - s <= lookback and _same_kind(granularity, start, s)
        ]
        if len(past) >= _MIN_SAMPLES:
            expected = statistics.median(past)
            spread = 1.4826 * statistics.median(abs(v - expected) for v in past)
            candidates.append((start, value, expected, spread))
    # The noise per sqrt(expected), read at the 95th percentile of the standardized
    # deviations (1.96 for normal noise): heavy tails (a few large sessions in
    # an hour of bytes) widen it, as they should.
    ratios = sorted(abs(v - e) / e**0.5 for _, v, e, _ in candidates if e > 0)
    unit_noise = ratios[int(0.95 * (len(ratios) - 1))] / 1.96 if ratios else 0.0
    # And never below the noise of the series' smallest step (unit_noise**2, the
    # dispersion: about what one session adds): an hour that is usually empty
    # would otherwise flag its first ordinary session.
    least = unit_noise**2
    found = []
    for start, value, expected, spread in candidates:
        noise = unit_noise * max(expected, least) ** 0.5
        floor = max(_RELATIVE_FLOOR * abs(expected), _SERIES_FLOOR * typical, 1e-9)
        score = (value - expected) / max(spread, noise, floor)
        if abs(score) >= sensitivity:
            found.append(Anomaly(metric, start, value, expected, round(score, 2)))
    return found


def detect_anomalies(
    client: HistorySource,
    from_date: DateLike | None = "90d",
    to_date: DateLike | None = None,
    granularity: str = "day",
    metrics: MetricsArg = ("session_count",),
    *,
    sensitivity: float = DEFAULT_SENSITIVITY,
    now: datetime | None = None,
    **fetch_options: Any,
) -> tuple[History, list[Anomaly]]:
    """One fetch of whole periods, from the lookback before ``from_date`` to ``to_date``,
    and the anomalies from ``from_date`` on."""
    target = normalize_granularity(granularity)
    if target not in LOOKBACK:
        raise InvalidInputError(f"granularity: anomalies are found by hour or day, not {target}")
    moment = now or datetime.now(UTC)
    start, end = resolve_window(from_date, to_date, now=moment)
    since = period_floor(start, target)
    history = fetch_periods(
        client, since - LOOKBACK[target], end, target, metrics, now=moment, **fetch_options
    )
    return history, find_anomalies(history, sensitivity=sensitivity, since=since)
