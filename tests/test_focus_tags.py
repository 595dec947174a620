"""FOCUS 1.2 by who spent it: a team's day as one row per distinct tags and API key
of its sessions, plus one without tags for what no session explains, so a day's
rows still add up to its priced credits, from the API and from a store alike."""

from __future__ import annotations

import csv
import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from anchor_history import HistoryClient
from anchor_history.errors import AttributionMismatchError
from anchor_history.models import HistoryPoint
from anchor_history.models.session import Session
from anchor_history.outputs.focus.attribution import day_slices, focus_tags, sessions_by_day
from anchor_history.testing.sandbox import Sandbox
from test_cli_breakdown import cli

END = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
WINDOW = ("--from", "2026-11-01", "--to", "2026-11-14")
PRICES = ("--credit-price", "0.01", "--included-credits", "1500", "--overage-credit-price",
          "0.0125")  # fmt: skip
DAY = datetime(2026, 11, 3, tzinfo=UTC)


def session(key: str, credits: str | None, *tags: str, hour: int = 1) -> Session:
    return Session(id=f"{key}-{credits}-{hour}", created_at=DAY + timedelta(hours=hour),
                   status="completed" if credits else "running",
                   credits=None if credits is None else Decimal(credits), api_key_name=key,
                   tags=tags, duration=1800.0, steps=2, proxy_bytes=100)  # fmt: skip


def point(credits: float, sessions: int = 4) -> HistoryPoint:
    return HistoryPoint(start=DAY, date="", credits_used=credits, session_count=sessions,
                        session_hours=3.0, screenshots=7, network_bytes_total=900)  # fmt: skip


def test_a_day_splits_by_tags_and_key_and_the_rest_has_no_tags() -> None:
    listed = [session("ci", "1.25", "team:checkout", "smoke"), session("ci", "0.75", "smoke",
              "team:checkout", hour=5), session("prod", "3", "team:search"),
              session("prod", None, "team:search")]  # fmt: skip
    groups = sessions_by_day(listed)[DAY]
    slices = day_slices(point(5.5), groups)
    assert [(s.api_key, s.tags, s.credits) for s in slices] == [
        ("ci", '{"smoke": true, "team": "checkout"}', Decimal("2.00")),  # tags in any order
        ("prod", '{"team": "search"}', Decimal("3")),
        (None, None, Decimal("0.5")),  # the running session's part, not known yet
    ]
    assert sum(s.credits for s in slices) == Decimal("5.5")
    assert [s.metrics["session_count"] for s in slices] == [2, 1, 1]
    assert [s.metrics["session_hours"] for s in slices] == [1, Decimal("0.5"), Decimal("1.5")]
    assert [s.metrics["screenshots"] for s in slices] == [None, None, 7]  # per day only


def test_sessions_past_the_days_history_are_an_error_not_a_negative_row() -> None:
    groups = sessions_by_day([session("prod", "5.2", "team:search")])[DAY]
    with pytest.raises(AttributionMismatchError, match=r"more than the day's history of 5\.0 by "
                                                       r"0\.2"):  # fmt: skip
        day_slices(point(5.0, 1), groups)
    # Within the tolerance (0.01 credit), rounding is taken from the largest group.
    slices = day_slices(point(5.195, 1), groups)
    assert (slices[0].api_key, slices[0].credits) == ("prod", Decimal("5.195"))
    assert sum(s.credits for s in slices) == Decimal("5.195")


def test_tags_take_focus_key_value_form() -> None:
    assert json.loads(focus_tags(["team:search", "env:prod", "nightly"]) or "") == {
        "team": "search", "env": "prod", "nightly": True}  # fmt: skip
    assert focus_tags(["a:b:c"]) == '{"a": "b:c"}'
    # a key held twice cannot be one JSON key: each tag is kept whole, none altered
    assert json.loads(focus_tags(["env", "env:prod"]) or "") == {"env": True, "env:prod": True}
    assert focus_tags([]) is None


@pytest.fixture(scope="module")
def box() -> Iterator[Sandbox]:
    with Sandbox(seed=43, sessions=3_000, days=30, end=END) as sandbox:
        yield sandbox


@pytest.fixture(scope="module")
def api_rows(box: Sandbox, tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, str]]:
    out = tmp_path_factory.mktemp("focus-tags") / "usage-focus.csv"
    done = cli(box, "export", "--focus", str(out), *WINDOW, *PRICES)
    assert done.returncode == 0, done.stderr
    return list(csv.DictReader(out.open()))


