"""Opening a store's SQLite file: to read (writing nothing) or to write (WAL,
schema), and what a failure to open means."""

from __future__ import annotations

import logging
import os
import sqlite3
import time

from ..errors import StoreError
from .schema import schema_is_current

__all__ = ["BUSY_SECONDS", "StoreError", "is_busy", "open_error", "open_to_read", "use_wal"]

BUSY_SECONDS = 60.0
logger = logging.getLogger("anchor_history.store")


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
    upgrades it in place or says what it is.

    A store in WAL mode is read through its ``-shm`` and ``-wal`` files beside it.
    Where they cannot be made (a read-only mount, a folder this user may not
    write), the file is read as immutable, which makes nothing beside it: safe
    when no write-ahead log holds changes the file lacks, so a non-empty ``-wal``
    is refused rather than read past (its changes would be missing, not zero).
    """
    from urllib.parse import quote

    uri = f"file:{quote(os.path.abspath(path))}?mode=ro"
    db = _connect(uri)
    try:
        current = schema_is_current(db)
    except sqlite3.OperationalError as error:
        db.close()
        if not _cannot_write_beside(path):
            raise open_error(path, error) from None
        return _open_immutable(path, uri)
    except sqlite3.DatabaseError:
        current = False
    if current:
        return db
    db.close()
    return None


def _connect(uri: str) -> sqlite3.Connection:
    return sqlite3.connect(
        uri, uri=True, timeout=BUSY_SECONDS, isolation_level=None, check_same_thread=False
    )


def _cannot_write_beside(path: str) -> bool:
    """True when this user cannot make the WAL's files beside the store."""
    folder = os.path.dirname(os.path.abspath(path))
    beside = [f"{path}-shm", f"{path}-wal"]
    if all(os.path.exists(f) and os.access(f, os.W_OK) for f in beside):
        return False
    return not os.access(folder, os.W_OK) or not all(
        os.access(f, os.W_OK) for f in beside if os.path.exists(f)
    )


def _open_immutable(path: str, uri: str) -> sqlite3.Connection | None:
    wal = f"{path}-wal"
    if os.path.exists(wal) and os.path.getsize(wal) > 0:
        raise StoreError(
            f"store {path}: its write-ahead log ({wal}) holds changes not yet in the file, "
            "and this user cannot read through it (the folder or the log is read-only); "
            "run any `anchor-history` command on it as its owner once, or copy the folder"
        )
    logger.info("store %s: its folder is read-only here; read as an immutable file", path)
    db = _connect(uri + "&immutable=1")
    try:
        current = schema_is_current(db)
    except sqlite3.DatabaseError:
        current = False
    if current:
        return db
    db.close()
    raise StoreError(
        f"store {path}: not this version's store, and read-only here, so it cannot be "
        "upgraded; open it once where it can be written"
    )
