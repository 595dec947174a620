"""What an anomaly search finds: each :class:`Anomaly` (a period far from what
its history predicts), and the :class:`AnomalyScan` that says what could not be
judged. The values of :mod:`.anomalies`."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from attrs import frozen

from ..calendar.wire import format_api_datetime

__all__ = ["Anomaly", "AnomalyScan", "MinImpact"]


@frozen
class Anomaly:
    metric: str
    start: datetime
    value: float
    expected: float
    score: float  # robust standard deviations from expected; negative for a drop

    @property
    def impact(self) -> float:
        """How far from expected, in the metric's unit (negative for a drop)."""
        return self.value - self.expected

    def to_dict(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "start": format_api_datetime(self.start),
            "value": self.value,
            "expected": self.expected,
            "impact": round(self.impact, 6),
            "score": self.score,
        }


@frozen
class AnomalyScan:
    """What a search found, and what it could not judge.

    ``skipped`` counts, per metric, the whole periods from ``since`` on that were
    not judged because too little history came before them: before the
    series' first usage (a young account, or a metric not used yet), or with
    fewer than three periods of the same kind in the lookback. They are
    neither normal nor anomalous: unknown.
    """

    anomalies: tuple[Anomaly, ...]
    skipped: dict[str, int]
    judged: dict[str, int]
    as_of: datetime | None = None  # the moment searched as of, when a fetch set it

    @property
    def skipped_periods(self) -> int:
        """Periods not judged for at least one metric (what a person reads as 'skipped')."""
        return max(self.skipped.values(), default=0)


MinImpact = float | Mapping[str, float] | None
