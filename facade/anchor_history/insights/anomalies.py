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

import math
import statistics
from collections import deque
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from attrs import evolve, frozen

from ..calendar.boundaries import period_floor
from ..calendar.windows import DateLike, parse_as_of, resolve_window
from ..errors import InvalidInputError
from ..metrics import MetricsArg, normalize_granularity
from ..models.history import History
from ..periods import HistorySource, fetch_periods
from .anomaly_values import Anomaly, AnomalyScan, MinImpact

__all__ = [
    "DEFAULT_MIN_IMPACT_PERCENT",
    "DEFAULT_SENSITIVITY",
    "LOOKBACK",
    "Anomaly",
    "AnomalyScan",
    "detect_anomalies",
    "find_anomalies",
    "scan_anomalies",
]

DEFAULT_SENSITIVITY = 4.0
# An anomaly must move the metric by at least this share of its expected value,
# and by at least _SESSIONS_WORTH sessions' worth of it (the series' dispersion,
# about what one session adds) unless min_impact says otherwise: a one-session
# blip in a quiet hour is noise to a person, whatever its score.
DEFAULT_MIN_IMPACT_PERCENT = 10.0
_SESSIONS_WORTH = 2.0
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


def find_anomalies(
    history: History,
    metrics: Iterable[str] | None = None,
    *,
    sensitivity: float = DEFAULT_SENSITIVITY,
    since: datetime | None = None,
    min_impact: MinImpact = None,
    min_impact_percent: float = DEFAULT_MIN_IMPACT_PERCENT,
) -> list[Anomaly]:
    """The anomalies of :func:`scan_anomalies`, oldest first."""
    return list(
        scan_anomalies(
            history,
            metrics,
            sensitivity=sensitivity,
            since=since,
            min_impact=min_impact,
            min_impact_percent=min_impact_percent,
        ).anomalies
    )


def scan_anomalies(
    history: History,
    metrics: Iterable[str] | None = None,
    *,
    sensitivity: float = DEFAULT_SENSITIVITY,
    since: datetime | None = None,
    min_impact: MinImpact = None,
    min_impact_percent: float = DEFAULT_MIN_IMPACT_PERCENT,
) -> AnomalyScan:
    """Anomalies among ``history``'s whole periods from ``since`` on, and what was skipped.

    ``history`` is by hour or day, quiet periods filled as zeros (see
    :func:`~anchor_history.periods.whole_periods`), and should start
    ``LOOKBACK[granularity]`` before ``since`` so the first periods have a past.
    Periods before a metric's first usage are no history, not zeros.

    An anomaly is reported only when its impact (``value - expected``, in the
    metric's unit) is at least ``min_impact`` (a number, or one per metric; by
    default two sessions' worth, measured on the series) and at least
    ``min_impact_percent`` of the expected value, as AWS Cost Anomaly
    Detection's absolute and percentage thresholds.
    """
    granularity = history.query.granularity
    if granularity not in LOOKBACK:
        raise InvalidInputError(
            "granularity", f"anomalies are found by hour or day, not {granularity}"
        )
    if not sensitivity > 0:
        raise InvalidInputError("sensitivity", f"{sensitivity!r} is not a number > 0")
    if not min_impact_percent >= 0:
        raise InvalidInputError(
            "min_impact_percent", f"{min_impact_percent!r} is not a number >= 0"
        )
    names = tuple(metrics or history.query.metrics)
    floors = _impact_floors(min_impact, names)
    lookback = LOOKBACK[granularity]
    found: list[Anomaly] = []
    skipped: dict[str, int] = {}
    judged: dict[str, int] = {}
    for metric in names:
        series = _used_series(history, metric)
        due = sum(1 for p in history if not p.partial and (since is None or p.start >= since))
        candidates = _candidates(series, granularity, lookback)
        judged[metric] = sum(1 for c in candidates if since is None or c[0] >= since)
        skipped[metric] = due - judged[metric]
        rule = _Rule(sensitivity, floors.get(metric), min_impact_percent / 100)
        found += _scored(metric, series, candidates, rule, since)
    return AnomalyScan(tuple(sorted(found, key=lambda a: (a.start, a.metric))), skipped, judged)


def _impact_floors(min_impact: MinImpact, metrics: tuple[str, ...]) -> dict[str, float | None]:
    """Each metric's absolute floor; None means 'two sessions' worth, measured'."""
    if min_impact is None:
        return {}
    if isinstance(min_impact, Mapping):
        unknown = sorted(set(min_impact) - set(metrics))
        if unknown:
            raise InvalidInputError(
                "min_impact",
                f"{', '.join(unknown)} is not among the metrics searched ({', '.join(metrics)})",
            )
        floors = dict(min_impact)
    else:
        floors = dict.fromkeys(metrics, min_impact)
    for metric, value in floors.items():
        if not (isinstance(value, int | float) and value >= 0 and math.isfinite(value)):
            raise InvalidInputError("min_impact", f"{value!r} for {metric} is not a number >= 0")
    return {m: float(v) for m, v in floors.items()}


