"""The plan a team pays for, as ``GET /v1/billing`` states it: a frozen value.

Numbers are as the API sent them (``int`` or ``float``; money comes later, in
:mod:`anchor_history.pricing`); the optional fields are None where the API
sent null or nothing. ``billing_period`` is read as the calendar month in UTC
that its ``YYYY-MM`` names: the API does not say whether a period starts on the
account's own day, so that is an assumption, named in the README.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from attrs import frozen

from ..calendar.boundaries import billing_period
from ..calendar.wire import format_api_datetime
from .history import Number

__all__ = ["UNLIMITED", "Plan", "billing_period_span"]

UNLIMITED = -1  # max_concurrent_browsers: no cap

_PERIOD = re.compile(r"^(\d{4})-(\d{2})$")


def billing_period_span(text: str) -> tuple[datetime, datetime]:
    """``2026-11`` as its UTC [start, end). Raises ValueError for anything else.

    >>> [d.isoformat() for d in billing_period_span("2026-11")]
    ['2026-11-01T00:00:00+00:00', '2026-12-01T00:00:00+00:00']
    """
    match = _PERIOD.match(text.strip()) if isinstance(text, str) else None
    if match is None:
        raise ValueError(f"expected YYYY-MM, got {text!r}")
    return billing_period(
        datetime(int(match.group(1)), int(match.group(2)), 1, tzinfo=UTC), "month"
    )


@frozen
class Plan:
    """The tier, its included credits and limits, and this billing period's use."""

    tier: str
    billing_period: tuple[datetime, datetime]  # the UTC [start, end) of its month
    included_credits: Number
    credits_used: Number
    credits: Number  # the available balance
    gifts_balance: Number | None = None
    max_concurrent_browsers: Number | None = None  # UNLIMITED (-1) means no cap
    cost_limit: Number | None = None

    @property
    def credits_left_included(self) -> Number:
        """What is left of the included credits before overage (never below 0)."""
        return max(self.included_credits - self.credits_used, 0)

    @property
    def overage_credits(self) -> Number:
        """Credits used past the included ones so far this period."""
        return max(self.credits_used - self.included_credits, 0)

    @property
    def unlimited_concurrency(self) -> bool:
        return self.max_concurrent_browsers == UNLIMITED

    def to_dict(self) -> dict[str, Any]:
        start, end = self.billing_period
        return {
            "tier": self.tier,
            "billing_period": {
                "start": format_api_datetime(start),
                "end": format_api_datetime(end),
            },
            "included_credits": self.included_credits,
            "credits_used": self.credits_used,
            "credits_left_included": self.credits_left_included,
            "overage_credits": self.overage_credits,
            "cost_limit": self.cost_limit,
            "gifts_balance": self.gifts_balance,
            "credits": self.credits,
            "max_concurrent_browsers": self.max_concurrent_browsers,
        }
