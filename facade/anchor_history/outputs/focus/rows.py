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

from ...calendar.boundaries import LAST_MS, period_after
from ...models.history import History
from ...pricing import PriceList
from ...pricing.charges import INCLUDED, OVERAGE, billing_month, credits_decimal, price_credits
from .columns import COLUMNS, EXTRA_COLUMNS, PROVIDER, SERVICE_CATEGORY, SERVICE_NAME, SKU_ID, UNIT

__all__ = ["charge_period", "focus_rows", "instant", "quantity"]

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


def charge_period(day: datetime, start: datetime, end: datetime) -> tuple[datetime, datetime]:
    """The part of ``day`` inside the window [start, end): a day the window cuts is
    charged for the hours it holds, never labelled as the whole day (two exports
    side by side would overlap). An end at the day's last millisecond (``--to
    2026-11-30``) holds the whole day.

    >>> from datetime import UTC
    >>> day, start = datetime(2026, 11, 5, tzinfo=UTC), datetime(2026, 11, 5, 14, tzinfo=UTC)
    >>> [instant(t) for t in charge_period(day, start, datetime(2026, 12, 1, tzinfo=UTC))]
    ['2026-11-05T14:00:00Z', '2026-11-06T00:00:00Z']
    """
    day_end = period_after(day, "day")
    cut_end = day_end if day_end - end <= LAST_MS else min(day_end, end)
    return max(day, start), cut_end


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
    spans = {p.start: charge_period(p.start, history.query.from_date, history.query.to_date)
             for p in days}  # fmt: skip
    periods = [(*spans[p.start], credits_decimal(p.credits_used)) for p in days]
    charges = price_credits(periods, prices, used_before=used_before)
    by_day = {spans[p.start][0]: p for p in days}
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
