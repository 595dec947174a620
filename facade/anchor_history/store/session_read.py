"""Reading a store's sessions: their rollup rows summed into pieces in SQL (for the
breakdown), and the sessions themselves (for a budget over some of them)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from ..models.session import Session
from ..models.session_rows import FIGURES, Row, epoch_hour

__all__ = ["session_rows_between", "stored_sessions"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def stored_sessions(conn: Any, start: datetime, end: datetime, team: str | None) -> list[Session]:
    """The sessions kept of [start, end) (every team's unless ``team``), oldest first."""
    who = "team = ?" if team is not None else "team IN (SELECT team FROM sessions_held)"
    rows = conn.execute(
        "SELECT id, created_ms, status, credits, api_key_name, tags, domains, proxy_type, "
        f"proxy_bytes, steps, duration, task_initiated FROM sessions WHERE {who} "
        "AND created_ms >= ? AND created_ms < ? ORDER BY created_ms, id",
        [*([team] if team is not None else []), _ms(start), _ms(end)],
    )
    found = []
    for i, ms, status, credits, key, tags, domains, proxy, size, steps, duration, task in rows:
        found.append(
            Session(
                id=i,
                created_at=_EPOCH + timedelta(milliseconds=ms),
                status=status,
                credits=None if credits is None else Decimal(credits),
                api_key_name=key,
                tags=tuple(json.loads(tags)),
                domains=tuple(json.loads(domains)),
                proxy_type=proxy,
                proxy_bytes=size,
                steps=steps,
                duration=duration,
                task_initiated=bool(task),
            )
        )
    return found


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def session_rows_between(
    conn: Any,
    dims: Iterable[str],
    start: datetime,
    end: datetime,
    team: str | None,
    *,
    cuts: Sequence[int] | None = (),
) -> list[Row]:
    """The rollup rows of ``dims`` in the whole UTC hours [start, end), every team
    summed unless ``team``, added up in SQL into pieces: a piece runs from a cut
    (an epoch hour; the window's first hour always is one) to the next, and its
    rows are dated by its first hour. The breakdown cuts at its periods' starts in
    the user's zone and where an hour's price changes, so a year reads a row per
    piece and value, not per hour. Whole UTC days come from ``session_days`` when
    every cut falls on one, the hours at the edges from ``session_hours``.
    ``cuts=None``: a piece per hour."""
    first, last = epoch_hour(start), -(-int(end.timestamp()) // 3600)
    marks = sorted({first, *(c for c in cuts or () if first < c < last)})
    day_first, day_last = first + (-first) % 24, last - last % 24
    who = "team = ?" if team is not None else "team IN (SELECT team FROM sessions_held)"
    sums = ", ".join(f"sum({f})" for f in FIGURES)
    piece = "hour" if cuts is None else _piece_sql(marks)
    aligned = cuts is not None and all(mark % 24 == 0 for mark in marks[1:])
    days = aligned and day_first < day_last
    parts = (
        [("session_hours", first, day_first), ("session_days", day_first, day_last),
         ("session_hours", day_last, last)]
        if days
        else [("session_hours", first, last)]
    )  # fmt: skip
    found: list[Row] = []
    for dim in tuple(dims):
        sources, args = [], []
        for table, lo, hi in parts:
            if lo < hi:
                sources.append(
                    f"SELECT hour, value, {', '.join(FIGURES)} FROM {table} "
                    f"WHERE {who} AND dim = ? AND hour >= ? AND hour < ?"
                )
                args += [*([team] if team is not None else []), dim, lo, hi]
        if not sources:
            continue
        query = (
            f"SELECT {piece} AS piece, value, {sums} FROM ({' UNION ALL '.join(sources)}) "
            "AS s GROUP BY piece, value"
        )
        found += [(h, dim, v, tuple(f)) for h, v, *f in conn.execute(query, args)]
    return found


def _piece_sql(marks: Sequence[int]) -> str:
    """SQL for the last mark at or before ``hour``: a balanced tree of CASEs, so an
    hour is placed in a year of days in nine comparisons."""
    if len(marks) == 1:
        return str(marks[0])
    middle = len(marks) // 2
    left, right = _piece_sql(marks[:middle]), _piece_sql(marks[middle:])
    return f"(CASE WHEN hour < {marks[middle]} THEN {left} ELSE {right} END)"
