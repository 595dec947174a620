"""What a budget is, and what judging one gives: the values of :mod:`.budgets`.

A :class:`Budget` is a limit on one metric's total over each period (or on its
cost, ``cost``); a :class:`BudgetResult` is one judged, with its forecast,
status, pace and runs-out moment; a :class:`BudgetReport` all of them as of one
moment. ``parse_budget`` reads ``METRIC=LIMIT`` as a command line types it.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Final, Literal

from attrs import frozen

from ..calendar.boundaries import BILLING_PERIODS
from ..calendar.wire import format_api_datetime
from ..errors import InvalidInputError
from ..metrics import normalize_metrics
from .forecast import Forecast

__all__ = [
    "AT_RISK",
    "COST",
    "OK",
    "OVER",
    "PERIODS",
    "Budget",
    "BudgetReport",
    "BudgetResult",
    "BudgetStatus",
    "Money",
    "make_budget",
    "parse_budget",
]

PERIODS = BILLING_PERIODS
COST = "cost"  # a budget in money: the credits used, priced
# A budget's status: within it, forecast over it (at risk), or used over it.
BudgetStatus = Literal["ok", "at_risk", "over"]
OK: Final[BudgetStatus] = "ok"
AT_RISK: Final[BudgetStatus] = "at_risk"
OVER: Final[BudgetStatus] = "over"


@frozen
class Budget:
    """A limit on one metric's total over each period; ``name`` tells two budgets of
    one metric apart (the plan's "included" credits and its "cost limit")."""

    metric: str
    limit: float
    name: str | None = None

    @property
    def key(self) -> str:
        """``credits_used``, or ``credits_used (included)`` for a named budget."""
        return self.metric if self.name is None else f"{self.metric} ({self.name})"


@frozen
class Money:
    """A budget in money: the credits' use, forecast and range priced (exact
    Decimals, in ``currency``), against a limit in the same currency."""

    limit: Decimal
    used: Decimal
    value: Decimal
    low: Decimal
    high: Decimal
    currency: str
    rule: str  # how the credits were priced

    def to_dict(self) -> dict[str, Any]:
        return {
            "limit": str(self.limit),
            "used": str(self.used),
            "forecast": str(self.value),
            "forecast_low": str(self.low),
            "forecast_high": str(self.high),
            "currency": self.currency,
            "pricing": self.rule,
        }


@frozen
class BudgetResult:
    metric: str
    limit: float
    forecast: Forecast
    status: BudgetStatus
    # When the cumulative use (so far, then as forecast) reaches the limit, or None
    # if not within the period; in the past when the limit is already spent.
    exhausts_at: datetime | None = None
    # Used / limit over the share of the period gone: 1.0 is on track, 1.5 spends
    # half again as fast as the budget allows. None at the period's very start.
    pace: float | None = None
    name: str | None = None  # as the Budget's
    money: Money | None = None  # a cost budget's figures (``forecast`` is its credits')

    @property
    def key(self) -> str:
        return self.metric if self.name is None else f"{self.metric} ({self.name})"

    @property
    def used(self) -> float:
        return self.forecast.used

    def to_dict(self) -> dict[str, Any]:
        f = self.forecast
        figures: dict[str, Any] = {
            "limit": _number(self.limit),
            "used": _number(f.used),
            "forecast": _number(f.value),
            "forecast_low": _number(f.low),
            "forecast_high": _number(f.high),
        }
        if self.money is not None:
            figures = self.money.to_dict()
        return {
            "metric": self.metric,
            "name": self.name,
            **figures,
            "status": self.status,
            "forecast_method": f.method,
            "exhausts_at": None
            if self.exhausts_at is None
            else format_api_datetime(self.exhausts_at),
            "pace": None if self.pace is None else round(self.pace, 4),
        }


@frozen
class BudgetReport:
    as_of: datetime
    period: tuple[datetime, datetime]
    budgets: tuple[BudgetResult, ...]

    def failing(self, fail_on: str = "forecast") -> list[BudgetResult]:
        """Budgets that should fail a cron job: over, or also at risk with ``forecast``."""
        bad = (OVER,) if fail_on == "over" else (OVER, AT_RISK)
        return [b for b in self.budgets if b.status in bad]

    def to_dict(self) -> dict[str, Any]:
        return {
            "as_of": format_api_datetime(self.as_of),
            "period": {
                "start": format_api_datetime(self.period[0]),
                "end": format_api_datetime(self.period[1]),
            },
            "budgets": [b.to_dict() for b in self.budgets],
        }


def _number(value: float) -> float | int:
    """Round to what a bill shows (4 decimals); whole numbers as integers."""
    rounded = round(float(value), 4)
    return int(rounded) if rounded.is_integer() else rounded


def parse_budget(text: str) -> Budget:
    """``METRIC=LIMIT`` as typed on a command line.

    >>> parse_budget("credits_used=30000")
    Budget(metric='credits_used', limit=30000.0, name=None)
    """
    metric, sep, limit = text.partition("=")
    if not sep:
        raise InvalidInputError("budget", f"{text!r} is not METRIC=LIMIT, e.g. credits_used=30000")
    return make_budget(metric, limit)


def make_budget(metric: str, limit: object) -> Budget:
    if metric.strip().lower() == COST:  # money: priced credits (needs a price list)
        return Budget(COST, _limit(COST, limit))
    (name,) = normalize_metrics(metric.strip())
    return Budget(name, _limit(name, limit))


def _limit(name: str, limit: object) -> float:
    try:
        value = float(limit)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise InvalidInputError(
            "budget", f"budget {name}: {limit!r} is not a number", value=limit, named=False
        ) from None
    if not value > 0 or value == float("inf"):
        raise InvalidInputError(
            "budget",
            f"budget {name}: the limit must be a number > 0, not {limit!r}",
            value=limit,
            named=False,
        )
    return value
