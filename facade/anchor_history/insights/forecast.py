"""Period-end forecasts: what a metric will total by the end of a period, with a range.

Like AWS Cost Explorer's forecasts, a forecast is a value with its prediction
interval and the method's name, computed by a pure function over hourly points,
so it is backtested without a server.

The method, from the trailing weeks of hourly history before ``as_of``:

1. daily totals of the complete UTC days, and a **weekday profile** (each
   weekday's median day relative to the median of all days);
2. an **hour-of-day profile** (each hour's share of a day), to tell how much of
   the current day is still to come;
3. a **trend**: a Theil-Sen line (the median of pairwise slopes, robust to a
   spike) through the weekday-adjusted daily totals;
4. the forecast is what was used so far plus, for every hour left in the
   period, the trend's level for that day times its weekday and hour shares;
5. the range is a nominal 90% interval from the spread of the days around
   the trend (1.4826 x their median absolute deviation, corrected for the
   degrees of freedom the fit took): each day's own noise, and the errors
   many days share (the level, each weekday's factor, the slope), widened
   when a day's error tends to repeat the next day (lag-1 autocorrelation).
   The backtest in ``make bench`` prints how often it holds.

With under four weeks of history (a young account) there is too little for a
trend or for seven weekday factors: the level is the median day adjusted by its
kind (weekday or weekend), with no slope. With
under a week it falls back to the run rate so far, with a range as wide as the
time left. The first day of usage counts only if it began at midnight: a day
that began mid-day is no whole day to fit. At the period's end the forecast is
what was used, with no range.
"""

from __future__ import annotations

import itertools
import math
import statistics
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta

from attrs import field, frozen

from ..models.history import HistoryPoint
from .profiles import daily_totals, hour_shares, kind_factors, theil_sen, weekday_factors

__all__ = ["FINAL", "METHOD", "PROFILE", "RUN_RATE", "TRAILING_DAYS", "Forecast", "forecast"]

# Eight weeks: each weekday eight times. Measured against 4 and 5 weeks on the
# sandbox's steady data: mean error of a mid-month forecast 0.9% (1.2%, 1.4%),
# for two pages of hours instead of one.
TRAILING_DAYS = 56
_MIN_DAYS = 7
_MIN_TREND_DAYS = 28  # each weekday four times: less, and a slope is mostly noise
_Z90 = 1.645
_HOUR = timedelta(hours=1)
METHOD = "weekday and hour-of-day profile with a Theil-Sen trend over the trailing 8 weeks"
RUN_RATE = "run rate so far (under a week of history)"
PROFILE = (
    "weekday-or-weekend and hour-of-day profile over the {days} days of history, without "
    "a trend (under 4 weeks: too few for one)"
)
FINAL = "actual (the period is over)"


@frozen
class Forecast:
    """Expected total at the period's end, a 90% range, what was used so far, and how."""

    used: float
    value: float
    low: float
    high: float
    method: str
    # The cumulative total over the period at each hour's end: what was used up
    # to ``as_of``, then what is expected (its last value is ``value``).
    curve: tuple[tuple[datetime, float], ...] = field(default=(), eq=False, repr=False)

    def reaches(self, amount: float) -> datetime | None:
        """The instant the cumulative curve reaches ``amount`` (within its hour, by
        linear interpolation), or None if not within the period."""
        before: tuple[datetime, float] | None = None
        for when, total in self.curve:
            if total >= amount:
                if before is None or total == before[1]:
                    return when
                share = (amount - before[1]) / (total - before[1])
                return before[0] + (when - before[0]) * share
            before = (when, total)
        return None


def _hourly(points: Iterable[HistoryPoint], metric: str) -> dict[datetime, float]:
    """Each hour's value (a missing value counts as nothing used)."""
    hours: dict[datetime, float] = {}
    for point in points:
        value = getattr(point, metric)
        start = point.start.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
        hours[start] = hours.get(start, 0.0) + float(value or 0)
    return hours


