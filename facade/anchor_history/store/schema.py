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

The same tables in PostgreSQL (:mod:`.dialect` gives their types there).

The file says which schema it holds in ``PRAGMA user_version`` (PostgreSQL: in
``anchor_history_versions``): 0 is a store
from before the version was written (hours, syncs and views only); 2 adds
``accounts``, the account each team was synced with; 3 adds the sessions and
their rollups (:mod:`.sessions`). An older
file is upgraded in place on its first writable open; a newer one is refused,
never misread.
"""

from __future__ import annotations

from typing import Any

from ..models.history import metric_names
from .dialect import columns_of, ddl, metric_sum, names_in, period_sql, read_version, utc_text
from .dialect import write_version as _write_version
from .sessions import DDL as SESSION_DDL
from .sessions import SESSION_TABLES

__all__ = [
    "SCHEMA_VERSION",
    "VIEWS",
    "create_schema",
    "refresh_days",
    "schema_is_current",
    "schema_version",
]

SCHEMA_VERSION = 3

VIEWS = {"day": "days", "week": "weeks", "month": "months"}
# The first hour of the UTC day holding ``hour``.
DAY_OF_HOUR = "hour - ((hour % 24) + 24) % 24"
# The sums keep SQL's type as it is: no affinity, or a real sum that happens to be
# whole (0.5 + 1.5) would be stored as an integer and a month would read 2, not 2.0.
_TYPE = {"hours": " NUMERIC", "day_sums": ""}


def schema_version(conn: Any) -> int:
    return read_version(conn)


def schema_is_current(conn: Any) -> bool:
    """True when the file is this version's schema with every metric column: a
    reader may then use it as it is, writing nothing."""
    if schema_version(conn) != SCHEMA_VERSION:
        return False
    names = names_in(conn)
    tables = {"hours", "syncs", "day_sums", "held", "accounts", *SESSION_TABLES}
    if not tables | set(VIEWS.values()) <= names:
        return False
    for table in ("hours", "day_sums"):
        present = columns_of(conn, table)
        if not set(metric_names()) <= present:
            return False
    return True


def create_schema(conn: Any) -> None:
    """Tables, any metric column a newer spec added, the views, and the upgrade of an
    older file (idempotent; the caller holds a write transaction)."""
    metrics = metric_names()
    found = schema_version(conn)
    # execute(), not executescript(): that one commits the caller's transaction first.
    for table, what in (
        ("hours", "the UTC hour, in hours since 1970-01-01"),
        ("day_sums", "the first UTC hour of the day: the hours' sums per team and day"),
    ):
        columns = ", ".join(f"{m}{_type(conn, table)}" for m in metrics)
        conn.execute(
            ddl(
                conn,
                f"""
                CREATE TABLE IF NOT EXISTS {table} (
                    team TEXT NOT NULL,
                    hour INTEGER NOT NULL,  -- {what}
                    {columns},
                    PRIMARY KEY (team, hour)
                ) WITHOUT ROWID
                """,
            )
        )
    conn.execute(
        ddl(
            conn,
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
        """,
        )
    )
    conn.execute(  # version 2: the account each team was synced with (store/teams.py)
        ddl(
            conn,
            """
        CREATE TABLE IF NOT EXISTS accounts (
            team TEXT PRIMARY KEY,
            account TEXT NOT NULL  -- a fingerprint of the base URL and key, never the key
        ) WITHOUT ROWID
        """,
        )
    )
    conn.execute(
        ddl(
            conn,
            """
        CREATE TABLE IF NOT EXISTS held (
            team TEXT PRIMARY KEY,
            held_from TEXT NOT NULL,  -- the first sync's start
            held_to TEXT NOT NULL     -- the last sync's end
        ) WITHOUT ROWID
        """,
        )
    )
    for statement in SESSION_DDL:  # version 3: each team's sessions and their rollups
        conn.execute(ddl(conn, statement))
    added = False
    for table in ("hours", "day_sums"):
        present = columns_of(conn, table)
        for metric in metrics:
            if metric not in present:
                conn.execute(f"ALTER TABLE {table} ADD COLUMN {metric}{_type(conn, table)}")
                added = True
    if found < 1 or added:  # a store from before the rollup, or a new metric column
        conn.execute("DELETE FROM held")
        conn.execute(
            "INSERT INTO held SELECT team, min(window_start), max(window_end) "
            "FROM syncs GROUP BY team"
        )
        refresh_days(conn)
    sums = ", ".join(f"{metric_sum(conn, m)} AS {m}" for m in metrics)
    for granularity, view in VIEWS.items():
        conn.execute(f"DROP VIEW IF EXISTS {view}")
        period = period_sql(conn, granularity)
        conn.execute(
            f"CREATE VIEW {view} AS SELECT team, {utc_text(conn, period)} AS start, {sums} "
            f"FROM day_sums GROUP BY team, {period}"
        )
    _write_version(conn, SCHEMA_VERSION)


def _type(conn: Any, table: str) -> str:
    """A metric column's type: exact ``numeric`` in PostgreSQL (see :mod:`.pg`)."""
    from .dialect import is_postgres

    return " NUMERIC" if is_postgres(conn) else _TYPE[table]


def refresh_days(conn: Any, team: str | None = None, hours: tuple[int, int] | None = None) -> None:
    """Rewrite ``day_sums`` from ``hours`` for every day touching ``hours`` (epoch
    hours [first, last)) of ``team``; all of it when not given. Sums are SQL's,
    unrounded, so that rounding happens once, where a period is read."""
    metrics = metric_names()
    where: list[str] = ["1 = 1"]
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
