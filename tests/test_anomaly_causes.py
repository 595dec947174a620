"""An anomaly's causes: the API keys and tags whose own usage moved it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from anchor_history import Session
from anchor_history.insights.anomaly_values import Anomaly
from anchor_history.insights.causes import baseline_periods, causes_of, periods_to_read
from anchor_history.models.session_rows import session_rows
from anchor_history.outputs.table import format_cause
from anchor_history.testing.sandbox import Sandbox
from test_cli_breakdown import cli

END = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
SPIKE = datetime(2026, 11, 4, tzinfo=UTC)  # a Wednesday


def day_of(key: str, day: datetime, count: int, credits: str = "1") -> list[Session]:
    return [
        Session(
            id=f"{key}-{day:%m%d}-{i}",
            created_at=day + timedelta(minutes=10 * i),
            status="completed",
            credits=Decimal(credits),
            api_key_name=key,
            tags=(f"team:{key}",),
            duration=60.0,
        )
        for i in range(count)
    ]


def usual(*, extra: dict[str, int] | None = None) -> list[Session]:
    """Eight ordinary Wednesdays (prod 10, ci 5 sessions each), then the spike day."""
    sessions = []
    for week in range(1, 9):
        day = SPIKE - timedelta(weeks=week)
        sessions += day_of("prod", day, 10) + day_of("ci", day, 5)
    for key, count in (extra or {"prod": 10, "ci": 5}).items():
        sessions += day_of(key, SPIKE, count)
    return sessions


def test_a_day_whose_extra_sessions_came_from_one_key_names_it_first() -> None:
    sessions = usual(extra={"prod": 11, "ci": 5, "backfill": 40})
    anomaly = Anomaly("session_count", SPIKE, value=56, expected=15, score=20)
    causes = causes_of(anomaly, session_rows(sessions), "day")
    first = causes["api_key"][0]
    assert (first.key, first.value, first.expected, first.excess) == ("backfill", 40, 0, 40)
    assert first.share == pytest.approx(40 / 41)
    assert [c.key for c in causes["api_key"]] == ["backfill", "prod", "ci"]
    assert causes["tag"][0].key == "team:backfill"
    assert format_cause(first, "session_count") == "api_key backfill +40 (98%)"


def test_a_drop_names_the_key_that_stopped_first() -> None:
    sessions = usual(extra={"prod": 10})  # ci ran nothing that day
    anomaly = Anomaly("credits_used", SPIKE, value=10, expected=15, score=-8)
    causes = causes_of(anomaly, session_rows(sessions), "day")["api_key"]
    assert (causes[0].key, causes[0].excess, causes[0].share) == ("ci", -5, 1.0)


def test_the_baseline_is_the_anomalys_own() -> None:
    weeks = baseline_periods(SPIKE, "day")
    assert weeks == [SPIKE - timedelta(weeks=k) for k in range(1, 9)]
    hour = datetime(2026, 11, 4, 14, tzinfo=UTC)
    hours = baseline_periods(hour, "hour")
    assert len(hours) == 15  # the weekdays of three weeks before
    assert all(h.hour == 14 and h.weekday() < 5 for h in hours)
    spans = periods_to_read([Anomaly("session_count", SPIKE, 1, 1, 9)], "day")
    assert spans[0] == (SPIKE - timedelta(weeks=8), SPIKE - timedelta(weeks=8, days=-1))
    assert len(spans) == 9
    assert periods_to_read([Anomaly("screenshots", SPIKE, 1, 1, 9)], "day") == []


@pytest.fixture(scope="module")
def box():
    spike = (SPIKE.date(), 6.0)
    with Sandbox(seed=12, sessions=12_000, days=80, end=END, spikes=(spike,)) as sandbox:
        yield sandbox


WINDOW = ["--from", "2026-10-25", "--to", "2026-11-15", "-m", "session_count,credits_used"]


def test_the_command_names_the_spikes_key_in_the_table_and_json(box) -> None:
    table = cli(box, "anomalies", *WINDOW)
    assert table.returncode == 1, table.stderr
    assert "first cause (share of the excess)" in table.stdout
    assert "api_key backfill-job +" in table.stdout
    found = json.loads(cli(box, "anomalies", *WINDOW, "-f", "json").stdout)
    assert found["causes_unknown"] is None
    spike = [a for a in found["anomalies"] if a["start"].startswith("2026-11-04")]
    assert {a["metric"] for a in spike} == {"session_count", "credits_used"}
    for anomaly in spike:
        first = anomaly["causes"]["api_key"][0]
        assert first["key"] == "backfill-job"
        assert first["share"] > 0.8
        assert anomaly["causes"]["tag"][0]["key"] in ("team:data", "backfill")


def test_without_sessions_the_causes_are_unknown_and_said_so(box, tmp_path: Path) -> None:
    off = json.loads(cli(box, "anomalies", *WINDOW, "-f", "json", "--no-sessions").stdout)
    assert off["causes_unknown"] == "--no-sessions"
    assert all(a["causes"] is None for a in off["anomalies"])
    store = str(tmp_path / "hours-only.db")
    assert cli(box, "sync", "--store", store, "--from", "2026-09-01").returncode == 0
    table = cli(box, "anomalies", *WINDOW, "--store", store)
    assert table.returncode == 1
    assert "causes unknown:" in table.stdout
    assert "sync --sessions" in table.stdout


def test_a_store_with_sessions_names_the_same_causes(box, tmp_path: Path) -> None:
    store = str(tmp_path / "usage.db")
    synced = cli(box, "sync", "--store", store, "--sessions", "--from", "2026-09-01")
    assert synced.returncode == 0, synced.stderr
    from_api = json.loads(cli(box, "anomalies", *WINDOW, "-f", "json").stdout)
    from_store = json.loads(cli(box, "anomalies", *WINDOW, "-f", "json", "--store", store).stdout)
    assert [a["causes"] for a in from_store["anomalies"]] == [
        a["causes"] for a in from_api["anomalies"]
    ]


def test_the_report_says_who_spent_it_and_marks_each_anomalys_cause(box, tmp_path: Path) -> None:
    page = tmp_path / "usage.html"
    args = ["report", "-o", str(page), "--from", "2026-10-25", "--to", "2026-11-15"]
    made = cli(box, *args)
    assert made.returncode == 0, made.stderr
    text = page.read_text()
    assert "<h2>Who spent it</h2>" in text
    assert 'aria-label="credits by api_key and day"' in text
    assert text.count("<rect") > 20  # a stack per day
    assert "<td>backfill-job</td>" in text  # among the top keys
    spike_row = next(line for line in text.splitlines() if line.startswith("<tr><td>2026-11-04"))
    assert "api_key backfill-job +" in spike_row
    cli(box, *args, "--no-sessions")
    quiet = page.read_text()
    assert "Not shown: --no-sessions." in quiet
    assert "Causes unknown: --no-sessions." in quiet