def forecast(
    points: Iterable[HistoryPoint],
    metric: str,
    *,
    period: tuple[datetime, datetime],
    as_of: datetime,
    trailing_days: int = TRAILING_DAYS,
) -> Forecast:
    """The forecast of ``metric``'s total over ``period`` = [start, end), as of ``as_of``.

    ``points`` are hourly (UTC) and should cover the trailing ``trailing_days``
    before ``as_of`` and the period up to ``as_of``; hours not listed count as
    zero (the API lists no bucket where nothing happened), points at or after
    ``as_of`` are ignored.
    """
    start, end = period
    hours = {h: v for h, v in _hourly(points, metric).items() if h < as_of}
    used = math.fsum(v for h, v in hours.items() if start <= h < end)
    so_far = _actual_curve(hours, start, min(as_of, end))
    if as_of >= end:
        return Forecast(used, used, used, used, FINAL, so_far)
    as_of = max(as_of, start)
    # Days before the first usage are no history (a new account, or a window
    # that starts later): they would read as a steep ramp from zero.
    used_hours = [h for h, v in hours.items() if v]
    first_hour = min(used_hours) if used_hours else as_of
    # A first day of usage that began after midnight is partial: no whole day to fit.
    first_use = first_hour.date() + timedelta(days=1 if first_hour.hour else 0)
    first_day = max((as_of - timedelta(days=trailing_days)).date(), first_use)
    days = daily_totals(hours, first_day, as_of.date())
    if len(days) < _MIN_DAYS:
        return _run_rate(used, start, end, as_of, so_far)
    young = len(days) < _MIN_TREND_DAYS
    # A young account: weekdays and weekends as two kinds of day, and no slope
    # (a level and one factor fitted, not a level, a slope and six factors).
    weekday = kind_factors(days) if young else weekday_factors(days)
    share = hour_shares(hours, first_day, as_of.date())
    xs = [(d - first_day).days for d in days]
    ys = [total / weekday[d.weekday()] for d, total in days.items()]
    if young:
        slope, intercept = 0.0, statistics.median(ys)
        method = PROFILE.format(days=len(days))
    else:
        slope, intercept = theil_sen(xs, ys)
        method = METHOD
    residuals = [y - (intercept + slope * x) for x, y in zip(xs, ys, strict=True)]
    taken = 2 if young else 8
    spread = _fitted(len(days), taken) * 1.4826 * statistics.median(abs(r) for r in residuals)
    expected = 0.0
    weights: list[tuple[date, float]] = []
    for day, fraction in _remaining(as_of, end, share):
        level = max(0.0, intercept + slope * (day - first_day).days)
        weight = weekday[day.weekday()] * fraction
        expected += level * weight
        weights.append((day, weight))
    value = used + expected
    half = _Z90 * _error(spread, weights, days, first_day, xs) * _persistence(residuals)

    def per_hour(hour: datetime) -> float:
        level = max(0.0, intercept + slope * (hour.date() - first_day).days)
        return level * weekday[hour.weekday()] * share[hour.hour]

    curve = so_far + _expected_curve(used, as_of, end, per_hour)
    return Forecast(used, value, max(used, value - half), value + half, method, curve)


def _actual_curve(
    hours: dict[datetime, float], start: datetime, until: datetime
) -> tuple[tuple[datetime, float], ...]:
    """The cumulative use at each whole hour's end from ``start`` to ``until``."""
    curve, total, hour = [], 0.0, start
    while hour + _HOUR <= until:
        total += hours.get(hour, 0.0)
        curve.append((hour + _HOUR, total))
        hour += _HOUR
    return tuple(curve)


