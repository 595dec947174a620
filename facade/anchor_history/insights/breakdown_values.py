"""What a breakdown answers: frozen values, and their JSON.

Credits and money are ``Decimal`` (JSON: decimal strings); session hours are
rounded to 6 decimals (a millisecond is 0.0000003 h); shares are fractions of the
whole, to 4 decimals. ``total`` counts each session once, so with overlapping
groups (tags, domains) it is less than the groups' sum, and ``overlapping`` says so.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from attrs import frozen

from ..calendar.wire import format_api_datetime

__all__ = ["BREAKDOWN_METRICS", "Breakdown", "Group", "PeriodGroups", "Reconciliation"]

BREAKDOWN_METRICS = ("session_count", "credits_used", "session_hours", "proxy_bytes", "ai_steps")
OTHER = "(other)"


@frozen
class Group:
    """One group's figures (the whole too): sessions that have ended, and those
    still running apart (their credits are not known yet)."""

    key: str
    session_count: int
    credits_used: Decimal
    session_hours: Decimal
    proxy_bytes: int
    ai_steps: int
    running: int = 0
    share: Decimal | None = None  # of the whole's ``share_of`` metric
    cost: Decimal | None = None

    def value(self, metric: str) -> Any:
        return getattr(self, metric)

    def to_dict(self, metrics: tuple[str, ...], *, key: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {"key": self.key} if key else {}
        for metric in metrics:
            value = getattr(self, metric)
            out[metric] = str(value) if isinstance(value, Decimal) else value
        if self.running:
            out["running_sessions"] = self.running
        if key and self.share is not None:
            out["share"] = str(self.share)
        if self.cost is not None:
            out["cost"] = str(self.cost)
        return out


@frozen
class Reconciliation:
    """The sessions' credits over the window against the history's.

    ``agrees`` is True within ``tolerance``, False outside it, and None while
    sessions still run and the history holds more than the sessions explain
    (their credits may be the difference: it cannot be told yet).
    """

    history_credits: Decimal
    sessions_credits: Decimal
    tolerance: Decimal
    running: int

    @property
    def difference(self) -> Decimal:
        return self.history_credits - self.sessions_credits

    @property
    def percent(self) -> Decimal | None:
        if not self.history_credits:
            return None
        return (self.difference / self.history_credits * 100).quantize(Decimal("0.01"))

    @property
    def agrees(self) -> bool | None:
        if abs(self.difference) <= self.tolerance:
            return True
        if self.running and self.difference > 0:
            return None
        return False

    def to_dict(self) -> dict[str, Any]:
        percent = self.percent
        return {
            "history_credits": str(self.history_credits),
            "sessions_credits": str(self.sessions_credits),
            "difference": str(self.difference),
            "percent": None if percent is None else str(percent),
            "tolerance": str(self.tolerance),
            "agrees": self.agrees,
        }

    def sentence(self) -> str:
        """One line for a person: what was compared and what came of it."""
        percent = self.percent
        share = "" if percent is None else f" ({percent}%)"
        head = (
            f"the sessions' credits ({self.sessions_credits}) against the history's "
            f"({self.history_credits}) for the same window"
        )
        if self.agrees:
            return f"{head}: they agree (difference {self.difference}, tolerance {self.tolerance})"
        if self.agrees is None:
            return (
                f"{head}: {self.difference}{share} not explained yet, while {self.running} "
                "session(s) still run and their credits are unknown"
            )
        return (
            f"{head}: they differ by {self.difference}{share}, beyond the tolerance of "
            f"{self.tolerance}; the breakdown does not add up to the bill"
        )


@frozen
class PeriodGroups:
    """The groups of one period (``-g day|week|month``)."""

    start: datetime  # UTC
    local_start: datetime  # in the breakdown's zone
    groups: tuple[Group, ...]
    total: Group


@frozen
class Breakdown:
    by: str
    start: datetime
    end: datetime
    tz: str
    metrics: tuple[str, ...]
    groups: tuple[Group, ...]
    total: Group
    overlapping: bool
    share_of: str
    running: int
    periods: tuple[PeriodGroups, ...] | None = None
    granularity: str | None = None
    reconciliation: Reconciliation | None = None
    currency: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "by": self.by,
            "window": {
                "start": format_api_datetime(self.start),
                "end": format_api_datetime(self.end),
                "tz": self.tz,
            },
            "metrics": list(self.metrics),
            "share_of": self.share_of,
            "groups": [g.to_dict(self.metrics) for g in self.groups],
            "total": self.total.to_dict(self.metrics, key=False),
            "overlapping": self.overlapping,
            "running": {"session_count": self.running},
        }
        if self.currency is not None:
            out["currency"] = self.currency
        if self.periods is not None:
            out["granularity"] = self.granularity
            out["periods"] = [
                {
                    "start": p.local_start.isoformat(),
                    "groups": [g.to_dict(self.metrics) for g in p.groups],
                    "total": p.total.to_dict(self.metrics, key=False),
                }
                for p in self.periods
            ]
        out["reconciliation"] = (
            None if self.reconciliation is None else self.reconciliation.to_dict()
        )
        return out
