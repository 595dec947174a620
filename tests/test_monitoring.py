"""The monitoring mixin: the alert rules are valid, their unit tests pass under
promtool (installed by `make prometheus`, which `make e2e` runs), and every series
they query is one the exporter really serves."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from anchor_history import HistoryClient
from anchor_history.budgets import Budget
from anchor_history.exporter import Exporter
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
    assert "SUCCESS: 9 rules found" in result.stdout


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


def test_every_series_the_rules_query_is_served(anchor_sandbox) -> None:
    budgets = [Budget("credits_used", 1000.0), Budget("session_count", 5.0)]
    with HistoryClient() as client, Exporter(client, port=0, budgets=budgets) as exporter:
        served = {name for name, _ in scrape(exporter)}
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
    budgets = [Budget("credits_used", 1000.0)]
    with HistoryClient() as client, Exporter(client, port=0, budgets=budgets) as exporter:
        served = {name for name, _ in scrape(exporter)}
    queried = {n for e in exprs for n in re.findall(r"\b(anchor(?:browser|_history)_[a-z_]+)", e)}
    assert queried <= served, sorted(queried - served)
