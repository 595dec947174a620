"""The paths the README documented before the folders keep working for one
release: each old module path imports, warns with a DeprecationWarning naming
its new home, and is the very module object found there (one copy of its state)."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

# (old path, new home, a name the README calls through the old path)
DOCUMENTED = [
    ("anchor_history.budgets", "anchor_history.insights.budgets", "check_budgets"),
    ("anchor_history.compare", "anchor_history.insights.compare", "compare_periods"),
    ("anchor_history.plan_check", "anchor_history.insights.plan_check", "check_plan"),
    ("anchor_history.anomalies", "anchor_history.insights.anomalies", "detect_anomalies"),
    ("anchor_history.forecast", "anchor_history.insights.forecast", "forecast"),
    ("anchor_history.focus", "anchor_history.outputs.focus", "focus_rows"),
    ("anchor_history.client", "anchor_history.core.client", "HistoryClient"),
    ("anchor_history.async_client", "anchor_history.core.async_client", "AsyncHistoryClient"),
    ("anchor_history.sandbox", "anchor_history.testing.sandbox", "Sandbox"),
    ("anchor_history.dates", "anchor_history.calendar", "parse_when"),
    ("anchor_history.zones", "anchor_history.calendar", "period_floor"),
    ("anchor_history.report", "anchor_history.outputs.report", "gather_report"),
]
# Paths that did not move: they import without a warning.
STAYED = [
    ("anchor_history.periods", "whole_periods"),
    ("anchor_history.pricing", "parse_price_list"),
    ("anchor_history.alerts", "decide"),
    ("anchor_history.store", "UsageStore"),
    ("anchor_history.testing", "anchor_sandbox"),
    ("anchor_history.metrics", "normalize_metrics"),
    ("anchor_history.errors", "StoreError"),
]


def _fresh(code: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a new interpreter with DeprecationWarnings shown."""
    return subprocess.run(
        [sys.executable, "-W", "always::DeprecationWarning", "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(("old", "new", "name"), DOCUMENTED)
def test_an_old_path_imports_the_new_module_with_a_warning(old: str, new: str, name: str) -> None:
    code = (
        f"import importlib, {old} as old\n"
        f"new = importlib.import_module({new!r})\n"
        f"assert old is new, (old, new)\n"
        f"assert getattr(old, {name!r}) is getattr(new, {name!r})\n"
        f"assert old.__spec__.name == {new!r}, old.__spec__.name\n"
    )
    result = _fresh(code)
    assert result.returncode == 0, result.stderr
    assert f"DeprecationWarning: {old} moved to {new}" in result.stderr


def test_a_submodule_of_a_moved_package_is_the_one_module() -> None:
    code = (
        "import anchor_history.sandbox.data as old\n"
        "import anchor_history.testing.sandbox.data as new\n"
        "assert old is new\n"
    )
    result = _fresh(code)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(("path", "name"), STAYED)
def test_a_path_that_stayed_imports_quietly(path: str, name: str) -> None:
    result = _fresh(f"from {path} import {name}")
    assert result.returncode == 0, result.stderr
    assert "DeprecationWarning" not in result.stderr


def test_an_unknown_module_is_still_an_import_error() -> None:
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("anchor_history.no_such_module")
