"""Budgets: are we over, and will we be by the end of the period?

Pure functions over hourly :class:`~anchor_history.models.history.History` points, plus
:func:`check_budgets`, which makes the one fetch they need: hours from eight
weeks before ``as_of`` (or the period's start, if earlier) up to ``as_of``, two
pages of 1,000 fetched at once.

>>> # report = check_budgets(client, [Budget("credits_used", 30_000)], period="month")
>>> # [(b.metric, b.status, round(b.forecast.value)) for b in report.budgets]
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from attrs import frozen

from ..calendar.boundaries import BILLING_PERIODS, billing_period, period_after, period_floor
from ..calendar.windows import DateLike, format_api_datetime, parse_when
from ..errors import InvalidInputError
from ..metrics import normalize_metrics
from ..models.history import History
from ..periods import HistorySource
from ..pricing.charges import cost_of, credits_for
from ..pricing.prices import PriceList
from .forecast import TRAILING_DAYS, Forecast, forecast

__all__ = [
    "PERIODS",
    "Budget",
    "BudgetReport",
    "BudgetResult",
    "billing_period",
    "check_budgets",
    "evaluate",
    "parse_budget",
]

PERIODS = BILLING_PERIODS
COST = "cost"  # a budget in money: the credits used, priced
OK, AT_RISK, OVER = "ok", "at_risk", "over"


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
    status: str  # ok, at_risk (forecast over the limit) or over (used over the limit)
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


def evaluate(
    history: History,
    budgets: Sequence[Budget],
    *,
    period: tuple[datetime, datetime],
    as_of: datetime,
    prices: PriceList | None = None,
) -> BudgetReport:
    """Each budget's use so far, forecast and status, from hourly ``history``.
    A cost budget prices the credits with ``prices``."""
    results = []
    gone = (min(as_of, period[1]) - period[0]) / (period[1] - period[0])
    for budget in budgets:
        metric = "credits_used" if budget.metric == COST else budget.metric
        outlook = forecast(history.points, metric, period=period, as_of=as_of)
        money = None
        limit_credits: float = budget.limit
        if budget.metric == COST:
            money = _priced(outlook, budget, prices, period)
            used, value, limit = float(money.used), float(money.value), float(money.limit)
            at = credits_for(money.limit, prices) if prices is not None else None
            limit_credits = float(at) if at is not None else math.inf
        else:
            used, value, limit = outlook.used, outlook.value, budget.limit
        status = OVER if used > limit else (AT_RISK if value > limit else OK)
        pace = (used / limit) / gone if gone > 0 else None
        results.append(
            BudgetResult(
                budget.metric,
                budget.limit,
                outlook,
                status,
                outlook.reaches(limit_credits),
                pace,
                budget.name,
                money,
            )
        )
    return BudgetReport(as_of, period, tuple(results))


def _priced(
    outlook: Forecast, budget: Budget, prices: PriceList | None, period: tuple[datetime, datetime]
) -> Money:
    """A cost budget's figures: the credits' outlook priced from the period's start."""
    if prices is None:
        raise InvalidInputError(
            "prices",
            "budget cost: a budget in money needs a price: credit_price (and currency)",
            named=False,
            mentions=("credit_price", "currency"),
        )
    month = period_floor(period[0], "month")
    if prices.tiered and (period[0] != month or period[1] != period_after(month, "month")):
        raise InvalidInputError(
            "budgets",
            "budget cost: with included credits, a budget in money is over the billing month "
            "(the UTC calendar month, cycle start 1), where the included credits apply",
            named=False,
        )

    def cost(credits: float) -> Decimal:
        return cost_of(Decimal(repr(credits)), prices)

    return Money(
        limit=Decimal(int(budget.limit))
        if budget.limit.is_integer()
        else Decimal(repr(budget.limit)),
        used=cost(outlook.used),
        value=cost(outlook.value),
        low=cost(outlook.low),
        high=cost(outlook.high),
        currency=prices.currency,
        rule=prices.rule(),
    )


def check_budgets(
    client: HistorySource,
    budgets: Sequence[Budget],
    *,
    period: str = "month",
    cycle_start: int = 1,
    as_of: DateLike | None = None,
    now: datetime | None = None,
    prices: PriceList | None = None,
    **fetch_options: Any,
) -> BudgetReport:
    """Fetch what the budgets need (one request of hours, usually) and evaluate them;
    a budget in money (``cost``) prices the credits with ``prices``."""
    if not budgets:
        raise InvalidInputError("budgets", "none given; e.g. credits_used=30000")
    moment = now or datetime.now(UTC)
    # A plain date means its last millisecond: "how did the budget look on the 15th?"
    when = moment if as_of is None else parse_when(as_of, now=moment, role="to")
    if when > moment:
        raise InvalidInputError("as_of", f"{format_api_datetime(when)} is in the future")
    window = billing_period(when, period, cycle_start)
    start = min(window[0], period_floor(when - timedelta(days=TRAILING_DAYS), "day"))
    metrics = list(dict.fromkeys("credits_used" if b.metric == COST else b.metric for b in budgets))
    fetch_options.setdefault("page_size", 1000)  # eight weeks of hours: two pages
    history = client.fetch(start, when, "hour", metrics, **fetch_options)
    if not history.covers(window[0], when):  # a store holds only part of it
        from ..errors import NotHeldError

        held = history.query.from_date, history.query.to_date
        raise NotHeldError(
            f"the store holds {format_api_datetime(held[0])} to {format_api_datetime(held[1])}, "
            f"not the whole {period} so far ({format_api_datetime(window[0])} to "
            f"{format_api_datetime(when)}): what was used in it is unknown (sync from before "
            "the period began)"
        )
    return evaluate(history, budgets, period=window, as_of=when, prices=prices)
