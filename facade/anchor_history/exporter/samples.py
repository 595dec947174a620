"""What the exporter serves, as values: the samples of one refresh (pure).

A Prometheus exporter: usage so far this day, week and month, budgets with forecasts.

Like prometheus_client's custom collectors, a scrape reads one immutable
:class:`Snapshot` that a background refresher replaces whole: a scrape never
sees half an update and never calls the API, so a dashboard cannot exhaust the
rate limit. On a failed refresh the last good values stay, with
``anchor_history_last_success_timestamp_seconds`` and a refresh-error counter to
alert on. Needs the ``exporter`` extra (prometheus_client).

Names follow Prometheus' own naming page, with node_exporter as the model:

- base units in the name (bytes, seconds: the total session time is
  ``anchorbrowser_session_time_seconds``), one name per quantity, so no name
  mixes units (a budget's limit is ``anchorbrowser_credits_budget_limit``, not
  one ``budget_limit`` name over credits and sessions);
- the gauges of usage so far carry a ``period`` label (day, week, month): a
  query selects one, since the day is inside the week inside the month and a
  sum over ``period`` means nothing;
- a counter per metric, ``..._total``, is the usage accumulated within the
  billing month (UTC), reset at its start: ``increase()`` and ``rate()`` work on it;
- ``team`` is the team's name: a store's teams side by side, never a sum.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal

from attrs import frozen

from ..calendar.boundaries import billing_period, period_after
from ..insights.budgets import Budget, BudgetResult, evaluate
from ..models.history import History, exact_sum, metric_names
from ..models.plan import Plan
from ..pricing import PriceList, billing_month, price_credits
from ..pricing.charges import credits_decimal

__all__ = [
    "METRIC_NAMES",
    "PERIODS",
    "Sample",
    "Snapshot",
    "budget_samples",
    "cost_samples",
    "plan_samples",
    "take_snapshot",
]

# Each API metric's Prometheus name and factor to its base unit.
METRIC_NAMES: dict[str, tuple[str, float, str]] = {
    "session_count": ("anchorbrowser_sessions", 1, "Browser sessions started (a count)"),
    "proxy_bytes": ("anchorbrowser_proxy_bytes", 1, "Bytes through the proxy (bytes)"),
    "ai_steps": ("anchorbrowser_ai_steps", 1, "AI steps taken (a count)"),
    "session_hours": (
        "anchorbrowser_session_time_seconds",
        3600,
        "Total time of browser sessions, in seconds",
    ),
    "credits_used": ("anchorbrowser_credits_used", 1, "Credits used (credits)"),
    "screenshots": ("anchorbrowser_screenshots", 1, "Screenshots taken (a count)"),
    "network_bytes_total": (
        "anchorbrowser_network_bytes",
        1,
        "Network traffic, sent and received (bytes)",
    ),
}
PERIODS = ("day", "week", "month")

# A budget's figures are named per quantity: (stem, unit suffix, the unit in words).
BUDGET_NAMES: dict[str, tuple[str, str, str]] = {
    "session_count": ("anchorbrowser_sessions_budget", "", "sessions"),
    "proxy_bytes": ("anchorbrowser_proxy_budget", "_bytes", "bytes"),
    "ai_steps": ("anchorbrowser_ai_steps_budget", "", "AI steps"),
    "session_hours": ("anchorbrowser_session_time_budget", "_seconds", "seconds"),
    "credits_used": ("anchorbrowser_credits_budget", "", "credits"),
    "screenshots": ("anchorbrowser_screenshots_budget", "", "screenshots"),
    "network_bytes_total": ("anchorbrowser_network_budget", "_bytes", "bytes"),
    "cost": ("anchorbrowser_cost_budget", "", "money, in the currency labelled"),
}


@frozen
class Sample:
    name: str
    help: str
    labels: tuple[tuple[str, str], ...]
    value: float


@frozen
class Family:
    """One metric family as a scrape shows it: every label any of its samples
    carries, and each sample's values in that order ("" where a sample lacks
    one: Prometheus reads an empty label as no label)."""

    name: str
    help: str
    labels: tuple[str, ...]
    rows: tuple[tuple[tuple[str, ...], float], ...]


def families(samples: Iterable[Sample]) -> list[Family]:
    """The samples grouped by name, each sample's labels placed by name, never by
    position: a cost budget's samples carry ``currency`` where a credits budget's
    do not, and reading the first sample's names for all of them put one's team
    under the other's currency.

    >>> a = Sample("x", "h", (("currency", "USD"), ("team", "web")), 1.0)
    >>> b = Sample("x", "h", (("team", "api"),), 2.0)
    >>> families([b, a])[0].rows
    ((('', 'api'), 2.0), (('USD', 'web'), 1.0))
    """
    grouped: dict[str, list[Sample]] = {}
    for sample in samples:
        grouped.setdefault(sample.name, []).append(sample)
    out = []
    for name, members in grouped.items():
        names = tuple(sorted({key for s in members for key, _ in s.labels}))
        rows = []
        for s in members:
            given = dict(s.labels)
            rows.append((tuple(given.get(key, "") for key in names), s.value))
        out.append(Family(name, members[0].help, names, tuple(rows)))
    return out


@frozen
class Snapshot:
    """Every sample of one refresh, taken at ``taken``."""

    taken: datetime
    samples: tuple[Sample, ...]


def cost_samples(history: History, prices: PriceList, *, team: str, now: datetime) -> list[Sample]:
    """``anchorbrowser_cost{period, team, currency}``: the credits of the current day,
    week and month so far, priced (in order from the billing month's start, so the
    included credits are respected). A gauge is a float: money meets floats here,
    at the edge, and nowhere before."""
    first = history.query.from_date
    hours = [
        (p.start, period_after(p.start, "hour"), credits_decimal(p.credits_used))
        for p in history
        if p.start < now and p.credits_used is not None
    ]
    charges = price_credits(hours, prices)
    samples = []
    for period in PERIODS:
        start, _ = billing_period(now, period)
        month = billing_month(start)
        if not history.covers(start, now) or (prices.tiered and first > month):
            continue  # not held whole, or the month's earlier credits are unknown
        cost = sum((c.cost for c in charges if start <= c.start < now), Decimal(0))
        labels = (("currency", prices.currency), ("period", period), ("team", team))
        samples.append(
            Sample(
                "anchorbrowser_cost",
                "Credits used so far in the current day, week or month (label period), priced "
                f"with the exporter's price list ({prices.rule()}), in the currency labelled",
                labels,
                float(cost),
            )
        )
    return samples


def take_snapshot(
    history: History,
    *,
    team: str,
    now: datetime,
    budgets: Sequence[Budget] = (),
    prices: PriceList | None = None,
    origin: str = "the API",
) -> Snapshot:
    """The usage so far of each period holding ``now``, from hourly ``history``
    (covering the month, the week and, with budgets, the trailing weeks);
    ``origin`` (the API, or a store) is named in every HELP."""
    samples = [] if prices is None else cost_samples(history, prices, team=team, now=now)
    for period in PERIODS:
        start, _ = billing_period(now, period)
        if not history.covers(start, now):
            continue  # a store holds only part of it: absent, not too low
        hours = [p for p in history if start <= p.start < now]
        for metric in metric_names():
            name, factor, text = METRIC_NAMES[metric]
            values = [getattr(p, metric) for p in hours]
            if all(v is None for v in values) and hours:
                continue  # the server sent no value for it: absent, not zero
            used = float(exact_sum(values) or 0) * factor
            labels: tuple[tuple[str, str], ...] = (("period", period), ("team", team))
            help_text = (
                f"{text}, so far in the current day, week or month (UTC), from {origin}: "
                "select one period, a sum over period means nothing"
            )
            samples.append(Sample(name, help_text, labels, used))
            if period == "month":
                samples.append(
                    Sample(
                        f"{name}_total",
                        f"{text}, accumulated within the billing month (UTC) and reset at its "
                        f"start, from {origin}: a counter, for increase() and rate()",
                        (("team", team),),
                        used,
                    )
                )
    if budgets and history.covers(billing_period(now, "month")[0], now):
        report = evaluate(
            history, budgets, period=billing_period(now, "month"), as_of=now, prices=prices
        )
        for result in report.budgets:
            samples += budget_samples(result, team)
    return Snapshot(now, tuple(samples))


def budget_samples(result: BudgetResult, team: str) -> list[Sample]:
    """A budget's figures in its own quantity's names and unit; the ratio, pace and
    exhaustion time (unitless or seconds) under one name, by ``metric``."""
    stem, unit, words = BUDGET_NAMES[result.metric]
    if result.money is not None:
        money = result.money
        figures = [float(x) for x in (money.limit, money.value, money.low, money.high)]
        labels: tuple[tuple[str, str], ...] = (("currency", money.currency), ("team", team))
        metric = "anchorbrowser_cost"
    else:
        usage, factor, _ = METRIC_NAMES[result.metric]
        f = result.forecast
        figures = [x * factor for x in (result.limit, f.value, f.low, f.high)]
        labels = (("team", team),)
        metric = usage
    if result.name is not None:
        labels = (("budget", result.name), *labels)
    texts = [
        "The budget for the month",
        "The forecast total at the month's end",
        "The low end of the forecast's 90% range",
        "The high end of the forecast's 90% range",
    ]
    parts = ["limit", "forecast", "forecast_low", "forecast_high"]
    out = [
        Sample(f"{stem}_{part}{unit}", f"{text} ({words})", labels, value)
        for part, text, value in zip(parts, texts, figures, strict=True)
    ]
    by_metric = (("metric", metric), *labels)
    used = (
        float(result.money.used)
        if result.money is not None
        else result.forecast.used * (METRIC_NAMES[result.metric][1])
    )
    ratios = [
        ("anchorbrowser_budget_used_ratio", "Used so far over the budget (1 = spent)", used),
        ("anchorbrowser_budget_forecast_ratio",
         "The forecast at the month's end over the budget (1 = exactly the limit)", figures[1]),
        ("anchorbrowser_budget_forecast_low_ratio",
         "The low end of the forecast's 90% range over the budget (over 1: over, almost surely)",
         figures[2]),
    ]  # fmt: skip
    out += [Sample(name, text, by_metric, value / figures[0]) for name, text, value in ratios]
    if result.pace is not None:
        out.append(
            Sample(
                "anchorbrowser_budget_pace",
                "Used over the budget, divided by the share of the month gone (1 = on track)",
                by_metric,
                result.pace,
            )
        )
    if result.exhausts_at is not None:  # absent when not within the month
        out.append(
            Sample(
                "anchorbrowser_budget_exhaustion_timestamp_seconds",
                "When the use so far, then as forecast, reaches the budget (Unix time; in "
                "the past when already spent)",
                by_metric,
                result.exhausts_at.timestamp(),
            )
        )
    return out


def plan_samples(plan: Plan, team: str) -> list[Sample]:
    """The plan's figures, as GET /v1/billing states them (credits)."""
    labels: tuple[tuple[str, str], ...] = (("team", team), ("tier", plan.tier))
    figures = [
        ("anchorbrowser_plan_included_credits", "Credits included in the plan's tier "
         "(GET /v1/billing)", plan.included_credits),
        ("anchorbrowser_plan_credits_used", "Credits used this billing period, as the plan "
         "states it (GET /v1/billing)", plan.credits_used),
        ("anchorbrowser_plan_credits_balance", "Available credit balance (GET /v1/billing)",
         plan.credits),
        ("anchorbrowser_plan_cost_limit_credits", "The plan's configured credit spend limit "
         "(GET /v1/billing; absent when none)", plan.cost_limit),
    ]  # fmt: skip
    return [Sample(name, text, labels, float(value)) for name, text, value in figures
            if value is not None]  # fmt: skip
