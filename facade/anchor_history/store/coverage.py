"""What a store holds: for each team, the span of time its syncs fetched.

A store knows a team's usage only where a sync fetched it: from the team's
first backfill to its last sync. Before and after, an hour with no row is not
an hour without usage, and a zero there would be a wrong answer; so every read
is clipped to the span held, and says so.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ..errors import NotHeldError

__all__ = ["held_span", "not_held", "team_spans"]

Span = tuple[datetime, datetime]


def team_spans(conn: Any) -> dict[str, Span]:
    """Each synced team's span: its first sync's start to its last sync's end, as the
    ``held`` table keeps it (the ``syncs`` log grows by a row per run: a store synced
    hourly for three years holds 26,000 per team).

    Syncs only move forward (each starts at most a look-back before the last
    stored hour), so the span has no holes.
    """
    rows = conn.execute("SELECT team, held_from, held_to FROM held ORDER BY team")
    return {team: (_instant(a), _instant(b)) for team, a, b in rows}


def held_span(spans: dict[str, Span], team: str | None) -> Span | None:
    """The span held for ``team``; for None (every team summed), where all are held."""
    if team is not None:
        return spans.get(team)
    if not spans:
        return None
    start = max(s for s, _ in spans.values())
    end = min(e for _, e in spans.values())
    return (start, end) if start < end else None


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text)


def not_held(path: str, team: str | None, held: Span, asked: Span) -> NotHeldError:
    """The error for a window the store holds nothing of, saying what it holds."""
    who = f"team {team}" if team is not None else "every team"
    return NotHeldError(
        f"store {path} holds {who} from {_shown(held[0])} to {_shown(held[1])}, "
        f"nothing of {_shown(asked[0])} to {_shown(asked[1])}"
    )


def _shown(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