def _used_series(history: History, metric: str) -> list[tuple[datetime, float]]:
    """The whole periods from the metric's first usage on: the time before it is
    no history (a young account), so it never enters a median."""
    series = []
    started = False
    for p in history:
        value = getattr(p, metric)
        if value is None:
            continue
        started = started or value > 0
        if started and not p.partial:
            series.append((p.start, float(value)))
    return series


def _kind(granularity: str, start: datetime) -> tuple[int, ...]:
    """Periods compared with each other: the same weekday, or the same hour of
    the same kind of day (weekday or weekend)."""
    if granularity == "day":
        return (start.weekday(),)
    return (start.hour, start.weekday() >= 5)


_Candidate = tuple[datetime, float, float, float]  # start, value, expected, spread


def _candidates(
    series: list[tuple[datetime, float]],
    granularity: str,
    lookback: timedelta,
) -> list[_Candidate]:
    """Each period with enough history, and its baseline.

    One pass, with a rolling window per kind of period (a deque from which
    periods older than the lookback fall off the left), so a year by hour costs
    a few times the number of periods, not its square.
    """
    windows: dict[tuple[int, ...], deque[tuple[datetime, float]]] = {}
    candidates = []
    for start, value in series:
        window = windows.setdefault(_kind(granularity, start), deque())
        while window and start - window[0][0] > lookback:
            window.popleft()
        if len(window) >= _MIN_SAMPLES:
            past = [v for _, v in window]
            expected = statistics.median(past)
            spread = 1.4826 * statistics.median([abs(v - expected) for v in past])
            candidates.append((start, value, expected, spread))
        window.append((start, value))
    return candidates


@frozen
class _Rule:
    sensitivity: float
    min_impact: float | None  # None: two sessions' worth, measured on the series
    min_fraction: float


def _scored(
    metric: str,
    series: list[tuple[datetime, float]],
    candidates: list[_Candidate],
    rule: _Rule,
    since: datetime | None,
) -> list[Anomaly]:
    """The candidates from ``since`` on that are anomalies; the noise is measured
    on all of them (the periods before ``since`` are history too)."""
    typical = statistics.median([v for _, v in series if v > 0] or [0.0])
    # The noise per sqrt(expected), read at the 95th percentile of the standardized
    # deviations (1.96 for normal noise): heavy tails (a few large sessions in
    # an hour of bytes) widen it, as they should.
    ratios = sorted(abs(v - e) / e**0.5 for _, v, e, _ in candidates if e > 0)
    unit_noise = ratios[int(0.95 * (len(ratios) - 1))] / 1.96 if ratios else 0.0
    # And never below the noise of the series' smallest step (unit_noise**2, the
    # dispersion: about what one session adds): an hour that is usually empty
    # would otherwise flag its first ordinary session.
    least = unit_noise**2
    min_impact = _SESSIONS_WORTH * least if rule.min_impact is None else rule.min_impact
    found = []
    for start, value, expected, spread in candidates:
        if since is not None and start < since:
            continue
        noise = unit_noise * max(expected, least) ** 0.5
        floor = max(_RELATIVE_FLOOR * abs(expected), _SERIES_FLOOR * typical, 1e-9)
        score = (value - expected) / max(spread, noise, floor)
        impact = abs(value - expected)
        if (
            abs(score) >= rule.sensitivity
            and impact >= min_impact
            and impact >= rule.min_fraction * abs(expected)
        ):
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
    min_impact: MinImpact = None,
    min_impact_percent: float = DEFAULT_MIN_IMPACT_PERCENT,
    as_of: DateLike | None = None,
    now: datetime | None = None,
    **fetch_options: Any,
) -> tuple[History, AnomalyScan]:
    """One fetch of whole periods, from the lookback before ``from_date`` to ``to_date``,
    and the search from ``from_date`` on (see :func:`scan_anomalies`), as of
    ``as_of`` (default now: see :func:`~anchor_history.calendar.parse_as_of`): what
    came after it is not known yet, and the period holding it is still going on."""
    target = normalize_granularity(granularity)
    if target not in LOOKBACK:
        raise InvalidInputError("granularity", f"anomalies are found by hour or day, not {target}")
    moment = parse_as_of(as_of, now=now or datetime.now(UTC))
    start, end = resolve_window(from_date, to_date, now=moment)
    since = period_floor(start, target)
    history = fetch_periods(
        client, since - LOOKBACK[target], end, target, metrics, now=moment, **fetch_options
    )
    scan = scan_anomalies(
        history,
        sensitivity=sensitivity,
        since=since,
        min_impact=min_impact,
        min_impact_percent=min_impact_percent,
    )
    return history, evolve(scan, as_of=moment)
