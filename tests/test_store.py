"""The local usage store: backfill, incremental runs, look-back, kills, teams, exactness."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from anchor_history import HistoryClient, ResponseFormatError
from anchor_history.insights.compare import span_totals
from anchor_history.store import StoreError, UsageStore
from anchor_history.store.schema import refresh_days
from anchor_history.testing.sandbox import Sandbox
from anchor_history.testing.sandbox.aggregate import _buckets
from anchor_history.testing.sandbox.data import HOUR_MS
from conftest import body, killed_inside
from test_cli import SCRIPT, run
from test_exporter import when_up
from test_store_rollup import assert_rollup_is_its_hours


@pytest.fixture(scope="module")
def box() -> Iterator[Sandbox]:
    with Sandbox(seed=31, sessions=20_000, days=60) as sandbox:
        yield sandbox


@pytest.fixture(scope="module")
def other() -> Iterator[Sandbox]:
    with Sandbox(seed=32, sessions=8_000, days=40) as sandbox:
        yield sandbox


def client_of(sandbox: Sandbox) -> HistoryClient:
    return HistoryClient(sandbox.api_key, sandbox.base_url)


def stored_total(path: Path, team: str, metric: str = "session_count") -> int:
    with UsageStore(str(path)) as store:
        (total,) = store._conn.execute(
            f"SELECT total({metric}) FROM hours WHERE team = ?", (team,)
        ).fetchone()
    return int(total)


def test_backfill_then_an_incremental_run_makes_a_request_or_two(box, tmp_path) -> None:
    path = tmp_path / "usage.db"
    with UsageStore(str(path)) as store, client_of(box) as client:
        before = box.faults.requests
        first = store.sync(client, team="web", from_date="90d")
        backfill = box.faults.requests - before
        second = store.sync(client, team="web")
        incremental = box.faults.requests - before - backfill
    assert first.hours_added > 1000
    assert first.hours_replaced == 0
    assert backfill == first.requests == 2  # 60 days of hours: two pages of 1,000
    assert incremental == second.requests == 1
    assert second.hours_added <= 1
    assert 0 < second.hours_replaced <= 49  # the 48-hour look-back and the open hour
    assert stored_total(path, "web") == box.data.sessions


def test_the_look_back_replaces_late_data_and_never_adds_it_twice(box, tmp_path) -> None:
    path = tmp_path / "usage.db"
    with UsageStore(str(path)) as store, client_of(box) as client:
        store.sync(client, team="web", from_date="90d")
        # Late data: 7 sessions appear in an hour 5 hours ago, after the sync saw it.
        hour = int(time.time() * 1000) // HOUR_MS - 5
        late = [(hour * HOUR_MS + i, 60.0, 0, 0, 0.5, 0, 100) for i in range(7)]
        box.conn.executemany("INSERT INTO sessions VALUES (?, ?, ?, ?, ?, ?, ?)", late)
        box.conn.execute("UPDATE hourly SET sessions = sessions + 7 WHERE hour = ?", (hour,))
        _buckets.cache_clear()
        try:
            result = store.sync(client, team="web")
            again = store.sync(client, team="web")
        finally:
            box.conn.execute(
                "DELETE FROM sessions WHERE created_at_ms IN "
                f"({', '.join(str(r[0]) for r in late)})"
            )
            box.conn.execute("UPDATE hourly SET sessions = sessions - 7 WHERE hour = ?", (hour,))
            _buckets.cache_clear()
    assert result.hours_replaced > 0
    assert again.hours_added == 0
    assert stored_total(path, "web") == box.data.sessions + 7  # once, not twice


def test_a_sync_that_does_not_add_up_stores_nothing(tmp_path) -> None:
    path = tmp_path / "usage.db"
    point = {"date": "2026-11-24T10:00:00.000Z", "session_count": 5}
    wrong = body([point], summary={"total_sessions": 6})
    client = HistoryClient(
        "k",
        "https://api.example.test",
        transport=httpx.MockTransport(lambda r: httpx.Response(200, json=wrong)),
    )
    with (
        UsageStore(str(path)) as store,
        pytest.raises(ResponseFormatError, match="nothing was stored"),
    ):
        store.sync(client, team="web", from_date="3d")
    with UsageStore(str(path)) as store:
        assert store.teams() == []


_KILLED_CHILD = """
import sys, time, pathlib
from anchor_history import HistoryClient
from anchor_history.store import UsageStore, sync as sync_module
original = sync_module.replace_hours
def slow(*args, **kwargs):
    result = original(*args, **kwargs)      # rows deleted and inserted, not committed
    pathlib.Path(sys.argv[4]).write_text("inside")
    time.sleep(30)                          # killed here, inside the transaction
    return result
