"""Who spent it: usage broken down by tag, API key, domain, proxy, status or task.

A pure function over the hourly rows of :mod:`~anchor_history.models.session_rows` (from the API's
sessions or from a store), so the same rows always give the same breakdown:

- Groups are sorted largest first by ``share_of`` (credits when asked for, else
  the first metric); ``top`` keeps that many and sums the rest as ``(other)``.
- A session with several tags (or domains) counts under each: those groups
  overlap, their sum exceeds the whole, and ``overlapping`` says so. The whole
  (``total``) counts every session once.
- ``tag:KEY`` groups sessions by the value of their ``KEY:VALUE`` tags; those
  without such a tag are ``(untagged)``: the whole less the sessions with the key.
- Running sessions are counted apart (``running``), never as zero credits.
- With hourly unit prices (:func:`hour_unit_prices`, from the included and
  overage credits of each billing month, as the history is priced), each group
  gets its cost: its credits in each hour at that hour's price.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, tzinfo
from decimal import Decimal

from attrs import evolve

from ..calendar.boundaries import period_floor
from ..calendar.zones import zone_name
from ..errors import InvalidInputError
from ..models.session import DIMENSIONS, MULTI_VALUED, NO_VALUE
from ..models.session_rows import NANO, Row, credits_of_nanos, hour_start
from ..pricing import PriceList, billing_month
from ..pricing.charges import cost_of
from .breakdown_values import (
    BREAKDOWN_METRICS,
    OTHER,
    Breakdown,
    Group,
    PeriodGroups,
    Reconciliation,
)

__all__ = ["BY_FORMS", "breakdown", "check_by", "check_metrics", "hour_unit_prices", "rows_wanted"]

BY_FORMS = (*DIMENSIONS, "tag:KEY")
_SIX = Decimal("0.000001")
_NINE = Decimal("0.000000001")
_SHARE = Decimal("0.0001")
_MS_PER_HOUR = Decimal(3_600_000)
_TOLERANCE_SHARE = Decimal("0.0001")  # 0.01% of the history's credits (1 in 10,000),
_TOLERANCE_FLOOR = Decimal("0.01")  # and never less than a hundredth of a credit


def check_by(by: object) -> str:
    """``tag``, ``api_key``, ``domain``, ``proxy_type``, ``status``, ``task`` or ``tag:KEY``."""
    if isinstance(by, str):
        text = by.strip()
        if text in DIMENSIONS or (text.startswith("tag:") and text[4:].strip()):
            return text if text in DIMENSIONS else f"tag:{text[4:].strip()}"
    raise InvalidInputError(
        "by", f"{by!r} is not a way to group sessions", allowed=", ".join(BY_FORMS)
    )


def check_metrics(metrics: object) -> tuple[str, ...]:
    """A comma list or sequence of the breakdown's metrics (``all``: all five)."""
    if metrics is None or metrics == "all":
        return BREAKDOWN_METRICS
    names = metrics.split(",") if isinstance(metrics, str) else metrics
    if not isinstance(names, Iterable):
        raise InvalidInputError("metrics", f"{metrics!r} is not a list of metrics")
    found: list[str] = []
    for name in names:
        text = name.strip() if isinstance(name, str) else name
        if text not in BREAKDOWN_METRICS:
            raise InvalidInputError(
                "metrics",
                f"{name!r} is not a metric a session carries",
                allowed=", ".join(BREAKDOWN_METRICS),
            )
        found.append(text)
    if not found:
        raise InvalidInputError("metrics", "is empty", allowed=", ".join(BREAKDOWN_METRICS))
    return tuple(dict.fromkeys(found))


def rows_wanted(by: str) -> tuple[str, ...]:
    """The row dimensions a breakdown ``by`` reads (the whole is always read)."""
    return ("", by, f"has:{by[4:]}") if by.startswith("tag:") else ("", by)


def hour_unit_prices(
    credits_by_hour: Mapping[int, Decimal],
    prices: PriceList,
    used_before: Mapping[datetime, Decimal] | None = None,
) -> dict[int, Decimal]:
    """Each hour's price of a credit: the hour's cost over its credits, the included
    credits spent first, then overage, in time order within each billing month (as
    the history is priced); ``used_before`` is each month's credits before the
    first hour."""
    spent: dict[datetime, Decimal] = dict(used_before or {})
    months: dict[int, datetime] = {}  # a UTC day's billing month, worked out once a day
    units: dict[int, Decimal] = {}
    for hour in sorted(credits_by_hour):
        credits = credits_by_hour[hour]
        if not credits:
            continue
        day = hour // 24
        month = months.get(day)
        if month is None:
            month = months[day] = billing_month(hour_start(hour))
        before = spent.get(month, Decimal(0))
        units[hour] = cost_of(credits, prices, before=before) / credits
        spent[month] = before + credits
    return units


class _Sum:
    __slots__ = ("cost", "figures")

    def __init__(self) -> None:
        self.figures = [0, 0, 0, 0, 0, 0]
        self.cost = Decimal(0)

    def add(self, figures: Sequence[int], cost: Decimal) -> None:
        for i, figure in enumerate(figures):
            self.figures[i] += figure
        self.cost += cost

    def less(self, other: _Sum) -> _Sum:
        out = _Sum()
        out.figures = [a - b for a, b in zip(self.figures, other.figures, strict=True)]
        out.cost = self.cost - other.cost
        return out

    def group(self, key: str, whole: _Sum | None, share_of: str, priced: bool) -> Group:
        sessions, running, nanos, ms, proxy, steps = self.figures
        group = Group(
            key=key,
            session_count=sessions,
            credits_used=credits_of_nanos(nanos),
            session_hours=(Decimal(ms) / _MS_PER_HOUR).quantize(_SIX),
            proxy_bytes=proxy,
            ai_steps=steps,
            running=running,
            cost=_money(self.cost) if priced else None,
        )
        if whole is None:
            return group
        whole_group = whole.group("", None, share_of, priced)
        base = Decimal(whole_group.value(share_of))
        share = (Decimal(group.value(share_of)) / base).quantize(_SHARE) if base else None
        return evolve(group, share=share)


