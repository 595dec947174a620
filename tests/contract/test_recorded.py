"""Representative interactions, replayed from cassettes with the network blocked.

`make record` re-records them from the sandbox (or, with ANCHORBROWSER_API_KEY
set, from the live API). Each test also checks what the facade makes of them;
tests/contract/test_contract.py checks every recorded interaction against the spec.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from anchor_history import AuthenticationError, HistoryClient, Plan
from anchorbrowser_api.api.browser_sessions import get_v1_sessions as list_op
from anchorbrowser_api.api.browser_sessions import get_v1_sessions_history as op
from anchorbrowser_api.client import AuthenticatedClient
from anchorbrowser_api.models.error_response import ErrorResponse

pytestmark = [pytest.mark.vcr, pytest.mark.block_network]

# Fixed windows inside the sandbox fixture's data (400 days up to 2026-11-01).
SEPTEMBER = ("2026-09-01", "2026-09-30")


@pytest.fixture
def client(record_target):
    with HistoryClient(record_target.api_key, record_target.base_url, concurrency=1) as c:
        yield c


@pytest.mark.parametrize(
    ("granularity", "window"),
    [
        ("hour", ("2026-10-01", "2026-10-02")),
        ("day", SEPTEMBER),
        ("week", ("2026-06-01", "2026-09-27")),
        ("month", ("2025-11-01", "2026-10-31")),
    ],
)
def test_each_granularity(client, granularity, window) -> None:
    history = client.fetch(*window, granularity=granularity, metrics="session_count")
    assert len(history) > 0
    assert history.totals_match()


@pytest.mark.parametrize(
    "metrics", ["credits_used", "session_count,session_hours,proxy_bytes", "all"]
)
def test_one_several_and_all_metrics(client, metrics) -> None:
    history = client.fetch(*SEPTEMBER, granularity="day", metrics=metrics)
    assert history.totals_match()
    for name in history.query.metrics:
        assert all(getattr(p, name) is not None for p in history)


def test_a_multi_page_fetch(client) -> None:
    history = client.fetch("2026-09-01", "2026-09-10", granularity="hour", page_size=100)
    assert len(history) > 200  # three pages at 100
    assert history.totals_match()


def test_an_empty_window(client) -> None:
    history = client.fetch("2020-01-01", "2020-01-02", granularity="day")
    assert history.points == ()
    assert history.summary.session_count == 0


def test_a_400_for_an_unknown_metric(record_target) -> None:
    # The facade refuses unknown metrics before sending; the generated client does not.
    api = AuthenticatedClient(
        base_url=record_target.base_url,
        token=record_target.api_key,
        prefix="",
        auth_header_name="anchor-api-key",
    )
    response = op.sync_detailed(client=api, metrics="credit_used")
    assert response.status_code == 400
    assert isinstance(response.parsed, ErrorResponse)


def test_a_401_for_a_wrong_key(record_target) -> None:
    client = HistoryClient("wrong-key", record_target.base_url)
    with client, pytest.raises(AuthenticationError) as caught:
        client.get_page(*SEPTEMBER)
    assert caught.value.status == 401


def test_a_503_then_the_retry_that_succeeds(record_target, request) -> None:
    if record_target.source == "sandbox":
        request.getfixturevalue("anchor_sandbox_session").set_faults("503@1")
    elif record_target.source == "live":
        pytest.skip("a 503 can only be injected in the sandbox; the replay still runs in CI")
    seen: list[float] = []
    with HistoryClient(record_target.api_key, record_target.base_url, sleep=seen.append) as c:
        page = c.get_page(*SEPTEMBER)
    assert len(seen) == 1  # one retry, after the 503
    assert page.points
    if record_target.source == "sandbox":
        request.getfixturevalue("anchor_sandbox_session").set_faults("")


def test_the_plan(client) -> None:
    plan = client.plan()
    assert isinstance(plan, Plan)
    start, end = plan.billing_period
    assert start.day == 1
    assert 28 <= (end - start).days <= 31
    assert plan.included_credits > 0
    assert plan.credits_used >= 0


def test_the_plan_with_a_wrong_key(record_target) -> None:
    client = HistoryClient("wrong-key", record_target.base_url)
    with client, pytest.raises(AuthenticationError) as caught:
        client.plan()
    assert caught.value.status == 401


def test_a_sessions_listing_of_several_pages(client) -> None:
    sessions = list(client.sessions("2026-09-01", "2026-09-03"))
    assert len(sessions) > 100  # three pages at 50
    assert all(isinstance(s.credits, Decimal) for s in sessions)
    assert len({s.api_key_name for s in sessions}) >= 3
    assert any(s.tags for s in sessions)
    assert any(not s.tags for s in sessions)


def test_a_sessions_listing_filtered_by_tags(client) -> None:
    sessions = list(client.sessions("2026-09-01", "2026-09-08", tags=["team:search", "env:prod"]))
    assert sessions
    assert all({"team:search", "env:prod"} <= set(s.tags) for s in sessions)


def test_a_400_for_a_limit_the_listing_does_not_take(record_target) -> None:
    # The facade always asks for 50; the generated client sends what it is given.
    api = AuthenticatedClient(
        base_url=record_target.base_url,
        token=record_target.api_key,
        prefix="",
        auth_header_name="anchor-api-key",
    )
    response = list_op.sync_detailed(client=api, limit=25)  # type: ignore[arg-type]
    assert response.status_code == 400
    assert isinstance(response.parsed, ErrorResponse)


def test_a_sessions_listing_with_a_wrong_key(record_target) -> None:
    client = HistoryClient("wrong-key", record_target.base_url)
    with client, pytest.raises(AuthenticationError) as caught:
        list(client.sessions(*SEPTEMBER))
    assert caught.value.status == 401
