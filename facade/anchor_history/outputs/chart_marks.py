"""What a report draws on its charts beyond the usage: each anomaly where it is,
and a budget's limit and forecast when the chart's span is the budget's period.

:func:`chart_marks` decides what to draw from the report's values (pure);
:func:`draw_marks` draws it on a matplotlib panel (called by :mod:`.chart`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from attrs import frozen

from ..calendar.boundaries import LAST_MS

__all__ = ["BudgetMark", "ChartMarks", "chart_marks", "draw_marks"]


@frozen
class BudgetMark:
    """A budget over the chart's span: cumulative use against the limit, and the forecast."""

    limit: float
    forecast: float
    low: float
    high: float
    period_end: datetime


@frozen
class ChartMarks:
    anomalies: dict[str, tuple[datetime, ...]]  # metric -> the starts of its anomalies
    budgets: dict[str, BudgetMark]  # metric -> its budget over the chart's span

    def for_metric(self, metric: str) -> tuple[tuple[datetime, ...], BudgetMark | None]:
        return self.anomalies.get(metric, ()), self.budgets.get(metric)


def chart_marks(
    anomalies: Iterable[Any],
    budgets: Any,
    window: tuple[datetime, datetime],
) -> ChartMarks:
    """The anomalies by metric, and the budgets whose period is the chart's span:
    it starts where the budget's period starts and runs to its end, or to the
    moment the budgets were judged (a month's report up to now)."""
    found: dict[str, list[datetime]] = {}
    for a in anomalies:
        found.setdefault(a.metric, []).append(a.start)
    marks: dict[str, BudgetMark] = {}
    if budgets is not None:
        start, end = budgets.period
        reach = min(end, budgets.as_of)
        if window[0] == start and reach - LAST_MS <= window[1] <= end:
            for b in budgets.budgets:
                f = b.forecast
                marks[b.metric] = BudgetMark(b.limit, f.value, f.low, f.high, end)
    return ChartMarks({m: tuple(s) for m, s in found.items()}, marks)


def draw_marks(
    ax: Any,
    xs: list[Any],
    values: list[float],
    starts: list[datetime],
    divisor: float,
    anomalies: tuple[datetime, ...],
    budget: BudgetMark | None,
    granularity: str,
) -> None:
    """Red rings on the periods holding an anomaly; with a budget, a right-hand
    axis with the cumulative use, the limit and the forecast's range at the end."""
    if anomalies and xs:
        hit = [i for i, s in enumerate(starts) if _holds(s, starts, i, anomalies)]
        ax.scatter(
            [xs[i] for i in hit],
            [values[i] for i in hit],
            s=90,
            facecolors="none",
            edgecolors="#c62828",
            linewidths=1.6,
            zorder=5,
            label="anomaly",
        )
    if budget is None or not xs:
        return
    right = ax.twinx()
    running, total = [], 0.0
    for v in values:
        total += v
        running.append(total)
    right.plot(xs, running, color="#555", linewidth=1.2, label="used (cumulative)")
    limit = budget.limit / divisor
    right.axhline(limit, color="#c62828", linestyle="--", linewidth=1.2, label="limit")
    end = xs[-1] if granularity in ("week", "month") or len(xs) < 2 else budget.period_end
    right.errorbar(
        [end],
        [budget.forecast / divisor],
        yerr=[
            [(budget.forecast - budget.low) / divisor],
            [(budget.high - budget.forecast) / divisor],
        ],
        fmt="D",
        color="#b35900",
        capsize=4,
        label="forecast (90% range)",
    )
    right.set_ylim(0, max(limit, budget.high / divisor, running[-1]) * 1.1)
    right.set_ylabel("cumulative")
    right.legend(loc="upper left", fontsize=7, frameon=False)


def _holds(
    start: datetime, starts: list[datetime], i: int, anomalies: tuple[datetime, ...]
) -> bool:
    """Whether the period at ``i`` (up to the next start) holds an anomaly's start."""
    end = starts[i + 1] if i + 1 < len(starts) else None
    return any(start <= a and (end is None or a < end) for a in anomalies)