def _expected_curve(
    used: float, as_of: datetime, end: datetime, per_hour: Callable[[datetime], float]
) -> tuple[tuple[datetime, float], ...]:
    """``used``, then the expected use of every hour left (the part of the hour
    still to come), accumulated: the forecast's own sum, hour by hour."""
    curve, total = [], used
    hour = as_of.replace(minute=0, second=0, microsecond=0)
    while hour < end:
        lo, hi = max(hour, as_of), min(hour + _HOUR, end)
        total += per_hour(hour) * ((hi - lo) / _HOUR)
        curve.append((hi, total))
        hour += _HOUR
    return tuple(curve)


def _fitted(n: int, taken: int = 8) -> float:
    """How much the residuals of ``n`` days understate the noise, the fit having
    taken ``taken`` degrees of freedom (8: a level, a slope, six weekday factors
    relative to the seventh; 2 for a young account's level and kind of day):
    sqrt(n / (n - taken)), the usual correction of a residual variance. 1.08 for
    the 56 days of a full history; wide on a short one."""
    return math.sqrt(n / max(n - taken, 1))


def _error(
    spread: float,
    weights: list[tuple[date, float]],
    days: dict[date, float],
    first_day: date,
    xs: list[int],
) -> float:
    """The standard error of the remaining usage: each day's own noise, and the
    errors shared by many days (the level, each weekday's factor, the slope)."""
    total = math.fsum(w for _, w in weights)
    noise = math.fsum((spread * w) ** 2 for _, w in weights)
    level = (spread * total) ** 2 / len(days)
    per_weekday: dict[int, float] = {}
    for day, w in weights:
        per_weekday[day.weekday()] = per_weekday.get(day.weekday(), 0.0) + w
    samples = {wd: sum(1 for d in days if d.weekday() == wd) or 1 for wd in per_weekday}
    factors = math.fsum((spread * w) ** 2 / samples[wd] for wd, w in per_weekday.items())
    mean_x = statistics.fmean(xs)
    spread_x = math.fsum((x - mean_x) ** 2 for x in xs) or 1.0
    lever = math.fsum(w * ((day - first_day).days - mean_x) for day, w in weights)
    slope = (spread * lever) ** 2 / spread_x
    return math.sqrt(noise + level + factors + slope)


def _persistence(residuals: list[float]) -> float:
    """How much wider day-to-day correlated errors make a sum than independent ones:
    sqrt((1 + r) / (1 - r)) for the residuals' lag-1 autocorrelation r (at least 1)."""
    mean = statistics.fmean(residuals)
    centred = [r - mean for r in residuals]
    scale = math.fsum(c * c for c in centred)
    if scale == 0:
        return 1.0
    r = math.fsum(a * b for a, b in itertools.pairwise(centred)) / scale
    r = min(max(r, 0.0), 0.9)
    return math.sqrt((1 + r) / (1 - r))


def _remaining(as_of: datetime, end: datetime, share: list[float]) -> list[tuple[date, float]]:
    """(day, fraction of that day's usage still to come) for every day left in the period."""
    left: dict[date, float] = {}
    hour = as_of.replace(minute=0, second=0, microsecond=0)
    while hour < end:
        lo, hi = max(hour, as_of), min(hour + _HOUR, end)
        fraction = (hi - lo) / _HOUR
        left[hour.date()] = left.get(hour.date(), 0.0) + share[hour.hour] * fraction
        hour += _HOUR
    return list(left.items())


def _run_rate(
    used: float,
    start: datetime,
    end: datetime,
    as_of: datetime,
    so_far: tuple[tuple[datetime, float], ...] = (),
) -> Forecast:
    elapsed = (as_of - start) / (end - start)
    if elapsed <= 0:  # nothing to go on at all
        return Forecast(
            used, used, used, used, "none (no history and the period just began)", so_far
        )
    value = used / elapsed
    rate = used / ((as_of - start) / _HOUR)  # per hour
    curve = so_far + _expected_curve(used, as_of, end, lambda _hour: rate)
    return Forecast(used, value, used, value + (value - used), RUN_RATE, curve)
