"""The store's tables and views: hourly buckets per team are the atom.

Days, weeks (ISO, from Monday) and months are SQL views over the hours, so any
SQLite tool reads them as the library does. Integer sums stay integers; real
sums are rounded to 9 decimals, as a ``numeric`` column would add them (no
``652.8335999999999``). A sum over nothing but NULLs stays NULL ("no value").
"""

from __future__ import annotations

import sqlite3

from ..models import metric_names

__all__ = [
    "PERIOD_SQL",
    "VIEWS",
    "create_schema",
    "metric_sum",
    "schema_is_current",
]

# The start of each period holding ``hour`` (epoch hours), as epoch seconds, in UTC.
PERIOD_SQL = {
    "hour": "hour * 3600",
    "day": "CAST(strftime('%s', hour * 3600, 'unixepoch', 'start of day') AS INTEGER)",
    "week": "CAST(strftime('%s', hour * 3600, 'unixepoch', 'start of day', '-6 days', "
    "'weekday 1') AS INTEGER)",
    "month": "CAST(strftime('%s', hour * 3600, 'unixepoch', 'start of month') AS INTEGER)",
}
VIEWS = {"day": "days", "week": "weeks", "month": "months"}


def metric_sum(column: str) -> str:
    return (
        f"CASE WHEN typeof(sum({column})) = 'integer' THEN sum({column}) "
        f"ELSE round(sum({column}), 9) END"
    )


def schema_is_current(conn: sqlite3.Connection) -> bool:
    """True when the file holds this version's tables, every metric column and the
    period views: a reader may then use it as it is, writing nothing."""
    names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    if not {"hours", "syncs", *VIEWS.values()} <= names:
        return False
    present = {row[1] for row in conn.execute("PRAGMA table_info(hours)")}
    return set(metric_names()) <= present


def create_schema(conn: sqlite3.Connection) -> None:
    """Tables, any metric column a newer spec added, and the period views (idempotent)."""
    metrics = metric_names()
    columns = ", ".join(f"{m} NUMERIC" for m in metrics)
    # execute(), not executescript(): that one commits the caller's transaction first.
    conn.execute(
        f"""
        CREATE TABLE IF NOT EXISTS hours (
            team TEXT NOT NULL,
            hour INTEGER NOT NULL,  -- the UTC hour, in hours since 1970-01-01
            {columns},
            PRIMARY KEY (team, hour)
        ) WITHOUT ROWID
        """
    )
    conn.execute(
        """
        CREATE TABLE IF NOT EXISTS syncs (
            id INTEGER PRIMARY KEY,
            team TEXT NOT NULL,
            window_start TEXT NOT NULL,
            window_end TEXT NOT NULL,
            finished_at TEXT NOT NULL,
            hours_added INTEGER NOT NULL,
            hours_replaced INTEGER NOT NULL,
            hours_removed INTEGER NOT NULL,
            requests INTEGER NOT NULL,
            summary TEXT NOT NULL  -- the server's totals for the window, as JSON
        )
        """
    )
    present = {row[1] for row in conn.execute("PRAGMA table_info(hours)")}
    for metric in metrics:
        if metric not in present:
            conn.execute(f"ALTER TABLE hours ADD COLUMN {metric} NUMERIC")
    sums = ", ".join(f"{metric_sum(m)} AS {m}" for m in metrics)
    for granularity, view in VIEWS.items():
        conn.execute(f"DROP VIEW IF EXISTS {view}")
        conn.execute(
            f"CREATE VIEW {view} AS SELECT team, "
            f"datetime({PERIOD_SQL[granularity]}, 'unixepoch') AS start, {sums} "
            f"FROM hours GROUP BY team, {PERIOD_SQL[granularity]}"
        )
