"""FOCUS rows from a team's daily history, its sessions and a price list: pure.

One row per team, day, slice and charge. A team's day is split into slices by
who spent it (:mod:`.attribution`: one per distinct tags and API key of its
sessions, and one without tags for what no session explains), or kept whole
when its sessions are not known. A day is one charge at one price, or two on the
day the month's included credits run out (the credits up to them at the credit
price, the rest at the overage price), shared out over the day's slices in
order. Included credits belong to a billing account, shared by its teams. A
slice's usage metrics go on its first row only, so a sum over rows counts them
once. Costs are exact Decimals (credits as the API wrote them, times a decimal
price): BilledCost over a month is the month's priced credits to the cent and
beyond.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from attrs import evolve

from ...calendar.boundaries import LAST_MS, period_after
from ...models.history import History
from ...pricing import PriceList
from ...pricing.charges import (
    INCLUDED,
    OVERAGE,
    Charge,
    billing_month,
    credits_decimal,
    price_credits,
)
from .attribution import Slice, day_slices, whole_day
from .columns import (
    COLUMNS,
    EXTRA_COLUMNS,
    KEY_COLUMN,
    PRICING_CURRENCY,
    PROVIDER,
    SERVICE_CATEGORY,
    SERVICE_NAME,
    SERVICE_SUBCATEGORY,
    SKU_ID,
    SKU_METER,
    UNIT,
)

__all__ = ["account_rows", "charge_period", "focus_rows", "instant", "quantity"]

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
    sessions: Mapping[datetime, Mapping[Any, Mapping[str, Any]]] | None = None,
) -> list[dict[str, Any]]:
    """Rows for one team's days (``history`` by UTC day, credits_used among its
    metrics), billed to an account of its own: :func:`account_rows` of one team."""
    known = None if sessions is None else {team: sessions}
    return account_rows({team: history}, prices, account=account, used_before=used_before,
                        sessions=known)  # fmt: skip


def account_rows(
    histories: Mapping[str, History],
    prices: PriceList,
    *,
    account: str = "default",
    used_before: Mapping[datetime, Decimal] | None = None,
    sessions: Mapping[str, Mapping[datetime, Mapping[Any, Mapping[str, Any]]]] | None = None,
) -> list[dict[str, Any]]:
    """Rows for the teams of one billing account (each team's days by UTC day).

    The account's included credits are its teams' together: each day is priced on
    the account's credits of the day, in time order, and a day's charges are then
    shared out among its teams in name order (the included credits first, the
    overage after), so every row is one team's credits at one price, exact, and
    a day's rows add up to the account's priced day. ``used_before``: the
    account's credits of each billing month before the first day. ``sessions``:
    each team's :func:`~.attribution.sessions_by_day` (a team left out, or None,
    is not split: its days are whole, without tags)."""
    for history in histories.values():
        if history.query.granularity != "day":
            raise ValueError(f"FOCUS rows are by day, not by {history.query.granularity}")
    days = {
        team: {p.start: p for p in history if p.credits_used is not None}
        for team, history in histories.items()
    }
    spans: dict[datetime, tuple[datetime, datetime]] = {}
    combined: dict[datetime, Decimal] = {}
    for team, history in histories.items():
        window = history.query.from_date, history.query.to_date
        for day, point in days[team].items():
            spans[day] = charge_period(day, *window)
            combined[day] = combined.get(day, Decimal(0)) + credits_decimal(point.credits_used)
    periods = [(*spans[day], combined[day]) for day in sorted(combined)]
    by_start: dict[datetime, list[Charge]] = {}
    for charge in price_credits(periods, prices, used_before=used_before):
        by_start.setdefault(charge.start, []).append(charge)
    rows = []
    for day in sorted(combined):
        charges = by_start[spans[day][0]]
        left = [charge.credits for charge in charges]
        for team in sorted(histories):
            if day not in days[team]:
                continue
            point, known = days[team][day], (sessions or {}).get(team)
            slices = [whole_day(point)] if known is None else day_slices(point, known.get(day, {}))
            for piece in slices:
                for n, charge in enumerate(_share(piece.credits, charges, left)):
                    rows.append(_row(charge, prices, team, account, piece, first=n == 0))
    return rows


def _share(need: Decimal, charges: list[Charge], left: list[Decimal]) -> list[Charge]:
    """A team's part of a day's charges: taken from what each has ``left``, in order."""
    parts: list[Charge] = []
    for i, charge in enumerate(charges):
        take = min(need, left[i])
        if take > 0 or (not need and not parts):  # a day of no credits is one row of 0
            parts.append(evolve(charge, credits=take))
            left[i] -= take
            need -= take
    return parts


def _row(
    charge: Charge, prices: PriceList, team: str, account: str, piece: Slice, *, first: bool
) -> dict[str, Any]:
    """One charge of a slice as a FOCUS row; the slice's metrics on its ``first``
    row only, so a sum over rows counts them once."""
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
        PricingCurrency=PRICING_CURRENCY,
        PricingCurrencyContractedUnitPrice="1.0",
        PricingCurrencyEffectiveCost=quantity(charge.credits),
        PricingCurrencyListUnitPrice="1.0",
        PricingQuantity=quantity(charge.credits),
        PricingUnit=UNIT,
        ProviderName=PROVIDER,
        PublisherName=PROVIDER,
        ServiceCategory=SERVICE_CATEGORY,
        ServiceName=SERVICE_NAME,
        ServiceSubcategory=SERVICE_SUBCATEGORY,
        SkuId=SKU_ID,
        SkuMeter=SKU_METER,
        SkuPriceDetails=json.dumps({"x_CreditTier": charge.rate}),
        SkuPriceId=f"{SKU_ID}-{charge.rate}",
        SubAccountId=team,
        SubAccountName=team,
        Tags=piece.tags,
    )
    row[KEY_COLUMN] = piece.api_key
    for metric, column in EXTRA_COLUMNS.items():
        row[column] = piece.metrics.get(metric) if first else None
    return row
