"""``GET /v1/billing`` in the sandbox: the plan, computed from its own sessions.

``credits_used`` is the history's credits for the current calendar month in UTC
(the sandbox's reading of the unknown "billing period"), so a client can
reconcile the two exactly; ``credits`` is what is left of the included credits
and gifts, never below zero. The plan's own figures come from the sandbox's flags.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from typing import Any

from attrs import frozen

from .aggregate import bucket_history

__all__ = ["PlanSettings", "billing_body"]


@frozen
class PlanSettings:
    included_credits: float = 30_000
    tier: str = "growth"
    cost_limit: float | None = 45_000
    max_concurrent_browsers: float | None = 50
    gifts_balance: float | None = 0


def billing_body(conn: sqlite3.Connection, plan: PlanSettings, now: datetime) -> dict[str, Any]:
    start = now.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    used = 0.0
    if now > start:
        body = bucket_history(
            conn,
            start=start,
            end=now,
            granularity="month",
            metrics=("credits_used",),
            page=1,
            limit=1,
        )
        used = body["summary"]["total_credits_used"] or 0.0
    available = plan.included_credits + (plan.gifts_balance or 0) - used
    return {
        "data": {
            "credits": round(max(0.0, available), 4),
            "credits_used": used,
            "included_credits": plan.included_credits,
            "billing_period": f"{start:%Y-%m}",
            "tier": plan.tier,
            "gifts_balance": plan.gifts_balance,
            "max_concurrent_browsers": plan.max_concurrent_browsers,
            "cost_limit": plan.cost_limit,
        }
    }
