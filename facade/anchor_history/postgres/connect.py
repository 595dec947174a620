"""Connecting to PostgreSQL: psycopg 3, loaded here and only here, and each way a
connection fails said in one line, with the address masked.

libpq reads what its users expect: the URL's ``sslmode`` and other parameters,
``PGPASSWORD``, ``~/.pgpass`` and ``PGSSLMODE`` when the URL leaves them out.
"""

from __future__ import annotations

from typing import Any

from .._optional import require
from ..errors import DatabaseError
from .url import describe, masked

__all__ = ["connect", "database_error"]

CONNECT_TIMEOUT = 10  # seconds: a server that does not answer is an error, not a hang


def connect(url: str, *, autocommit: bool = False) -> Any:
    """An open psycopg connection to ``url``; a :class:`DatabaseError` that says
    what went wrong (and never the password) when there is none."""
    psycopg = require("psycopg", "postgres")
    try:
        return psycopg.connect(url, autocommit=autocommit, connect_timeout=CONNECT_TIMEOUT)
    except psycopg.Error as error:
        raise database_error(url, error) from None


def database_error(url: str, error: BaseException) -> DatabaseError:
    """One line for a psycopg error, by its cause (the server's words kept, the
    password taken out wherever libpq might have echoed it)."""
    where = describe(url)
    text = " ".join(str(error).split())
    password = _password(url)
    if password:
        text = text.replace(password, "***")
    low = text.lower()
    if "password authentication failed" in low or "no password supplied" in low:
        reason = ("the login was refused: check the password (the URL's, PGPASSWORD or "
                  "~/.pgpass)")  # fmt: skip
    elif "does not exist" in low and "database" in low:
        reason = "there is no such database: create it (createdb) or fix the URL"
    elif "ssl was required" in low or "does not support ssl" in low:
        reason = ("the server does not offer SSL, which the URL's sslmode asks for: "
                  "enable SSL there, or lower sslmode only on a trusted network")  # fmt: skip
    elif "connection refused" in low or "could not connect" in low or "timeout" in low:
        reason = "cannot reach the server: is PostgreSQL running there?"
    elif "server closed the connection" in low or "terminating connection" in low:
        reason = "the server dropped the connection; nothing of this run was kept"
    else:
        reason = text.split(": ", 1)[-1] if text else type(error).__name__
    return DatabaseError(f"{where} ({masked(url)}): {reason}")


def _password(url: str) -> str | None:
    from urllib.parse import unquote, urlsplit

    try:
        value = urlsplit(url).password
    except ValueError:
        return None
    return unquote(value) if value else None
