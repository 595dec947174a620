"""``--as-of`` means one instant in every command: a date is the moment it is
complete (its last millisecond), a date-time that instant. check and compare
read the same date a day apart before (compare took its first instant)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from anchor_history.calendar import parse_as_of
from anchor_history.errors import InvalidInputError
from anchor_history.testing.sandbox import Sandbox
from test_cli import run


@pytest.fixture(scope="module")
def synced(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Sandbox, str, datetime]]:
    """A sandbox, and a store synced from it: (box, store path, the last sync)."""
    path = str(tmp_path_factory.mktemp("as_of") / "usage.db")
    with Sandbox(seed=4, sessions=20_000, days=120) as box:
        result = run(box, "sync", "--store", path, "--from", "100d")
        assert result.returncode == 0, result.stderr
        with_sync = run(box, "check", "--store", path, "--budget", "credits_used=1e9", "-f", "json")
        moment = datetime.fromisoformat(json.loads(with_sync.stdout)["as_of"])
        yield box, path, moment


def _json(box: Sandbox, *words: str) -> dict:
    result = run(box, *words, "-f", "json")
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)


def test_every_command_reports_the_same_instant_for_one_date(synced) -> None:
    box, store, moment = synced
    day = (moment - timedelta(days=2)).date().isoformat()
    expected = f"{day}T23:59:59.999Z"
    said = {
        "check": _json(box, "check", "--store", store, "--budget", "credits_used=1e9",
                       "--as-of", day)["as_of"],
        "compare": _json(box, "compare", "--store", store, "--as-of", day)["as_of"],
        "anomalies": _json(box, "anomalies", "--store", store, "--as-of", day)["as_of"],
        "check (API)": _json(box, "check", "--budget", "credits_used=1e9", "--as-of", day)["as_of"],
        "compare (API)": _json(box, "compare", "--as-of", day)["as_of"],
    }  # fmt: skip
    assert said == dict.fromkeys(said, expected)
    plan = run(box, "plan", "--as-of", day, "-f", "json")
    if day >= moment.strftime("%Y-%m-01"):  # the plan knows only its own month
        assert plan.returncode in (0, 1), plan.stderr
        assert json.loads(plan.stdout)["as_of"] == expected
    else:
        assert plan.returncode == 2
        assert "--as-of: " in plan.stderr
        assert "before the plan's billing period" in plan.stderr


def test_the_report_is_as_of_the_same_instant(synced, tmp_path: Path) -> None:
    box, store, moment = synced
    day = (moment - timedelta(days=2)).date().isoformat()
    out = tmp_path / "usage.html"
    result = run(box, "report", "--store", store, "--as-of", day, "-o", str(out), "-q")
    assert result.returncode == 0, result.stderr
    assert re.search(rf"as of {day} 23:59 UTC", out.read_text())


def test_a_date_compares_the_whole_day(synced) -> None:
    """compare --as-of DAY ends its span with the whole of that day."""
    box, store, moment = synced
    day = (moment - timedelta(days=2)).date()
    document = _json(box, "compare", "--store", store, "--period", "day", "--as-of", str(day))
    assert document["current"]["start"] == f"{day}T00:00:00.000Z"
    assert document["current"]["end"] == f"{day + timedelta(days=1)}T00:00:00.000Z"


def test_check_as_of_the_day_of_the_last_sync_is_as_of_the_sync(synced) -> None:
    box, store, moment = synced
    words = ("check", "--store", store, "--budget", "credits_used=1e9", "--as-of")
    document = _json(box, *words, moment.date().isoformat())
    assert datetime.fromisoformat(document["as_of"]) == moment
    after = run(box, *words, (moment + timedelta(days=1)).date().isoformat())
    assert after.returncode == 2
    assert "--as-of" in after.stderr
    assert "after the store's last sync" in after.stderr


@pytest.mark.parametrize(
    ("given", "meant"),
    [
        (None, "2026-03-20T09:30:00+00:00"),
        ("2026-03-15", "2026-03-15T23:59:59.999000+00:00"),
        ("2026-03-15T06:00Z", "2026-03-15T06:00:00+00:00"),
        ("2026-03", "2026-03-20T09:30:00+00:00"),  # the month so far
        ("2026-02", "2026-02-28T23:59:59.999000+00:00"),
        ("today", "2026-03-20T09:30:00+00:00"),
        ("yesterday", "2026-03-19T23:59:59.999000+00:00"),
        ("2d", "2026-03-18T09:30:00+00:00"),
    ],
)
def test_parse_as_of(given, meant) -> None:
    now = datetime(2026, 3, 20, 9, 30, tzinfo=UTC)
    assert parse_as_of(given, now=now).isoformat() == meant


def test_an_as_of_after_now_names_the_flag() -> None:
    now = datetime(2026, 3, 20, 9, 30, tzinfo=UTC)
    with pytest.raises(InvalidInputError, match="in the future") as raised:
        parse_as_of("2026-03-21", now=now)
    assert raised.value.param == "as_of"
    with pytest.raises(InvalidInputError) as misspelled:
        parse_as_of("yesterdayy", now=now)
    assert misspelled.value.param == "as_of"
