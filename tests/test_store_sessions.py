"""The store's sessions: kept in the sync's transaction, as safe as its hours."""

from __future__ import annotations

import signal
import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from anchor_history import HistoryClient
from anchor_history.store import UsageStore
from anchor_history.testing.sandbox import Sandbox
from conftest import killed_inside

END = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def box():
    with Sandbox(seed=43, sessions=4_000, days=30, end=END) as sandbox:
        yield sandbox


def client_of(box: Sandbox) -> HistoryClient:
    return HistoryClient(box.api_key, box.base_url)


def kept(path: Path) -> tuple[int, int, int, int]:
    """(sessions, distinct ids, the rollup's sessions, the daily rollup's sessions)."""
    with sqlite3.connect(path) as conn:
        (count,) = conn.execute("SELECT count(*) FROM sessions").fetchone()
        (distinct,) = conn.execute("SELECT count(DISTINCT id) FROM sessions").fetchone()
        (hours,) = conn.execute("SELECT sum(sessions) FROM session_hours WHERE dim = ''").fetchone()
        (days,) = conn.execute("SELECT sum(sessions) FROM session_days WHERE dim = ''").fetchone()
    return count, distinct, hours or 0, days or 0


def test_a_sync_keeps_every_session_once_and_its_rollups_agree(box, tmp_path) -> None:
    path = tmp_path / "usage.db"
    with UsageStore(str(path)) as store, client_of(box) as client:
        result = store.sync(client, from_date="2026-10-01", sessions=True)
    assert result.sessions == box.data.sessions
    assert kept(path) == (box.data.sessions,) * 4
    with sqlite3.connect(path) as conn:
        rollup = conn.execute(
            "SELECT sum(credits_nano) FROM session_hours WHERE dim = 'api_key'"
        ).fetchone()[0]
        whole = conn.execute(
            "SELECT sum(credits_nano) FROM session_hours WHERE dim = ''"
        ).fetchone()[0]
    assert rollup == whole  # one key per session: the keys' groups add up to the whole


_KILLED_CHILD = """
import sys, time, pathlib
from anchor_history import HistoryClient
from anchor_history.store import UsageStore
import anchor_history.store as store_package
original = store_package.replace_sessions
def slow(*args, **kwargs):
    result = original(*args, **kwargs)      # sessions replaced, rollups made, not committed
    pathlib.Path(sys.argv[4]).write_text("inside")
    time.sleep(30)                          # killed here, inside the transaction
    return result
store_package.replace_sessions = slow
with UsageStore(sys.argv[1]) as store, HistoryClient(sys.argv[3], sys.argv[2]) as client:
    store.sync(client, lookback=__import__("datetime").timedelta(days=20), sessions=True)
"""


def test_a_sync_killed_inside_its_transaction_leaves_the_previous_sessions(box, tmp_path) -> None:
    path = tmp_path / "usage.db"
    with UsageStore(str(path)) as store, client_of(box) as client:
        store.sync(client, from_date="2026-10-01", sessions=True)
    with sqlite3.connect(path) as conn:  # as if the last days had not been synced yet
        cut = int((END - timedelta(days=5)).timestamp() * 1000)
        conn.execute("DELETE FROM sessions WHERE created_ms >= ?", (cut,))
        conn.execute("DELETE FROM session_hours WHERE hour >= ?", (cut // 3_600_000,))
        conn.execute("DELETE FROM session_days WHERE hour >= ?", (cut // 3_600_000 // 24 * 24,))
        conn.execute(
            "INSERT INTO session_days SELECT team, dim, hour - hour % 24, value, sum(sessions), "
            "sum(running), sum(credits_nano), sum(duration_ms), sum(proxy_bytes), sum(steps) "
            "FROM session_hours WHERE hour >= ? GROUP BY team, dim, hour - hour % 24, value",
            (cut // 3_600_000 // 24 * 24,),
        )
    before = kept(path)
    assert before[0] < box.data.sessions
    code = killed_inside(
        _KILLED_CHILD, str(path), box.base_url, box.api_key, marker=tmp_path / "inside"
    )
    assert code == -signal.SIGKILL
    assert kept(path) == before  # exactly what the previous run left
    with UsageStore(str(path)) as store, client_of(box) as client:
        store.sync(client, lookback=timedelta(days=20), sessions=True)
    assert kept(path) == (box.data.sessions,) * 4  # the next run completes the job


def test_two_syncs_of_one_team_at_once_neither_double_nor_lose_a_session(box, tmp_path) -> None:
    path = tmp_path / "usage.db"
    errors: list[BaseException] = []

    def sync() -> None:
        try:
            with UsageStore(str(path)) as store, client_of(box) as client:
                store.sync(client, team="web", from_date="2026-10-01", sessions=True)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=sync) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert kept(path) == (box.data.sessions,) * 4
