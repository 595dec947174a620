"""The store on PostgreSQL: the same sandbox synced into a SQLite file and into a
PostgreSQL database gives every command the same answer, byte for byte; a
second engine changes where the numbers live, never what they are. Against a
real PostgreSQL 15 cluster (tests/postgres_cluster.py)."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from anchor_history.postgres import masked
from anchor_history.store import UsageStore
from anchor_history.testing.sandbox import Sandbox
from postgres_cluster import PASSWORD, fresh_database
from test_cli_breakdown import cli

END = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
SPIKE = date(2026, 11, 4)


@pytest.fixture(scope="module")
def box() -> Iterator[Sandbox]:
    with Sandbox(seed=47, sessions=6_000, days=60, end=END, spikes=((SPIKE, 4.0),)) as sandbox:
        yield sandbox


@pytest.fixture(scope="module")
def stores(box, postgres_url, tmp_path_factory) -> tuple[str, str]:
    """(a SQLite file, a PostgreSQL database), each synced from the same sandbox,
    hours and sessions, by the same command."""
    lite = str(tmp_path_factory.mktemp("engines") / "usage.db")
    pg = fresh_database(postgres_url, "engines")
    for store in (lite, pg):
        done = cli(box, "sync", "--store", store, "--sessions", "--from", "2026-09-25")
        assert done.returncode == 0, done.stderr
        assert PASSWORD not in done.stdout + done.stderr
    return lite, pg


COMMANDS = {
    "history by day": ["history", "--from", "2026-10-01", "--to", "2026-11-15", "-m", "all",
                       "-f", "json"],
    "history by week, Berlin": ["history", "--from", "2026-10-01", "--to", "2026-11-15", "-g",
                                "week", "--tz", "Europe/Berlin", "-m", "all", "-f", "json"],
    "history by month, priced": ["history", "--from", "2026-09-25", "-g", "month", "-m",
                                 "credits_used,session_hours", "--credit-price", "0.01", "-f",
                                 "csv"],
    "history by hour": ["history", "--from", "2026-11-03", "--to", "2026-11-05", "-g", "hour",
                        "-m", "all", "-f", "json"],
    "check": ["check", "--budget", "session_count=2500", "--budget", "credits_used=700",
              "--as-of", "2026-11-12T10:00:00Z", "-f", "json"],
    "compare": ["compare", "--period", "week", "--as-of", "2026-11-12T10:00:00Z",
                "--credit-price", "0.01", "-f", "json"],
    "anomalies": ["anomalies", "--from", "2026-10-01", "--to", "2026-11-15", "--as-of",
                  "2026-11-16T00:00:00Z", "-f", "json"],
    "breakdown by tag": ["breakdown", "--by", "tag", "--from", "2026-10-01", "--to",
                         "2026-11-15", "-f", "json"],
    "breakdown by key, weeks, priced": ["breakdown", "--by", "api_key", "-g", "week", "--from",
                                        "2026-10-05", "--to", "2026-11-15", "--credit-price",
                                        "0.01", "--included-credits", "1500",
                                        "--overage-credit-price", "0.0125", "-f", "json"],
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_answers_alike_from_either_engine(box, stores, name) -> None:
    answers = []
    for store in stores:
        done = cli(box, *COMMANDS[name], "--store", store)
        assert done.returncode in (0, 1), done.stderr  # 1: over budget, anomalies found
        answers.append((done.returncode, done.stdout))
    assert answers[0] == answers[1]
    assert answers[0][1].strip()


@pytest.mark.parametrize("suffix", ["csv", "parquet"])
def test_focus_exports_are_the_same_file(box, stores, tmp_path, suffix) -> None:
    files = []
    for n, store in enumerate(stores):
        out = tmp_path / f"focus-{n}.{suffix}"
        done = cli(box, "export", "--store", store, "--focus", str(out), "--from", "2026-10-01",
                   "--to", "2026-11-15", "--credit-price", "0.01")  # fmt: skip
        assert done.returncode == 0, done.stderr
        files.append(out.read_bytes())
    assert files[0] == files[1]
    if suffix == "csv":
        rows = list(csv.DictReader(files[0].decode().splitlines()))
        assert any(r["Tags"] for r in rows)  # split by who spent it, from either engine


def test_the_parquet_dataset_is_the_same(box, stores, tmp_path) -> None:
    import pyarrow.parquet as pq

    folders = [tmp_path / "lite", tmp_path / "pg"]
    for store, folder in zip(stores, folders, strict=True):
        assert cli(box, "export", "--store", store, "--parquet", str(folder)).returncode == 0
    found = [sorted(p.relative_to(f) for p in f.rglob("*.parquet")) for f in folders]
    assert found[0] == found[1]
    assert len(found[0]) == 3  # one team, three months
    for part in found[0]:
        assert pq.read_table(folders[0] / part).equals(pq.read_table(folders[1] / part))


def test_the_report_is_the_same_page(box, stores, tmp_path, monkeypatch) -> None:
    import matplotlib

    monkeypatch.setitem(matplotlib.rcParams, "svg.hashsalt", "same")  # its ids, else random
    pages = []
    for n, store in enumerate(stores):
        out = tmp_path / f"report-{n}.html"
        done = cli(box, "report", "--store", store, "--as-of", "2026-11-12T10:00:00Z", "-o",
                   str(out))  # fmt: skip
        assert done.returncode == 0, done.stderr
        page = out.read_text().replace(store, "STORE").replace(masked(store), "STORE")
        pages.append(re.sub(r"<dc:date>[^<]*</dc:date>", "", page))  # when the chart was drawn
    assert pages[0] == pages[1]
    assert PASSWORD not in pages[1]
    assert "who spent it" in pages[0].lower()


def test_the_exporter_serves_the_same_figures(stores) -> None:
    from anchor_history.exporter.server import Exporter
    from test_exporter import scrape

    moment = datetime(2026, 11, 12, 10, tzinfo=UTC)
    served = []
    for where in stores:
        with (
            UsageStore(where, create=False) as store,
            Exporter(store, teams=store.teams(), port=0, clock=lambda: moment, origin="a store",
                     by=("tag", "api_key"), interval=3600) as exporter,
        ):  # fmt: skip
            figures = scrape(exporter)
        served.append({k: v for k, v in figures.items() if k[0].startswith("anchorbrowser_")})
    assert served[0] == served[1]
    assert any(name.startswith("anchorbrowser_tag_") for name, _ in served[0])


def test_an_exporter_outlives_a_dropped_connection(stores, postgres_url) -> None:
    """A database restarted or a backend ended under a long-running exporter: its
    next refresh reads on a new connection, no refresh fails, the figures the same."""
    import psycopg
    from anchor_history.exporter.server import Exporter
    from test_exporter import scrape

    _, pg = stores
    moment = datetime(2026, 11, 12, 10, tzinfo=UTC)
    with (
        UsageStore(pg, create=False) as store,
        Exporter(store, teams=store.teams(), port=0, clock=lambda: moment, origin="a store",
                 interval=3600) as exporter,
    ):  # fmt: skip
        before = scrape(exporter)
        with psycopg.connect(postgres_url, autocommit=True) as admin:
            ended = admin.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                  "WHERE datname = 'engines'").fetchone()  # fmt: skip
        assert ended == (1,)  # the exporter's own connection
        exporter.refresh()
        exporter.refresh()
        assert exporter.errors == 0, exporter.last_error
        assert store._conn.reconnects == 1
        after = scrape(exporter)
    figures = lambda found: {k: v for k, v in found.items() if k[0].startswith("anchorbrowser_")}  # noqa: E731
    assert figures(after) == figures(before)


def test_the_url_is_shown_masked_and_libpq_errors_are_one_line(box, postgres_url) -> None:
    base = postgres_url.rsplit("/", 1)[0]
    cases = {
        base.replace(PASSWORD, "nope") + "/postgres": "the login was refused",
        base + "/absent": "there is no such database",
        f"postgresql://anchor:{PASSWORD}@127.0.0.1:1/postgres": "cannot reach the server",
    }
    for url, reason in cases.items():
        for words in (["sync", "--store", url], ["history", "--store", url, "-f", "json"]):
            done = cli(box, *words)
            assert done.returncode == 10, (words, done.stderr)
            assert reason in done.stderr
            assert "anchor:***@" in done.stderr  # which server, never the password
            assert PASSWORD not in done.stderr
            assert "nope" not in done.stderr
            assert len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_the_local_socket_form_reads_the_same_store(box, stores, monkeypatch) -> None:
    """``postgresql:///db?host=/folder/of/the/socket``: no TCP, libpq's unix socket."""
    import psycopg

    _, pg = stores
    with psycopg.connect(pg) as conn:
        (folders,) = conn.execute("SHOW unix_socket_directories").fetchone()
        (port,) = conn.execute("SHOW port").fetchone()
    socket_url = f"postgresql:///engines?host={folders.split(',')[0]}&port={port}&user=anchor"
    monkeypatch.setenv("PGPASSWORD", PASSWORD)
    words = ("history", "--from", "2026-11-01", "--to", "2026-11-15", "-m", "all", "-f", "json")
    by_socket = cli(box, *words, "--store", socket_url)
    assert by_socket.returncode == 0, by_socket.stderr
    by_tcp = cli(box, *words, "--store", pg)
    assert json.loads(by_socket.stdout)["points"] == json.loads(by_tcp.stdout)["points"]


