"""Budgets over the sessions that match a filter (``check --where``), judged exactly
as a team-wide budget is judged from the history."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from anchor_history import InvalidInputError, Session
from anchor_history.insights.filtered import parse_where, usage_history, where_text
from anchor_history.testing.sandbox import Sandbox
from test_cli_breakdown import cli

END = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
AS_OF = ["--as-of", "2026-11-18T12:00Z"]
KEYS = ("prod-scraper", "data-pipeline", "ci-tests", "alice-laptop")


@pytest.fixture(scope="module")
def box():
    with Sandbox(seed=17, sessions=4_000, days=70, end=END) as sandbox:
        yield sandbox


def check(box, *args: str) -> dict:
    result = cli(box, "check", "--budget", "credits_used=3000", "--budget",
                 "session_count=2000", *AS_OF, "-f", "json", *args)  # fmt: skip
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)


def used(document: dict) -> dict[str, float]:
    return {b["metric"]: b["used"] for b in document["budgets"]}


def test_a_file_gives_a_budget_its_own_filter(box, tmp_path: Path) -> None:
    config = tmp_path / "budgets.toml"
    config.write_text(
        '[budgets.credits_used]\nlimit = 3000\nwhere = { api_key = "ci-tests" }\n\n'
        "[budgets.session_count]\nlimit = 2000\n"
    )
    result = cli(box, "check", "--config", str(config), *AS_OF, "-f", "json")
    budgets = {b["metric"]: b for b in json.loads(result.stdout)["budgets"]}
    assert budgets["credits_used"]["where"] == {"api_key": "ci-tests"}
    assert budgets["session_count"]["where"] is None
    alone = check(box, "--where", "api_key=ci-tests")
    assert budgets["credits_used"]["used"] == used(alone)["credits_used"]
    assert budgets["session_count"]["used"] == used(check(box))["session_count"]
    config.write_text('[budgets.credits_used]\nlimit = 3000\nwhere = "ci"\n')
    bad = cli(box, "check", "--config", str(config))
    assert bad.returncode == 2
    assert "where must be a table" in bad.stderr


def test_the_keys_budgets_add_up_to_the_teams(box) -> None:
    team = check(box)
    parts = [check(box, "--where", f"api_key={key}") for key in KEYS]
    for part, key in zip(parts, KEYS, strict=True):
        assert {b["name"] for b in part["budgets"]} == {f"where api_key={key}"}
        assert all(b["where"] == {"api_key": key} for b in part["budgets"])
    for metric in ("credits_used", "session_count"):
        assert sum(used(p)[metric] for p in parts) == pytest.approx(used(team)[metric], abs=1e-6)
    methods = {b["forecast_method"] for p in (team, *parts) for b in p["budgets"]}
    assert len(methods) == 1  # judged by the same forecast as the team-wide budget


def test_conditions_must_all_hold(box) -> None:
    prod = used(check(box, "--where", "tag=env:prod"))
    both = used(check(box, "--where", "tag=env:prod", "--where", "api_key=prod-scraper"))
    assert 0 < both["session_count"] < prod["session_count"]


def test_a_store_synced_with_sessions_judges_as_the_api_does(box, tmp_path: Path) -> None:
    store = str(tmp_path / "usage.db")
    assert cli(box, "sync", "--store", store, "--sessions", "--from", "2026-09-01").returncode == 0
    from_api = check(box, "--where", "tag:team=search")
    from_store = check(box, "--where", "tag:team=search", "--store", store)
    assert used(from_store) == pytest.approx(used(from_api))


def test_an_alert_names_the_filter_and_is_kept_apart(box, tmp_path: Path) -> None:
    args = ["check", "--budget", "credits_used=100", *AS_OF, "--where", "api_key=ci-tests",
            "--notify", "http://127.0.0.1:9/hook", "--state", str(tmp_path / "alerts.json"),
            "--dry-run"]  # fmt: skip
    said = cli(box, *args)
    assert said.returncode == 1
    assert "credits_used (where api_key=ci-tests)" in said.stderr


def test_an_unknown_key_lists_the_keys_and_exits_2(box) -> None:
    result = cli(box, "check", "--budget", "credits_used=100", "--where", "colour=red")
    assert result.returncode == 2
    assert "--where: 'colour=red' is not KEY=VALUE" in result.stderr
    assert "tag, api_key, domain, proxy_type, status, task, tag:NAME" in result.stderr
    plan = cli(box, "check", "--plan", "--where", "tag=x")
    assert plan.returncode == 2
    assert "--plan budgets are the whole account's" in plan.stderr


def test_a_budget_on_what_sessions_do_not_carry_is_refused(box) -> None:
    result = cli(box, "check", "--budget", "screenshots=100", "--where", "tag=nightly")
    assert result.returncode == 2
    assert "screenshots: sessions do not carry it" in result.stderr


def test_the_history_of_matching_sessions_is_pure() -> None:
    start = datetime(2026, 11, 2, tzinfo=UTC)

    def s(n: int, credits: str | None, hour: int) -> Session:
        return Session(id=f"s{n}", created_at=start + timedelta(hours=hour, minutes=n),
                       status="completed" if credits else "running",
                       credits=None if credits is None else Decimal(credits),
                       api_key_name="k", duration=None if credits is None else 1800.0,
                       proxy_bytes=10, steps=1)  # fmt: skip

    window = (start, start + timedelta(days=1))
    names = ("session_count", "credits_used", "session_hours")
    history = usage_history([s(1, "1.5", 0), s(2, "2", 0), s(3, None, 3)], window, "hour", names)
    assert [(p.start.hour, p.session_count, p.credits_used) for p in history.points] == [
        (0, 2, 3.5),
        (3, 1, 0.0),  # running: a session, its credits not known yet
    ]
    assert history.summary.session_hours == 1.0
    assert parse_where(["tag=a", "api_key=b", "tag=a"]) == (("tag", "a"), ("api_key", "b"))
    assert where_text(parse_where(["tag:team=search"])) == "tag:team=search"
    with pytest.raises(InvalidInputError):
        parse_where(["tag:=x"])
