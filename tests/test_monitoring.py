"""The monitoring mixin: the alert rules are valid, their unit tests pass under
promtool (installed by `make prometheus`, which `make e2e` runs), and every series
they query is one the exporter really serves."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from anchor_history import HistoryClient
from anchor_history.exporter import Exporter
from anchor_history.insights.budgets import Budget
from test_exporter import scrape

MONITORING = Path(__file__).resolve().parents[1] / "monitoring"
PROMTOOL = shutil.which("promtool")
needs_promtool = pytest.mark.skipif(
    PROMTOOL is None, reason="promtool is not installed: `make prometheus` (make e2e) installs it"
)


@needs_promtool
def test_the_rules_are_valid() -> None:
    result = subprocess.run(
        [PROMTOOL, "check", "rules", "alerts.yaml"], cwd=MONITORING, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS: 11 rules found" in result.stdout


@needs_promtool
def test_every_alert_fires_stays_quiet_and_resolves_under_promtool() -> None:
    result = subprocess.run(
        [PROMTOOL, "test", "rules", "alerts_test.yaml"],
        cwd=MONITORING, capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


def alerts() -> list[dict]:
    return [r for g in yaml.safe_load((MONITORING / "alerts.yaml").read_text())["groups"]
            for r in g["rules"]]  # fmt: skip


def test_every_alert_is_unit_tested() -> None:
    tests = yaml.safe_load((MONITORING / "alerts_test.yaml").read_text())["tests"]
    tested = {case["alertname"] for t in tests for case in t["alert_rule_test"]}
    assert tested == {r["alert"] for r in alerts()}
    for rule in alerts():
        assert rule["annotations"]["summary"]
        assert len(rule["annotations"]["description"]) > 60  # says what to do


def test_every_series_the_rules_query_is_served(anchor_sandbox, tmp_path) -> None:
    """By the API's exporter, or (the store-sync rule) by a store's."""
    from anchor_history.store import UsageStore

    budgets = [Budget("credits_used", 1000.0), Budget("session_count", 5.0)]
    with HistoryClient() as client, Exporter(client, port=0, budgets=budgets) as exporter:
        served = {name for name, _ in scrape(exporter)}
    path = str(tmp_path / "usage.db")
    with HistoryClient() as client, UsageStore(path) as store:
        store.sync(client, team="web", from_date="3d")
    with UsageStore(path, create=False) as store:
        moment = store.held()[1]
        exporter = Exporter(store, port=0, origin=f"the store {path}", clock=lambda: moment)
        with exporter:
            served |= {name for name, _ in scrape(exporter)}
    queried = set()
    for rule in alerts():
        queried |= set(re.findall(r"\b(anchor(?:browser|_history)_[a-z_]+)", rule["expr"]))
    assert queried
    assert queried <= served, sorted(queried - served)


def test_the_committed_dashboard_is_what_the_script_makes() -> None:
    from dashboard import OUT, QUERIES, render

    dashboard_text, rules = render()
    assert OUT.read_text() == dashboard_text, "run `make dashboard`"
    assert QUERIES.read_text() == rules, "run `make dashboard`"


@needs_promtool
def test_every_dashboard_query_is_valid_promql() -> None:
    result = subprocess.run(
        [PROMTOOL, "check", "rules", "dashboard_queries.yaml"],
        cwd=MONITORING, capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_series_the_dashboard_queries_is_served(anchor_sandbox) -> None:
    import json

    from dashboard import queries

    document = json.loads((MONITORING / "dashboard.json").read_text())
    exprs = queries(document)
    assert len(exprs) >= 15
    from anchor_history.pricing import parse_price_list

    budgets = [Budget("credits_used", 1000.0)]
    prices = parse_price_list("USD", "0.01")
    with (
        HistoryClient() as client,
        Exporter(
            client, port=0, budgets=budgets, plan=True, prices=prices, by=("tag", "api_key")
        ) as exporter,
    ):
        served = {name for name, _ in scrape(exporter)}
    queried = {n for e in exprs for n in re.findall(r"\b(anchor(?:browser|_history)_[a-z_]+)", e)}
    assert queried <= served, sorted(queried - served)


# --- a real Prometheus (Debian's), scraping the exporter over the sandbox ---------

PROMETHEUS = shutil.which("prometheus")


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _until(what, seconds: float = 60.0):
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = what()
        if found:
            return found
        time.sleep(0.5)
    raise AssertionError(f"not within {seconds:g} s")


@pytest.mark.prometheus
@pytest.mark.skipif(PROMETHEUS is None, reason="`make prometheus` (make e2e) installs it")
def test_a_real_prometheus_scrapes_it_and_the_stale_alert_fires_and_resolves(tmp_path) -> None:
    """The rules as shipped, with their `for` durations shortened to seconds."""
    from datetime import UTC, datetime, timedelta

    import httpx
    from anchor_history.calendar.boundaries import billing_period
    from anchor_history.testing.sandbox import Sandbox
    from test_cli import SCRIPT, environment

    end = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    rules = yaml.safe_load((MONITORING / "alerts.yaml").read_text())
    for group in rules["groups"]:
        for rule in group["rules"]:
            if "for" in rule:
                rule["for"] = "2s"
    (tmp_path / "alerts.yaml").write_text(yaml.safe_dump(rules))
    box = Sandbox(seed=5, sessions=5_000, days=60, end=end).start()
    port = box.port
    exporter = subprocess.Popen(
        [SCRIPT, "exporter", "--port", "0", "--interval", "1", "--budget", "credits_used=1000"],
        env=environment(box), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    prometheus = None
    try:
        assert exporter.stdout is not None
        target = exporter.stdout.readline().split()[2].removeprefix("http://").split("/")[0]
        web = _free_port()
        (tmp_path / "prometheus.yml").write_text(yaml.safe_dump({
            "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
            "rule_files": [str(tmp_path / "alerts.yaml")],
            "scrape_configs": [{"job_name": "anchorbrowser",
                                "static_configs": [{"targets": [target]}]}],
        }))  # fmt: skip
        prometheus = subprocess.Popen(
            [PROMETHEUS, f"--config.file={tmp_path / 'prometheus.yml'}",
             f"--storage.tsdb.path={tmp_path / 'tsdb'}", f"--web.listen-address=127.0.0.1:{web}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        api = f"http://127.0.0.1:{web}/api/v1"

        def value(query: str) -> float | None:
            try:
                result = httpx.get(f"{api}/query", params={"query": query}).json()
            except httpx.HTTPError:
                return None
            series = result.get("data", {}).get("result", [])
            return float(series[0]["value"][1]) if series else None

        def firing() -> set[str]:
            alerts = httpx.get(f"{api}/alerts").json()["data"]["alerts"]
            return {a["labels"]["alertname"] for a in alerts if a["state"] == "firing"}

        month = _until(lambda: value('anchorbrowser_credits_used{period="month"}'))
        with HistoryClient(box.api_key, box.base_url) as client:
            start, _ = billing_period(end, "month")
            truth = client.fetch(start, end, "month", "credits_used").summary.credits_used
        assert month == pytest.approx(truth, rel=1e-9)
        assert value("anchorbrowser_credits_budget_limit") == 1000
        assert value("anchor_history_up") == 1
        for name in ("anchorbrowser_budget_pace", "anchorbrowser_credits_used_total",
                     "anchorbrowser_budget_forecast_ratio"):  # fmt: skip
            assert value(name) is not None, name

        box.stop()  # the API goes away: refreshes fail, the data goes stale
        _until(lambda: "AnchorBrowserUsageStale" in firing(), 30)
        assert value("anchor_history_up") == 0
        box = Sandbox(seed=5, sessions=5_000, days=60, end=end, port=port,
                      api_key=box.api_key).start()  # fmt: skip
        _until(lambda: "AnchorBrowserUsageStale" not in firing(), 30)  # resolved
        assert value("anchor_history_up") == 1
    finally:
        for process in (exporter, prometheus):
            if process is not None:
                process.terminate()
                process.wait(timeout=10)
        box.stop()


def test_every_alert_links_to_its_section_of_the_runbook() -> None:
    runbook = (MONITORING / "RUNBOOK.md").read_text()
    anchors = {line[3:].strip().lower() for line in runbook.splitlines() if line.startswith("## ")}
    for rule in alerts():
        url = rule["annotations"]["runbook_url"]
        assert url == f"monitoring/RUNBOOK.md#{rule['alert'].lower()}"
        assert rule["alert"].lower() in anchors, f"no section for {rule['alert']}"


def test_a_vanished_target_has_an_alert_of_its_own() -> None:
    rules = {rule["alert"]: rule for rule in alerts()}
    assert rules["AnchorBrowserExporterAbsent"]["expr"] == 'absent(up{job="anchorbrowser"})'


def test_the_dashboard_is_for_current_grafana_with_ids_refids_and_scope() -> None:
    document = json.loads((MONITORING / "dashboard.json").read_text())
    assert document["schemaVersion"] >= 39
    panels = document["panels"]
    ids = [panel["id"] for panel in panels]
    assert all(ids)
    assert len(set(ids)) == len(ids)
    for panel in panels:
        refs = [target["refId"] for target in panel.get("targets") or []]
        assert refs == list("ABCDEFGH"[: len(refs)]), panel["title"]
        for target in panel.get("targets") or []:
            assert 'job=~"$job"' in target["expr"], target["expr"]
    names = {v["name"] for v in document["templating"]["list"]}
    assert {"datasource", "job", "instance", "team"} <= names
    assert '"style"' not in json.dumps(document)
