"""PostgreSQL, the shared engine for what a team runs on more than one machine:
an address (:mod:`.url`: told apart from a file path, shown with its password
masked, pure) and a connection (:mod:`.connect`: psycopg 3, loaded only when a
``postgresql://`` address is used, its failures as one clear line).

SQLite stays the embedded default; nothing here is imported on that path.
"""

from __future__ import annotations

from .url import is_postgres_url, masked

__all__ = ["is_postgres_url", "masked"]
