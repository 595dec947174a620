"""What caused an anomaly: the API keys and tags whose usage moved it.

An anomaly says a day (or hour) is far from its baseline: the median of the same
weekday over the eight weeks before (or of the same hour of the same kind of day
over three weeks). Its causes apply the same baseline to each key's and each
tag's own usage: a group's excess is its value less its own median of those
periods, and its share is that excess over the anomaly's. A day whose extra
sessions all came from one key names that key first, with a share near 100%.
Pure: the session rows (:mod:`~anchor_history.models.session_rows`) come in, of
the anomalous period and of its baseline periods.

Tags overlap (a session counts under each of its tags), so tag shares may add up
to more than 100%; keys do not.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from attrs import frozen

from ..models.session_rows import NANO, Figures, Row, hour_start
from .anomaly_values import Anomaly

__all__ = [
    "CAUSE_DIMENSIONS",
    "CAUSE_METRICS",
    "Cause",
    "baseline_periods",
    "causes_of",
    "periods_to_read",
]

CAUSE_DIMENSIONS = ("api_key", "tag")
# A session's figures, by the history's metric names (screenshots and network bytes
# are not listed per session: an anomaly of those has no causes to name).
CAUSE_METRICS: dict[str, Callable[[Figures], float]] = {
    "session_count": lambda f: f[0],
    "credits_used": lambda f: f[2] / NANO,
    "session_hours": lambda f: f[3] / 3_600_000,
    "proxy_bytes": lambda f: f[4],
    "ai_steps": lambda f: f[5],
}
_LOOKBACK = {"day": timedelta(weeks=8), "hour": timedelta(weeks=3)}


@frozen
class Cause:
    """One group's part in an anomaly."""

    by: str  # api_key or tag
    key: str
    value: float
    expected: float
    share: float | None  # of the anomaly's excess (None when it has none)

    @property
    def excess(self) -> float:
        return self.value - self.expected

    def to_dict(self) -> dict[str, Any]:
        return {
            "by": self.by,
            "key": self.key,
            "value": round(self.value, 9),
            "expected": round(self.expected, 9),
            "excess": round(self.excess, 9),
            "share": None if self.share is None else round(self.share, 4),
        }


def baseline_periods(start: datetime, granularity: str) -> list[datetime]:
    """The periods (UTC starts) an anomaly at ``start`` is judged against: the same
    weekday over eight weeks, or the same hour of the same kind of day over three."""
    if granularity == "day":
        return [start - timedelta(weeks=k) for k in range(1, 9)]
    weekend = start.weekday() >= 5
    found = []
    for k in range(1, _LOOKBACK["hour"].days + 1):
        earlier = start - timedelta(days=k)
        if (earlier.weekday() >= 5) == weekend:
            found.append(earlier)
    return found


def causes_of(
    anomaly: Anomaly,
    rows: Iterable[Row],
    granularity: str,
    *,
    top: int = 3,
) -> dict[str, tuple[Cause, ...]]:
    """The ``top`` contributors to ``anomaly``'s excess by API key and by tag,
    largest first (for a drop: the largest fall first), from session rows that
    cover its period and its baseline periods (UTC hours)."""
    figure = CAUSE_METRICS[anomaly.metric]
    step = timedelta(days=1) if granularity == "day" else timedelta(hours=1)
    past = baseline_periods(anomaly.start, granularity)
    wanted = {anomaly.start, *past}
    values: dict[tuple[str, str], dict[datetime, float]] = {}
    for hour, dim, group, figures in rows:
        if dim not in CAUSE_DIMENSIONS:
            continue
        moment = hour_start(hour)
        period = moment - (moment - anomaly.start) % step  # the period holding the hour
        if period in wanted:
            series = values.setdefault((dim, group), {})
            series[period] = series.get(period, 0.0) + figure(figures)
    impact = anomaly.impact
    found: dict[str, list[Cause]] = {dim: [] for dim in CAUSE_DIMENSIONS}
    for (dim, key), series in values.items():
        expected = statistics.median([series.get(p, 0.0) for p in past]) if past else 0.0
        value = series.get(anomaly.start, 0.0)
        share = (value - expected) / impact if impact else None
        found[dim].append(Cause(dim, key, value, expected, share))
    sign = 1 if impact >= 0 else -1
    return {
        dim: tuple(sorted(causes, key=lambda c: (-sign * c.excess, c.key))[:top])
        for dim, causes in found.items()
    }


def periods_to_read(
    anomalies: Iterable[Anomaly], granularity: str
) -> list[tuple[datetime, datetime]]:
    """The UTC spans whose sessions the causes of ``anomalies`` need: each anomaly's
    period and its baseline periods, merged where they touch."""
    step = timedelta(days=1) if granularity == "day" else timedelta(hours=1)
    starts = sorted(
        {p for a in anomalies if a.metric in CAUSE_METRICS
         for p in (a.start, *baseline_periods(a.start, granularity))}
    )  # fmt: skip
    spans: list[tuple[datetime, datetime]] = []
    for start in starts:
        if spans and spans[-1][1] >= start:
            spans[-1] = (spans[-1][0], max(spans[-1][1], start + step))
        else:
            spans.append((start, start + step))
    return spans
