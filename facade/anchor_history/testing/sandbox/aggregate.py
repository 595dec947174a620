"""The history computation: sessions in ``[from, to)`` grouped into UTC buckets.

Whole hours come from the hourly roll-up; the partial hours at either edge of
the window come from the sessions table itself, so any window is exact.
"""

from __future__ import annotations

import sqlite3
from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from .data import COLUMNS, HOUR_MS

__all__ = ["DATE_FORMATS", "METRIC_SOURCES", "SUMMARY_KEYS", "bucket_history", "format_bucket"]

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# Each metric of the API from the aggregated columns. Sums are rounded to the
# columns' own scale, as a database ``numeric`` column would add them (credits
# at 4 decimals, durations at 3 before they become hours), so the float noise of
# adding thousands of REALs (652.8335999999999) never reaches a client.
METRIC_SOURCES: dict[str, Any] = {
    "session_count": lambda s: s[0],
    "session_hours": lambda s: round(s[1], 3) / 3600.0,
    "proxy_bytes": lambda s: s[2],
    "ai_steps": lambda s: s[3],
    "credits_used": lambda s: round(s[4], 4),
    "screenshots": lambda s: s[5],
    "network_bytes_total": lambda s: s[6],
}
SUMMARY_KEYS = {
    m: "total_sessions" if m == "session_count" else f"total_{m}" for m in METRIC_SOURCES
}

DATE_FORMATS = {
    "iso-ms": "every bucket as 2026-11-24T13:00:00.000Z (JavaScript's toISOString)",
    "date": "hour buckets as 2026-11-24T13:00:00Z, others as their first day, 2026-11-24",
    "naive": "every bucket as 2026-11-24 13:00:00, no zone (UTC meant)",
}

_SUMS = ", ".join(f"sum({c})" if c != "sessions" else "count(*)" for c in COLUMNS)


