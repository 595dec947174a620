"""Copying a store between engines (SQLite to PostgreSQL and back), verified.

Every table is copied as it is, in one transaction of the target, and before
it commits the copy is read back and compared with the source: each team's
hours, daily rollup and sessions summed per month, and the row count of every
table. Any difference rolls the copy back, so a target either holds the whole
store, shown equal, or is left as it was. The target must hold no store yet:
a copy never merges into or overwrites usage.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice
from typing import Any

from attrs import frozen

from ..errors import StoreError
from ..models.history import metric_names
from ..models.session_rows import FIGURES
from .dialect import metric_sum, refresh_statistics

__all__ = ["CopyResult", "copy_tables"]

_BATCH = 5_000
_SESSIONS = ("team", "id", "created_ms", "status", "credits", "api_key_name", "tags", "domains",
             "proxy_type", "proxy_bytes", "steps", "duration", "task_initiated")  # fmt: skip
_SYNCS = ("team", "window_start", "window_end", "finished_at", "hours_added", "hours_replaced",
          "hours_removed", "requests", "summary")  # fmt: skip


def _tables() -> dict[str, tuple[str, ...]]:
    rollup = ("team", "dim", "hour", "value", *FIGURES)
    return {
        "hours": ("team", "hour", *metric_names()),
        "day_sums": ("team", "hour", *metric_names()),
        "syncs": _SYNCS,
        "held": ("team", "held_from", "held_to"),
        "accounts": ("team", "account"),
        "sessions": _SESSIONS,
        "session_hours": rollup,
        "session_days": rollup,
        "sessions_held": ("team", "held_from", "held_to"),
    }


@frozen
class CopyResult:
    rows: dict[str, int]  # rows copied per table
    teams: int

    def line(self) -> str:
        total = sum(self.rows.values())
        return (f"{total:,} rows copied ({self.rows['hours']:,} hours, "
                f"{self.rows['sessions']:,} sessions) of {self.teams} team"
                f"{'' if self.teams == 1 else 's'}; verified: the rollups agree")  # fmt: skip


def copy_tables(source: Any, target: Any, shown: tuple[str, str]) -> CopyResult:
    """Copy every table of ``source`` into ``target`` (the caller holds the target's
    transaction) and compare them; a StoreError, before anything commits, when the
    target holds a store already or the copy does not read back the same."""
    (held,) = target.execute("SELECT count(*) FROM held").fetchone()
    if held:
        raise StoreError(
            f"store {shown[1]} holds usage already; a copy goes into an empty store only "
            "(it never merges or overwrites)"
        )
    rows: dict[str, int] = {}
    for table, columns in _tables().items():
        names = ", ".join(columns)
        marks = ", ".join("?" * len(columns))
        found = source.execute(f"SELECT {names} FROM {table}")
        count = 0
        for batch in _batches(iter(found)):
            target.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", batch)
            count += len(batch)
        rows[table] = count
    for table, count in rows.items():
        (copied,) = target.execute(f"SELECT count(*) FROM {table}").fetchone()
        if copied != count:
            raise StoreError(f"copy {shown[0]} -> {shown[1]}: {table} has {copied:,} rows "
                             f"after the copy, not {count:,}; nothing was kept")  # fmt: skip
    for name, query in _checks(source).items():
        if _rollup(source, query) != _rollup(target, _checks(target)[name]):
            raise StoreError(f"copy {shown[0]} -> {shown[1]}: the {name} do not read back the "
                             "same from the copy; nothing was kept")  # fmt: skip
    refresh_statistics(target, tuple(rows))
    (teams,) = target.execute("SELECT count(*) FROM held").fetchone()
    return CopyResult(rows, int(teams))


def _batches(rows: Iterator[Any]) -> Iterator[list[Any]]:
    while batch := list(islice(rows, _BATCH)):
        yield batch


def _checks(conn: Any) -> dict[str, str]:
    """The rollups compared, by team and 30-day block, as each engine sums them."""
    metrics = ", ".join(metric_sum(conn, m) for m in metric_names())
    figures = ", ".join(f"sum({f})" for f in FIGURES)
    return {
        "hours": f"SELECT team, hour / 720 AS b, {metrics} FROM hours GROUP BY team, b",
        "daily rollup": f"SELECT team, hour / 720 AS b, {metrics} FROM day_sums GROUP BY team, b",
        "sessions' rollup": f"SELECT team, dim, hour / 720 AS b, {figures} FROM session_days "
        "GROUP BY team, dim, b",
        "sessions": "SELECT team, count(*), count(credits), min(created_ms), max(created_ms) "
        "FROM sessions GROUP BY team",
    }


def _rollup(conn: Any, query: str) -> list[tuple[Any, ...]]:
    return sorted(tuple(row) for row in conn.execute(query))