def _money(amount: Decimal) -> Decimal:
    """A cost to 9 decimal places (a billionth of the currency's unit), without
    trailing zeros: exact enough to add up, short enough to read."""
    value = amount.quantize(_NINE)
    return value.quantize(Decimal(1)) if value == value.to_integral() else value.normalize()


def _overlaps(groups: Mapping[str, _Sum], whole: _Sum) -> bool:
    """Whether some session counts in two groups (a session with two ``team:`` tags)."""
    counted = sum(s.figures[0] + s.figures[1] for s in groups.values())
    return counted > whole.figures[0] + whole.figures[1]


def breakdown(
    rows: Iterable[Row],
    *,
    by: str,
    window: tuple[datetime, datetime],
    tz: tzinfo,
    metrics: Sequence[str] = BREAKDOWN_METRICS,
    top: int | None = None,
    granularity: str | None = None,
    unit_prices: Mapping[int, Decimal] | None = None,
    currency: str | None = None,
    history_credits: Decimal | None = None,
) -> Breakdown:
    """The breakdown of ``rows`` (hours inside ``window``) ``by`` a dimension."""
    by = check_by(by)
    names = check_metrics(metrics)
    if top is not None and (isinstance(top, bool) or not isinstance(top, int) or top < 1):
        raise InvalidInputError("top", f"{top!r} is not a whole number >= 1")
    has = f"has:{by[4:]}" if by.startswith("tag:") else None
    priced = unit_prices is not None
    prices = dict(unit_prices or {})
    priced_hours = sorted(prices)

    def price_at(hour: int) -> Decimal:
        """The hour's price; a row summed over hours of one price is dated by its first
        hour, which may have had no credits: the price of the nearest hour that had."""
        if hour not in prices:
            i = bisect.bisect_right(priced_hours, hour)
            near = priced_hours[i - 1] if i else priced_hours[i] if priced_hours else None
            prices[hour] = Decimal(0) if near is None else prices[near]
        return prices[hour]

    wholes: dict[datetime | None, _Sum] = {}
    holders: dict[datetime | None, _Sum] = {}
    groups: dict[datetime | None, dict[str, _Sum]] = {}
    floors: dict[int, datetime | None] = {}
    for hour, dim, value, figures in rows:
        if hour not in floors:
            floors[hour] = (
                None if granularity is None else period_floor(hour_start(hour), granularity, tz)
            )
        periods = (None,) if floors[hour] is None else (None, floors[hour])
        cost = Decimal(figures[2]) * price_at(hour) / NANO if priced else Decimal(0)
        for period in periods:
            if dim == "":
                wholes.setdefault(period, _Sum()).add(figures, cost)
            elif dim == has:
                holders.setdefault(period, _Sum()).add(figures, cost)
            elif dim == by:
                groups.setdefault(period, {}).setdefault(value, _Sum()).add(figures, cost)
    if has is not None:  # the sessions without the key: the whole less those with it
        for period, whole in wholes.items():
            missing = whole.less(holders.get(period, _Sum()))
            if missing.figures[0] or missing.figures[1]:
                groups.setdefault(period, {})[NO_VALUE["tag"]] = missing
    share_of = "credits_used" if "credits_used" in names else names[0]
    whole = wholes.get(None, _Sum())
    overall = groups.get(None, {})
    ranked = sorted(
        (k for k, s in overall.items() if s.figures[0]),
        key=lambda k: (-overall[k].group(k, None, share_of, priced).value(share_of), k),
    )
    kept = ranked if top is None else ranked[:top]

    def listed(period: datetime | None) -> tuple[Group, ...]:
        here = groups.get(period, {})
        base = wholes.get(period, _Sum())
        out = [here[k].group(k, base, share_of, priced) for k in kept if k in here]
        rest = [here[k] for k in here if k not in kept and here[k].figures[0]]
        if rest:
            other = _Sum()
            for part in rest:
                other.add(part.figures, part.cost)
            out.append(other.group(OTHER, base, share_of, priced))
        return tuple(out)

    periods_out = None
    if granularity is not None:
        periods_out = tuple(
            PeriodGroups(
                start=start,
                local_start=start.astimezone(tz),
                groups=listed(start),
                total=wholes[start].group("", None, share_of, priced),
            )
            for start in sorted(p for p in wholes if p is not None)
        )
    total = whole.group("", None, share_of, priced)
    reconciliation = None
    if history_credits is not None:
        tolerance = max(_TOLERANCE_FLOOR, (abs(history_credits) * _TOLERANCE_SHARE))
        reconciliation = Reconciliation(
            history_credits=history_credits,
            sessions_credits=total.credits_used,
            tolerance=tolerance.quantize(Decimal("0.0001")),
            running=total.running,
        )
    return Breakdown(
        by=by,
        start=window[0],
        end=window[1],
        tz=zone_name(tz),
        metrics=names,
        groups=listed(None),
        total=total,
        overlapping=by in MULTI_VALUED or _overlaps(overall, whole),
        share_of=share_of,
        running=total.running,
        periods=periods_out,
        granularity=granularity,
        reconciliation=reconciliation,
        currency=currency,
    )
