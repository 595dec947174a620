"""The store's tables and views, and the schema version written in the file.

Hourly buckets per team (``hours``) are the atom. ``day_sums`` rolls them up
per team and UTC day, rewritten from the hours by every sync in the same
transaction, so it can never disagree with them; a year by day of a hundred
teams reads 36,500 rows instead of 876,000. ``held`` keeps each team's span
(first backfill to last sync) beside the ``syncs`` log, which grows by a row
per run. Days, weeks (ISO, from Monday) and months are SQL views, so any
SQLite tool reads them as the library does. Integer sums stay integers; real
sums are rounded to 9 decimals, as a ``numeric`` column would add them (no
``652.8335999999999``). A sum over nothing but NULLs stays NULL ("no value").

The file says which schema it holds in ``PRAGMA user_version``: 0 is a store
from before the version was written (hours, syncs and views only); 2 adds
``accounts``, the account each team was synced with; 3 adds the sessions and
their rollups (:mod:`.sessions`). An older
file is upgraded in place on its first writable open; a newer one is refused,
never misread.
"""

from __future__ import annotations

import sqlite3

from ..models.history import metric_names
from .sessions import DDL as SESSION_DDL
from .sessions import SESSION_TABLES

__all__ = [
    "PERIOD_SQL",
    "SCHEMA_VERSION",
    "VIEWS",
    "create_schema",
    "metric_sum",
    "refresh_days",
    "schema_is_current",
    "schema_version",
]

SCHEMA_VERSION = 3

# The start of each period holding ``hour`` (epoch hours), as epoch seconds, in UTC.
# Days and ISO weeks by arithmetic (1970-01-01 was a Thursday: the Monday before is
# hour -72; SQLite's % keeps the dividend's sign, hence the double modulo for hours
# before 1970), months by the calendar.
PERIOD_SQL = {
    "hour": "hour * 3600",
    "day": "(hour - ((hour % 24) + 24) % 24) * 3600",
    "week": "(hour - (((hour + 72) % 168) + 168) % 168) * 3600",
    "month": "CAST(strftime('%s', hour * 3600, 'unixepoch', 'start of month') AS INTEGER)",
}
VIEWS = {"day": "days", "week": "weeks", "month": "months"}
# The first hour of the UTC day holding ``hour``.
DAY_OF_HOUR = "hour - ((hour % 24) + 24) % 24"
# The sums keep SQL's type as it is: no affinity, or a real sum that happens to be
# whole (0.5 + 1.5) would be stored as an integer and a month would read 2, not 2.0.
_TYPE = {"hours": " NUMERIC", "day_sums": ""}


def metric_sum(column: str) -> str:
    return (
        f"CASE WHEN typeof(sum({column})) = 'integer' THEN sum({column}) "
        f"ELSE round(sum({column}), 9) END"
    )


def schema_version(conn: sqlite3.Connection) -> int:
    (version,) = conn.execute("PRAGMA user_version").fetchone()
    return int(version)


def schema_is_current(conn: sqlite3.Connection) -> bool:
    """True when the file is this version's schema with every metric column: a
    reader may then use it as it is, writing nothing."""
    if schema_version(conn) != SCHEMA_VERSION:
        return False
    names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    tables = {"hours", "syncs", "day_sums", "held", "accounts", *SESSION_TABLES}
    if not tables | set(VIEWS.values()) <= names:
        return False
    for table in ("hours", "day_sums"):
        present = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
        if not set(metric_names()) <= present:
            return False
    return True


def create_schema(conn: sqlite3.Connection) -> None:
    """Tables, any metric column a newer spec added, the views, and the upgrade of an
    older file (idempotent; the caller holds a write transaction)."""
    metrics = metric_names()
    found = schema_version(conn)
    # execute(), not executescript(): that one commits the caller's transaction first.
    for table, what in (
        ("hours", "the UTC hour, in hours since 1970-01-01"),
        ("day_sums", "the first UTC hour of the day: the hours' sums per team and day"),
    ):
        columns = ", ".join(f"{m}{_TYPE[table]}" for m in metrics)
        conn.execute(
            f"""
            CREATE TABLE IF NOT EXISTS {table} (
                team TEXT NOT NULL,
                hour INTEGER NOT NULL,  -- {what}
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
    conn.execute(  # version 2: the account each team was synced with (store/teams.py)
        """
        CREATE TABLE IF NOT EXISTS accounts (
            team TEXT PRIMARY KEY,
            account TEXT NOT NULL  -- a fingerprint of the base URL and key, never the key
        ) WITHOUT ROWID
        """
    )
    conn.execute(
        """
        CREATE TABLE IF NOT EXISTS held (
            team TEXT PRIMARY KEY,
            held_from TEXT NOT NULL,  -- the first sync's start
            held_to TEXT NOT NULL     -- the last sync's end
        ) WITHOUT ROWID
        """
    )
    for statement in SESSION_DDL:  # version 3: each team's sessions and their rollups
        conn.execute(statement)
    added = False
    for table in ("hours", "day_sums"):
        present = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
        for metric in metrics:
            if metric not in present:
                conn.execute(f"ALTER TABLE {table} ADD COLUMN {metric}{_TYPE[table]}")
                added = True
    if found < 1 or added:  # a store from before the rollup, or a new metric column
        conn.execute("DELETE FROM held")
        conn.execute(
            "INSERT INTO held SELECT team, min(window_start), max(window_end) "
            "FROM syncs GROUP BY team"
        )
        refresh_days(conn)
    sums = ", ".join(f"{metric_sum(m)} AS {m}" for m in metrics)
    for granularity, view in VIEWS.items():
        conn.execute(f"DROP VIEW IF EXISTS {view}")
        conn.execute(
            f"CREATE VIEW {view} AS SELECT team, "
            f"datetime({PERIOD_SQL[granularity]}, 'unixepoch') AS start, {sums} "
            f"FROM day_sums GROUP BY team, {PERIOD_SQL[granularity]}"
        )
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def refresh_days(
    conn: sqlite3.Connection, team: str | None = None, hours: tuple[int, int] | None = None
) -> None:
    """Rewrite ``day_sums`` from ``hours`` for every day touching ``hours`` (epoch
    hours [first, last)) of ``team``; all of it when not given. Sums are SQL's,
    unrounded, so that rounding happens once, where a period is read."""
    metrics = metric_names()
    where: list[str] = ["1"]
    args: list[str | int] = []
    if team is not None:
        where.append("team = ?")
        args.append(team)
    if hours is not None:
        first = hours[0] - hours[0] % 24  # Python's % is a floor: right before 1970 too
        last = hours[1] + (-hours[1]) % 24
        where.append("hour >= ? AND hour < ?")
        args += [first, last]
    condition = " AND ".join(where)
    conn.execute(f"DELETE FROM day_sums WHERE {condition}", args)
    conn.execute(
        f"INSERT INTO day_sums (team, hour, {', '.join(metrics)}) "
        f"SELECT team, {DAY_OF_HOUR} AS day, {', '.join(f'sum({m})' for m in metrics)} "
        f"FROM hours WHERE {condition} GROUP BY team, day",
        args,
    )
