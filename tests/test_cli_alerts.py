"""check as cron runs it with alerts: hour by hour through a week and the next,
two runs at the same moment, a broken state file, and what JSON and the table say."""

from __future__ import annotations

import io
import json
import subprocess
from contextlib import redirect_stderr
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from anchor_history import HistoryClient
from anchor_history.calendar.boundaries import period_floor
from anchor_history.cli import _parser
from anchor_history.cli.alerting import run_alerts
from anchor_history.cli.check_settings import read_settings
from anchor_history.insights.budgets import check_budgets
from anchor_history.store import UsageStore
from anchor_history.testing.sandbox import Sandbox
from test_cli import SCRIPT, environment, run
from test_cli_budgets import AS_OF, Webhook

# --- check replayed hour by hour, against a store synced from the sandbox ---------


WEEK = datetime(2026, 10, 12, tzinfo=UTC)  # a Monday
MONTH = datetime(2026, 10, 1, tzinfo=UTC)
SPIKE = date(2026, 10, 14)  # the week's Wednesday, 6x
# Each period replayed: its start, its hours, and its budget over the period before.
PERIODS = {"week": (WEEK, 24 * 7, 1.3), "month": (MONTH, 24 * 31, 1.05)}
NEXT_HOURS = {"week": 61, "month": 24 * 9}  # long enough to use 20% of the budget again
LABELS = ("actual:20", "actual:80", "actual:100", "forecast:100")


@pytest.fixture(scope="module")
def replay_store(tmp_path_factory) -> tuple[str, dict[str, float]]:
    """A store of 150 days up to Nov 11, and for a week and a month each a session
    budget over the period before (so the spike's period crosses everything)."""
    path = str(tmp_path_factory.mktemp("replay") / "usage.db")
    end = datetime(2026, 11, 11, tzinfo=UTC)
    with (
        Sandbox(seed=9, sessions=45_000, days=150, end=end, spikes=((SPIKE, 6.0),)) as box,
        HistoryClient(box.api_key, box.base_url) as client,
        UsageStore(path) as store,
    ):
        store.sync(client, team="default", from_date="150d", now=end)
        limits = {}
        for period, (start, _, factor) in PERIODS.items():
            before = period_floor(start - timedelta(days=1), period)
            total = client.fetch(before, start, period, "session_count").totals()
            limits[period] = round(factor * total["session_count"])
    return path, limits


def replay(
    path: str, limit: float, hook: Webhook, state: Path, hours: list[datetime], period: str
) -> dict[datetime, set[str]]:
    """check at each hour, as cron would run it: what each run found crossed."""
    words = ["check", "--store", path, "--budget", f"session_count={limit}", "--period", period]
    words += [x for label in LABELS for x in ("--alert", label)]
    args = _parser().parse_args([*words, "--notify", hook.url, "--state", str(state)])
    settings = read_settings(args)
    crossed = {}
    with UsageStore(path) as store:
        synced = store.held()[1]
        for hour in hours:
            report = check_budgets(store, settings.budgets, period=period, as_of=hour, now=synced)
            with redirect_stderr(io.StringIO()):
                statuses, delivered = run_alerts(report, settings, args)
            assert delivered
            crossed[hour] = {s.threshold.label for s in statuses if s.crossed}
    return crossed


def transitions(
    hours: list[datetime], crossed: dict[datetime, set[str]]
) -> list[tuple[datetime, str, str]]:
    """What each hour's run should say: a threshold newly crossed, or one that was
    and no longer is (only a forecast can fall back)."""
    said, before = [], set()
    for hour in hours:
        said += [(hour, "crossed", label) for label in sorted(crossed[hour] - before)]
        said += [(hour, "resolved", label) for label in sorted(before - crossed[hour])]
        before = crossed[hour]
    return said


def posts(hook: Webhook) -> list[tuple[datetime, str, str]]:
    return [
        (datetime.fromisoformat(body["anchor_history"]["as_of"]), e["event"],
         f"{e['kind']}:{e['percent']:g}")
        for body in hook.bodies
        for e in body["anchor_history"]["events"]
    ]  # fmt: skip


@pytest.mark.parametrize("period", ["week", pytest.param("month", marks=pytest.mark.slow)])
def test_check_hour_by_hour_notifies_each_crossing_once_and_replays_quietly(
    replay_store, tmp_path, period
) -> None:
    """Every hour of the spike's week (month: in make e2e, 1,500 runs), twice, then
    the next period's first days."""
    path, limits = replay_store
    limit = limits[period]
    start, length, _ = PERIODS[period]
    hook = Webhook()
    state = tmp_path / "alerts.json"
    try:
        hours = [start + timedelta(hours=h) for h in range(1, length)]  # to the last hour
        crossed = replay(path, limit, hook, state, hours, period)
        expected = transitions(hours, crossed)
        assert sorted(posts(hook)) == sorted(expected)
        for label in LABELS:  # the spike week crosses every threshold
            assert (label in crossed[hours[-1]]) or label.startswith("forecast"), label
            assert any(label == e[2] and e[1] == "crossed" for e in expected), label
        for label in ("actual:20", "actual:80", "actual:100"):  # use only grows: once
            assert sum(1 for e in expected if e[2] == label) == 1
        assert len(hook.bodies) == len({e[0] for e in expected})  # one message per run

        sent = len(hook.bodies)
        assert replay(path, limit, hook, state, hours, period) == crossed
        assert len(hook.bodies) == sent  # the same hours again: nothing new to say

        next_period = [hours[-1] + timedelta(hours=h) for h in range(1, NEXT_HOURS[period] + 1)]
        later = replay(path, limit, hook, state, next_period, period)
        new = posts(hook)[len(expected) :]
        # A new period starts clean: what it crosses is said again, from nothing.
        assert sorted(new) == sorted(transitions(next_period, later))
        assert any(e[1:] == ("crossed", "actual:20") for e in new)
        kept = json.loads(state.read_text())["alerts"]
        assert all(record["period_end"] > hours[-1].isoformat() for record in kept.values())
    finally:
        hook.server.shutdown()