def test_each_days_rows_add_up_to_its_history_and_name_who_spent_it(box, api_rows) -> None:
    with HistoryClient(box.api_key, box.base_url) as client:
        days = client.fetch("2026-11-01", "2026-11-15", "day", "credits_used,session_count")
    days = [d for d in days if d.start < datetime(2026, 11, 15, tzinfo=UTC)]
    by_day: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in api_rows:
        by_day[row["ChargePeriodStart"]].append(row)
    assert len(by_day) == 14
    for day in days:
        rows = by_day[f"{day.start:%Y-%m-%dT%H:%M:%SZ}"]
        assert sum(Decimal(r["ConsumedQuantity"]) for r in rows) == Decimal(repr(day.credits_used))
        assert sum(int(r["x_SessionCount"] or 0) for r in rows) == day.session_count
        assert len({(r["Tags"], r["x_ApiKeyName"], r["SkuPriceId"]) for r in rows}) == len(rows)
    keys = {r["x_ApiKeyName"] for r in api_rows}
    assert keys >= {"prod-scraper", "data-pipeline", "ci-tests", "alice-laptop", ""}
    tags = [json.loads(r["Tags"]) for r in api_rows if r["Tags"]]
    assert {"team": "search", "env": "prod", "scraping": True} in tags
    # the month's priced credits, to the cent and beyond: 1,500 included, the rest overage
    credits = sum(Decimal(r["ConsumedQuantity"]) for r in api_rows)
    billed = sum(Decimal(r["BilledCost"]) for r in api_rows)
    assert billed == Decimal("15") + (credits - 1500) * Decimal("0.0125")
    untagged = [r for r in api_rows if not r["x_ApiKeyName"]]
    assert all(r["Tags"] == "" for r in untagged)  # the rest: no tags, no key


def test_a_store_with_sessions_writes_the_same_file(box, api_rows, tmp_path) -> None:
    path = str(tmp_path / "usage.db")
    assert cli(box, "sync", "--store", path, "--sessions", "--from", "2026-10-25").returncode == 0
    out = tmp_path / "stored.csv"
    done = cli(box, "export", "--store", path, "--focus", str(out), *WINDOW, *PRICES)
    assert done.returncode == 0, done.stderr
    assert list(csv.DictReader(out.open())) == api_rows
    # A tampered session: its day's sessions now hold more than the history.
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE sessions SET credits = '500' WHERE id = (SELECT id FROM sessions "
                     "WHERE created_ms >= ? AND credits IS NOT NULL LIMIT 1)",
                     [int(DAY.timestamp() * 1000)])  # fmt: skip
    done = cli(box, "export", "--store", path, "--focus", str(out), *WINDOW, *PRICES)
    assert done.returncode == 1
    assert "no file can name who spent it and add up to the bill" in done.stderr
    assert "Traceback" not in done.stderr


def test_no_sessions_writes_a_row_per_team_and_day(box, api_rows, tmp_path) -> None:
    out = tmp_path / "days.csv"
    done = cli(box, "export", "--focus", str(out), *WINDOW, *PRICES, "--no-sessions")
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(out.open()))
    assert {r["Tags"] for r in rows} == {""}
    assert {r["x_ApiKeyName"] for r in rows} == {""}
    assert len(rows) == 15  # 14 days, one of them two charges: the included credits ran out
    assert sum(Decimal(r["BilledCost"]) for r in rows) == sum(
        Decimal(r["BilledCost"]) for r in api_rows
    )


def test_a_store_without_sessions_says_its_rows_have_no_tags(box, tmp_path) -> None:
    path = str(tmp_path / "hours.db")
    assert cli(box, "sync", "--store", path, "--from", "2026-10-25").returncode == 0
    out = tmp_path / "days.csv"
    done = cli(box, "export", "--store", path, "--focus", str(out), *WINDOW, *PRICES)
    assert done.returncode == 0, done.stderr
    assert "holds no sessions" in done.stderr
    assert "without tags" in done.stderr
    assert {r["Tags"] for r in csv.DictReader(out.open())} == {""}


def test_the_readmes_tag_query_runs_on_an_export(api_rows, tmp_path) -> None:
    import re

    import duckdb

    out = tmp_path / "usage-focus.csv"
    with out.open("w", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(api_rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(api_rows)
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    section = readme.split("## Money, and a FOCUS export", 1)[1].split("\n## ", 1)[0]
    query = next(q for q in re.findall(r"```sql\n(.*?)```", section, re.DOTALL) if "Tags" in q)
    result = duckdb.sql(query.replace("'usage-focus.csv'", f"'{out}'")).fetchall()
    teams = {team for team, _ in result}
    assert {"search", "growth", "checkout", None} <= teams
    billed = sum(Decimal(r["BilledCost"]) for r in api_rows)
    assert sum(b for _, b in result) == billed