def test_an_empty_database_is_not_read_as_a_store(box, postgres_url) -> None:
    url = fresh_database(postgres_url, "empty")
    done = cli(box, "history", "--store", url, "-f", "json")
    assert done.returncode == 9
    assert "holds no anchor-history store yet" in done.stderr


def test_a_newer_schema_is_refused_and_the_store_kept(box, postgres_url) -> None:
    import psycopg

    url = fresh_database(postgres_url, "newer")
    assert cli(box, "sync", "--store", url, "--from", "2026-11-10").returncode == 0
    with psycopg.connect(url) as conn:
        conn.execute("UPDATE anchor_history_versions SET version = 99 WHERE part = 'store'")
    done = cli(box, "sync", "--store", url)
    assert done.returncode == 9
    assert "written by a newer anchor-history (schema 99" in done.stderr


def test_an_older_schema_is_upgraded_in_place(box, postgres_url) -> None:
    """A database of schema 2 (before the sessions): its next open upgrades it in a
    transaction, keeping every hour, and syncs keep sessions from then on."""
    import psycopg

    url = fresh_database(postgres_url, "older")
    assert cli(box, "sync", "--store", url, "--from", "2026-11-10").returncode == 0
    count_hours = "SELECT count(*), sum(session_count) FROM hours"
    version = "SELECT version FROM anchor_history_versions WHERE part = 'store'"
    with psycopg.connect(url) as conn:
        for table in ("sessions", "session_hours", "session_days", "sessions_held"):
            conn.execute(f"DROP TABLE {table}")
        conn.execute("UPDATE anchor_history_versions SET version = 2 WHERE part = 'store'")
        hours = conn.execute(count_hours).fetchone()
    answer = cli(box, "history", "--store", url, "--from", "2026-11-11", "-m", "all", "-f", "json")
    assert answer.returncode == 0, answer.stderr
    with psycopg.connect(url) as conn:
        assert conn.execute(version).fetchone() == (3,)
        assert conn.execute(count_hours).fetchone() == hours
    done = cli(box, "sync", "--store", url, "--sessions", "--from", "2026-11-10")
    assert done.returncode == 0, done.stderr
    with psycopg.connect(url) as conn:
        (sessions,) = conn.execute("SELECT count(*) FROM sessions").fetchone()
    assert sessions > 0


