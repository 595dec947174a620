"""The shapes a forecast is made of, from hourly history: daily totals, each
weekday's factor, each hour's share of a day, and a robust (Theil-Sen) line
through days. Pure functions over dicts of numbers."""

from __future__ import annotations

import math
import statistics
from datetime import date, datetime, timedelta

__all__ = ["daily_totals", "hour_shares", "kind_factors", "theil_sen", "weekday_factors"]


def daily_totals(hours: dict[datetime, float], first: date, today: date) -> dict[date, float]:
    """Totals of the complete days in [first, today), zero for a day with no hours listed."""
    days = {first + timedelta(days=i): 0.0 for i in range((today - first).days)}
    for hour, value in hours.items():
        day = hour.date()
        if day in days:
            days[day] += value
    return days


def weekday_factors(days: dict[date, float]) -> list[float]:
    """Each weekday's median day over the median of all days (1 where it cannot tell)."""
    overall = statistics.median(days.values())
    factors = []
    for weekday in range(7):
        same = [v for d, v in days.items() if d.weekday() == weekday]
        factor = statistics.median(same) / overall if same and overall > 0 else 1.0
        factors.append(factor if factor > 0 else 1e-9)
    return factors


def hour_shares(hours: dict[datetime, float], first: date, today: date) -> list[float]:
    """Each UTC hour-of-day's share of a day's total (even shares without data)."""
    sums = [0.0] * 24
    for hour, value in hours.items():
        if first <= hour.date() < today:
            sums[hour.hour] += value
    total = math.fsum(sums)
    return [s / total for s in sums] if total > 0 else [1 / 24] * 24


def theil_sen(xs: list[int], ys: list[float]) -> tuple[float, float]:
    slopes = [
        (ys[j] - ys[i]) / (xs[j] - xs[i])
        for i in range(len(xs))
        for j in range(i + 1, len(xs))
        if xs[j] != xs[i]
    ]
    slope = statistics.median(slopes) if slopes else 0.0
    intercept = statistics.median(y - slope * x for x, y in zip(xs, ys, strict=True))
    return slope, intercept


def kind_factors(days: dict[date, float]) -> list[float]:
    """Weekday factors by kind of day only (Monday to Friday, and the weekend): for a
    short history, where one or two samples of each weekday would fit every day
    exactly and leave no spread to measure.

    >>> week = [10, 10, 12, 8, 10, 2, 2]  # Monday, 2 November 2026, to Sunday
    >>> d = {date(2026, 11, 2) + timedelta(days=i): v for i, v in enumerate(week)}
    >>> [round(f, 2) for f in kind_factors(d)]
    [1.0, 1.0, 1.0, 1.0, 1.0, 0.2, 0.2]
    """
    overall = statistics.median(days.values())
    factors = []
    for weekend in (False, True):
        same = [v for d, v in days.items() if (d.weekday() >= 5) == weekend]
        factor = statistics.median(same) / overall if same and overall > 0 else 1.0
        factors.append(factor if factor > 0 else 1e-9)
    return [factors[1] if weekday >= 5 else factors[0] for weekday in range(7)]
