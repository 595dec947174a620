"""Many writers on one PostgreSQL store: syncs of different teams at once, two of
the same team at once, a sync killed with SIGKILL inside its transaction, and a
server that drops the connection mid-sync. Nothing is doubled, lost or
half-written. Against a real PostgreSQL 15 cluster (tests/postgres_cluster.py)."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from anchor_history import HistoryClient
from anchor_history.errors import DatabaseError
from anchor_history.store import UsageStore
from anchor_history.testing.sandbox import Sandbox
from conftest import killed_inside
from postgres_cluster import fresh_database

END = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def boxes() -> Iterator[tuple[Sandbox, Sandbox]]:
    with (
        Sandbox(seed=51, sessions=3_000, days=30, end=END) as a,
        Sandbox(seed=52, sessions=2_000, days=30, end=END) as b,
    ):
        yield a, b


def kept(url: str, team: str) -> tuple[int, int, int, int]:
    """(sessions summed over the hours, over the daily rollup, session rows, distinct
    session ids)."""
    with psycopg.connect(url) as conn:
        (total,) = conn.execute(
            "SELECT coalesce(sum(session_count), 0) FROM hours WHERE team = %s", [team]
        ).fetchone()
        (rows,) = conn.execute(
            "SELECT coalesce(sum(session_count), 0) FROM day_sums WHERE team = %s", [team]
        ).fetchone()
        sessions, distinct = conn.execute(
            "SELECT count(*), count(DISTINCT id) FROM sessions WHERE team = %s", [team]
        ).fetchone()
    return int(total), int(rows), sessions, distinct


def sync(url: str, box: Sandbox, team: str, **options) -> None:
    with UsageStore(url) as store, HistoryClient(box.api_key, box.base_url) as client:
        store.sync(client, team=team, now=END, sessions=True, **options)


def test_syncs_of_teams_at_once_and_of_one_team_twice_keep_everything_once(
    boxes, postgres_url
) -> None:
    url = fresh_database(postgres_url, "writers")
    a, b = boxes
    errors: list[BaseException] = []

    def run(box: Sandbox, team: str) -> None:
        try:
            sync(url, box, team, from_date="2026-10-15")
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=run, args=pair)
               for pair in ((a, "a"), (b, "b"), (a, "a"), (b, "b"))]  # fmt: skip
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    for box, team in ((a, "a"), (b, "b")):
        total, days, sessions, distinct = kept(url, team)
        assert total == days == box.data.sessions  # the same team twice: not doubled
        assert sessions == distinct == box.data.sessions


_KILLED_CHILD = """
import sys, time, pathlib
from anchor_history import HistoryClient
from anchor_history.store import UsageStore
import anchor_history.store as store_package
original = store_package.replace_sessions
def slow(*args, **kwargs):
    result = original(*args, **kwargs)      # hours and sessions replaced, not committed
    pathlib.Path(sys.argv[4]).write_text("inside")
    time.sleep(30)                          # killed here, inside the transaction
    return result
store_package.replace_sessions = slow
with UsageStore(sys.argv[1]) as store, HistoryClient(sys.argv[3], sys.argv[2]) as client:
    store.sync(client, team="a", lookback=__import__("datetime").timedelta(days=20),
               sessions=True)
"""


def _cut_the_last_days(url: str) -> None:
    """As if the last days had not been synced yet (hours and sessions)."""
    cut = END - timedelta(days=4)
    hour, ms = int(cut.timestamp()) // 3600, int(cut.timestamp() * 1000)
    with psycopg.connect(url) as conn:
        conn.execute("DELETE FROM hours WHERE hour >= %s", [hour])
        conn.execute("DELETE FROM sessions WHERE created_ms >= %s", [ms])


def test_a_sync_killed_inside_its_transaction_leaves_the_store_as_before(
    boxes, postgres_url, tmp_path
) -> None:
    url = fresh_database(postgres_url, "killed")
    a, _ = boxes
    sync(url, a, "a", from_date="2026-10-15")
    _cut_the_last_days(url)
    before = kept(url, "a")
    assert before[0] < a.data.sessions
    code = killed_inside(_KILLED_CHILD, url, a.base_url, a.api_key, marker=tmp_path / "inside")
    assert code == -signal.SIGKILL
    time.sleep(0.2)  # the server notices the dropped connection and rolls back
    assert kept(url, "a") == before  # exactly what the previous run left
    sync(url, a, "a", lookback=timedelta(days=20))
    assert kept(url, "a")[0] == a.data.sessions  # the next run completes the job
    assert kept(url, "a")[2] == a.data.sessions


def test_a_server_that_drops_the_connection_mid_sync_is_one_clear_error(
    boxes, postgres_url
) -> None:
    import anchor_history.store as store_package

    url = fresh_database(postgres_url, "dropped")
    a, _ = boxes
    sync(url, a, "a", from_date="2026-10-15")
    _cut_the_last_days(url)
    before = kept(url, "a")
    original = store_package.replace_sessions

    def dropped(conn, *args, **kwargs):  # the server ends this session mid-transaction
        result = original(conn, *args, **kwargs)
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
                          "datname = 'dropped' AND pid <> pg_backend_pid()")  # fmt: skip
        return result

    store_package.replace_sessions = dropped
    try:
        with pytest.raises(DatabaseError) as caught:
            sync(url, a, "a", lookback=timedelta(days=20))
    finally:
        store_package.replace_sessions = original
    message = str(caught.value)
    assert "nothing of this run was kept" in message or "server" in message
    assert "s3cret-pw" not in message
    assert "\n" not in message
    assert kept(url, "a") == before


def test_sync_all_teams_lends_a_connection_per_worker_not_per_team(
    postgres_url, tmp_path, monkeypatch
) -> None:
    """Twelve teams, eight workers: each worker's connection serves the teams it
    syncs (a login per team cost more than the sync), every team whole and once."""
    from anchor_history.cli import main

    keys = tuple(f"team-key-{i:02d}" for i in range(12))
    url = fresh_database(postgres_url, "allteams")
    with Sandbox(seed=54, sessions=2_000, days=10, api_key=keys[0], other_keys=keys[1:]) as box:
        config = tmp_path / "teams.toml"
        config.write_text("".join(
            f'[[teams]]\nname = "t{i:02d}"\nkey_env = "KEY_T{i:02d}"\n'
            f'base_url = "{box.base_url}"\n\n' for i in range(12)
        ))  # fmt: skip
        for i, key in enumerate(keys):
            monkeypatch.setenv(f"KEY_T{i:02d}", key)

        def logins() -> int:
            with psycopg.connect(postgres_url) as admin:
                (count,) = admin.execute("SELECT sessions FROM pg_stat_database WHERE "
                                         "datname = 'allteams'").fetchone()  # fmt: skip
            return int(count)

        before = logins()
        code = main(["sync", "--store", url, "--all-teams", "--config", str(config),
                     "--from", "5d", "--quiet"])  # fmt: skip
        assert code == 0
        time.sleep(0.6)  # the statistics collector reports ended sessions within 0.5 s
        assert logins() - before <= 8
    with UsageStore(url, create=False) as store:
        assert store.teams() == [f"t{i:02d}" for i in range(12)]
    with psycopg.connect(url) as conn:
        sums = conn.execute("SELECT team, sum(session_count) FROM hours GROUP BY team").fetchall()
    assert len({total for _, total in sums}) == 1  # one sandbox: every team the same usage
