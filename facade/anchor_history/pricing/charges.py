"""Credits priced over periods, in order, within each billing month."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from attrs import frozen

from ..calendar.boundaries import billing_month, period_after
from .prices import PriceList

__all__ = [
    "Charge",
    "billing_month",
    "cost_by_period",
    "cost_of",
    "credits_decimal",
    "credits_for",
    "price_credits",
    "price_history",
]

STANDARD, INCLUDED, OVERAGE = "standard", "included", "overage"


@frozen
class Charge:
    """Credits of one period at one unit price: a day that crosses the included
    credits is two charges, one at each price."""

    start: datetime  # the period's UTC start
    end: datetime
    credits: Decimal
    unit_price: Decimal
    rate: str  # standard (one price), included, or overage

    @property
    def cost(self) -> Decimal:
        return self.credits * self.unit_price


def credits_decimal(value: float | int | None) -> Decimal:
    """A credit figure as the API wrote it (the shortest decimal that round-trips)."""
    if value is None:
        return Decimal(0)
    return Decimal(value) if isinstance(value, int) else Decimal(repr(value))


def price_credits(
    periods: Iterable[tuple[datetime, datetime, Decimal]],
    prices: PriceList,
    *,
    used_before: Mapping[datetime, Decimal] | None = None,
) -> list[Charge]:
    """Charges for ``periods`` (start, end, credits), each within one billing month,
    in time order. With included credits, ``used_before`` gives each month's
    credits before the first period (so a window that starts mid-month knows how
    much of the included credits is already spent)."""
    if not prices.tiered:
        return [Charge(s, e, c, prices.credit_price, STANDARD) for s, e, c in periods]
    included = prices.included_credits or Decimal(0)
    overage = prices.overage_credit_price or Decimal(0)
    spent: dict[datetime, Decimal] = dict(used_before or {})
    charges = []
    for start, end, credits in sorted(periods, key=lambda p: p[0]):
        month = billing_month(start)
        if billing_month(end - (end - start) / 2) != month and end > start:
            raise ValueError(f"the period {start:%Y-%m-%d} to {end:%Y-%m-%d} crosses a month")
        before = spent.get(month, Decimal(0))
        room = max(included - before, Decimal(0))
        at_included = min(credits, room)
        past = credits - at_included
        if at_included or not past:
            charges.append(Charge(start, end, at_included, prices.credit_price, INCLUDED))
        if past:
            charges.append(Charge(start, end, past, overage, OVERAGE))
        spent[month] = before + credits
    return charges


def cost_by_period(charges: Iterable[Charge], starts: list[datetime]) -> dict[datetime, Decimal]:
    """Each display period's cost: the charges whose start falls in it (``starts``
    sorted; a period runs to the next start)."""
    import bisect

    costs = dict.fromkeys(starts, Decimal(0))
    for charge in charges:
        i = bisect.bisect_right(starts, charge.start) - 1
        if i >= 0:
            costs[starts[i]] += charge.cost
    return costs


def price_history(history: Any, units: Any, prices: PriceList) -> Any:
    """``history`` with each point's cost: ``units`` are the same credits by UTC day
    (or hour), from the start of the billing month of ``history``'s window, so the
    included credits spent before the window are counted; the costs of units
    outside the window are left out, and each period gets those inside it."""
    from attrs import evolve

    window = (history.query.from_date, history.query.to_date)
    step = units.query.granularity
    periods = [
        (p.start, period_after(p.start, step), credits_decimal(p.credits_used))
        for p in units
        if p.credits_used is not None
    ]
    charges = [c for c in price_credits(periods, prices) if window[0] <= c.start <= window[1]]
    starts = [p.start for p in history]
    costs = cost_by_period(charges, starts)
    return evolve(history, costs=tuple(costs[s] for s in starts), currency=prices.currency)


def cost_of(credits: Decimal, prices: PriceList, *, before: Decimal = Decimal(0)) -> Decimal:
    """What ``credits`` more cost in a billing month where ``before`` were used.

    >>> from anchor_history.pricing import parse_price_list
    >>> cost_of(Decimal(300), parse_price_list("USD", "0.01", "1000", "0.02"), before=Decimal(800))
    Decimal('4.00')
    """
    return _cumulative(before + credits, prices) - _cumulative(before, prices)


def credits_for(amount: Decimal, prices: PriceList) -> Decimal | None:
    """How many credits from a month's start cost ``amount`` (None if no price)."""
    price = prices.credit_price
    if not prices.tiered:
        return amount / price if price else None
    included = prices.included_credits or Decimal(0)
    at_included = included * price
    if amount <= at_included:
        return amount / price if price else Decimal(0)
    overage = prices.overage_credit_price or Decimal(0)
    return included + (amount - at_included) / overage if overage else None


def _cumulative(credits: Decimal, prices: PriceList) -> Decimal:
    if not prices.tiered:
        return credits * prices.credit_price
    included = prices.included_credits or Decimal(0)
    inside = min(credits, included)
    return inside * prices.credit_price + (credits - inside) * (
        prices.overage_credit_price or Decimal(0)
    )
