"""A store's PostgreSQL connection, shaped as the SQLite one the store's modules
use: ``execute(sql, args)`` and ``executemany`` with ``?`` placeholders, rows as
tuples, and the values SQLite would give.

SQLite answers an integer sum as an ``int`` and a real one as a ``float``;
PostgreSQL's ``numeric`` keeps a scale instead (the sum of integers has none, a
sum with a fraction keeps its digits). A ``Decimal`` of scale 0 is therefore
read as an ``int`` and any other as a ``float``, so both engines give every
command the same answer. Values written are shaped as SQLite's ``NUMERIC``
affinity keeps them: a whole float as an integer, any other as its exact
decimal text.

Every failure of the server (down, the connection dropped mid-sync) is a
:class:`~anchor_history.errors.DatabaseError` in one line, the address masked;
what the transaction held is rolled back by the server.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from ..postgres.connect import connect, database_error

__all__ = ["PgConnection"]


def _sql(text: str) -> str:
    """``?`` placeholders as psycopg's ``%s`` (a literal ``%`` doubled)."""
    return text.replace("%", "%%").replace("?", "%s")


def _read(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value.as_tuple().exponent >= 0 else float(value)  # type: ignore[operator]
    return value


def _written(value: Any) -> Any:
    if isinstance(value, float):
        return int(value) if value.is_integer() else Decimal(repr(value))
    return value


class _Rows:
    """A cursor's rows with the values SQLite would give."""

    def __init__(self, cursor: Any) -> None:
        self._cursor = cursor

    def fetchone(self) -> tuple[Any, ...] | None:
        row = self._cursor.fetchone()
        return None if row is None else tuple(map(_read, row))

    def fetchall(self) -> list[tuple[Any, ...]]:
        return [tuple(map(_read, row)) for row in self._cursor.fetchall()]

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        for row in self._cursor:
            yield tuple(map(_read, row))


class PgConnection:
    """One connection to the store's database (autocommit, but inside
    :meth:`transaction`), made again when the server has dropped it.

    A process that holds its store for long (the exporter, refreshing for weeks)
    outlives connections: a database restarted, failed over, or a backend ended
    by an administrator. Outside a transaction a read is run again once on a new
    connection when the server dropped the old one, and any statement finds a new
    connection where the last one was found dropped; inside a transaction a
    dropped connection is the transaction's failure (rolled back by the server),
    never retried. One connection per process is all the store asks for, so no
    pool is kept."""

    dialect = "postgresql"

    def __init__(self, url: str) -> None:
        import psycopg

        self._url = url
        self._error = psycopg.Error
        self._conn = connect(url, autocommit=True)
        self._in_transaction = False
        self.reconnects = 0  # connections made again after a drop (for tests and logs)

    def execute(self, sql: str, args: Sequence[Any] = ()) -> _Rows:
        values = [_written(a) for a in args]
        for last in (False, True):
            self._revive()
            try:
                return _Rows(self._conn.execute(_sql(sql), values))
            except self._error as error:
                if last or not self._may_run_again(sql):
                    raise database_error(self._url, error) from None
        raise AssertionError("unreachable: the second attempt returns or raises")

    def _revive(self) -> None:
        """A new connection where the last was found dropped (outside a transaction)."""
        if self._conn.closed and not self._in_transaction:
            self._conn = connect(self._url, autocommit=True)
            self.reconnects += 1

    def _may_run_again(self, sql: str) -> bool:
        """Whether a failed statement may run once more, on a new connection: a read,
        outside a transaction, whose connection the server dropped."""
        reads = sql.lstrip().upper().startswith(("SELECT", "WITH"))
        return reads and self._conn.closed and not self._in_transaction

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        self._revive()
        try:
            with self._conn.cursor() as cursor:
                cursor.executemany(_sql(sql), [[_written(v) for v in row] for row in rows])
        except self._error as error:
            raise database_error(self._url, error) from None

    @contextmanager
    def transaction(self, lock: str) -> Iterator[PgConnection]:
        """One transaction, holding the advisory lock named ``lock`` (a team's name:
        syncs of one team wait for each other, of different teams run at once)."""
        self._revive()
        try:
            with self._conn.transaction():
                self._in_transaction = True
                self._conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))",
                                   [f"anchor-history store {lock}"])  # fmt: skip
                yield self
        except self._error as error:
            raise database_error(self._url, error) from None
        finally:
            self._in_transaction = False

    def close(self) -> None:
        self._conn.close()
