"""Where SQLite and PostgreSQL say the same thing differently: the few SQL
fragments, the tables' types and the schema's bookkeeping. The rest of the
store's SQL is written once, in what both engines read alike.

A connection says which it is by its ``dialect`` (a :class:`~.pg.PgConnection`);
a plain ``sqlite3.Connection`` has none and is SQLite.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = [
    "columns_of",
    "ddl",
    "greatest",
    "is_postgres",
    "least",
    "metric_sum",
    "names_in",
    "period_sql",
    "read_version",
    "utc_text",
    "write_version",
]


def is_postgres(conn: Any) -> bool:
    return getattr(conn, "dialect", "sqlite") == "postgresql"


# The start of each period holding ``hour`` (epoch hours), as epoch seconds, in UTC.
# Days and ISO weeks by arithmetic (1970-01-01 was a Thursday: the Monday before is
# hour -72; both engines' % keeps the dividend's sign, hence the double modulo for
# hours before 1970), months by the calendar.
_PERIODS = {
    "hour": "hour * 3600",
    "day": "(hour - ((hour % 24) + 24) % 24) * 3600",
    "week": "(hour - (((hour + 72) % 168) + 168) % 168) * 3600",
}
_MONTH = {
    "sqlite": "CAST(strftime('%s', hour * 3600, 'unixepoch', 'start of month') AS INTEGER)",
    "postgresql": "CAST(extract(epoch FROM date_trunc('month', to_timestamp(hour * 3600) "
    "AT TIME ZONE 'UTC')) AS BIGINT)",
}


def period_sql(conn: Any, period: str) -> str:
    if period == "month":
        return _MONTH["postgresql" if is_postgres(conn) else "sqlite"]
    return _PERIODS[period]


def metric_sum(conn: Any, column: str) -> str:
    """A metric's sum as the store reads it: integers exact, reals to 9 decimals."""
    if is_postgres(conn):  # numeric: a sum of integers has no scale
        return (f"CASE WHEN scale(sum({column})) = 0 THEN sum({column}) "
                f"ELSE round(sum({column}), 9) END")  # fmt: skip
    return (
        f"CASE WHEN typeof(sum({column})) = 'integer' THEN sum({column}) "
        f"ELSE round(sum({column}), 9) END"
    )


def least(conn: Any, a: str, b: str) -> str:
    return f"{'least' if is_postgres(conn) else 'min'}({a}, {b})"


def greatest(conn: Any, a: str, b: str) -> str:
    return f"{'greatest' if is_postgres(conn) else 'max'}({a}, {b})"


def utc_text(conn: Any, seconds: str) -> str:
    """``YYYY-MM-DD HH:MM:SS`` (UTC) of epoch seconds, for the views."""
    if is_postgres(conn):
        return f"to_char(to_timestamp({seconds}) AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')"
    return f"datetime({seconds}, 'unixepoch')"


def ddl(conn: Any, statement: str) -> str:
    """A table as SQLite's DDL says it, in the connection's engine: PostgreSQL has
    64-bit integers (milliseconds since 1970 overflow 32), exact ``numeric`` for the
    metrics (SQLite's NUMERIC, or no type at all), a sequence for a row id."""
    if not is_postgres(conn):
        return statement
    text = statement.replace(") WITHOUT ROWID", ")")
    text = re.sub(r"\bINTEGER PRIMARY KEY\b", "BIGSERIAL PRIMARY KEY", text)
    text = re.sub(r"\bINTEGER\b", "BIGINT", text)
    return re.sub(r"\bREAL\b", "DOUBLE PRECISION", text)


BULK_ROWS = 1_000  # rows written at once past which the planner's statistics are refreshed


def refresh_statistics(conn: Any, tables: tuple[str, ...]) -> None:
    """PostgreSQL: ANALYZE ``tables`` after a bulk write (a copy, a backfill), in the
    writer's transaction. Until autovacuum gets to them the planner guesses their
    sizes, and chose whole-table scans for a store's first reads: a year by day of
    100 teams took 210 ms, 38 ms once analyzed (make bench 9b). SQLite: nothing."""
    if is_postgres(conn):
        conn.execute(f"ANALYZE {', '.join(tables)}")


# PostgreSQL's catalog, not information_schema: its views cost 5-20 ms a query, and
# each team's sync asks these a few times when it opens the store (make bench 9b).
_PG_TABLES = ("SELECT relname FROM pg_class WHERE relnamespace = current_schema()::regnamespace "
              "AND relkind IN ('r', 'p', 'v', 'm')")  # fmt: skip
_PG_COLUMNS = ("SELECT attname FROM pg_attribute WHERE attrelid = to_regclass(quote_ident("
               "current_schema()) || '.' || quote_ident(?)) AND attnum > 0 "
               "AND NOT attisdropped")  # fmt: skip


def names_in(conn: Any) -> set[str]:
    """The store's tables and views."""
    if is_postgres(conn):
        rows = conn.execute(_PG_TABLES)
    else:
        rows = conn.execute("SELECT name FROM sqlite_master")
    return {row[0] for row in rows}


def columns_of(conn: Any, table: str) -> set[str]:
    if is_postgres(conn):
        return {row[0] for row in conn.execute(_PG_COLUMNS, [table])}
    return {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}


def read_version(conn: Any) -> int:
    """The schema version the database holds (0: none written)."""
    if not is_postgres(conn):
        (version,) = conn.execute("PRAGMA user_version").fetchone()
        return int(version)
    if "anchor_history_versions" not in names_in(conn):
        return 0
    row = conn.execute(
        "SELECT version FROM anchor_history_versions WHERE part = 'store'"
    ).fetchone()
    return 0 if row is None else int(row[0])


def write_version(conn: Any, version: int) -> None:
    if not is_postgres(conn):
        conn.execute(f"PRAGMA user_version = {int(version)}")
        return
    conn.execute(
        "CREATE TABLE IF NOT EXISTS anchor_history_versions (part text PRIMARY KEY, "
        "version integer NOT NULL)"
    )
    conn.execute(
        "INSERT INTO anchor_history_versions (part, version) VALUES ('store', ?) "
        "ON CONFLICT (part) DO UPDATE SET version = excluded.version",
        [version],
    )
