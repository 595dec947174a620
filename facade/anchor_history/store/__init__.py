"""A usage store: every team's hourly history in one SQLite file, or in a
PostgreSQL database shared by every machine (``postgresql://...``; :mod:`.pg`).

``UsageStore.sync`` fetches only what is new (one transaction per run: killed at
any moment, the file holds what the previous run left); ``UsageStore.fetch``
answers with the same ``History`` type as ``HistoryClient.fetch``, offline, so
code written against the client (``fetch_periods``, ``check_budgets``,
``compare_periods``, ``detect_anomalies``) works on the store unchanged::

    with UsageStore("usage.db") as store, HistoryClient() as client:
        print(store.sync(client, team="web").line())
        history = store.fetch("90d", granularity="week", metrics="all")   # all teams

The store's atom is the UTC hour: a window's edges are taken to whole hours.
``sync(..., sessions=True)`` also keeps each team's sessions, for the breakdown
by tag, key or domain (:mod:`.sessions`).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

from attrs import evolve

from ..calendar.boundaries import period_floor
from ..calendar.windows import DateLike, parse_when, resolve_window
from ..calendar.wire import format_api_datetime
from ..errors import InvalidInputError, NotHeldError, StoreError
from ..metrics import MetricsArg, normalize_granularity, normalize_metrics
from ..models.history import History, metric_names
from ..models.session import Session
from ..models.session_rows import Row
from .coverage import held_span, not_held, team_spans
from .dialect import BULK_ROWS, refresh_statistics
from .opening import open_store, transaction
from .read import read_history
from .session_read import session_rows_between
from .session_read import stored_sessions as _stored_sessions
from .sessions import fetch_sessions, held_sessions, replace_sessions
from .sync import (
    DEFAULT_BACKFILL,
    DEFAULT_LOOKBACK,
    SyncResult,
    replace_hours,
    sync_window,
)
from .teams import check_account, check_team, choose_team, record_account

if TYPE_CHECKING:
    from ..core.client import HistoryClient

__all__ = ["NotHeldError", "StoreError", "SyncResult", "UsageStore"]

# What a sync writes in bulk, analyzed after a backfill (see dialect.refresh_statistics).
BULK_TABLES = ("hours", "day_sums", "sessions", "session_hours", "session_days")


class UsageStore:
    """Hourly usage per team, in one SQLite file or a PostgreSQL database (``path``
    a ``postgresql://`` address; shown everywhere with its password masked).
    ``team`` is what ``fetch`` reads by default (None: every team summed)."""

    def __init__(self, path: str, *, team: str | None = None, create: bool = True) -> None:
        self.team = None if team is None else check_team(team)
        self._db: Any = None
        self._db, self.path = open_store(path, create=create)

    @property
    def _conn(self) -> Any:
        if self._db is None:
            raise StoreError(f"store {self.path} is closed; open a new UsageStore")
        return self._db

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _transaction(self, team: str = "") -> Any:
        """The write transaction of a sync (see :func:`.opening.transaction`)."""
        return transaction(self._conn, self.path, team)

    def teams(self) -> list[str]:
        """Every team synced into the store (with usage or not)."""
        return list(team_spans(self._conn))

    def held(self, team: str | None = None) -> tuple[datetime, datetime]:
        """The span the store holds whole for ``team`` (default: the store's; None:
        every team at once): from its first backfill to its last sync."""
        chosen = team if team is not None else self.team
        spans = team_spans(self._conn)
        span = held_span(spans, chosen)
        if span is not None:
            return span
        if not spans:
            raise StoreError(
                f"store {self.path} holds no usage yet "
                f"(`anchor-history sync --store {self.path}` fills it)"
            )
        if chosen is not None:
            raise StoreError(
                f"store {self.path} has no team {chosen!r}; it holds {', '.join(spans)}"
            )
        raise StoreError(f"store {self.path}: its teams' synced spans do not overlap")

    def sync(
        self,
        client: HistoryClient,
        *,
        team: str | None = None,
        from_date: DateLike | None = None,
        lookback: timedelta = DEFAULT_LOOKBACK,
        now: datetime | None = None,
        progress: Any = None,
        deadline: float | None = None,
        sessions: bool = False,
    ) -> SyncResult:
        """Fetch the team's new hours (all metrics) and replace them, checked against
        the server's totals, in one transaction.

        ``from_date`` is where a team's first sync starts (default
        ``DEFAULT_BACKFILL``). For a team already held, a ``from_date`` before
        what it holds backfills from there (the whole span to now, in the one
        transaction, so the store still holds it without holes); a later one
        changes nothing, and the result's ``note`` says so. ``team`` defaults to
        the store's only team (``default`` in an empty store); one account is
        never held under two teams (see :mod:`.teams`). ``sessions`` also keeps the
        team's sessions (``GET /v1/sessions``) and their rollups, in the same
        transaction (see :mod:`.sessions`).
        """
        team = check_team(choose_team(team, team_spans(self._conn)))
        account = getattr(client, "account", None)
        check_account(self._conn, team, account)
        if not isinstance(lookback, timedelta) or lookback < timedelta(0):
            raise InvalidInputError("lookback", f"{lookback!r} is not a duration >= 0")
        started = time.monotonic()
        moment = now or datetime.now(UTC)
        (last,) = self._conn.execute(
            "SELECT max(hour) FROM hours WHERE team = ?", (team,)
        ).fetchone()
        asked = parse_when(
            DEFAULT_BACKFILL if from_date is None else from_date, now=moment, role="from"
        )
        note = None
        held = team_spans(self._conn).get(team)
        if held is not None and from_date is not None:
            if period_floor(asked, "hour") < held[0]:
                last = None  # a backfill of the earlier span: fetched from there to now
                note = f"backfilled from {format_api_datetime(asked)[:16]}"
            else:
                note = (
                    f"--from ignored: the store already holds team {team} from "
                    f"{format_api_datetime(held[0])[:16]}; a sync continues from its last hour"
                )
        window = sync_window(last, backfill_from=asked, lookback=lookback, now=moment)
        pages: list[int] = [0]

        def count(done: int, total: int) -> None:
            pages[0] = max(pages[0], total)
            if progress is not None:
                progress(done, total)

        history = client.fetch(
            window[0], window[1], "hour", "all", page_size=1000, progress=count, deadline=deadline
        )
        listed = None
        if sessions:  # the sessions of the same run, from whole hours (see .sessions)
            begin = min(window[0], (held or window)[0])
            listed = fetch_sessions(self._conn, client, team, begin, lookback, moment, deadline)
        with self._transaction(team) as conn:
            check_account(conn, team, account)  # again, inside: a sync may have raced us
            result = replace_hours(
                conn, team, history, window=window, requests=pages[0], started=started
            )
            if listed is not None:
                stored, running = replace_sessions(conn, team, listed[1], listed[0])
                result = evolve(result, sessions=stored, running=running)
            record_account(conn, team, account)
            if result.hours_added >= BULK_ROWS:  # a backfill: fresh statistics for reads
                refresh_statistics(conn, BULK_TABLES)
        return evolve(result, note=note)

    def sessions_held(self, team: str | None = None) -> tuple[datetime, datetime]:
        """The span whose sessions the store holds for ``team`` (default: the store's;
        None: every team's), as :meth:`held` is for the hours."""
        chosen = team if team is not None else self.team
        return held_sessions(self._conn, self.path, chosen)

    def session_rows(
        self, dims: tuple[str, ...], start: datetime, end: datetime, *, cuts: Any = ()
    ) -> list[Row]:
        """The sessions' rollup rows of ``dims`` over the whole UTC hours of
        [start, end), summed into the pieces ``cuts`` make (see :mod:`.sessions`)."""
        return session_rows_between(self._conn, dims, start, end, self.team, cuts=cuts)

    def stored_sessions(self, start: datetime, end: datetime) -> list[Session]:
        """The sessions kept of [start, end), the store's team's (else every team's)."""
        return _stored_sessions(self._conn, start, end, self.team)

    def fetch(
        self,
        from_date: DateLike | None = None,
        to_date: DateLike | None = None,
        granularity: str = "day",
        metrics: MetricsArg = ("session_count",),
        *,
        team: str | None = None,
        now: datetime | None = None,
        **_client_options: Any,
    ) -> History:
        """``HistoryClient.fetch``'s answer, from the store: UTC buckets of ``team``
        (default: the store's, else all teams summed); client options are ignored.

        The window is clipped to what the store holds (see :meth:`held`): the
        answer's ``query`` says what it covers, and a period cut is partial. The
        commands pass ``now=store.held()[1]``, so that "30d" ends at the last sync.
        """
        names = normalize_metrics(metrics)
        period = normalize_granularity(granularity)
        chosen = team if team is not None else self.team
        held = self.held(chosen)
        moment = now or datetime.now(UTC)
        asked = resolve_window(from_date, to_date, now=moment)
        start, end = max(asked[0], held[0]), min(asked[1], held[1])
        if start >= end:
            raise not_held(self.path, chosen, held, asked)
        team_sql = None if chosen is None else check_team(chosen)
        return read_history(self._conn, period, names, (start, end), team_sql, now=moment)

    def copy_into(self, target: UsageStore) -> Any:
        """Copy this whole store into ``target`` (empty; either engine), verified in
        its transaction before it commits (see :mod:`.copy`)."""
        from .copy import copy_tables

        with target._transaction() as conn:
            return copy_tables(self._conn, conn, (self.path, target.path))

    def export_parquet(self, folder: str) -> list[str]:
        """A Hive-partitioned dataset, ``team=.../month=YYYY-MM/part-0.parquet``: one
        row per stored hour (``hour`` a UTC timestamp, then every metric)."""
        from .export import write_dataset

        return write_dataset(self._conn, folder, metric_names())
