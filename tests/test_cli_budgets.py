"""check, compare and anomalies as cron runs them: JSON shapes, exit codes, webhooks."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from anchor_history.testing.sandbox import Sandbox
from moments import settled_moment
from test_cli import run


class Webhook:
    """A loopback receiver: keeps each POSTed JSON body, answers ``status``."""

    def __init__(self) -> None:
        self.bodies: list[Any] = []
        self.status = 200
        self.delay = 0.0  # seconds before answering: runs that overlap
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", 0))
                owner.bodies.append(json.loads(self.rfile.read(length)))
                time.sleep(owner.delay)
                self.send_response(owner.status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/T000/secret"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def webhook() -> Iterator[Webhook]:
    hook = Webhook()
    yield hook
    hook.server.shutdown()


AS_OF = ["--as-of", settled_moment().strftime("%Y-%m-%dT%H:%M:%SZ")]


def check(box: Sandbox, *args: str) -> Any:
    return run(box, "check", *AS_OF, *args)


def figures(box: Sandbox) -> dict[str, Any]:
    result = check(box, "--budget", "credits_used=1e12", "-f", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["budgets"][0]


def test_check_json_has_exactly_the_documented_keys(anchor_sandbox) -> None:
    result = check(
        anchor_sandbox, "--budget", "credits_used=1e12", "--budget", "session_count=5", "-f", "json"
    )
    document = json.loads(result.stdout)
    assert set(document) == {"as_of", "period", "budgets"}
    assert document["as_of"].endswith("Z")
    assert set(document["period"]) == {"start", "end"}
    assert document["period"]["start"].endswith("-01T00:00:00.000Z")
    keys = {"metric", "limit", "used", "forecast", "forecast_low", "forecast_high", "status"}
    keys |= {"alerts", "exhausts_at", "pace", "name", "forecast_method", "where"}
    assert [set(b) for b in document["budgets"]] == [keys, keys]
    assert [b["status"] for b in document["budgets"]] == ["ok", "over"]
    low, mid, high = (
        document["budgets"][0][k] for k in ("forecast_low", "forecast", "forecast_high")
    )
    assert document["budgets"][0]["used"] <= low <= mid <= high
    assert result.returncode == 1  # session_count is over


def test_check_exit_codes_follow_the_status_and_fail_on(anchor_sandbox) -> None:
    f = figures(anchor_sandbox)
    at_risk = f"credits_used={(f['used'] + f['forecast']) / 2}"
    assert check(anchor_sandbox, "--budget", at_risk).returncode == 1
    assert check(anchor_sandbox, "--budget", at_risk, "--fail-on", "over").returncode == 0
    table = check(anchor_sandbox, "--budget", at_risk).stdout
    assert "AT RISK" in table
    assert "forecast: weekday and hour-of-day profile" in table
    over = f"credits_used={f['used'] / 2}"
    assert check(anchor_sandbox, "--budget", over, "--fail-on", "over").returncode == 1


def test_a_webhook_gets_one_message_only_when_a_budget_is_not_ok(anchor_sandbox, webhook) -> None:
    ok = check(anchor_sandbox, "--budget", "credits_used=1e12", "--notify", webhook.url)
    assert ok.returncode == 0
    assert webhook.bodies == []
    over = check(anchor_sandbox, "--budget", "session_count=5", "--notify", webhook.url)
    assert over.returncode == 1
    (message,) = webhook.bodies
    assert message["text"].startswith("AnchorBrowser budget alerts, team default:")
    assert "session_count 100% of the limit (used) crossed; used " in message["text"]
    assert message["anchor_history"]["budgets"][0]["status"] == "over"
    assert {b["type"] for b in message["blocks"]} == {"header", "context", "section"}
    assert anchor_sandbox.api_key not in json.dumps(message)


def test_a_failed_notification_is_exit_7_and_still_shows_the_budgets(anchor_sandbox, webhook):
    webhook.status = 500
    result = check(anchor_sandbox, "--budget", "session_count=5", "--notify", webhook.url)
    assert result.returncode == 7
    assert "OVER" in result.stdout
    assert len(webhook.bodies) == 3  # retried
    assert "webhook at http://127.0.0.1:" in result.stderr
    assert "secret" not in result.stderr  # the webhook's path is a secret too


def test_a_config_file_keeps_the_crontab_line_short(anchor_sandbox, webhook, tmp_path) -> None:
    config = tmp_path / "budgets.toml"
    config.write_text(
        f'period = "week"\nnotify = "{webhook.url}"\n\n[budgets]\nsession_count = 5\n'
        "credits_used = 1e12\n"
    )
    result = check(anchor_sandbox, "--config", str(config), "-f", "json")
    assert result.returncode == 1
    document = json.loads(result.stdout)
    assert [b["metric"] for b in document["budgets"]] == ["session_count", "credits_used"]
    assert len(webhook.bodies) == 1
    flag_wins = check(anchor_sandbox, "--config", str(config), "--budget", "session_count=1e12")
    assert flag_wins.returncode == 0


def test_a_bad_config_or_no_budget_is_a_clear_usage_error(anchor_sandbox, tmp_path: Path):
    config = tmp_path / "bad.toml"
    config.write_text("perod = 'week'\n")
    result = check(anchor_sandbox, "--config", str(config))
    assert result.returncode == 2
    assert "unknown key 'perod'; known: period" in result.stderr
    none = check(anchor_sandbox)
    assert none.returncode == 2
    assert "no budget: give --budget METRIC=LIMIT" in none.stderr


def test_compare_json_and_table(anchor_sandbox) -> None:
    result = run(
        anchor_sandbox,
        "compare",
        "--period",
        "week",
        "-m",
        "session_count",
        "--as-of",
        "2026-10-14T12:00:00Z",
        "-f",
        "json",
    )
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["current"]["start"] == "2026-10-12T00:00:00.000Z"
    assert document["current"]["end"] == "2026-10-14T12:00:00.000Z"
    assert document["previous"]["start"] == "2026-10-05T00:00:00.000Z"
    assert document["previous"]["end"] == "2026-10-07T12:00:00.000Z"
    now, before = (document[k]["values"]["session_count"] for k in ("current", "previous"))
    change = document["change"]["session_count"]
    assert change["absolute"] == now - before
    assert change["percent"] == round(100 * (now - before) / before, 2)
    table = run(
        anchor_sandbox, "compare", "-m", "session_count", "--as-of", "2026-10-14T12:00:00Z"
    ).stdout
    assert ("▲" in table) or ("▼" in table) or ("= 0" in table)
    assert f"{change['percent']:+.1f}%" in table


def test_anomalies_json_and_exit_code(anchor_sandbox) -> None:
    result = run(anchor_sandbox, "anomalies", "--from", "60d", "-f", "json")
    assert result.returncode in (0, 1)
    document = json.loads(result.stdout)
    assert set(document) == {
        "as_of", "anomalies", "causes_unknown", "skipped", "skipped_by_metric",
    }  # fmt: skip
    for anomaly in document["anomalies"]:
        assert set(anomaly) == {
            "metric", "start", "value", "expected", "impact", "score", "causes",
        }  # fmt: skip
    assert result.returncode == (1 if document["anomalies"] else 0)


@pytest.fixture(scope="module")
def young() -> Iterator[Sandbox]:
    """An account 40 days old: the README's 90-day search reaches far before it."""
    with Sandbox(seed=5, sessions=8_000, days=40) as box:
        yield box


