"""Opening a store, SQLite or PostgreSQL, and its write transaction.

A SQLite file is read as it is when its schema is current (nothing written, no
lock: :mod:`.connection`), else opened to write: WAL, and an older schema
upgraded in place. A PostgreSQL database (:mod:`.pg`) is connected to, and its
schema made or upgraded under a lock, so two first syncs at once make it once.
Either refuses a schema newer than this version's, never misreading it.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ..errors import StoreError
from ..postgres.url import is_postgres_url
from .connection import BUSY_SECONDS, open_error, open_to_read, use_wal
from .dialect import is_postgres
from .schema import SCHEMA_VERSION, create_schema, schema_is_current, schema_version

__all__ = ["open_store", "transaction"]


def open_store(path: str, *, create: bool) -> tuple[Any, str]:
    """(the connection, the store's name as shown: a URL's password masked)."""
    if is_postgres_url(path):
        return _open_postgres(path, create=create)
    if not create and not os.path.exists(path):
        raise StoreError(
            f"store {path} does not exist (`anchor-history sync --store {path}` makes one)"
        )
    if not create:
        db = open_to_read(path)
        if db is not None:
            return db, path  # a current store, read as it is: nothing written
    upgrading = False  # the write that needs a writable file is the upgrade's
    db = None
    try:
        # check_same_thread off: an exporter reads it from its refresher thread (one
        # refresh at a time; a store is never shared by concurrent threads).
        db = sqlite3.connect(
            path, timeout=BUSY_SECONDS, isolation_level=None, check_same_thread=False
        )
        _refuse_newer(db, path)
        use_wal(db)
        db.execute("PRAGMA synchronous = NORMAL")
        if not schema_is_current(db):  # else nothing to write, nor to wait for
            upgrading = True
            with transaction(db, path):
                create_schema(db)
    except sqlite3.DatabaseError as error:
        if db is not None:
            db.close()
        if upgrading and "readonly" in str(error):
            raise StoreError(
                f"store {path} is from an older anchor-history and is upgraded in place "
                "on its first open, which needs to write, but it is read-only here; "
                "open it once where it can be written (any command), or read a copy"
            ) from None
        raise open_error(path, error) from None
    except BaseException:
        if db is not None:
            db.close()
        raise
    return db, path


def _open_postgres(url: str, *, create: bool) -> tuple[Any, str]:
    from ..postgres.url import masked
    from .pg import PgConnection

    shown = masked(url)
    db = PgConnection(url)
    try:
        found = _refuse_newer(db, shown)
        if found == 0 and not create:
            raise StoreError(
                f"store {shown} holds no anchor-history store yet "
                f"(`anchor-history sync --store {shown}` makes one)"
            )
        if not schema_is_current(db):
            with transaction(db, shown):
                create_schema(db)
    except BaseException:
        db.close()
        raise
    return db, shown


def _refuse_newer(db: Any, shown: str) -> int:
    found = schema_version(db)
    if found > SCHEMA_VERSION:
        raise StoreError(
            f"store {shown} was written by a newer anchor-history (schema {found}; "
            f"this version reads schema {SCHEMA_VERSION}); upgrade anchor-history"
        )
    return found


@contextmanager
def transaction(db: Any, shown: str, team: str = "") -> Iterator[Any]:
    """SQLite: BEGIN IMMEDIATE, so a second writer waits (up to a minute), then fails
    clearly. PostgreSQL: a transaction holding the team's advisory lock (syncs of
    other teams go on at once; ``""``, the schema's, is held by a schema change)."""
    if is_postgres(db):
        with db.transaction(team):
            yield db
        return
    try:
        db.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as error:
        raise StoreError(
            f"store {shown}: {error} (another sync has held it for over "
            f"{BUSY_SECONDS:g} s); try again when it is done"
        ) from None
    try:
        yield db
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
