"""A PostgreSQL address, as libpq's users write it, and how it is shown.

``postgresql://user:password@host:port/database?sslmode=require`` (or
``postgres://``): anything else given where a store or a state goes is a file
path. The password never leaves this process in text a person or a log sees:
:func:`masked` is how every message, repr and error shows an address.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit

__all__ = ["describe", "is_postgres_url", "masked"]

SCHEMES = ("postgresql://", "postgres://")


def is_postgres_url(where: str | os.PathLike[str] | None) -> bool:
    """Whether ``where`` names a PostgreSQL database rather than a file.

    >>> is_postgres_url("postgresql://db.internal/usage"), is_postgres_url("usage.db")
    (True, False)
    """
    return isinstance(where, str) and where.lower().startswith(SCHEMES)


def masked(url: str) -> str:
    """The address with its password (if any) as ``***``: how it is ever shown.

    >>> masked("postgresql://watch:hunter2@db.internal:5432/usage?sslmode=require")
    'postgresql://watch:***@db.internal:5432/usage?sslmode=require'
    >>> masked("postgresql:///usage")
    'postgresql:///usage'
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return "postgresql://(an address that cannot be read)"
    if parts.password is None:
        return url
    user, _, host = parts.netloc.rpartition("@")
    name = user.split(":", 1)[0]
    return urlunsplit(parts._replace(netloc=f"{name}:***@{host}"))


def describe(url: str) -> str:
    """``database usage on db.internal:5432`` for messages (no user, no password).

    >>> describe("postgresql://watch:pw@db.internal/usage")
    'database usage on db.internal:5432'
    >>> describe("postgresql:///usage")
    'database usage on the local socket'
    """
    parts = urlsplit(url)
    database = parts.path.lstrip("/") or parts.username or "(default)"
    try:
        port = parts.port or 5432
    except ValueError:
        port = 5432
    where = f"{parts.hostname}:{port}" if parts.hostname else "the local socket"
    return f"database {database} on {where}"
