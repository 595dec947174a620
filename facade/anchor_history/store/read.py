"""The SQL that answers a window from the store, and the window's totals.

A day, week or month reads the daily rollup for the whole UTC days inside the
window and the hours only at its cut edges: a year by day of a hundred teams
sums 36,500 rows instead of 876,000. An hour reads the hours.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from ..calendar.wire import format_api_datetime
from ..models.history import History, HistoryPoint, HistoryQuery, HistorySummary
from ..periods import is_partial
from .dialect import metric_sum, period_sql
from .sync import hour_index

__all__ = ["column_totals", "period_query", "read_history"]


def period_query(
    conn: Any, period: str, names: Sequence[str], start: datetime, end: datetime, team: str | None
) -> tuple[str, list[Any]]:
    """SQL and its arguments: one row per period (its UTC start in epoch seconds,
    then a sum per metric), in order, over the epoch hours [start, end)."""
    first, last = hour_index(start), -(-int(end.timestamp()) // 3600)
    columns = ", ".join(names)
    # Every team: named from ``held``, so that SQLite seeks each team's range in the
    # (team, hour) key instead of scanning all of the hours.
    who, whom = (
        (" AND team = ?", [team])
        if team is not None
        else (" AND team IN (SELECT team FROM held)", [])
    )
    day_first, day_last = first + (-first) % 24, last - last % 24  # the whole days inside
    if period == "hour" or day_first >= day_last:
        source = f"SELECT hour, {columns} FROM hours WHERE hour >= ? AND hour < ?{who}"
        args = [first, last, *whom]
    else:
        hours = f"SELECT hour, {columns} FROM hours WHERE hour >= ? AND hour < ?{who}"
        source = (
            f"SELECT hour, {columns} FROM day_sums WHERE hour >= ? AND hour < ?{who} "
            f"UNION ALL {hours} UNION ALL {hours}"
        )
        args = [day_first, day_last, *whom, first, day_first, *whom, day_last, last, *whom]
    sums = ", ".join(metric_sum(conn, m) for m in names)
    return (
        f"SELECT {period_sql(conn, period)} AS p, {sums} FROM ({source}) AS s "
        "GROUP BY p ORDER BY p",
        args,
    )


def column_totals(rows: Sequence[Sequence[Any]], count: int) -> list[Any]:
    """Each metric's total over the period rows (after the period's start column):
    integers exactly, reals with ``fsum`` to 9 decimals as the periods are, NULL when
    every period is. No rows at all is a window without usage: zeros, as the API's
    summary says."""
    if not rows:
        return [0] * count
    totals: list[Any] = []
    for column in range(1, count + 1):
        values = [row[column] for row in rows if row[column] is not None]
        if not values:
            totals.append(None)
        elif all(isinstance(v, int) for v in values):
            totals.append(sum(values))
        else:
            totals.append(round(math.fsum(values), 9))
    return totals


def read_history(
    conn: Any,
    period: str,
    names: tuple[str, ...],
    window: tuple[datetime, datetime],
    team: str | None,
    *,
    now: datetime,
) -> History:
    """The window's periods as a History, its totals summed as the periods are."""
    rows = conn.execute(*period_query(conn, period, names, window[0], window[1], team)).fetchall()
    totals = column_totals(rows, len(names))
    points = []
    for seconds, *values in rows:
        begins = datetime.fromtimestamp(seconds, UTC)
        points.append(
            HistoryPoint(
                **dict(zip(names, values, strict=True)),
                start=begins,
                date=format_api_datetime(begins),
                partial=is_partial(begins, period, window=window, now=now),
            )
        )
    summary = HistorySummary(**dict(zip(names, totals, strict=True)))
    return History(tuple(points), summary, HistoryQuery(window[0], window[1], period, names, 1000))
