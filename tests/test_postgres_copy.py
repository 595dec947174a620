"""``anchor-history store copy``: a SQLite store into PostgreSQL and back, verified,
answering every command as the original did; never into a store that holds usage.
Against a real PostgreSQL 15 cluster (tests/postgres_cluster.py)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime

import psycopg
import pytest
from anchor_history.testing.sandbox import Sandbox
from postgres_cluster import PASSWORD, fresh_database
from test_cli_breakdown import cli

END = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
ASKED = (
    ("history", "--from", "2026-10-20", "--to", "2026-11-18", "-m", "all", "-f", "json"),
    ("history", "-g", "hour", "--from", "2026-11-10", "--to", "2026-11-11", "-m", "all",
     "-f", "json"),
    ("breakdown", "--by", "tag:team", "--from", "2026-10-20", "--to", "2026-11-18", "-f", "json"),
)  # fmt: skip


@pytest.fixture(scope="module")
def box() -> Iterator[Sandbox]:
    with Sandbox(seed=53, sessions=3_000, days=30, end=END) as sandbox:
        yield sandbox


def answers(box: Sandbox, store: str) -> list[str]:
    found = []
    for words in ASKED:
        done = cli(box, *words, "--store", store)
        assert done.returncode == 0, done.stderr
        found.append(done.stdout)
    return found


def test_a_store_copied_to_postgres_and_back_answers_alike(box, postgres_url, tmp_path) -> None:
    lite = str(tmp_path / "usage.db")
    for team in ("web", "api"):
        done = cli(box, "sync", "--store", lite, "--team", team, "--sessions", "--from",
                   "2026-10-18")  # fmt: skip
        assert done.returncode == 0, done.stderr
        if team == "web":  # the same key cannot be two teams: forget it for the second
            with sqlite3.connect(lite) as conn:
                conn.execute("DELETE FROM accounts")
    pg = fresh_database(postgres_url, "copied")
    there = cli(box, "store", "copy", lite, pg)
    assert there.returncode == 0, there.stderr
    assert "verified: the rollups agree" in there.stdout
    assert "of 2 teams" in there.stdout
    assert PASSWORD not in there.stdout
    with psycopg.connect(pg) as conn:  # analyzed in the copy: the planner knows its sizes
        planned = dict(conn.execute("SELECT relname, reltuples FROM pg_class WHERE relname IN "
                                    "('hours', 'day_sums', 'sessions')").fetchall())  # fmt: skip
        (hours,) = conn.execute("SELECT count(*) FROM hours").fetchone()
    assert planned["hours"] == hours > 0
    assert planned["sessions"] > 0
    back = str(tmp_path / "back.db")
    again = cli(box, "store", "copy", pg, back)
    assert again.returncode == 0, again.stderr
    original = answers(box, lite)
    for store in (pg, back):
        assert answers(box, store) == original


def test_a_copy_never_goes_into_a_store_that_holds_usage(box, postgres_url, tmp_path) -> None:
    lite = str(tmp_path / "usage.db")
    assert cli(box, "sync", "--store", lite, "--from", "2026-11-10").returncode == 0
    pg = fresh_database(postgres_url, "occupied")
    assert cli(box, "sync", "--store", pg, "--from", "2026-11-15").returncode == 0
    with psycopg.connect(pg) as conn:
        (before,) = conn.execute("SELECT count(*) FROM hours").fetchone()
    done = cli(box, "store", "copy", lite, pg)
    assert done.returncode == 9
    assert "holds usage already" in done.stderr
    with psycopg.connect(pg) as conn:
        assert conn.execute("SELECT count(*) FROM hours").fetchone() == (before,)
    missing = cli(box, "store", "copy", str(tmp_path / "absent.db"), pg)
    assert missing.returncode == 9
    assert "does not exist" in missing.stderr


README_URL = "postgresql://watch@db.internal/usage"


def test_the_readmes_postgres_commands_run_as_printed(box, postgres_url, tmp_path, monkeypatch):
    """The README's PostgreSQL lines, in order, against a throwaway database for its
    db.internal (the password from PGPASSWORD, as the README has it)."""
    import shlex

    from test_readme import readme_command_lines

    lines = [line for line in readme_command_lines(postgres=True) if README_URL in line]
    assert len(lines) >= 4, lines
    assert any(" store copy usage.db " in f" {line} " for line in lines)
    url = fresh_database(postgres_url, "readme")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PGPASSWORD", PASSWORD)
    synced = cli(box, "sync", "--store", "usage.db", "--team", "web", "--from", "2026-11-01")
    assert synced.returncode == 0, synced.stderr
    for line in lines:
        words = shlex.split(line.replace(README_URL, url.replace(f":{PASSWORD}@", "@")))
        done = cli(box, *words[1:])
        assert done.returncode in (0, 1), (line, done.stderr)  # 1: a budget at risk
        assert PASSWORD not in done.stdout + done.stderr
    with sqlite3.connect(tmp_path / "laptop.db") as back:
        assert back.execute("SELECT count(*) FROM hours").fetchone()[0] > 0
