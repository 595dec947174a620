"""Each team's sessions in the store, beside its hours, and their rollups.

``sessions`` keeps every session as the API listed it (credits a decimal string,
NULL while running). ``session_hours`` rolls them up per team, UTC hour,
dimension and value (:mod:`~anchor_history.models.session_rows`: integers only,
credits in nano-credits), and ``session_days`` per UTC day from those hours, so a
year's breakdown reads a few thousand rows. ``sessions_held`` is the span the
syncs with ``--sessions`` fetched, as ``held`` is for the hours.

A sync fetches from whole hours: on the first run from its backfill start; later
from the oldest session still running, or a look-back before the newest stored
one, whichever is earlier, so a session's credits are fetched again until known.
The fetched sessions replace exactly those of their window (a session the server
no longer lists is removed), and the rollups of the hours they touch are made
anew from them, in the sync's one transaction.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from ..calendar.boundaries import period_floor
from ..calendar.wire import format_api_datetime
from ..errors import NotHeldError
from ..models.session import Session

if TYPE_CHECKING:
    from ..core.client import HistoryClient
from ..models.session_rows import FIGURES, epoch_hour, session_rows
from .dialect import greatest, least

__all__ = [
    "DDL",
    "SESSION_TABLES",
    "fetch_sessions",
    "held_sessions",
    "replace_sessions",
    "sessions_span",
    "sessions_window",
]

SESSION_TABLES = ("sessions", "session_hours", "session_days", "sessions_held")
_FIGURES = ", ".join(f"{f} INTEGER NOT NULL" for f in FIGURES)
DDL = (
    """
    CREATE TABLE IF NOT EXISTS sessions (
        team TEXT NOT NULL,
        id TEXT NOT NULL,
        created_ms INTEGER NOT NULL,  -- milliseconds since 1970-01-01 UTC
        status TEXT NOT NULL,
        credits TEXT,                 -- a decimal string; NULL while running
        api_key_name TEXT NOT NULL,
        tags TEXT NOT NULL,           -- a JSON list
        domains TEXT NOT NULL,        -- a JSON list
        proxy_type TEXT,
        proxy_bytes REAL,
        steps REAL,
        duration REAL,                -- seconds
        task_initiated INTEGER NOT NULL,
        PRIMARY KEY (team, id)
    ) WITHOUT ROWID
    """,
    "CREATE INDEX IF NOT EXISTS sessions_by_time ON sessions (team, created_ms)",
    *(
        f"""
        CREATE TABLE IF NOT EXISTS {table} (
            team TEXT NOT NULL,
            dim TEXT NOT NULL,
            hour INTEGER NOT NULL,  -- {what}
            value TEXT NOT NULL,
            {_FIGURES},
            PRIMARY KEY (team, dim, hour, value)
        ) WITHOUT ROWID
        """
        for table, what in (
            ("session_hours", "the UTC hour, in hours since 1970-01-01"),
            ("session_days", "the first UTC hour of the day"),
        )
    ),
    """
    CREATE TABLE IF NOT EXISTS sessions_held (
        team TEXT PRIMARY KEY,
        held_from TEXT NOT NULL,
        held_to TEXT NOT NULL
    ) WITHOUT ROWID
    """,
)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def sessions_span(conn: Any, team: str | None) -> tuple[datetime, datetime] | None:
    """The span whose sessions the store holds for ``team`` (None: every team's,
    where all of them are held)."""
    rows = conn.execute("SELECT team, held_from, held_to FROM sessions_held").fetchall()
    spans = {t: (datetime.fromisoformat(a), datetime.fromisoformat(b)) for t, a, b in rows}
    if team is not None:
        return spans.get(team)
    if not spans:
        return None
    start, end = max(s for s, _ in spans.values()), min(e for _, e in spans.values())
    return (start, end) if start < end else None


def held_sessions(conn: Any, path: str, team: str | None) -> tuple[datetime, datetime]:
    """:func:`sessions_span`, or the NotHeldError that says how to fill it."""
    if team is None:  # every team summed: each must have its sessions, or they'd be short
        teams = {row[0] for row in conn.execute("SELECT team FROM held")}
        kept = {row[0] for row in conn.execute("SELECT team FROM sessions_held")}
        if kept and teams - kept:
            missing = ", ".join(sorted(teams - kept))
            raise NotHeldError(
                f"store {path} holds no sessions of team {missing}, so every team's sessions "
                f"would fall short of their history; give --team, or run `anchor-history "
                f"sync --sessions --store {path} --team {sorted(teams - kept)[0]}`"
            )
    span = sessions_span(conn, team)
    if span is None:
        who = f"team {team}" if team is not None else "its teams"
        raise NotHeldError(
            f"store {path} holds no sessions of {who} "
            f"(`anchor-history sync --sessions --store {path}` fetches them)"
        )
    return span


def fetch_sessions(
    conn: Any,
    client: HistoryClient,
    team: str,
    backfill_from: datetime,
    lookback: timedelta,
    now: datetime,
    deadline: float | None,
) -> tuple[tuple[datetime, datetime], list[Session]]:
    """The window of sessions a sync fetches for ``team``, and its sessions."""
    span = sessions_window(conn, team, backfill_from=backfill_from, lookback=lookback, now=now)
    return span, list(client.sessions(span[0], span[1], deadline=deadline))


def sessions_window(
    conn: Any,
    team: str,
    *,
    backfill_from: datetime,
    lookback: timedelta,
    now: datetime,
) -> tuple[datetime, datetime]:
    """[start, now) of the sessions to fetch, from a whole hour (see the module)."""
    newest, running = conn.execute(
        "SELECT max(created_ms), min(CASE WHEN credits IS NULL THEN created_ms END) "
        "FROM sessions WHERE team = ?",
        (team,),
    ).fetchone()
    if newest is None:
        start = backfill_from
    else:
        start = _EPOCH + timedelta(milliseconds=newest) - lookback
        if running is not None:
            start = min(start, _EPOCH + timedelta(milliseconds=running))
    return min(period_floor(start, "hour"), period_floor(now, "hour")), now


def replace_sessions(
    conn: Any,
    team: str,
    sessions: Sequence[Session],
    window: tuple[datetime, datetime],
) -> tuple[int, int]:
    """Replace the team's sessions of ``window`` and the rollups of its hours (the
    caller holds the transaction). Returns (sessions stored, still running)."""
    first_ms = int(window[0].timestamp() * 1000)
    conn.execute("DELETE FROM sessions WHERE team = ? AND created_ms >= ?", (team, first_ms))
    conn.executemany(  # a session listed twice (a page that moved) is kept once
        f"INSERT INTO sessions VALUES ({', '.join('?' * 13)}) ON CONFLICT (team, id) DO "
        f"UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in _COLUMNS[2:])}",
        [_stored(team, s) for s in sessions],
    )
    first_hour = epoch_hour(window[0])
    conn.execute("DELETE FROM session_hours WHERE team = ? AND hour >= ?", (team, first_hour))
    marks = ", ".join("?" * (4 + len(FIGURES)))
    conn.executemany(
        f"INSERT INTO session_hours (team, hour, dim, value, {', '.join(FIGURES)}) "
        f"VALUES ({marks})",
        ((team, h, d, v, *f) for h, d, v, f in session_rows(sessions)),
    )
    day_first = first_hour - first_hour % 24
    conn.execute("DELETE FROM session_days WHERE team = ? AND hour >= ?", (team, day_first))
    sums = ", ".join(f"sum({f})" for f in FIGURES)
    conn.execute(
        f"INSERT INTO session_days (team, dim, hour, value, {', '.join(FIGURES)}) "
        f"SELECT team, dim, hour - ((hour % 24) + 24) % 24 AS day, value, {sums} "
        "FROM session_hours WHERE team = ? AND hour >= ? GROUP BY team, dim, day, value",
        (team, day_first),
    )
    conn.execute(
        "INSERT INTO sessions_held VALUES (?, ?, ?) ON CONFLICT (team) DO UPDATE SET "
        f"held_from = {least(conn, 'sessions_held.held_from', 'excluded.held_from')}, "
        f"held_to = {greatest(conn, 'sessions_held.held_to', 'excluded.held_to')}",
        (team, format_api_datetime(window[0]), format_api_datetime(window[1])),
    )
    return len(sessions), sum(1 for s in sessions if s.credits is None)


_COLUMNS = ("team", "id", "created_ms", "status", "credits", "api_key_name", "tags", "domains",
            "proxy_type", "proxy_bytes", "steps", "duration", "task_initiated")  # fmt: skip


def _stored(team: str, s: Session) -> tuple[Any, ...]:
    return (
        team,
        s.id,
        int(s.created_at.timestamp() * 1000),
        s.status,
        None if s.credits is None else str(s.credits),
        s.api_key_name,
        json.dumps(list(s.tags)),
        json.dumps(list(s.domains)),
        s.proxy_type,
        s.proxy_bytes,
        s.steps,
        s.duration,
        int(s.task_initiated),
    )
