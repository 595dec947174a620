"""The alert state in PostgreSQL: what each channel was told, shared by every
runner of ``check`` (CI jobs and CronJobs that start empty each time).

The same two rules as the state file (:mod:`.state`), kept by the database:

- **Nothing doubled.** A run holds a transaction-scoped advisory lock from
  reading the state to writing it back, webhook posts included, so two runners
  at the same hour send one message per crossing, not two; the second waits,
  then reads what the first recorded.
- **Nothing lost, nothing broken.** The state is replaced in that one
  transaction: a runner killed at any moment leaves the state as it was (the
  server rolls back and releases the lock when the connection drops).

The table is made by the first run that holds the lock. A table another
version of anchor-history made, newer than this one, is refused.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from ..errors import AlertStateError, DatabaseError
from ..postgres.url import masked
from .decide import Record

__all__ = ["PostgresState"]

VERSION = 1
TABLE = "anchor_history_alert_state"
# pg_advisory_xact_lock's key: one per database, for the alert state alone.
LOCK = 0x616E6368_616C7274  # "anch" "alrt"
_SCHEMA = (
    f"CREATE TABLE IF NOT EXISTS {TABLE} (key text PRIMARY KEY, "
    "notified_at timestamptz NOT NULL, sent_at timestamptz NOT NULL, "
    "period_end timestamptz NOT NULL)",
    "CREATE TABLE IF NOT EXISTS anchor_history_versions (part text PRIMARY KEY, "
    "version integer NOT NULL)",
)


class PostgresState:
    """The alert state at ``url`` (``postgresql://...``): ``locked()``, ``load()``
    and ``save()``, as :class:`~.state.StateFile` has them."""

    def __init__(self, url: str) -> None:
        self._url = url
        self.path = masked(url)  # how the state is named to a person: no password
        self._conn: Any = None

    def __repr__(self) -> str:
        return f"PostgresState({self.path!r})"

    @contextmanager
    def locked(self) -> Iterator[PostgresState]:
        """Hold the state for one run, in one transaction, under the lock."""
        from ..postgres.connect import connect, database_error

        conn = connect(self._url)
        try:
            with conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK])
                for statement in _SCHEMA:
                    conn.execute(statement)
                self._check_version(conn)
                self._conn = conn
                try:
                    yield self
                finally:
                    self._conn = None
        except _psycopg_error() as error:
            raise database_error(self._url, error) from None
        finally:
            conn.close()

    def load(self) -> dict[str, Record]:
        """The records (none before the first run); read in the held transaction,
        or on a connection of its own (``--dry-run``)."""
        from ..postgres.connect import connect, database_error

        if self._conn is not None:
            return self._read(self._conn)
        conn = connect(self._url, autocommit=True)
        try:
            exists = conn.execute("SELECT to_regclass(%s)", [TABLE]).fetchone()[0]
            if exists is None:
                return {}
            self._check_version(conn)
            return self._read(conn)
        except _psycopg_error() as error:
            raise database_error(self._url, error) from None
        finally:
            conn.close()

    def save(self, records: Mapping[str, Record]) -> None:
        """Replace the state whole, inside the held transaction."""
        if self._conn is None:
            raise AlertStateError(f"alert state {self.path}: saved outside locked()")
        self._conn.execute(f"DELETE FROM {TABLE}")
        with self._conn.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {TABLE} (key, notified_at, sent_at, period_end) "
                "VALUES (%s, %s, %s, %s)",
                [(k, r.notified_at, r.sent_at, r.period_end) for k, r in sorted(records.items())],
            )

    def _read(self, conn: Any) -> dict[str, Record]:
        rows = conn.execute(f"SELECT key, notified_at, sent_at, period_end FROM {TABLE}")
        return {key: Record(notified, sent, end) for key, notified, sent, end in rows}

    def _check_version(self, conn: Any) -> None:
        row = conn.execute(
            "SELECT version FROM anchor_history_versions WHERE part = 'alert_state'"
        ).fetchone()
        if row is None:
            if self._conn is None and conn.autocommit:  # a read: make nothing
                return
            conn.execute(
                "INSERT INTO anchor_history_versions (part, version) VALUES ('alert_state', %s) "
                "ON CONFLICT (part) DO NOTHING",
                [VERSION],
            )
        elif row[0] > VERSION:
            raise AlertStateError(
                f"alert state {self.path} was written by a newer anchor-history (version "
                f"{row[0]}, this one knows {VERSION}): upgrade this one"
            )


def _psycopg_error() -> type[BaseException]:
    """psycopg's base error, or one nothing raises (psycopg loads on first use)."""
    try:
        import psycopg

        return psycopg.Error
    except ImportError:  # pragma: no cover - connect() already said which extra
        return DatabaseError
