"""Every recorded interaction against openapi.yaml, and through both clients.

A change of the spec, of the generator or of the live API (re-recorded) fails
here with the JSON path and the kind of change.
"""

from __future__ import annotations

import copy
import json
import math
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import yaml
from anchor_history import HistoryClient
from anchor_history.core import _api
from anchor_history.core._api.billing import to_plan
from anchor_history.core._api.sessions import to_sessions_page
from anchor_history.models import metric_names
from anchorbrowser_api.models.billing_info import BillingInfo
from anchorbrowser_api.models.billing_info_response import BillingInfoResponse
from anchorbrowser_api.models.session_history_page_response import SessionHistoryPageResponse
from anchorbrowser_api.models.session_history_page_response_data import (
    SessionHistoryPageResponseData,
)
from anchorbrowser_api.models.session_history_response import SessionHistoryResponse
from checks import check_request, check_response
from conftest import REPLAY_BASE_URL, URL_PLACEHOLDER
from spec_tools import load_spec, resolve_refs

ROOT = Path(__file__).resolve().parents[2]
CASSETTES = sorted((Path(__file__).parent / "cassettes").rglob("*.yaml"))
SPEC = resolve_refs(load_spec(str(ROOT / "openapi.yaml")))


def interactions() -> list[Any]:
    found = []
    for path in CASSETTES:
        for i, item in enumerate(yaml.safe_load(path.read_text())["interactions"]):
            # Put the base URL back, as vcrpy does when it replays a cassette.
            item["request"]["uri"] = item["request"]["uri"].replace(
                URL_PLACEHOLDER, REPLAY_BASE_URL
            )
            found.append(pytest.param(item, id=f"{path.stem}#{i}"))
    return found


def body_of(item: dict[str, Any]) -> str:
    return item["response"]["body"]["string"]


def test_there_are_cassettes_for_every_interaction_kind() -> None:
    statuses = {it.values[0]["response"]["status"]["code"] for it in interactions()}
    assert {200, 400, 401, 503} <= statuses
    assert len(CASSETTES) >= 12


# Requests sent out of the spec on purpose, to record the server's 400.
SENT_OUT_OF_SPEC = {"limit=25": ["request: limit='25': not one of [10, 20, 50]"]}


@pytest.mark.parametrize("item", interactions())
def test_request_conforms_to_the_spec(item: dict[str, Any]) -> None:
    expected = next((v for k, v in SENT_OUT_OF_SPEC.items() if k in item["request"]["uri"]), [])
    assert check_request(SPEC, item["request"]) == expected


@pytest.mark.parametrize("item", interactions())
def test_response_conforms_to_the_spec(item: dict[str, Any]) -> None:
    response = item["response"]
    status = response["status"]["code"]
    problems = check_response(SPEC, item["request"], status, response["headers"], body_of(item))
    if status == 503:  # injected by the sandbox to record a retry: the spec does not declare it
        assert problems == ["response: status 503 is not declared (status added)"]
    else:
        assert problems == []


@pytest.mark.parametrize("item", interactions())
def test_both_clients_parse_the_totals_the_body_holds(item: dict[str, Any]) -> None:
    if item["response"]["status"]["code"] != 200:
        return
    if urlsplit(item["request"]["uri"]).path == "/v1/billing":
        return _the_plan_parses(item)
    if urlsplit(item["request"]["uri"]).path == "/v1/sessions":
        return _the_sessions_parse(item)
    document = json.loads(body_of(item))
    generated = SessionHistoryResponse.from_dict(document)
    assert generated.additional_properties == {}
    assert all(p.additional_properties == {} for p in generated.data)
    page = _api.to_page(
        _api.Exchange(httpx.Response(200, content=body_of(item).encode()), generated, None)
    )
    for metric in metric_names():
        expected = [p[metric] for p in document["data"] if metric in p]
        got = [getattr(p, metric) for p in page.points if getattr(p, metric) is not None]
        assert got == expected
        key = _api.SUMMARY_FIELDS[metric]
        if key in document["summary"]:
            assert getattr(page.summary, metric) == document["summary"][key]
        if document["pagination"]["total_pages"] == 1 and expected:
            assert math.isclose(sum(got), getattr(page.summary, metric), rel_tol=1e-9)


def _the_sessions_parse(item: dict[str, Any]) -> None:
    """The generated model and the facade read the same sessions; nothing unknown."""
    document = json.loads(body_of(item))
    generated = SessionHistoryPageResponse.from_dict(document)
    assert generated.additional_properties == {}
    assert isinstance(generated.data, SessionHistoryPageResponseData)
    items = generated.data.sessions
    assert all(s.additional_properties == {} for s in items)
    exchange = _api.Exchange(httpx.Response(200, content=body_of(item).encode()), None, None)
    page = to_sessions_page(exchange)
    assert [s.id for s in page.sessions] == [s.id for s in items]
    for mine, theirs in zip(page.sessions, items, strict=True):
        assert mine.created_at == theirs.created_at
        assert mine.tags == tuple(theirs.tags or ())
        if theirs.used_credits == "N/A":
            assert mine.credits is None
        else:
            assert mine.credits == Decimal(str(theirs.used_credits))
    assert (page.total, page.total_pages) == (document["data"]["total"], generated.data.total_pages)