# --- the command: runs at the same moment, a broken state file, what JSON says ----


def test_two_checks_at_the_same_moment_send_one_message(anchor_sandbox, tmp_path) -> None:
    hook = Webhook()
    hook.delay = 0.5  # the first run holds the state while its message is on the way
    state = tmp_path / "alerts.json"
    words = [SCRIPT, "check", *AS_OF, "--budget", "session_count=5", "--notify", hook.url]
    words += ["--state", str(state)]
    try:
        runs = [
            subprocess.Popen(words, env=environment(anchor_sandbox), stdout=subprocess.PIPE)
            for _ in range(2)
        ]
        codes = [p.wait(timeout=60) for p in runs]
        for p in runs:
            assert p.stdout is not None
            p.stdout.close()
    finally:
        hook.server.shutdown()
    assert codes == [1, 1]  # over budget, both: the exit code does not depend on sending
    assert len(hook.bodies) == 1
    assert len(json.loads(state.read_text())["alerts"]) == 3  # every default threshold


def test_a_broken_state_file_is_exit_9_naming_it(anchor_sandbox, tmp_path) -> None:
    state = tmp_path / "alerts.json"
    state.write_text("{half a fi")
    hook = Webhook()
    try:
        result = run(
            anchor_sandbox, "check", *AS_OF, "--budget", "session_count=5",
            "--notify", hook.url, "--state", str(state),
        )  # fmt: skip
    finally:
        hook.server.shutdown()
    assert result.returncode == 9
    assert f"alert state {state} is not a state file anchor-history wrote" in result.stderr
    assert hook.bodies == []
    assert state.read_text() == "{half a fi"  # never reset behind the user's back


def test_json_says_which_alerts_are_crossed_and_when_they_were_notified(
    anchor_sandbox, tmp_path
) -> None:
    hook = Webhook()
    state = tmp_path / "alerts.json"
    words = ["check", *AS_OF, "--budget", "session_count=5", "--budget", "credits_used=1e12"]
    words += ["--notify", hook.url, "--state", str(state), "-f", "json"]
    try:
        first = json.loads(run(anchor_sandbox, *words).stdout)
        second = json.loads(run(anchor_sandbox, *words).stdout)
    finally:
        hook.server.shutdown()
    over, fine = first["budgets"]
    assert [(a["kind"], a["percent"], a["crossed"]) for a in over["alerts"]] == [
        ("actual", 80.0, True),
        ("actual", 100.0, True),
        ("forecast", 100.0, True),
    ]
    assert all(a["notified_at"] == first["as_of"] for a in over["alerts"])
    assert [a["crossed"] for a in fine["alerts"]] == [False, False, False]
    assert fine["exhausts_at"] is None
    assert over["exhausts_at"] < first["as_of"]  # 5 sessions: long spent
    assert over["pace"] > 1
    assert second["budgets"][0]["alerts"] == over["alerts"]  # still as first notified
    assert len(hook.bodies) == 1


def test_the_table_shows_pace_and_when_a_budget_runs_out(anchor_sandbox) -> None:
    figures = json.loads(
        run(anchor_sandbox, "check", *AS_OF, "--budget", "credits_used=1e12", "-f", "json").stdout
    )["budgets"][0]
    at_risk = (figures["used"] + figures["forecast"]) / 2
    result = run(anchor_sandbox, "check", *AS_OF, "--budget", f"credits_used={at_risk}")
    assert result.returncode == 1
    row = next(line for line in result.stdout.splitlines() if line.startswith("credits_used"))
    assert "AT RISK, runs out " in row
    as_json = json.loads(
        run(
            anchor_sandbox, "check", *AS_OF, "--budget", f"credits_used={at_risk}", "-f", "json"
        ).stdout
    )["budgets"][0]
    runs_out = datetime.fromisoformat(as_json["exhausts_at"])
    assert f"runs out {runs_out:%b %d} (UTC)" in row
    assert f"{as_json['pace']:.2f}" in row


def test_a_config_file_gives_each_budget_its_own_alerts(anchor_sandbox, tmp_path) -> None:
    config = tmp_path / "budgets.toml"
    config.write_text(
        "notify = []\n\n[budgets]\ncredits_used = 1e12\n\n"
        '[budgets.session_count]\nlimit = 5\nalerts = ["actual:50", "forecast:100"]\n'
    )
    result = run(anchor_sandbox, "check", *AS_OF, "--config", str(config), "-f", "json")
    assert result.returncode == 1, result.stderr
    credits, sessions = json.loads(result.stdout)["budgets"]
    assert [(a["kind"], a["percent"]) for a in sessions["alerts"]] == [
        ("actual", 50.0),
        ("forecast", 100.0),
    ]
    assert len(credits["alerts"]) == 3  # the flat form: the default alerts
    flags = run(anchor_sandbox, "check", *AS_OF, "--config", str(config), "--alert", "actual:90",
                "-f", "json")  # fmt: skip
    assert [len(b["alerts"]) for b in json.loads(flags.stdout)["budgets"]] == [1, 1]  # flags win
    config.write_text("[budgets.session_count]\nlimt = 5\n")
    bad = run(anchor_sandbox, "check", *AS_OF, "--config", str(config))
    assert bad.returncode == 2
    assert "[budgets.session_count] takes limit, alerts and where, not ['limt']" in bad.stderr