import anchor_history.store as store_package
store_package.replace_hours = slow
with UsageStore(sys.argv[1]) as store, HistoryClient(sys.argv[3], sys.argv[2]) as client:
    store.sync(client, team="web", lookback=__import__("datetime").timedelta(days=20))
"""


def test_a_sync_killed_inside_its_transaction_leaves_the_previous_run(box, tmp_path) -> None:
    path = tmp_path / "usage.db"
    with UsageStore(str(path)) as store, client_of(box) as client:
        store.sync(client, team="web", from_date="90d")
        store._conn.execute("DELETE FROM hours WHERE hour > (SELECT max(hour) - 100 FROM hours)")
        refresh_days(store._conn)  # as a sync would have left it
    before = stored_total(path, "web")
    code = killed_inside(
        _KILLED_CHILD, str(path), box.base_url, box.api_key, marker=tmp_path / "inside"
    )
    assert code == -signal.SIGKILL
    assert stored_total(path, "web") == before  # exactly what the previous run left
    assert_rollup_is_its_hours(path)
    with UsageStore(str(path)) as store, client_of(box) as client:
        store.sync(client, team="web", lookback=timedelta(days=20))
    assert stored_total(path, "web") == box.data.sessions  # the next run completes the job
    assert_rollup_is_its_hours(path)


def test_two_syncs_at_once_on_one_file_both_land(box, other, tmp_path) -> None:
    path = tmp_path / "usage.db"
    errors: list[BaseException] = []

    def sync(sandbox: Sandbox, team: str) -> None:
        try:
            with UsageStore(str(path)) as store, client_of(sandbox) as client:
                store.sync(client, team=team, from_date="90d")
        except BaseException as error:
            errors.append(error)

    threads = [
        threading.Thread(target=sync, args=pair) for pair in ((box, "a"), (other, "b"), (box, "a"))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert stored_total(path, "a") == box.data.sessions  # the same team twice: not doubled
    assert stored_total(path, "b") == other.data.sessions
    with UsageStore(str(path)) as store:
        (check,) = store._conn.execute("PRAGMA integrity_check").fetchone()
    assert check == "ok"


def test_a_store_opened_while_another_connection_writes_waits_for_it(tmp_path) -> None:
    """Switching a new file to WAL while another connection is part-way through a
    write gets "database is locked" at once from SQLite, with no busy wait (two
    syncs starting together on a new file failed so in CI): the store waits."""
    path = str(tmp_path / "usage.db")
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("CREATE TABLE other (x)")
    release = threading.Timer(0.3, lambda: holder.execute("COMMIT"))
    release.start()
    try:
        with UsageStore(path) as store:
            (mode,) = store._conn.execute("PRAGMA journal_mode").fetchone()
    finally:
        release.join()
        holder.close()
    assert mode == "wal"


@pytest.mark.parametrize("granularity", ["day", "week", "month"])
def test_store_totals_equal_the_sandboxs_own_answers(box, tmp_path, granularity) -> None:
    path = tmp_path / "usage.db"
    window = (datetime.now(UTC) - timedelta(days=50)).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    start = window - timedelta(days=window.weekday()) if granularity == "week" else window
    if granularity == "month":
        start = start.replace(day=1)
    end = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    metrics = "session_count,credits_used,proxy_bytes"
    with UsageStore(str(path)) as store, client_of(box) as client:
        store.sync(client, team="web", from_date="90d")
        online = client.fetch(start, end, granularity, metrics)
        offline = store.fetch(start, end, granularity, metrics)
    assert [p.start for p in offline] == [p.start for p in online]
    assert [p.session_count for p in offline] == [p.session_count for p in online]
    assert [p.proxy_bytes for p in offline] == [p.proxy_bytes for p in online]
    assert [p.credits_used for p in offline] == pytest.approx([p.credits_used for p in online])
    assert offline.summary.session_count == online.summary.session_count
    assert offline.totals_match()


def test_every_team_of_a_config_syncs_concurrently_and_reads_summed(box, other, tmp_path):
    path = tmp_path / "usage.db"
    config = tmp_path / "teams.toml"
    config.write_text(
        f'[[teams]]\nname = "web"\nkey_env = "KEY_WEB"\nbase_url = "{box.base_url}"\n\n'
        f'[[teams]]\nname = "api"\nkey_env = "KEY_API"\nbase_url = "{other.base_url}"\n'
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANCHORBROWSER_")}
    env.update(KEY_WEB=box.api_key, KEY_API=other.api_key)
    result = subprocess.run(
        [
            SCRIPT,
            "sync",
            "--store",
            str(path),
            "--all-teams",
            "--config",
            str(config),
            "--from",
            "90d",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert sorted(line.split(":")[0] for line in result.stdout.splitlines()) == [
        "team api",
        "team web",
    ]
    assert box.api_key not in result.stdout + result.stderr
    summed = run(
        None, "history", "--store", str(path), "--from", "90d", "-g", "month", "-f", "json"
    )
    total = json.loads(summed.stdout)["summary"]["session_count"]
    assert total == box.data.sessions + other.data.sessions
    one = run(None, "--store", str(path), "--team", "api", "--from", "90d", "-f", "json")
    assert json.loads(one.stdout)["summary"]["session_count"] == other.data.sessions
    wide = run(None, "--store", str(path), "--from", "5d", "--by-team", "-f", "csv")
    lines = wide.stdout.splitlines()
    assert lines[0] == "start,partial,api:session_count,web:session_count"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT00:00:00\.000Z", lines[1].split(",")[0])  # ISO
    assert lines[1].split(",")[1] == "false"
    assert lines[-1].split(",")[1] == "true"  # today, still in progress
    table = run(None, "--store", str(path), "--from", "5d", "--by-team", "-f", "table")
    shown = table.stdout.splitlines()
    assert shown[0].split()[:2] == ["period", "(UTC)"]  # the zone, as everywhere
    assert shown[-4].split()[1] == "*"
    assert shown[-2].startswith("total")
    assert shown[-1].startswith("* partial period")
    document = json.loads(
        run(None, "--store", str(path), "--from", "5d", "--by-team", "-f", "json").stdout
    )
    assert set(document) == {"query", "points", "summary"}
    assert document["query"]["teams"] == ["api", "web"]
    assert document["query"]["tz"] == "UTC"
    for team in ("api", "web"):
        column = f"{team}:session_count"
        assert document["summary"][column] == sum(p[column] for p in document["points"])
        assert f"{document['summary'][column]:,}" in shown[-2]
    assert document["points"][0]["start"].endswith("T00:00:00.000Z")


def test_the_parquet_export_is_hive_partitioned_and_duckdb_reads_it(box, tmp_path) -> None:
    import duckdb  # the duckdb extra: installed by make setup

    path = tmp_path / "usage.db"
    with UsageStore(str(path)) as store, client_of(box) as client:
        store.sync(client, team="web", from_date="90d")
    out = tmp_path / "dataset"
    result = run(None, "export", "--store", str(path), "--parquet", str(out))
    assert result.returncode == 0, result.stderr
    months = sorted(p.name for p in (out / "team=web").iterdir())
    assert months[0].startswith("month=")
    query = (
        "SELECT team, sum(session_count) FROM read_parquet("
        f"'{out}/**/*.parquet', hive_partitioning = true) GROUP BY team"
    )
    assert duckdb.sql(query).fetchall() == [("web", box.data.sessions)]


def test_a_file_that_is_not_a_store_is_a_clear_error(tmp_path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("these are my notes, not a database\n" * 100)
    with pytest.raises(StoreError, match="is it an anchor-history store"):
        UsageStore(str(path))
    result = run(None, "--store", str(path))
    assert result.returncode == 9
    assert "Traceback" not in result.stderr


def test_reading_a_store_that_is_not_there_is_an_error_and_makes_no_file(tmp_path) -> None:
    path = tmp_path / "typo.db"
    with pytest.raises(StoreError, match=r"typo.db does not exist \(`anchor-history sync"):
        UsageStore(str(path), create=False)
    for words in (["history"], ["export", "--parquet", str(tmp_path / "pq")], ["check"]):
        args = [*words, "--store", str(path)]
        if words == ["check"]:
            args += ["--budget", "credits_used=10"]
        result = subprocess.run([SCRIPT, *args], capture_output=True, text=True, timeout=60)
        assert result.returncode == 9, (words, result.stderr)
        assert "does not exist" in result.stderr
    assert not path.exists()


def test_an_empty_store_and_an_unknown_team_are_named(box, tmp_path) -> None:
    path = str(tmp_path / "usage.db")
    with UsageStore(path) as store:
        with pytest.raises(StoreError, match="holds no usage yet"):
            store.fetch("7d")
        with client_of(box) as client:
            store.sync(client, team="web", from_date="10d")
        with pytest.raises(StoreError, match="has no team 'api'; it holds web"):
            store.fetch("7d", team="api")
        assert store.teams() == ["web"]


def test_a_store_answers_as_of_its_last_sync_never_with_zeros_after_it(box, tmp_path) -> None:
    """Synced at 12:30 the day before the sandbox's data ends: the hours after the
    sync are unknown to the store, so they are not zeros; the day of the sync is
    partial. (A sync in a day's first minutes held no usage of that day yet, so the
    test took its moment from the clock and failed just after midnight.)"""
    path = str(tmp_path / "usage.db")
    synced = (box.data.end - timedelta(days=1)).replace(hour=12, minute=30, second=0)
    with UsageStore(path) as store, client_of(box) as client:
        store.sync(client, team="web", from_date="40d", now=synced)
        start = (synced - timedelta(days=7)).replace(hour=0, minute=0, second=0, microsecond=0)
        metrics = "session_count,credits_used"
        stored = store.fetch(start, None, "day", metrics)  # up to "now": the last sync
        online = client.fetch(start, synced, "day", metrics)
        assert stored.query.to_date == synced
        assert stored.points[-1].start.date() == synced.date()
        assert stored.points[-1].partial
        assert not stored.points[-2].partial
        assert [p.session_count for p in stored] == [p.session_count for p in online]
        with pytest.raises(StoreError, match="nothing of"):
            store.fetch(synced + timedelta(hours=2), synced + timedelta(hours=5), "hour")
    table = run(box, "history", "--store", path, "--from", "7d", "-f", "csv")
    assert table.returncode == 0, table.stderr
    assert "note: the store was last synced" in table.stderr
    assert (
        table.stdout.strip().splitlines()[-1].startswith(f"{synced:%Y-%m-%d}T00:00:00.000Z,true,")
    )
    late = run(box, "check", "--store", path, "--budget", "credits_used=1e12", "--as-of", "now")
    assert late.returncode == 0  # "now" is the store's last sync
    after = (synced + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    refused = run(box, "check", "--store", path, "--budget", "credits_used=1e9", "--as-of", after)
    assert refused.returncode == 2
    assert "after the store's last sync" in refused.stderr


def test_a_span_the_store_holds_in_part_or_not_at_all_is_unknown_not_zero(box, tmp_path) -> None:
    path = str(tmp_path / "usage.db")
    first = (box.data.end - timedelta(days=10)).replace(hour=10, minute=0, second=0)
    with UsageStore(path) as store, client_of(box) as client:
        store.sync(client, team="web", from_date=first.replace(microsecond=0))
        held_from, synced = store.held()
        inside = (held_from + timedelta(days=1), synced)
        assert span_totals(store, inside, ("session_count",)).values["session_count"] > 0
        part = (held_from - timedelta(days=1), synced)
        assert span_totals(store, part, ("session_count",)).values == {"session_count": None}
        before = (held_from - timedelta(days=20), held_from - timedelta(days=10))
        assert span_totals(store, before, ("session_count",)).values == {"session_count": None}
    result = run(box, "compare", "--store", path, "--period", "month", "-f", "json")
    assert result.returncode == 0, result.stderr
    change = json.loads(result.stdout)["change"]["session_count"]
    assert change == {"absolute": None, "percent": None}
    report = run(box, "report", "--store", path, "-o", str(tmp_path / "r.html"), "--from", "5d")
    assert report.returncode == 0, report.stderr  # the span before is unknown: no change shown
    assert '<div class="change">not comparable: ' in (tmp_path / "r.html").read_text()
    as_of = (held_from + timedelta(hours=1)).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )  # its month began before
    budget = run(box, "check", "--store", path, "--budget", "credits_used=1e12", "--as-of", as_of)
    assert budget.returncode == 9
    assert "not the whole month so far" in budget.stderr
    assert "what was used in it is unknown" in budget.stderr


def test_a_closed_store_says_so(tmp_path) -> None:
    store = UsageStore(str(tmp_path / "usage.db"))
    store.close()
    store.close()  # twice is harmless
    with pytest.raises(StoreError, match=r"usage\.db is closed; open a new UsageStore"):
        store.fetch("7d")


def test_the_exporter_reading_a_store_is_as_of_its_last_sync(box, tmp_path) -> None:
    from prometheus_client.parser import text_string_to_metric_families

    path = str(tmp_path / "usage.db")
    synced = box.data.end - timedelta(hours=5)
    with UsageStore(path) as store, client_of(box) as client:
        store.sync(client, team="web", from_date="40d", now=synced)
    process = subprocess.Popen(
        [SCRIPT, "exporter", "--store", path, "--team", "web", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().split()[2]
        text = when_up(url)  # it serves before its first refresh
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=10)
    samples = {
        (s.name, s.labels.get("period")): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }
    assert samples[("anchor_history_snapshot_timestamp_seconds", None)] == synced.timestamp()
    assert samples[("anchor_history_store_last_sync_timestamp_seconds", None)] == synced.timestamp()
    with UsageStore(path, team="web") as store:
        day = store.fetch(synced.replace(hour=0, minute=0, second=0), synced, "day", "all")
    assert samples[("anchorbrowser_sessions", "day")] == day.summary.session_count


@pytest.mark.parametrize("period", ["day", "week", "month"])
def test_compare_from_the_store_and_from_the_api_agree(box, tmp_path, period) -> None:
    """Synced at 01:29: the store holds yesterday's 01:00 hour whole, today's to 01:29.
    Both sources now compare to the last whole hour, so the same span is the same answer."""
    path = str(tmp_path / "usage.db")
    synced = (box.data.end - timedelta(days=2)).replace(hour=1, minute=29, second=0)
    with UsageStore(path) as store, client_of(box) as client:
        store.sync(client, team="web", from_date="75d", now=synced)
    as_of = synced.strftime("%Y-%m-%dT%H:%M:%SZ")
    words = ("compare", "--period", period, "-m", "session_count,credits_used", "-f", "json")
    stored = run(box, *words, "--store", path)
    online = run(box, *words, "--as-of", as_of)
    assert stored.returncode == online.returncode == 0, stored.stderr + online.stderr
    held, asked = json.loads(stored.stdout), json.loads(online.stdout)
    assert held == asked
    assert held["current"]["end"] == synced.strftime("%Y-%m-%dT%H:00:00.000Z")
    assert held["previous"]["values"]["session_count"] > 0


def test_sync_from_on_a_team_already_held_backfills_or_says_it_is_ignored(box, tmp_path) -> None:
    """`sync --from` on a held team used to be dropped without a word."""
    path = str(tmp_path / "usage.db")
    first = run(box, "sync", "--store", path, "--team", "web", "--from", "20d")
    assert first.returncode == 0, first.stderr
    with UsageStore(path) as store:
        held_from = store.held("web")[0]
    later = run(box, "sync", "--store", path, "--team", "web", "--from", "10d")
    assert later.returncode == 0, later.stderr
    assert "--from ignored: the store already holds team web from" in later.stdout
    assert ", 1 request, " in later.stdout  # not "1 requests"
    earlier = run(box, "sync", "--store", path, "--team", "web", "--from", "45d")
    assert earlier.returncode == 0, earlier.stderr
    assert "backfilled from" in earlier.stdout
    with UsageStore(path) as store:
        backfilled_from, synced = store.held("web")
    assert backfilled_from < held_from - timedelta(days=20)
    with client_of(box) as client:
        online = client.fetch(backfilled_from, synced, "hour", "session_count")
    assert stored_total(Path(path), "web") == online.totals()["session_count"]


def test_every_team_of_a_config_shares_one_pool_and_one_ssl_context(tmp_path, monkeypatch) -> None:
    """Each team's client made its own SSL context (about 30 ms of CPU each)."""
    import httpx._transports.default as default
    from anchor_history.cli import main

    keys = tuple(f"team-key-{i}" for i in range(4))  # four keys: one store holds each once
    box = Sandbox(seed=31, sessions=2_000, days=10, api_key=keys[0], other_keys=keys[1:])

    made = []
    original = default.create_ssl_context
    monkeypatch.setattr(
        default, "create_ssl_context", lambda *a, **k: made.append(1) or original(*a, **k)
    )
    with box:
        config = tmp_path / "teams.toml"
        config.write_text("".join(
            f'[[teams]]\nname = "t{i}"\nkey_env = "KEY_T{i}"\nbase_url = "{box.base_url}"\n\n'
            for i in range(4)
        ))  # fmt: skip
        for i in range(4):
            monkeypatch.setenv(f"KEY_T{i}", keys[i])
        path = tmp_path / "usage.db"
        code = main(["sync", "--store", str(path), "--all-teams", "--config", str(config),
                     "--from", "3d", "--quiet"])  # fmt: skip
    assert code == 0
    assert len(made) == 1
    with UsageStore(str(path)) as store:
        assert sorted(store.teams()) == ["t0", "t1", "t2", "t3"]


