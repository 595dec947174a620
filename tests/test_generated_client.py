"""The generated low-level client sends and parses what openapi.yaml says."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
from anchorbrowser_api.api.browser_sessions import get_v1_sessions_history as op
from anchorbrowser_api.client import AuthenticatedClient
from anchorbrowser_api.models.error_response import ErrorResponse
from anchorbrowser_api.models.session_history_response import SessionHistoryResponse
from conftest import Recorder, body, point


def client_for(handler: Recorder) -> AuthenticatedClient:
    client = AuthenticatedClient(
        base_url="https://api.example.test",
        token="k-123",
        prefix="",
        auth_header_name="anchor-api-key",
    )
    return client.set_httpx_client(
        httpx.Client(
            base_url="https://api.example.test",
            headers={"anchor-api-key": "k-123"},
            transport=httpx.MockTransport(handler),
        )
    )


def test_sends_each_query_parameter_as_the_spec_says() -> None:
    seen = Recorder(lambda r: httpx.Response(200, json=body([])))
    op.sync_detailed(
        client=client_for(seen),
        from_date=datetime(2026, 11, 1, tzinfo=UTC),
        to_date=datetime(2026, 11, 2, 12, 30, tzinfo=UTC),
        granularity="hour",
        metrics=["session_count", "credits_used"],
        page=2,
        limit=50,
    )
    request = seen.requests[0]
    assert request.method == "GET"
    assert request.url.path == "/v1/sessions/history"
    assert request.url.params.get_list("metrics") == ["session_count", "credits_used"]
    assert request.url.params["from_date"] == "2026-11-01T00:00:00+00:00"
    assert request.url.params["to_date"] == "2026-11-02T12:30:00+00:00"
    assert (request.url.params["granularity"], request.url.params["page"]) == ("hour", "2")
    assert request.url.params["limit"] == "50"
    assert request.headers["anchor-api-key"] == "k-123"


def test_parses_the_spec_response_shape() -> None:
    payload = body(
        [point(0, credits_used=1.5)], summary={"total_sessions": 1, "total_credits_used": 1.5}
    )
    response = op.sync_detailed(
        client=client_for(Recorder(lambda r: httpx.Response(200, json=payload))),
        metrics=["session_count"],
    )
    parsed = response.parsed
    assert isinstance(parsed, SessionHistoryResponse)
    assert parsed.data[0].date == "2026-01-01T00:00:00.000Z"
    assert parsed.data[0].credits_used == 1.5
    assert parsed.summary.total_credits_used == 1.5
    assert parsed.pagination.has_next is False


def test_a_400_comes_back_as_an_error_response() -> None:
    error = {"error": {"code": 400, "message": "bad metric"}}
    response = op.sync_detailed(
        client=client_for(Recorder(lambda r: httpx.Response(400, json=error))),
        metrics=["session_count"],
    )
    assert isinstance(response.parsed, ErrorResponse)
    assert response.parsed.error.message == "bad metric"
    assert response.parsed.error.code == 400


def test_unknown_fields_land_in_additional_properties() -> None:
    payload = body([point(0, brand_new_metric=7)])
    payload["extra_top_level"] = True
    response = op.sync_detailed(
        client=client_for(Recorder(lambda r: httpx.Response(200, json=payload))),
        metrics=["session_count"],
    )
    assert isinstance(response.parsed, SessionHistoryResponse)
    assert response.parsed.data[0].additional_properties == {"brand_new_metric": 7}
    assert response.parsed.additional_properties == {"extra_top_level": True}
