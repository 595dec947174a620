"""check's alert state in PostgreSQL, as ephemeral runners use it (a CI job, a
CronJob: no file survives a run): once per crossing across runs and runners, and
every way a database can fail as one line with its own exit code, the password
never shown. Against a real PostgreSQL 15 cluster (tests/postgres_cluster.py)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import psycopg
import pytest
from anchor_history.alerts import Record, open_state
from anchor_history.alerts.pg_state import PostgresState
from anchor_history.errors import AlertStateError, DatabaseError
from anchor_history.postgres import masked
from postgres_cluster import PASSWORD, fresh_database
from test_cli import SCRIPT, environment
from test_cli_breakdown import cli
from test_cli_budgets import AS_OF, Webhook

BUDGET = ("--budget", "session_count=5")


@pytest.fixture
def state_url(postgres_url: str, request: pytest.FixtureRequest) -> str:
    return fresh_database(postgres_url, f"alerts_{request.node.name[5:40].lower()}")


@pytest.fixture
def hook() -> Iterator[Webhook]:
    receiver = Webhook()
    yield receiver
    receiver.server.shutdown()


def check(box, hook: Webhook, state: str, *extra: str) -> subprocess.CompletedProcess:
    """check as a runner runs it (in this process: each run opens the state anew)."""
    return cli(box, "check", *AS_OF, *BUDGET, "--notify", hook.url, "--state", state, *extra)


def test_runners_that_start_empty_notify_each_crossing_once(anchor_sandbox, hook, state_url):
    """Each run a fresh process with no file kept: the database remembers."""
    first = check(anchor_sandbox, hook, state_url)
    assert first.returncode == 1, first.stderr  # over budget
    assert len(hook.bodies) == 1
    again = check(anchor_sandbox, hook, state_url)
    assert again.returncode == 1, again.stderr
    assert len(hook.bodies) == 1  # nothing new crossed: quiet
    with psycopg.connect(state_url) as conn:
        keys = [k for (k,) in conn.execute("SELECT key FROM anchor_history_alert_state")]
    assert len(keys) == 3  # every default threshold, once
    listed = cli(anchor_sandbox, "alerts", "--state", state_url, "--format", "json")
    assert listed.returncode == 0, listed.stderr
    document = json.loads(listed.stdout)
    assert len(document["alerts"]) == 3
    assert PASSWORD not in listed.stdout
    assert document["state"] == masked(state_url)


def test_two_runners_at_the_same_hour_send_one_message(anchor_sandbox, hook, state_url):
    hook.delay = 0.5  # the first run holds the lock while its message is on the way
    words = [SCRIPT, "check", *AS_OF, *BUDGET, "--notify", hook.url, "--state", state_url]
    runs = [subprocess.Popen(words, env=environment(anchor_sandbox), stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True) for _ in range(2)]  # fmt: skip
    results = [(p.wait(timeout=60), p.communicate()[1]) for p in runs]
    assert [code for code, _ in results] == [1, 1], results
    assert len(hook.bodies) == 1


def test_a_runner_killed_mid_run_leaves_the_state_as_it_was(anchor_sandbox, hook, state_url):
    """Killed while its message is on the way: nothing recorded, the lock released,
    and the next runner sends it."""
    hook.delay = 3.0
    words = [SCRIPT, "check", *AS_OF, *BUDGET, "--notify", hook.url, "--state", state_url]
    victim = subprocess.Popen(words, env=environment(anchor_sandbox),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    deadline = time.monotonic() + 30
    while not hook.bodies and time.monotonic() < deadline:
        time.sleep(0.05)
    assert hook.bodies, "the first runner never posted"
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait(timeout=10)
    assert PostgresState(state_url).load() == {}
    hook.delay = 0.0
    after = check(anchor_sandbox, hook, state_url)
    assert after.returncode == 1, after.stderr
    assert len(hook.bodies) == 2  # sent again: the killed run's post was never recorded
    assert len(PostgresState(state_url).load()) == 3


def test_the_state_round_trips_and_replaces_whole(state_url) -> None:
    state = open_state(state_url)
    assert isinstance(state, PostgresState)
    assert PASSWORD not in repr(state)
    moment = datetime(2026, 11, 3, 9, 30, tzinfo=UTC)
    end = datetime(2026, 12, 1, tzinfo=UTC)
    records = {"c1|default|budget|actual:80": Record(moment, moment, end)}
    with state.locked():
        assert state.load() == {}
        state.save(records)
    assert state.load() == records
    with state.locked():
        state.save({})
    assert state.load() == {}
    with pytest.raises(AlertStateError, match="outside locked"):
        state.save(records)


def test_a_state_from_a_newer_version_is_refused(state_url) -> None:
    with PostgresState(state_url).locked():
        pass
    with psycopg.connect(state_url) as conn:
        conn.execute("UPDATE anchor_history_versions SET version = 99 WHERE part = 'alert_state'")
    with pytest.raises(AlertStateError, match="newer anchor-history"):
        PostgresState(state_url).load()


def test_database_failures_are_one_line_with_exit_10_and_no_password(
    anchor_sandbox, hook, postgres_url
) -> None:
    base = postgres_url.rsplit("/", 1)[0]
    cases = {
        base.replace(PASSWORD, "wrong-pw") + "/postgres": "the login was refused",
        base + "/no_such_db": "there is no such database",
        f"postgresql://anchor:{PASSWORD}@127.0.0.1:1/postgres": "cannot reach the server",
    }
    for url, reason in cases.items():
        result = check(anchor_sandbox, hook, url)
        assert result.returncode == 10, (url, result.stderr)
        assert reason in result.stderr
        assert "Traceback" not in result.stderr
        assert PASSWORD not in result.stderr
        assert "wrong-pw" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert hook.bodies == []
    with pytest.raises(DatabaseError, match=r"\*\*\*"):
        PostgresState(base.replace(PASSWORD, "wrong-pw") + "/postgres").load()


def test_pgpassword_works_as_libpq_users_expect(
    anchor_sandbox, hook, state_url, monkeypatch
) -> None:
    """No password in the URL: PGPASSWORD gives it, as psql takes it."""
    bare = state_url.replace(f":{PASSWORD}@", "@")
    monkeypatch.setenv("PGPASSWORD", PASSWORD)
    result = check(anchor_sandbox, hook, bare)
    assert result.returncode == 1, result.stderr
    assert len(hook.bodies) == 1
    assert len(PostgresState(state_url).load()) == 3


def test_a_pgpass_file_gives_the_password(anchor_sandbox, hook, state_url, tmp_path, monkeypatch):
    """No password in the URL nor in PGPASSWORD: ~/.pgpass (mode 0600) gives it, as
    psql takes it; the file's password is never shown either."""
    bare = state_url.replace(f":{PASSWORD}@", "@")
    host, port = bare.split("@", 1)[1].split("/", 1)[0].split(":")
    home = tmp_path / "home"
    home.mkdir()
    pgpass = home / ".pgpass"
    pgpass.write_text(f"{host}:{port}:*:anchor:{PASSWORD}\n")
    pgpass.chmod(0o600)
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.delenv("PGPASSFILE", raising=False)
    monkeypatch.setenv("HOME", str(home))
    result = check(anchor_sandbox, hook, bare)
    assert result.returncode == 1, result.stderr
    assert len(hook.bodies) == 1
    pgpass.write_text(f"{host}:{port}:*:anchor:not-the-password\n")
    refused = check(anchor_sandbox, hook, bare)
    assert refused.returncode == 10, refused.stderr
    assert "~/.pgpass" in refused.stderr
    assert "not-the-password" not in refused.stderr


def test_sslmode_in_the_url_is_obeyed(anchor_sandbox, hook, state_url) -> None:
    """This test cluster has no certificate: sslmode=disable connects, and
    sslmode=require is refused in one line saying so, never sent in the clear."""
    plain = check(anchor_sandbox, hook, state_url + "?sslmode=disable")
    assert plain.returncode == 1, plain.stderr
    assert len(hook.bodies) == 1
    required = check(anchor_sandbox, hook, state_url + "?sslmode=require")
    assert required.returncode == 10, required.stderr
    assert "does not offer SSL" in required.stderr
    assert "sslmode=require" in required.stderr  # the URL, masked, names what was asked
    assert PASSWORD not in required.stderr
    assert len(required.stderr.strip().splitlines()) == 1, required.stderr
    assert len(hook.bodies) == 1
