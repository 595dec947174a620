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

from ..calendar.boundaries import billing_period, period_after, period_floor
from ..calendar.windows import DateLike, parse_as_of
from ..calendar.wire import format_api_datetime
from ..errors import InvalidInputError
from ..models.history import History
from ..periods import HistorySource
from ..pricing.charges import cost_of, credits_for
from ..pricing.prices import PriceList
from .budget_values import (
    AT_RISK,
    COST,
    OK,
    OVER,
    PERIODS,
    Budget,
    BudgetReport,
    BudgetResult,
    BudgetStatus,
    Money,
    make_budget,
    parse_budget,
)
from .forecast import TRAILING_DAYS, Forecast, forecast

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
    "billing_period",
    "check_budgets",
    "evaluate",
    "make_budget",
    "parse_budget",
]


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
    # A plain date means the moment it is complete: "how did the budget look on the 15th?"
    when = parse_as_of(as_of, now=moment)
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