def test_a_young_account_has_no_anomalies_from_before_its_first_day(young) -> None:
    """The first weeks used to be '40 anomalies, expected 0': the zero-filled days
    before the first usage went into every weekday's median."""
    result = run(young, "anomalies", "--from", "90d", "-m", "session_count,credits_used")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("no anomalies\n")
    assert "days not judged: too little history before them" in result.stdout
    document = json.loads(
        run(young, "anomalies", "--from", "90d", "-m", "session_count", "-f", "json").stdout
    )
    # 90 days asked, about 40 held: the 50 before the first usage and the 3 weeks
    # until each weekday has a baseline are skipped, the rest judged.
    assert 68 <= document["skipped"] <= 73
    assert document["skipped_by_metric"] == {"session_count": document["skipped"]}


def test_min_impact_flags(spiked) -> None:
    loud = run(spiked, "anomalies", "-m", "session_count", "-f", "json", "--no-sessions")
    spike = json.loads(loud.stdout)["anomalies"]
    assert spike
    biggest = max(a["impact"] for a in spike)
    quiet = run(
        spiked, "anomalies", "-m", "session_count", "--min-impact", str(biggest + 1), "-f", "json"
    )
    assert quiet.returncode == 0
    assert json.loads(quiet.stdout)["anomalies"] == []
    per_metric = run(
        spiked, "anomalies", "-m", "session_count", "--min-impact-percent", "1000", "--no-sessions"
    )
    assert per_metric.returncode == 0, per_metric.stdout  # an 8x day is +700%
    bad = run(spiked, "anomalies", "--min-impact", "credit_used=3")
    assert bad.returncode == 2
    assert bad.stderr.startswith("anchor-history: error: --min-impact: credit_used")


@pytest.fixture(scope="module")
def spiked() -> Iterator[Sandbox]:
    day = (datetime.now(UTC) - timedelta(days=10)).date()
    with Sandbox(seed=4, sessions=40_000, days=120, spikes=((day, 8.0),)) as box:
        yield box


def test_the_spike_day_is_the_anomaly_the_command_reports(spiked, webhook) -> None:
    spike_day = spiked.data.spikes[0][0].isoformat()
    result = run(spiked, "anomalies", "-m", "session_count", "--notify", webhook.url, "-f", "json")
    assert result.returncode == 1, result.stderr
    starts = [a["start"][:10] for a in json.loads(result.stdout)["anomalies"]]
    assert spike_day in starts
    assert len(starts) <= 3
    assert webhook.bodies[0]["anomalies"][0]["metric"] == "session_count"


