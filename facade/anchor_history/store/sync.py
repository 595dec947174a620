"""Incremental sync: what to fetch (pure), and replacing it in one transaction.

Like dlt's incremental loading, the cursor is derived from the data (the last
stored hour of the team) rather than kept beside it where the two could
disagree, and a look-back window is fetched again for late-arriving data and
the hour that was still open last time. The fetched hours replace exactly the
hours of their window: an hour is never added twice, and one that the server
no longer lists is removed.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from attrs import frozen

from ..calendar.boundaries import period_floor
from ..calendar.wire import format_api_datetime
from ..errors import ResponseFormatError
from ..models.history import History, metric_names
from .dialect import greatest, least
from .schema import refresh_days

__all__ = ["DEFAULT_BACKFILL", "DEFAULT_LOOKBACK", "SyncResult", "hour_index", "sync_window"]

DEFAULT_BACKFILL = "365d"
DEFAULT_LOOKBACK = timedelta(hours=48)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def hour_index(instant: datetime) -> int:
    """Hours since 1970-01-01 UTC of the hour holding ``instant``."""
    return int((instant - _EPOCH) // timedelta(hours=1))


@frozen
class SyncResult:
    team: str
    start: datetime
    end: datetime
    hours_added: int
    hours_replaced: int
    hours_removed: int
    requests: int
    seconds: float
    note: str | None = None  # what became of a --from given for a team already held
    sessions: int | None = None  # sessions fetched (sync --sessions), of which
    running: int = 0  # still running: fetched again next time, until their credits are known

    def line(self) -> str:
        """The summary line: ``team default: 8,760 hours added, 0 replaced, 9 requests, 1.2 s``."""
        removed = f", {self.hours_removed:,} removed" if self.hours_removed else ""
        requests = f"{self.requests} request{'' if self.requests == 1 else 's'}"
        note = f"; {self.note}" if self.note else ""
        if self.sessions is not None:
            still = f" ({self.running:,} still running)" if self.running else ""
            note = f"; {self.sessions:,} sessions{still}{note}"
        return (
            f"team {self.team}: {self.hours_added:,} hours added, {self.hours_replaced:,} "
            f"replaced{removed} ({format_api_datetime(self.start)[:16]} to "
            f"{format_api_datetime(self.end)[:16]}), {requests}, "
            f"{self.seconds:.1f} s{note}"
        )


def sync_window(
    last_hour: int | None, *, backfill_from: datetime, lookback: timedelta, now: datetime
) -> tuple[datetime, datetime]:
    """[start, now) to fetch: from ``backfill_from`` on the first run; later, from
    the last stored hour minus ``lookback`` (which covers the hour still open then).

    >>> now = datetime(2026, 11, 25, 12, 30, tzinfo=UTC)
    >>> day = timedelta(hours=48)
    >>> start, _ = sync_window(hour_index(now) - 1, backfill_from=now, lookback=day, now=now)
    >>> start.isoformat()
    '2026-11-23T11:00:00+00:00'
    """
    if last_hour is None:
        start = period_floor(backfill_from, "hour")
    else:
        start = _EPOCH + timedelta(hours=last_hour) - lookback
    return min(start, period_floor(now, "hour")), now


def replace_hours(
    conn: Any,
    team: str,
    history: History,
    *,
    window: tuple[datetime, datetime],
    requests: int,
    started: float,
) -> SyncResult:
    """Check the hours against the server's totals, then replace the window's hours
    in one transaction (the caller holds it). Nothing is written when they disagree."""
    mismatches = history.mismatches()
    if mismatches:
        worst = mismatches[0]
        raise ResponseFormatError(
            f"team {team}: the hours add up to {worst.points_total} {worst.metric} but the "
            f"server's total for the window is {worst.summary_total}; nothing was stored "
            "(run the sync again; if it persists, the server's data is inconsistent)"
        )
    metrics = metric_names()
    first, last = hour_index(window[0]), hour_index(window[1]) + 1  # the open hour included
    rows = [(team, hour_index(p.start), *(getattr(p, m) for m in metrics)) for p in history.points]
    stored = {
        row[0]
        for row in conn.execute(
            "SELECT hour FROM hours WHERE team = ? AND hour >= ? AND hour < ?",
            (team, first, last),
        )
    }
    fetched = {row[1] for row in rows}
    conn.execute("DELETE FROM hours WHERE team = ? AND hour >= ? AND hour < ?", (team, first, last))
    marks = ", ".join("?" * (2 + len(metrics)))
    conn.executemany(f"INSERT INTO hours (team, hour, {', '.join(metrics)}) VALUES ({marks})", rows)
    refresh_days(conn, team, (first, last))
    result = SyncResult(
        team=team,
        start=window[0],
        end=window[1],
        hours_added=len(fetched - stored),
        hours_replaced=len(fetched & stored),
        hours_removed=len(stored - fetched),
        requests=requests,
        seconds=time.monotonic() - started,
    )
    conn.execute(
        "INSERT INTO syncs (team, window_start, window_end, finished_at, hours_added, "
        "hours_replaced, hours_removed, requests, summary) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            team,
            format_api_datetime(window[0]),
            format_api_datetime(window[1]),
            format_api_datetime(datetime.now(UTC)),
            result.hours_added,
            result.hours_replaced,
            result.hours_removed,
            requests,
            json.dumps(_summary(history)),
        ),
    )
    conn.execute(
        "INSERT INTO held VALUES (?, ?, ?) ON CONFLICT (team) DO UPDATE SET "
        f"held_from = {least(conn, 'held.held_from', 'excluded.held_from')}, "
        f"held_to = {greatest(conn, 'held.held_to', 'excluded.held_to')}",
        (team, format_api_datetime(window[0]), format_api_datetime(window[1])),
    )
    return result


def _summary(history: History) -> dict[str, Any]:
    return {m: getattr(history.summary, m) for m in metric_names()}