def test_check_on_a_postgres_store_keeps_its_alert_state_there(box, stores) -> None:
    from test_cli_budgets import Webhook

    _, pg = stores
    hook = Webhook()
    words = ("check", "--store", pg, "--budget", "session_count=500", "--as-of",
             "2026-11-12T10:00:00Z", "--notify", hook.url)  # fmt: skip
    try:
        first, second = cli(box, *words), cli(box, *words)
    finally:
        hook.server.shutdown()
    assert (first.returncode, second.returncode) == (1, 1)
    assert len(hook.bodies) == 1  # the second run read what the first recorded, in the store
    listed = json.loads(cli(box, "alerts", "--state", pg, "-f", "json").stdout)
    assert len(listed["alerts"]) == 3


def test_the_sql_store_reads_alike_in_psql_terms(stores) -> None:
    """The views a SQL tool reads (days, weeks, months) hold the same rows."""
    import sqlite3

    import psycopg

    lite, pg = stores
    with sqlite3.connect(lite) as conn:
        months = conn.execute("SELECT team, start, session_count FROM months ORDER BY start")
        expected = [tuple(row) for row in months]
    with psycopg.connect(pg) as conn:
        found = conn.execute("SELECT team, start, session_count FROM months ORDER BY start")
        rows = [(t, s, int(c)) for t, s, c in found]
    assert rows == expected
    assert Path(lite).exists()


def test_a_backfill_leaves_the_planner_knowing_the_sizes(stores) -> None:
    """A first sync writes in bulk: it analyzes what it wrote, so the first reads are
    planned on the real sizes (unanalyzed, a year of 100 teams read in 210 ms, not 38)."""
    import psycopg

    _, pg = stores
    with psycopg.connect(pg) as conn:
        planned = dict(conn.execute("SELECT relname, reltuples FROM pg_class WHERE relname IN "
                                    "('hours', 'day_sums', 'sessions')").fetchall())  # fmt: skip
    assert all(rows > 0 for rows in planned.values()), planned
