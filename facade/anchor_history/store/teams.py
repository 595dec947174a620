"""Which team a sync writes to, and that one account is never held twice.

A store sums its teams. A key synced under two names (``--team web``, then a
plain ``sync`` that wrote ``default``) would count every session twice, so each
team keeps the fingerprint of the account it was synced with, and a sync of the
same account under another name is refused, naming the team that holds it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from ..errors import InvalidInputError

__all__ = ["DEFAULT_TEAM", "check_account", "choose_team", "record_account"]

DEFAULT_TEAM = "default"
_TEAM = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def check_team(name: object) -> str:
    if not isinstance(name, str) or not _TEAM.match(name):
        raise InvalidInputError(
            "team",
            f"{name!r} is not a team name (letters, digits, '.', '_', '-'; "
            "up to 64, starting with a letter or digit)",
        )
    return name


def choose_team(asked: str | None, held: Iterable[str]) -> str:
    """The team a sync writes: the one asked for; else the store's only team; else
    ``default`` for an empty store. A store of several teams needs the name.

    >>> choose_team(None, ["web"]), choose_team(None, []), choose_team("api", ["web"])
    ('web', 'default', 'api')
    """
    if asked is not None:
        return asked
    teams = sorted(held)
    if not teams:
        return DEFAULT_TEAM
    if len(teams) == 1:
        return teams[0]
    raise InvalidInputError(
        "team",
        f"none given, and the store holds {len(teams)} teams: {', '.join(teams)}; "
        "say which one this key's usage is",
        allowed=", ".join(teams),
        allowed_label="held",
    )


def check_account(conn: Any, team: str, account: str | None) -> None:
    """Refuse ``account`` under ``team`` when another team holds it already."""
    if account is None:
        return
    row = conn.execute(
        "SELECT team FROM accounts WHERE account = ? AND team != ?", (account, team)
    ).fetchone()
    if row is not None:
        raise InvalidInputError(
            "team",
            f"{team!r}: this key's account is held already as team {row[0]!r}; "
            f"sync it as {row[0]!r} (under two names every total would count it twice)",
            value=team,
        )


def record_account(conn: Any, team: str, account: str | None) -> None:
    """Remember the account a team was synced with (in the sync's transaction)."""
    if account is not None:
        conn.execute(
            "INSERT INTO accounts (team, account) VALUES (?, ?) "
            "ON CONFLICT(team) DO UPDATE SET account = excluded.account",
            (team, account),
        )