def _hour_rows(conn: sqlite3.Connection, start_ms: int, end_ms: int) -> list[tuple[Any, ...]]:
    """``(hour, *sums)`` per epoch hour of the sessions created in [start_ms, end_ms),
    in order: whole hours from the hourly table, the cut ones at the edges from
    the sessions themselves."""
    first_whole = -(-start_ms // HOUR_MS)  # ceil
    last_whole = end_ms // HOUR_MS

    def raw(lo: int, hi: int) -> list[tuple[Any, ...]]:
        if lo >= hi:
            return []
        return conn.execute(
            f"SELECT created_at_ms / {HOUR_MS} AS h, {_SUMS} FROM sessions "
            "WHERE created_at_ms >= ? AND created_at_ms < ? GROUP BY h ORDER BY h",
            (lo, hi),
        ).fetchall()

    if first_whole >= last_whole:
        return raw(start_ms, end_ms)
    hours, table = _buckets.hourly(conn)
    whole = table[bisect_left(hours, first_whole) : bisect_left(hours, last_whole)]
    return raw(start_ms, first_whole * HOUR_MS) + whole + raw(last_whole * HOUR_MS, end_ms)


def _bucket_of(hour: int, granularity: str) -> datetime:
    if granularity == "hour":
        return EPOCH + timedelta(hours=hour)
    day = hour // 24
    if granularity == "day":
        return EPOCH + timedelta(days=day)
    if granularity == "week":  # ISO weeks start on Monday; 1970-01-05 (day 4) was one
        return EPOCH + timedelta(days=day - (day - 4) % 7)
    when = EPOCH + timedelta(days=day)
    return when.replace(day=1)


def format_bucket(start: datetime, granularity: str, style: str) -> str:
    if style == "naive":
        return start.strftime("%Y-%m-%d %H:%M:%S")
    if style == "date":
        if granularity == "hour":
            return start.strftime("%Y-%m-%dT%H:%M:%SZ")
        return start.strftime("%Y-%m-%d")
    return start.isoformat(timespec="milliseconds")[:-6] + "Z"  # strftime's cost, a tenth


@lru_cache(maxsize=8192)
def _day_text(day: int) -> str:
    return (EPOCH + timedelta(days=day)).date().isoformat()


def hour_text(hour: int, style: str) -> str:
    """``format_bucket`` of an hour bucket, from its epoch hour: a day's text is made
    once, so a page of hours costs a string join each, not a datetime each."""
    day, clock = divmod(hour, 24)
    if style == "naive":
        return f"{_day_text(day)} {clock:02d}:00:00"
    if style == "date":
        return f"{_day_text(day)}T{clock:02d}:00:00Z"
    return f"{_day_text(day)}T{clock:02d}:00:00.000Z"


class _Window:
    """Every non-empty bucket of a window, in order, the window's totals, and its
    points as the body lists them, each made once per metrics and date style when
    a page first asks for it."""

    def __init__(
        self, ordered: Sequence[tuple[datetime | int, Sequence[Any]]], totals: list[Any]
    ) -> None:
        self.ordered = ordered
        self.totals = totals
        self._points: dict[tuple[str, tuple[str, ...], str], list[dict[str, Any] | None]] = {}

    def points(
        self, granularity: str, metrics: Sequence[str], style: str, chosen: slice
    ) -> list[dict[str, Any]]:
        made = self._points.setdefault(
            (granularity, tuple(metrics), style), [None] * len(self.ordered)
        )
        sources = [(m, METRIC_SOURCES[m]) for m in metrics]
        out = []
        for i in range(*chosen.indices(len(made))):
            point = made[i]
            if point is None:
                bucket, sums = self.ordered[i]
                date = (
                    hour_text(bucket, style)  # an hour, by its epoch hour
                    if isinstance(bucket, int)
                    else format_bucket(bucket, granularity, style)
                )
                point = made[i] = {"date": date} | {m: source(sums) for m, source in sources}
            out.append(point)
        return out


class _Cache:
    """The windows asked for (the last 64) and the hourly table, per connection.

    The data never changes once generated (a test that changes it calls
    ``_buckets.cache_clear()``), and every page of one query asks for the same
    window, so pages after the first are slices of it, and a new window is a
    slice of the table held in memory: a 1000-point page of every metric cost
    the sandbox 8 ms of CPU when each was made afresh and 17 ms in an earlier
    measure, which benchmarks against it measured instead of the client.
    """

    def __init__(self) -> None:
        self._windows: OrderedDict[tuple[Any, ...], _Window] = OrderedDict()
        # Keyed by the connection itself (as functools' cache was): an id() could be
        # a closed sandbox's, reused by the next one.
        self._tables: OrderedDict[sqlite3.Connection, tuple[list[int], list[tuple[Any, ...]]]]
        self._tables = OrderedDict()

    def cache_clear(self) -> None:
        self._windows.clear()
        self._tables.clear()

    def hourly(self, conn: sqlite3.Connection) -> tuple[list[int], list[tuple[Any, ...]]]:
        """The hourly table in order, and its hours (for bisect)."""
        table = self._tables.get(conn)
        if table is None:
            rows = conn.execute(f"SELECT hour, {', '.join(COLUMNS)} FROM hourly ORDER BY hour")
            listed = rows.fetchall()
            table = self._tables[conn] = ([row[0] for row in listed], listed)
            if len(self._tables) > 8:
                self._tables.popitem(last=False)
        return table

    def __call__(
        self, conn: sqlite3.Connection, start_ms: int, end_ms: int, granularity: str
    ) -> _Window:
        key = (conn, start_ms, end_ms, granularity)
        window = self._windows.get(key)
        if window is None:
            window = self._windows[key] = _window(conn, start_ms, end_ms, granularity)
            if len(self._windows) > 64:
                self._windows.popitem(last=False)
        else:
            self._windows.move_to_end(key)
        return window


_buckets = _Cache()


def _window(conn: sqlite3.Connection, start_ms: int, end_ms: int, granularity: str) -> _Window:
    """The window's buckets and totals."""
    rows = _hour_rows(conn, start_ms, end_ms)
    if granularity == "hour":  # a bucket per stored hour: nothing to add up
        ordered = [(row[0], row[1:]) for row in rows]
        totals = [sum(column) for column in zip(*(sums for _, sums in ordered), strict=True)]
        return _Window(ordered, totals or [0] * len(COLUMNS))
    buckets: dict[datetime, list[float]] = {}
    totals = [0] * len(COLUMNS)  # ints stay ints in JSON
    bucket_cache: dict[int, datetime] = {}
    for hour, *sums in rows:
        key = hour // 24
        bucket = bucket_cache.get(key)
        if bucket is None:
            bucket = bucket_cache[key] = _bucket_of(hour, granularity)
        acc = buckets.setdefault(bucket, [0] * len(COLUMNS))
        for i, value in enumerate(sums):
            acc[i] += value
            totals[i] += value
    return _Window(sorted(buckets.items()), totals)


def bucket_history(
    conn: sqlite3.Connection,
    *,
    start: datetime,
    end: datetime,
    granularity: str,
    metrics: Sequence[str],
    page: int,
    limit: int,
    date_style: str = "iso-ms",
) -> dict[str, Any]:
    """The API's response body for one page of a query."""
    window = _buckets(conn, int(start.timestamp() * 1000), int(end.timestamp() * 1000), granularity)
    ordered, totals = window.ordered, window.totals
    total_records = len(ordered)
    total_pages = -(-total_records // limit)
    # Copies: a fault may change the body it is given, never the cached points.
    points = window.points(
        granularity, metrics, date_style, slice((page - 1) * limit, page * limit)
    )
    data = [dict(point) for point in points]
    return {
        "data": data,
        "summary": {SUMMARY_KEYS[m]: METRIC_SOURCES[m](totals) for m in metrics},
        "pagination": {
            "current_page": page,
            "total_pages": total_pages,
            "total_records": total_records,
            "has_next": page < total_pages,
            "has_prev": page > 1,
        },
    }
