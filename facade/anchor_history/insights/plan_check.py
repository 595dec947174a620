"""Does the history add up to the bill, and how much of the plan is left?

Pure functions over a :class:`~anchor_history.models.plan.Plan` and hourly history:
the forecast of the period's credits (as ``check`` computes it), when the
included credits and the cost limit run out at its pace, the reconciliation of
the history's credits with the plan's own ``credits_used``, and the busiest
hours' mean concurrency against the plan's cap. :func:`check_plan` makes the
two requests it needs (the plan, then hours).

>>> # report = check_plan(client)
>>> # report.reconciliation.agrees, report.forecast.value
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from attrs import frozen

from ..calendar.boundaries import period_floor
from ..calendar.windows import DateLike, parse_as_of
from ..calendar.wire import format_api_datetime
from ..errors import InvalidInputError
from ..models.history import HistoryPoint
from ..models.plan import Plan
from .forecast import TRAILING_DAYS, Forecast, forecast

__all__ = [
    "DEFAULT_TOLERANCE",
    "Concurrency",
    "PlanReport",
    "Reconciliation",
    "busiest_hours",
    "check_plan",
    "reconcile",
]

DEFAULT_TOLERANCE = 1.0  # percent: what the history and the plan may differ by and agree


@frozen
class Reconciliation:
    history_credits: float
    plan_credits: float
    difference: float  # history - plan
    percent: float | None  # of the plan's figure; None when the plan says 0 and history not
    agrees: bool
    tolerance: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "history_credits": round(self.history_credits, 4),
            "plan_credits": self.plan_credits,
            "difference": round(self.difference, 4),
            "percent": None if self.percent is None else round(self.percent, 4),
            "agrees": self.agrees,
            "tolerance": self.tolerance,
        }


def reconcile(history_credits: float, plan_credits: float, tolerance: float) -> Reconciliation:
    """The history's credits over the billing period against the plan's.

    >>> reconcile(101.0, 100.0, 1.0).agrees, reconcile(102.0, 100.0, 1.0).agrees
    (True, False)
    """
    difference = history_credits - plan_credits
    if plan_credits:
        percent: float | None = 100.0 * difference / plan_credits
    else:
        percent = 0.0 if not history_credits else None
    agrees = percent is not None and abs(percent) <= tolerance + 1e-9
    return Reconciliation(
        history_credits, float(plan_credits), difference, percent, agrees, tolerance
    )


@frozen
class Concurrency:
    """The busiest hours by mean concurrent sessions (an hour's session hours: the
    sessions' time in it over its one hour). A mean over an hour: the true peak
    within it is at least this high, so it is a lower bound."""

    busiest: tuple[tuple[datetime, float], ...]  # busiest first
    max_concurrent_browsers: float | None  # -1 unlimited, None unknown

    @property
    def peak(self) -> tuple[datetime, float] | None:
        return self.busiest[0] if self.busiest else None

    def to_dict(self) -> dict[str, Any]:
        peak = self.peak
        return {
            "peak_mean": None if peak is None else round(peak[1], 4),
            "peak_hour": None if peak is None else format_api_datetime(peak[0]),
            "max_concurrent_browsers": self.max_concurrent_browsers,
        }


def busiest_hours(
    points: Iterable[HistoryPoint], span: tuple[datetime, datetime], count: int = 5
) -> tuple[tuple[datetime, float], ...]:
    """The ``count`` hours of ``span`` with the most session hours, busiest first."""
    start, end = span
    hours = [
        (p.start, float(p.session_hours))
        for p in points
        if start <= p.start < end and p.session_hours
    ]
    return tuple(sorted(hours, key=lambda h: (-h[1], h[0]))[:count])


@frozen
class PlanReport:
    plan: Plan
    as_of: datetime
    forecast: Forecast
    reconciliation: Reconciliation
    concurrency: Concurrency

    @property
    def included_exhausts_at(self) -> datetime | None:
        return self.forecast.reaches(float(self.plan.included_credits))

    @property
    def cost_limit_exhausts_at(self) -> datetime | None:
        limit = self.plan.cost_limit
        return None if limit is None else self.forecast.reaches(float(limit))

    def to_dict(self) -> dict[str, Any]:
        f = self.forecast

        def when(moment: datetime | None) -> str | None:
            return None if moment is None else format_api_datetime(moment)

        plan = {k: v for k, v in self.plan.to_dict().items() if k != "max_concurrent_browsers"}
        return {  # the plan's cap is under concurrency, beside the peak it bounds
            **plan,
            "as_of": format_api_datetime(self.as_of),
            "forecast": {
                "value": round(f.value, 4),
                "low": round(f.low, 4),
                "high": round(f.high, 4),
            },
            "included_exhausts_at": when(self.included_exhausts_at),
            "cost_limit_exhausts_at": when(self.cost_limit_exhausts_at),
            "reconciliation": self.reconciliation.to_dict(),
            "concurrency": self.concurrency.to_dict(),
        }


def plan_report(
    plan: Plan,
    points: Iterable[HistoryPoint],
    *,
    as_of: datetime,
    tolerance: float = DEFAULT_TOLERANCE,
    now: datetime | None = None,
) -> PlanReport:
    """The report from the plan and hourly points (credits_used, session_hours)
    covering the trailing weeks and the billing period up to ``now`` (default
    ``as_of``): the forecast as of ``as_of``, the reconciliation up to ``now``,
    the moment the plan's own figures are as of."""
    hours = list(points)
    start, end = plan.billing_period
    moment = min(max(as_of, start), end)
    until = moment if now is None else min(max(now, start), end)
    outlook = forecast(hours, "credits_used", period=(start, end), as_of=moment)
    held = math.fsum(float(p.credits_used or 0) for p in hours if start <= p.start < until)
    return PlanReport(
        plan,
        moment,
        outlook,
        reconcile(held, float(plan.credits_used), tolerance),
        Concurrency(busiest_hours(hours, (start, moment)), plan.max_concurrent_browsers),
    )


def check_plan(
    client: Any,
    *,
    tolerance: float = DEFAULT_TOLERANCE,
    as_of: DateLike | None = None,
    now: datetime | None = None,
    **fetch_options: Any,
) -> PlanReport:
    """The plan (``client.plan()``), then the hours the report needs (one fetch).

    The forecast is made as of ``as_of`` (default now; see
    :func:`~anchor_history.calendar.parse_as_of`); the plan's own figures are as of
    now, so the history is reconciled with them up to now whatever ``as_of`` says.
    """
    plan = client.plan(deadline=fetch_options.get("deadline"))
    moment = now or datetime.now(UTC)
    when = parse_as_of(as_of, now=moment)
    start, end = plan.billing_period
    if when < start:
        raise InvalidInputError(
            "as_of",
            f"{format_api_datetime(when)} is before the plan's billing period "
            f"({format_api_datetime(start)} to {format_api_datetime(end)}); "
            "GET /v1/billing tells only the current one",
            value=as_of,
        )
    until = min(moment, end)
    first = min(start, period_floor(min(when, until) - timedelta(days=TRAILING_DAYS), "day"))
    fetch_options.setdefault("page_size", 1000)
    history = client.fetch(first, until, "hour", "credits_used,session_hours", **fetch_options)
    return plan_report(plan, history.points, as_of=min(when, until), tolerance=tolerance, now=until)


def plan_costs(report: PlanReport, prices: Any) -> dict[str, Any]:
    """The period's credits in money: used so far, the overage so far, and the
    forecast with its range, priced from the billing month's start (exact)."""
    from ..pricing.charges import cost_of, credits_decimal

    f, plan = report.forecast, report.plan

    def cost(credits: float) -> Any:
        return cost_of(credits_decimal(credits), prices)

    overage = cost(float(plan.credits_used)) - cost(
        float(min(plan.credits_used, plan.included_credits))
    )
    return {
        "currency": prices.currency,
        "pricing": prices.rule(),
        "used": cost(float(plan.credits_used)),
        "overage": overage,
        "forecast": {"value": cost(f.value), "low": cost(f.low), "high": cost(f.high)},
    }
