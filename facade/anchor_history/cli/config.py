"""``--config FILE``: a TOML file for cron, so a crontab line stays short.

::

    period = "month"          # day, week or month
    cycle_start = 1           # a billing month starting on this day (1-28)
    fail_on = "forecast"      # or "over"
    notify = "https://hooks.slack.com/services/..."   # or a list of webhooks
    remind = "24h"            # re-send an alert still crossed after this long
    state = "/var/lib/anchor-history/alerts.json"
    plan = true               # budgets from the plan: included credits, cost limit

    [budgets]
    session_count = 20000     # the default alerts: actual:80, actual:100, forecast:100

    [budgets.credits_used]
    limit = 30000
    alerts = ["actual:50", "actual:80", "actual:100", "forecast:100"]

Command-line flags win over the file; the file wins over the defaults.
"""

from __future__ import annotations

import tomllib
from typing import Any

from .errors import UsageError

__all__ = ["KNOWN_KEYS", "load_config", "load_teams"]

KNOWN_KEYS: dict[str, type | tuple[type, ...]] = {
    "period": str,
    "cycle_start": int,
    "fail_on": str,
    "notify": (str, list),
    "remind": str,
    "state": str,
    "store": str,
    "plan": bool,
    "pricing": dict,
    "budgets": dict,
}


def load_config(path: str, *, flag: str = "--config") -> dict[str, Any]:
    """The file's settings, checked for unknown keys and types (a UsageError names
    them, and ``flag``, the flag that gave the file)."""
    try:
        with open(path, "rb") as stream:
            document = tomllib.load(stream)
    except OSError as error:
        raise UsageError(f"{flag} {path}: {error.strerror or error}") from None
    except tomllib.TOMLDecodeError as error:
        raise UsageError(f"{flag} {path}: not valid TOML ({error})") from None
    for key, value in document.items():
        kind = KNOWN_KEYS.get(key)
        if kind is None:
            raise UsageError(f"{flag} {path}: unknown key {key!r}; known: {', '.join(KNOWN_KEYS)}")
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            names = " or a ".join(
                k.__name__ for k in (kind if isinstance(kind, tuple) else (kind,))
            )
            raise UsageError(f"{flag} {path}: {key} must be a {names}, not {value!r}")
        allowed = _ALLOWED.get(key)
        if allowed is not None and value not in allowed:
            shown = ", ".join(str(a) for a in allowed) if len(allowed) < 10 else "1 to 28"
            raise UsageError(f"{flag} {path}: {key} = {value!r} is not one of {shown}")
    return document


# The values the flags of the same names allow (a config file says them in its own words).
_ALLOWED: dict[str, tuple[object, ...]] = {
    "period": ("day", "week", "month"),
    "fail_on": ("forecast", "over"),
    "cycle_start": tuple(range(1, 29)),
}


def load_teams(path: str, *, flag: str = "--config", keys: bool = True) -> list[dict[str, str]]:
    """The teams file (``[[teams]]``, each a ``name``; with ``keys``, the
    ``key_env`` holding its API key; optionally ``base_url``, and ``account``,
    the billing account it belongs to), checked."""
    try:
        with open(path, "rb") as stream:
            document = tomllib.load(stream)
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise UsageError(f"{flag} {path}: {error}") from None
    needed = {"name", "key_env"} if keys else {"name"}
    teams = document.get("teams")
    if not isinstance(teams, list) or not teams:
        raise UsageError(f"{flag} {path}: no [[teams]] (each with {' and '.join(sorted(needed))})")
    for team in teams:
        if not isinstance(team, dict) or not needed <= set(team):
            raise UsageError(
                f"{flag} {path}: each [[teams]] needs {' and '.join(sorted(needed))}: {team!r}"
            )
        unknown = set(team) - {"name", "key_env", "base_url", "account"}
        if unknown:
            raise UsageError(f"{flag} {path}: unknown keys {sorted(unknown)} in {team['name']!r}")
        if not all(isinstance(v, str) and v.strip() for v in team.values()):
            raise UsageError(f"{flag} {path}: every value of {team['name']!r} is a non-empty text")
    return teams