def _the_plan_parses(item: dict[str, Any]) -> None:
    """The generated model and the facade read the same plan; nothing unknown."""
    document = json.loads(body_of(item))
    generated = BillingInfoResponse.from_dict(document)
    assert generated.additional_properties == {}
    assert isinstance(generated.data, BillingInfo)
    assert generated.data.additional_properties == {}
    exchange = _api.Exchange(httpx.Response(200, content=body_of(item).encode()), generated, None)
    plan = to_plan(exchange)
    data = document["data"]
    assert (plan.credits_used, plan.included_credits, plan.tier) == (
        data["credits_used"],
        data["included_credits"],
        data["tier"],
    )
    assert plan.billing_period[0].strftime("%Y-%m") == data["billing_period"]


def test_no_cassette_holds_a_key() -> None:
    for path in CASSETTES:
        for item in yaml.safe_load(path.read_text())["interactions"]:
            assert item["request"]["headers"].get("anchor-api-key") == ["<ANCHORBROWSER_API_KEY>"]
            assert item["request"]["uri"].startswith("<BASE_URL>/")
        assert "sandbox-" not in path.read_text()  # the sandbox's generated keys


def test_recording_scrubs_a_known_key_everywhere(anchor_sandbox, tmp_path: Path) -> None:
    import vcr
    from conftest import cassette_config

    secret = "fake-key-SECRET-0123456789"
    recorder = vcr.VCR(**cassette_config(secret, anchor_sandbox.base_url))
    with recorder.use_cassette(str(tmp_path / "secret.yaml")):
        httpx.get(
            f"{anchor_sandbox.base_url}/v1/sessions/history?note={secret}",
            headers={"anchor-api-key": secret},
        )
    text = (tmp_path / "secret.yaml").read_text()
    assert secret not in text
    assert "<ANCHORBROWSER_API_KEY>" in text


def a_recorded_200() -> dict[str, Any]:
    return next(
        p.values[0] for p in interactions() if p.values[0]["response"]["status"]["code"] == 200
    )


def test_a_changed_property_type_fails_naming_the_property() -> None:
    spec = copy.deepcopy(SPEC)
    schema = spec["paths"]["/v1/sessions/history"]["get"]["responses"]["200"]["content"]
    point = schema["application/json"]["schema"]["properties"]["data"]["items"]
    point["properties"]["session_count"]["type"] = "string"
    item = a_recorded_200()
    problems = check_response(
        spec, item["request"], 200, item["response"]["headers"], body_of(item)
    )
    assert problems
    assert problems[0].startswith("response: $.data[0].session_count: type changed")


def test_unknown_and_missing_keys_are_named_as_drift() -> None:
    item = a_recorded_200()
    document = json.loads(body_of(item))
    document["data"][0]["brand_new"] = 1
    document["summary"]["extra_total"] = 2
    del document["pagination"]["has_prev"]
    problems = check_response(
        SPEC, item["request"], 200, item["response"]["headers"], json.dumps(document)
    )
    assert "response: $.data[0].brand_new: property added (not in the spec)" in problems
    assert "response: $.summary.extra_total: property added (not in the spec)" in problems
    assert "response: $.pagination.has_prev: property removed (the facade reads it)" in problems


def test_a_null_is_reported_as_became_nullable() -> None:
    item = a_recorded_200()
    document = json.loads(body_of(item))
    document["data"][0]["session_count"] = None
    problems = check_response(
        SPEC, item["request"], 200, item["response"]["headers"], json.dumps(document)
    )
    assert any("$.data[0].session_count: became nullable" in p for p in problems)


def test_a_request_outside_the_spec_is_named() -> None:
    uri = f"{REPLAY_BASE_URL}/v1/sessions/history?metrics=a&metrics=session_count&limit=0&extra=1"
    problems = check_request(SPEC, {"method": "GET", "uri": uri, "headers": {}})
    assert problems == [
        "request: metrics value 'a' is not in the enum",
        "request: limit='0': below the minimum 1",
        "request: query parameter 'extra' is not declared",
        "request: the key header 'anchor-api-key' is missing",
    ]


def test_the_vendors_own_sdk_reads_the_sandboxs_plan(anchor_sandbox) -> None:
    """The official SDK (anchorbrowser 1.0.1, generated from the vendor's full spec)
    parses what the sandbox serves at GET /v1/billing: the sandbox speaks the API."""
    from anchorbrowser import Anchorbrowser

    sdk = Anchorbrowser(api_key=anchor_sandbox.api_key, base_url=anchor_sandbox.base_url)
    info = sdk.billing.get_billing()
    assert info.data is not None
    with HistoryClient(anchor_sandbox.api_key, anchor_sandbox.base_url) as client:
        plan = client.plan()
    assert info.data.credits_used == plan.credits_used
    assert info.data.included_credits == plan.included_credits
    assert info.data.billing_period == plan.billing_period[0].strftime("%Y-%m")
    assert info.data.tier == plan.tier
    assert info.data.max_concurrent_browsers == plan.max_concurrent_browsers
