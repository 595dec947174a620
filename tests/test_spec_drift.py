"""The drift tool classifies every class of change in the catalog, one spec pair each."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from spec_drift import ADDITIVE, BREAKING, POSSIBLY, diff_specs

ROOT = Path(__file__).resolve().parent.parent
BASE = yaml.safe_load((ROOT / "openapi.yaml").read_text())


def op(spec: dict[str, Any]) -> dict[str, Any]:
    return spec["paths"]["/v1/sessions/history"]["get"]


def param(spec: dict[str, Any], name: str) -> dict[str, Any]:
    return next(p for p in op(spec)["parameters"] if p["name"] == name)


def schema(spec: dict[str, Any], name: str) -> dict[str, Any]:
    return spec["components"]["schemas"][name]


def metric_items(spec: dict[str, Any]) -> dict[str, Any]:
    return param(spec, "metrics")["schema"]["oneOf"][1]["items"]


def changed(mutate: Callable[[dict[str, Any]], Any]) -> list[tuple[str, str]]:
    new = copy.deepcopy(BASE)
    mutate(new)
    return [(c.level, c.what) for c in diff_specs(BASE, new)]


CASES: list[tuple[str, Callable[[dict[str, Any]], Any], str, str]] = [
    (
        "path removed",
        lambda s: s["paths"].pop("/v1/sessions/history"),
        BREAKING,
        "operation removed",
    ),
    (
        "path added",
        lambda s: s["paths"].__setitem__("/v1/other", {"get": {"responses": {}}}),
        ADDITIVE,
        "operation added",
    ),
    (
        "new required parameter",
        lambda s: op(s)["parameters"].append(
            {"in": "query", "name": "team", "required": True, "schema": {"type": "string"}}
        ),
        BREAKING,
        "new required parameter",
    ),
    (
        "new optional parameter",
        lambda s: op(s)["parameters"].append(
            {"in": "query", "name": "team", "schema": {"type": "string"}}
        ),
        ADDITIVE,
        "new optional parameter",
    ),
    (
        "parameter became required",
        lambda s: param(s, "granularity").__setitem__("required", True),
        BREAKING,
        "parameter became required",
    ),
    (
        "optional parameter removed",
        lambda s: op(s)["parameters"].remove(param(s, "page")),
        POSSIBLY,
        "parameter removed",
    ),
    (
        "request enum value removed",
        lambda s: metric_items(s)["enum"].remove("screenshots"),
        BREAKING,
        "enum value 'screenshots' removed",
    ),
    (
        "request enum value added",
        lambda s: metric_items(s)["enum"].append("tabs"),
        ADDITIVE,
        "enum value 'tabs' added",
    ),
    (
        "parameter type changed",
        lambda s: param(s, "page")["schema"].__setitem__("type", "string"),
        BREAKING,
        "type changed",
    ),
    (
        "maximum decreased",
        lambda s: param(s, "limit")["schema"].__setitem__("maximum", 500),
        BREAKING,
        "maximum decreased: 1000 -> 500",
    ),
    (
        "minimum increased",
        lambda s: param(s, "page")["schema"].__setitem__("minimum", 2),
        BREAKING,
        "minimum increased: 1 -> 2",
    ),
    (
        "maximum increased",
        lambda s: param(s, "limit")["schema"].__setitem__("maximum", 5000),
        ADDITIVE,
        "maximum increased: 1000 -> 5000",
    ),
    (
        "pattern added",
        lambda s: param(s, "from_date")["schema"].__setitem__("pattern", "^2"),
        BREAKING,
        "pattern added or changed",
    ),
    (
        "default changed",
        lambda s: param(s, "granularity")["schema"].__setitem__("default", "hour"),
        BREAKING,
        "default changed: 'day' -> 'hour'",
    ),
    (
        "style/explode changed",
        lambda s: param(s, "metrics").__setitem__("explode", False),
        BREAKING,
        "style/explode changed",
    ),
    ("200 removed", lambda s: op(s)["responses"].pop("200"), BREAKING, "response status removed"),
    (
        "a new non-success status",
        lambda s: op(s)["responses"].__setitem__("429", {"description": "Too many"}),
        ADDITIVE,
        "response status added",
    ),
    (
        "media type removed",
        lambda s: op(s)["responses"]["200"]["content"].__setitem__(
            "text/csv", op(s)["responses"]["200"]["content"].pop("application/json")
        ),
        BREAKING,
        "media type application/json removed",
    ),
    (
        "response property removed (read)",
        lambda s: schema(s, "SessionHistoryDataPoint")["properties"].pop("credits_used"),
        BREAKING,
        "property removed (the facade reads it)",
    ),
    (
        "response property type changed",
        lambda s: schema(s, "SessionHistoryPagination")["properties"]["total_pages"].__setitem__(
            "type", "string"
        ),
        BREAKING,
        "type changed",
    ),
    (
        "response property became nullable",
        lambda s: schema(s, "SessionHistoryDataPoint")["properties"]["session_count"].__setitem__(
            "type", ["number", "null"]
        ),
        BREAKING,
        "became nullable",
    ),
    (
        "new optional response property",
        lambda s: schema(s, "SessionHistoryDataPoint")["properties"].__setitem__(
            "tabs_opened", {"type": "number"}
        ),
        ADDITIVE,
        "property added",
    ),
    (
        "security header name changed",
        lambda s: s["components"]["securitySchemes"]["api_key_header"].__setitem__(
            "name", "x-api-key"
        ),
        BREAKING,
        "header name changed",
    ),
    (
        "security scheme removed",
        lambda s: s["components"]["securitySchemes"].clear(),
        BREAKING,
        "security scheme removed",
    ),
    (
        "server URL changed",
        lambda s: s["servers"][0].__setitem__("url", "https://api2.example"),
        BREAKING,
        "server URL changed",
    ),
    (
        "deprecation",
        lambda s: op(s).__setitem__("deprecated", True),
        ADDITIVE,
        "operation deprecated",
    ),
]


def test_an_unchanged_spec_has_no_drift() -> None:
    assert diff_specs(BASE, copy.deepcopy(BASE)) == []


@pytest.mark.parametrize(("name", "mutate", "level", "what"), CASES, ids=[c[0] for c in CASES])
def test_each_catalog_change_is_classified(name: str, mutate, level: str, what: str) -> None:
    found = changed(mutate)
    assert any(lv == level and what in text for lv, text in found), found


def test_an_unread_response_property_removed_is_possibly_breaking() -> None:
    old = copy.deepcopy(BASE)
    schema(old, "SessionHistoryResponse")["properties"]["meta"] = {"type": "object"}
    changes = diff_specs(old, BASE)
    assert [(c.level, c.where, c.what) for c in changes] == [
        (
            POSSIBLY,
            "GET /v1/sessions/history response 200 meta",
            "property removed (not read by the facade)",
        )
    ]


def listing(spec: dict[str, Any]) -> dict[str, Any]:
    return spec["paths"]["/v1/sessions"]["get"]


def test_the_session_listing_is_covered_a_read_field_removed_breaks() -> None:
    new = copy.deepcopy(BASE)
    del schema(new, "SessionHistoryPageItem")["properties"]["used_credits"]
    found = [(c.level, c.where, c.what) for c in diff_specs(BASE, new)]
    assert (
        BREAKING,
        "GET /v1/sessions response 200 data.sessions[].used_credits",
        "property removed (the facade reads it)",
    ) in found


def test_the_session_listing_is_covered_a_limit_taken_away_breaks() -> None:
    new = copy.deepcopy(BASE)
    limit = next(p for p in listing(new)["parameters"] if p["name"] == "limit")
    limit["schema"]["enum"].remove(50)
    assert any(c.level == BREAKING and "50" in c.what for c in diff_specs(BASE, new))


def test_the_session_listing_is_covered_a_field_made_nullable_breaks() -> None:
    new = copy.deepcopy(BASE)
    schema(new, "SessionHistoryPageItem")["properties"]["api_key_name"]["nullable"] = True
    found = [(c.level, c.what) for c in diff_specs(BASE, new)]
    assert (BREAKING, "became nullable") in found


def test_a_response_enum_value_added_is_possibly_breaking() -> None:
    old, new = copy.deepcopy(BASE), copy.deepcopy(BASE)
    schema(old, "SessionHistoryDataPoint")["properties"]["tier"] = {"type": "string", "enum": ["a"]}
    schema(new, "SessionHistoryDataPoint")["properties"]["tier"] = {
        "type": "string",
        "enum": ["a", "b"],
    }
    assert [c.level for c in diff_specs(old, new)] == [POSSIBLY]


def drift_tool(*args: str) -> subprocess.CompletedProcess[str]:
    script = str(ROOT / "scripts" / "spec_drift.py")
    return subprocess.run([sys.executable, script, *args], capture_output=True, text=True)


def run_tool(tmp_path: Path, mutate: Callable[[dict[str, Any]], Any], *flags: str):
    new = copy.deepcopy(BASE)
    mutate(new)
    path = tmp_path / "new.yaml"
    path.write_text(yaml.safe_dump(new))
    return drift_tool(str(ROOT / "openapi.yaml"), str(path), *flags)


def test_a_removed_metric_is_breaking_and_exits_1(tmp_path: Path) -> None:
    result = run_tool(tmp_path, lambda s: metric_items(s)["enum"].remove("screenshots"))
    assert result.returncode == 1
    assert "BREAKING (1)" in result.stdout
    assert "enum value 'screenshots' removed" in result.stdout


def test_a_new_optional_response_field_is_additive_and_exits_0(tmp_path: Path) -> None:
    result = run_tool(
        tmp_path,
        lambda s: schema(s, "SessionHistorySummary")["properties"].__setitem__(
            "total_tabs", {"type": "number"}
        ),
        "--json",
    )
    assert result.returncode == 0
    report = json.loads(result.stdout)
    assert report["breaking"] is False
    assert report["changes"] == [
        {
            "level": ADDITIVE,
            "where": "GET /v1/sessions/history response 200 summary.total_tabs",
            "what": "property added",
        }
    ]


def test_an_unreadable_spec_exits_2(tmp_path: Path) -> None:
    result = drift_tool(str(ROOT / "openapi.yaml"), str(tmp_path / "nope.yaml"))
    assert result.returncode == 2
    assert "cannot read" in result.stderr


def test_update_spec_leaves_the_bundled_spec_untouched_when_the_fetch_fails(tmp_path: Path) -> None:
    from spec_tools import SpecError
    from update_spec import replace_spec

    target = tmp_path / "openapi.yaml"
    target.write_text((ROOT / "openapi.yaml").read_text())
    before = target.read_text()
    with pytest.raises(SpecError, match=r"cannot fetch http://127\.0\.0\.1:9/openapi\.yaml"):
        replace_spec("http://127.0.0.1:9/openapi.yaml", target)
    junk = tmp_path / "junk.yaml"
    junk.write_text("hello: world\n")
    with pytest.raises(SpecError, match="not an OpenAPI document"):
        replace_spec(str(junk), target)
    assert target.read_text() == before


def test_update_spec_writes_the_new_spec_and_reports_its_drift(tmp_path: Path) -> None:
    from update_spec import replace_spec

    target = tmp_path / "openapi.yaml"
    target.write_text((ROOT / "openapi.yaml").read_text())
    new = copy.deepcopy(BASE)
    metric_items(new)["enum"].append("tabs")
    source = tmp_path / "new.yaml"
    source.write_text(yaml.safe_dump(new))
    drift = replace_spec(str(source), target)
    assert "enum value 'tabs' added" in drift
    assert target.read_text() == source.read_text()