def test_one_account_is_never_held_under_two_teams(tmp_path) -> None:
    """`sync --team web`, then a plain `sync`, added a team `default` holding the same
    account: every total of the store doubled, and check said OVER."""
    path = str(tmp_path / "usage.db")
    with Sandbox(seed=3, sessions=2_000, days=20) as box:
        assert run(box, "sync", "--store", path, "--team", "web", "--from", "5d").returncode == 0
        plain = run(box, "sync", "--store", path)  # the store's only team: web
        assert plain.returncode == 0, plain.stderr
        assert "team web" in plain.stdout
        again = run(box, "sync", "--store", path, "--team", "default")
        assert again.returncode == 2
        assert "held already as team 'web'" in again.stderr
    with UsageStore(path, create=False) as store:
        assert store.teams() == ["web"]


def test_a_store_of_several_teams_needs_the_team_named(tmp_path) -> None:
    path = str(tmp_path / "usage.db")
    with (
        Sandbox(seed=3, sessions=2_000, days=20) as web,
        Sandbox(seed=4, sessions=2_000, days=20) as api,
    ):
        assert run(web, "sync", "--store", path, "--team", "web", "--from", "5d").returncode == 0
        assert run(api, "sync", "--store", path, "--team", "api", "--from", "5d").returncode == 0
        plain = run(web, "sync", "--store", path)
        assert plain.returncode == 2
        assert "--team: none given, and the store holds 2 teams: api, web" in plain.stderr
