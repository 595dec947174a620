"""The store's daily rollup and schema version: the rollup always equals its hours
(after backfills, look-back replacements, removals and a kill), a day, week or
month read through it equals the hours summed, and a store from an older
version is upgraded on first open, never misread."""

from __future__ import annotations

import math
import random
import sqlite3
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from anchor_history import HistoryClient
from anchor_history.calendar.boundaries import period_floor
from anchor_history.models import metric_names
from anchor_history.store import StoreError, UsageStore
from anchor_history.store.schema import DAY_OF_HOUR, SCHEMA_VERSION, refresh_days
from conftest import body

NOW = datetime(2026, 3, 10, 13, 30, tzinfo=UTC)
FLOATS = ("session_hours", "credits_used")


def hour_of(moment: datetime) -> int:
    return int(moment.timestamp()) // 3600


class UsageServer:
    """A history API over a dict of hours that a test edits between syncs: late
    data, an hour the server stops listing, new hours."""

    def __init__(self, seed: int, start: datetime, end: datetime) -> None:
        rng = random.Random(seed)
        self.hours: dict[int, dict[str, Any]] = {}
        for hour in range(hour_of(start), hour_of(end)):
            if rng.random() < 0.8:  # quiet hours are not listed
                self.hours[hour] = self.usage(rng)

    @staticmethod
    def usage(rng: random.Random) -> dict[str, Any]:
        values: dict[str, Any] = {m: rng.randint(0, 50) for m in metric_names()}
        for metric in FLOATS:  # tenths: sums that binary floats cannot hold exactly
            values[metric] = rng.randint(0, 400) / 10
        return values

    def handle(self, request: httpx.Request) -> httpx.Response:
        params = request.url.params
        first = hour_of(datetime.fromisoformat(params["from_date"]))
        last = -(-int(datetime.fromisoformat(params["to_date"]).timestamp()) // 3600)
        listed = sorted(h for h in self.hours if first <= h < last)
        page, limit = int(params["page"]), int(params["limit"])
        pages = max(1, -(-len(listed) // limit))
        points = [
            {"date": datetime.fromtimestamp(h * 3600, UTC).isoformat(), **self.hours[h]}
            for h in listed[(page - 1) * limit : page * limit]
        ]
        totals = {
            ("total_sessions" if m == "session_count" else f"total_{m}"): (
                math.fsum(self.hours[h][m] for h in listed)
                if m in FLOATS
                else sum(self.hours[h][m] for h in listed)
            )
            for m in metric_names()
        }
        answer = body(points, page=page, total_pages=pages, total_records=len(listed))
        answer["summary"] = totals
        return httpx.Response(200, json=answer)


def client_of(server: UsageServer) -> HistoryClient:
    return HistoryClient(  # a key per server: each is an account of its own
        f"k{id(server)}", "https://api.example.test", transport=httpx.MockTransport(server.handle)
    )


def assert_rollup_is_its_hours(path: Path) -> None:
    """The maintained rollup equals one made from scratch from the hours, row for row."""
    metrics = metric_names()
    with sqlite3.connect(path) as conn:
        kept = conn.execute(f"SELECT team, hour, {', '.join(metrics)} FROM day_sums ORDER BY 1, 2")
        fresh = conn.execute(
            f"SELECT team, {DAY_OF_HOUR} AS day, {', '.join(f'sum({m})' for m in metrics)} "
            "FROM hours GROUP BY team, day ORDER BY 1, 2"
        )
        assert kept.fetchall() == fresh.fetchall()


def summed_by_hand(store: UsageStore, start: datetime, end: datetime, period: str, team):
    """The hours of [start, end) summed per UTC period in Python: what the rollup must say."""
    by_hour = store.fetch(start, end, "hour", "all", team=team, now=NOW)
    sums: dict[datetime, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for point in by_hour:
        for metric in metric_names():
            sums[period_floor(point.start, period)][metric].append(getattr(point, metric))
    return sums


def assert_periods_are_the_hours_summed(path: Path, team: str | None) -> None:
    start, end = datetime(2026, 1, 3, 7, tzinfo=UTC), datetime(2026, 3, 9, 17, tzinfo=UTC)
    with UsageStore(str(path), create=False) as store:
        for period in ("day", "week", "month"):
            read = store.fetch(start, end, period, "all", team=team, now=NOW)
            expected = summed_by_hand(store, start, end, period, team)
            assert [p.start for p in read] == sorted(expected)
            for point in read:
                for metric in metric_names():
                    want = expected[point.start][metric]
                    if metric in FLOATS:
                        assert getattr(point, metric) == pytest.approx(math.fsum(want), abs=1e-9)
                    else:
                        assert getattr(point, metric) == sum(want)
                        assert isinstance(getattr(point, metric), int)
            for metric in metric_names():
                total = getattr(read.summary, metric)
                assert total == pytest.approx(sum(getattr(p, metric) for p in read), abs=1e-9)


def test_the_rollup_equals_its_hours_after_backfills_replacements_and_removals(tmp_path):
    path = tmp_path / "usage.db"
    web = UsageServer(1, datetime(2025, 12, 1, tzinfo=UTC), NOW)
    ops = UsageServer(2, datetime(2025, 12, 20, tzinfo=UTC), NOW)
    with UsageStore(str(path)) as store:
        for team, server in (("web", web), ("ops", ops)):
            with client_of(server) as client:
                store.sync(client, team=team, from_date="2025-12-01", now=NOW)
    assert_rollup_is_its_hours(path)
    assert_periods_are_the_hours_summed(path, "web")
    assert_periods_are_the_hours_summed(path, None)

    # Late data in the look-back, an hour the server no longer lists, new hours.
    rng = random.Random(3)
    late, gone = hour_of(NOW) - 30, hour_of(NOW) - 20
    web.hours[late] = web.usage(rng)
    web.hours.pop(gone, None)
    later = NOW + timedelta(hours=7)
    for hour in range(hour_of(NOW), hour_of(later)):
        web.hours[hour] = web.usage(rng)
    with UsageStore(str(path)) as store, client_of(web) as client:
        result = store.sync(client, team="web", now=later)
    assert result.hours_replaced > 0
    assert result.hours_added >= 6
    assert_rollup_is_its_hours(path)
    with sqlite3.connect(path) as conn:
        (day,) = conn.execute(
            "SELECT session_count FROM day_sums WHERE team = 'web' AND hour = ?",
            (late - late % 24,),
        ).fetchone()
    assert day == sum(web.hours[h]["session_count"] for h in web.hours if h // 24 == late // 24)
    assert_periods_are_the_hours_summed(path, "web")


def test_a_window_cut_inside_a_day_reads_the_cut_hours_not_the_whole_day(tmp_path):
    path = tmp_path / "usage.db"
    server = UsageServer(4, datetime(2026, 2, 1, tzinfo=UTC), NOW)
    with UsageStore(str(path)) as store, client_of(server) as client:
        store.sync(client, team="web", from_date="2026-02-01", now=NOW)
        for start, end in (
            (datetime(2026, 2, 3, 22, tzinfo=UTC), datetime(2026, 2, 4, 2, tzinfo=UTC)),
            (datetime(2026, 2, 3, 5, tzinfo=UTC), datetime(2026, 2, 3, 6, tzinfo=UTC)),
            (datetime(2026, 2, 3, 5, tzinfo=UTC), datetime(2026, 2, 28, 19, tzinfo=UTC)),
        ):
            by_day = store.fetch(start, end, "day", "session_count", now=NOW)
            hours = range(hour_of(start), hour_of(end))
            assert by_day.summary.session_count == sum(
                server.hours[h]["session_count"] for h in hours if h in server.hours
            )
            assert by_day.points[0].partial
            assert by_day.points[-1].partial


def test_days_before_1970_roll_up_to_their_own_day() -> None:
    """SQLite's % keeps the sign: hour -1 is 1969-12-31 23:00, in the day starting at -24."""
    conn = sqlite3.connect(":memory:")
    from anchor_history.store.schema import create_schema

    create_schema(conn)
    conn.executemany(
        "INSERT INTO hours (team, hour, session_count) VALUES ('t', ?, 1)",
        [(h,) for h in range(-30, 30)],
    )
    refresh_days(conn)
    assert conn.execute("SELECT hour, session_count FROM day_sums ORDER BY hour").fetchall() == [
        (-48, 6), (-24, 24), (0, 24), (24, 6),
    ]  # fmt: skip


def old_store(path: Path) -> None:
    """Turn a store back into what the version before the rollup wrote."""
    with sqlite3.connect(path) as conn:
        conn.execute("DROP TABLE day_sums")
        conn.execute("DROP TABLE held")
        conn.execute("PRAGMA user_version = 0")


def test_a_store_from_before_the_rollup_is_upgraded_on_first_open_and_reads_the_same(tmp_path):
    path = tmp_path / "usage.db"
    server = UsageServer(5, datetime(2026, 1, 1, tzinfo=UTC), NOW)
    with UsageStore(str(path)) as store, client_of(server) as client:
        store.sync(client, team="web", from_date="2026-01-01", now=NOW)
        before = store.fetch("2026-01-01", "2026-03-01", "week", "all", now=NOW)
    old_store(path)
    with UsageStore(str(path), create=False) as store:  # a read: it upgrades, then reads
        after = store.fetch("2026-01-01", "2026-03-01", "week", "all", now=NOW)
    assert after == before
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
    assert_rollup_is_its_hours(path)


def test_a_store_from_a_newer_version_is_refused_not_misread(tmp_path):
    path = tmp_path / "usage.db"
    with UsageStore(str(path)):
        pass
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    for create in (True, False):
        with pytest.raises(StoreError, match=f"newer anchor-history .schema {SCHEMA_VERSION + 1}"):
            UsageStore(str(path), create=create)


def test_an_old_store_that_cannot_be_written_says_what_to_do(tmp_path, monkeypatch):
    path = tmp_path / "usage.db"
    server = UsageServer(6, datetime(2026, 3, 1, tzinfo=UTC), NOW)
    with UsageStore(str(path)) as store, client_of(server) as client:
        store.sync(client, team="web", from_date="2026-03-01", now=NOW)
    old_store(path)
    connect = sqlite3.connect

    def read_only(database: str, *args: Any, **kwargs: Any) -> sqlite3.Connection:
        # The file as on a read-only mount (permissions do not stop root).
        if not kwargs.get("uri"):
            database, kwargs["uri"] = f"file:{database}?mode=ro", True
        return connect(database, *args, **kwargs)

    monkeypatch.setattr("anchor_history.store.opening.sqlite3.connect", read_only)
    with pytest.raises(StoreError, match=r"older anchor-history .* read-only here"):
        UsageStore(str(path), create=False)
