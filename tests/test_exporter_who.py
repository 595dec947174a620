"""``exporter --by tag|api_key``: who spent it so far this day, week and month."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest
from anchor_history import HistoryClient
from anchor_history.exporter import Exporter
from anchor_history.store import UsageStore
from anchor_history.testing.sandbox import Sandbox
from prometheus_client.parser import text_string_to_metric_families

END = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)  # a Friday: day, week and month differ


@pytest.fixture(scope="module")
def box():
    with Sandbox(seed=23, sessions=6_000, days=50, end=END) as sandbox:
        yield sandbox


def exposition(exporter: Exporter) -> dict[str, list[tuple[dict[str, str], float]]]:
    text = httpx.get(f"http://127.0.0.1:{exporter.port}/metrics").text
    found: dict[str, list[tuple[dict[str, str], float]]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found.setdefault(sample.name, []).append((sample.labels, sample.value))
    found["_help"] = [({"name": f.name, "help": f.documentation}, 0.0)
                      for f in text_string_to_metric_families(text)]  # fmt: skip
    return found


def test_the_keys_credits_add_up_to_the_period_and_tags_say_they_overlap(box) -> None:
    with (
        HistoryClient(box.api_key, box.base_url) as client,
        Exporter(client, port=0, clock=lambda: END, by=("tag", "api_key"), top=3) as exporter,
    ):
        found = exposition(exporter)
    for period in ("day", "week", "month"):
        whole = next(v for k, v in found["anchorbrowser_credits_used"] if k["period"] == period)
        keys = [(k, v) for k, v in found["anchorbrowser_api_key_credits_used"]
                if k["period"] == period]  # fmt: skip
        assert {tuple(sorted(k)) for k, _ in keys} == {("api_key", "period", "team")}
        assert len(keys) <= 4  # the top 3 and (other)
        assert sum(v for _, v in keys) == pytest.approx(whole, abs=1e-6)
    tags = {k["tag"] for k, _ in found["anchorbrowser_tag_credits_used"]}
    assert "(other)" in tags
    helps = {h["name"]: h["help"] for h, _ in found["_help"]}
    assert "never sum over tag" in helps["anchorbrowser_tag_credits_used"]


def test_a_store_synced_with_sessions_serves_the_same(box, tmp_path) -> None:
    path = str(tmp_path / "usage.db")
    with UsageStore(path) as store, HistoryClient(box.api_key, box.base_url) as client:
        store.sync(client, from_date="2026-10-01", sessions=True)
    with (
        HistoryClient(box.api_key, box.base_url) as client,
        Exporter(client, port=0, clock=lambda: END, by=("tag",)) as exporter,
    ):
        from_api = exposition(exporter)["anchorbrowser_tag_credits_used"]
    with (
        UsageStore(path, create=False) as store,
        Exporter(
            store, port=0, clock=lambda: END, by=("tag",), origin=f"the store {path}"
        ) as exporter,
    ):
        from_store = exposition(exporter)["anchorbrowser_tag_credits_used"]
    assert sorted((sorted(k.items()), round(v, 6)) for k, v in from_store) == sorted(
        (sorted(k.items()), round(v, 6)) for k, v in from_api
    )


def test_a_budget_over_some_sessions_is_exported_with_its_filter(box) -> None:
    from anchor_history.cli.check_settings import budgets_and_thresholds
    from anchor_history.insights.budgets import check_budgets
    from anchor_history.insights.filtered import FilteredUsage, parse_where

    where = parse_where(["api_key=ci-tests"])
    budgets, _, wheres = budgets_and_thresholds({}, ["credits_used=500"], [], where)
    with HistoryClient(box.api_key, box.base_url) as client:
        with Exporter(client, port=0, clock=lambda: END, budgets=budgets, wheres=wheres) as exp:
            found = exposition(exp)
        truth = check_budgets(FilteredUsage(client, where), budgets, as_of=END, now=END)
    ((labels, used),) = found["anchorbrowser_budget_used_ratio"]
    assert labels["budget"] == "where api_key=ci-tests"
    assert used == pytest.approx(truth.budgets[0].forecast.used / 500)


def test_a_period_a_store_holds_only_in_part_is_left_out(box, tmp_path) -> None:
    path = str(tmp_path / "late.db")  # sessions from the 18th: the day whole, not the week
    with UsageStore(path) as store, HistoryClient(box.api_key, box.base_url) as client:
        store.sync(client, from_date="2026-11-18", sessions=True)
    with (
        UsageStore(path, create=False) as store,
        Exporter(
            store, port=0, clock=lambda: END, by=("api_key",), origin=f"the store {path}"
        ) as exporter,
    ):
        found = exposition(exporter)
    periods = {k["period"] for k, _ in found["anchorbrowser_api_key_credits_used"]}
    assert periods == {"day"}
    assert {k["period"] for k, _ in found["anchorbrowser_credits_used"]} == {"day"}
