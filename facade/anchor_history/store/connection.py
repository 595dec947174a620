"""Opening a store's SQLite file: to read (writing nothing) or to write (WAL,
schema), and what a failure to open means."""

from __future__ import annotations

import os
import sqlite3
import time

from ..errors import StoreError
from .schema import schema_is_current

__all__ = ["BUSY_SECONDS", "StoreError", "is_busy", "open_error", "open_to_read", "use_wal"]

BUSY_SECONDS = 60.0


def open_error(path: str, error: sqlite3.DatabaseError) -> StoreError:
    if not isinstance(error, sqlite3.OperationalError):
        return StoreError(f"store {path}: {error}; is it an anchor-history store?")
    if not is_busy(error):
        return StoreError(f"store {path}: {error}")
    return StoreError(
        f"store {path}: {error} (another sync has held it for over "
        f"{BUSY_SECONDS:g} s); try again when it is done"
    )


def is_busy(error: sqlite3.OperationalError) -> bool:
    return "locked" in str(error) or "busy" in str(error)


def use_wal(conn: sqlite3.Connection) -> None:
    """Switch the file to WAL (readers never wait for a sync), waiting for other
    connections as a transaction would.

    The switch needs the file to itself, and SQLite answers "database is locked"
    at once, without its busy wait, when another connection is part-way through
    a write (so two syncs starting together on a new file would fail); hence
    the retries. Once a file is in WAL, it stays so and this is immediate.
    """
    give_up = time.monotonic() + BUSY_SECONDS
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as error:
            if not is_busy(error) or time.monotonic() > give_up:
                raise
            time.sleep(0.02)


def open_to_read(path: str) -> sqlite3.Connection | None:
    """A read-only connection when the schema is this version's (else None); a file
    from an older version (or not a store) goes on to the writable open, which
    upgrades it in place or says what it is. On a read-only mount, where not
    even WAL's shared-memory file can be made, the file is read as immutable."""
    from urllib.parse import quote

    uri = f"file:{quote(os.path.abspath(path))}?mode=ro"
    for suffix in ("", "&immutable=1"):
        try:
            db = sqlite3.connect(
                uri + suffix,
                uri=True,
                timeout=BUSY_SECONDS,
                isolation_level=None,
                check_same_thread=False,
            )
        except sqlite3.OperationalError:
            continue
        try:
            current = schema_is_current(db)
        except sqlite3.DatabaseError:
            current = False
        if current:
            return db
        db.close()
        return None
    return None