def test_the_cli_default_sensitivity_is_the_librarys() -> None:
    from anchor_history.cli import anomalies as command
    from anchor_history.insights import anomalies

    assert command.DEFAULT_SENSITIVITY == anomalies.DEFAULT_SENSITIVITY
    assert command.DEFAULT_MIN_IMPACT_PERCENT == anomalies.DEFAULT_MIN_IMPACT_PERCENT


def test_a_config_key_no_command_reads_is_refused(anchor_sandbox, tmp_path: Path) -> None:
    config = tmp_path / "budgets.toml"
    config.write_text("sensitivity = 3\n\n[budgets]\ncredits_used = 1e12\n")
    result = check(anchor_sandbox, "--config", str(config))
    assert result.returncode == 2
    assert "unknown key 'sensitivity'" in result.stderr


@pytest.mark.parametrize(
    ("words", "flag"),
    [
        (["check", "--budget", "credits_used=1", "--cycle-start", "31"], "--cycle-start: 31"),
        (["anomalies", "--sensitivity", "0"], "--sensitivity: 0.0"),
    ],
)
def test_errors_name_the_flag_not_the_keyword(anchor_sandbox, words, flag) -> None:
    result = run(anchor_sandbox, *words)
    assert result.returncode == 2
    assert result.stderr.startswith(f"anchor-history: error: {flag}")


def test_a_dry_run_posts_and_records_nothing_and_the_state_can_be_listed_and_reset(
    anchor_sandbox, webhook, tmp_path
) -> None:
    state = tmp_path / "alerts.json"
    words = ["check", "--budget", "session_count=10", *AS_OF, "--notify", webhook.url,
             "--state", str(state)]  # fmt: skip
    dry = run(anchor_sandbox, *words, "--dry-run")
    assert dry.returncode == 1, dry.stderr  # over: the budget's exit code as ever
    assert "dry run: would post to 127.0.0.1:" in dry.stderr
    assert "secret" not in dry.stderr  # a webhook's path is its secret
    assert webhook.bodies == []
    assert not state.exists()
    assert run(anchor_sandbox, *words).returncode == 1
    assert len(webhook.bodies) == 1
    listed = json.loads(run(anchor_sandbox, "alerts", "--state", str(state), "-f", "json").stdout)
    assert {a["threshold"] for a in listed["alerts"]} == {"actual:80", "actual:100", "forecast:100"}
    assert {a["team"] for a in listed["alerts"]} == {"default"}
    assert run(anchor_sandbox, *words).returncode == 1
    assert len(webhook.bodies) == 1  # recorded: quiet
    reset = run(anchor_sandbox, "alerts", "--state", str(state), "--reset")
    assert reset.returncode == 0, reset.stderr
    assert "3 alert(s) forgotten" in reset.stdout
    assert run(anchor_sandbox, *words).returncode == 1
    assert len(webhook.bodies) == 2  # forgotten: posted afresh


def test_an_anomaly_is_posted_once_not_every_run(spiked, webhook, tmp_path) -> None:
    """An hourly cron reposted the same spike for the 90 days it stayed in the window."""
    state = tmp_path / "alerts.json"
    # (--no-sessions: the causes are not what this is about; tests/test_anomaly_causes.py)
    words = ["anomalies", "-m", "session_count", "--no-sessions", "--notify", webhook.url,
             "--state", str(state)]  # fmt: skip
    first = run(spiked, *words)
    assert first.returncode == 1, first.stderr
    assert len(webhook.bodies) == 1
    posted = webhook.bodies[0]["anomalies"]
    again = run(spiked, *words)
    assert again.returncode == 1  # still found: the exit code says so, every run
    assert len(webhook.bodies) == 1  # but not posted again
    listed = json.loads(run(spiked, "alerts", "--state", str(state), "-f", "json").stdout)
    assert len(listed["alerts"]) == len(posted)
    assert {a["threshold"] for a in listed["alerts"]} == {"anomaly in session_count"}
    reminded = run(spiked, *words, "--remind", "1m", "--as-of", "now")
    assert reminded.returncode == 1
    assert len(webhook.bodies) == 1  # sent under a minute ago: not yet
    dry = run(spiked, *words, "--dry-run")
    assert "dry run: nothing to post to 127.0.0.1" in dry.stderr


def test_a_day_is_compared_with_the_same_weekday_a_week_before(anchor_sandbox) -> None:
    """Saturday against Friday read -57%: --against week-ago sets it against Saturday."""
    words = ("compare", "--period", "day", "-f", "json", *AS_OF)
    previous = json.loads(run(anchor_sandbox, *words).stdout)
    week_ago = json.loads(run(anchor_sandbox, *words, "--against", "week-ago").stdout)
    start = datetime.fromisoformat(previous["current"]["start"])
    assert datetime.fromisoformat(previous["previous"]["start"]) == start - timedelta(days=1)
    assert datetime.fromisoformat(week_ago["previous"]["start"]) == start - timedelta(days=7)
    assert week_ago["current"] == previous["current"]
    bad = run(anchor_sandbox, *words, "--against", "month-ago")
    assert bad.returncode == 2
    assert "--against" in bad.stderr
