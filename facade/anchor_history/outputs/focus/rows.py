"""FOCUS rows from a team's daily history and a price list: pure, no I/O.

One row per team, day and charge: a day is one charge at one price, or two on
the day the month's included credits run out (the credits up to them at the
credit price, the rest at the overage price). The day's other usage metrics go
on its first row only, so a sum over rows counts them once. Costs are exact
Decimals (credits as the API wrote them, times a decimal price): BilledCost
over a month is the month's priced credits to the cent and beyond.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from ...calendar.boundaries import period_after
from ...models.history import History
from ...pricing import PriceList
from ...pricing.charges import INCLUDED, OVERAGE, billing_month, credits_decimal, price_credits
from .columns import COLUMNS, EXTRA_COLUMNS, PROVIDER, SERVICE_CATEGORY, SERVICE_NAME, SKU_ID, UNIT

__all__ = ["focus_rows", "instant", "quantity"]

_DESCRIPTION = {
    "standard": "AnchorBrowser credits used by browser sessions",
    INCLUDED: "AnchorBrowser credits used by browser sessions, within the month's included credits",
    OVERAGE: "AnchorBrowser credits used by browser sessions, past the month's included credits",
}


def instant(moment: datetime) -> str:
    """FOCUS date-times: ISO 8601 in UTC, ``2026-11-01T00:00:00Z``."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def quantity(value: Decimal) -> str:
    """A decimal with a fraction always (``12.0``, not ``12``: the validator reads a
    whole number as an integer, not a decimal)."""
    text = format(value, "f")
    return text if "." in text else text + ".0"


def focus_rows(
    history: History,
    prices: PriceList,
    *,
    team: str,
    account: str = "default",
    used_before: Mapping[datetime, Decimal] | None = None,
) -> list[dict[str, Any]]:
    """Rows for one team's days (``history`` by UTC day, credits_used among its
    metrics). ``used_before``: each billing month's credits before the first day."""
    if history.query.granularity != "day":
        raise ValueError(f"FOCUS rows are by day, not by {history.query.granularity}")
    days = [p for p in history if p.credits_used is not None]
    periods = [
        (p.start, period_after(p.start, "day"), credits_decimal(p.credits_used)) for p in days
    ]
    charges = price_credits(periods, prices, used_before=used_before)
    by_day = {p.start: p for p in days}
    rows = []
    first_of_day: set[datetime] = set()
    for charge in charges:
        month = billing_month(charge.start)
        cost = charge.cost
        row: dict[str, Any] = dict.fromkeys(COLUMNS)
        row.update(
            BilledCost=quantity(cost),
            BillingAccountId=account,
            BillingAccountName=account,
            BillingCurrency=prices.currency,
            BillingPeriodStart=instant(month),
            BillingPeriodEnd=instant(period_after(month, "month")),
            ChargeCategory="Usage",
            ChargeDescription=_DESCRIPTION[charge.rate],
            ChargeFrequency="Usage-Based",
            ChargePeriodStart=instant(charge.start),
            ChargePeriodEnd=instant(charge.end),
            ConsumedQuantity=quantity(charge.credits),
            ConsumedUnit=UNIT,
            ContractedCost=quantity(cost),
            ContractedUnitPrice=quantity(charge.unit_price),
            EffectiveCost=quantity(cost),
            InvoiceIssuerName=PROVIDER,
            ListCost=quantity(cost),
            ListUnitPrice=quantity(charge.unit_price),
            PricingCategory="Standard",
            PricingQuantity=quantity(charge.credits),
            PricingUnit=UNIT,
            ProviderName=PROVIDER,
            PublisherName=PROVIDER,
            ServiceCategory=SERVICE_CATEGORY,
            ServiceName=SERVICE_NAME,
            SkuId=SKU_ID,
            SkuPriceId=f"{SKU_ID}-{charge.rate}",
            SubAccountId=team,
            SubAccountName=team,
        )
        point = by_day[charge.start]
        first = charge.start not in first_of_day
        first_of_day.add(charge.start)
        for metric, column in EXTRA_COLUMNS.items():
            value = getattr(point, metric) if first else None
            row[column] = None if value is None else value
        rows.append(row)
    return rows
