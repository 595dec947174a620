"""The plan from GET /v1/billing: every field through the sandbox and through a
hostile server (missing optional fields, nulls, a string where a number belongs,
403), with both clients."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from anchor_history import (
    AsyncHistoryClient,
    AuthenticationError,
    HistoryClient,
    Plan,
    PlanUnavailableError,
    ResponseFormatError,
)
from anchor_history.testing.sandbox import Sandbox
from anchor_history.testing.sandbox.billing import PlanSettings
from hostile_server import KEY, HostileServer

MODES = pytest.mark.parametrize("mode", ["sync", "async"])


@pytest.fixture(scope="module")
def server() -> Iterator[HostileServer]:
    with HostileServer() as running:
        yield running


def plan_of(mode: str, url: str, key: str = KEY, **options: Any) -> Plan:
    options = {"max_retries": 0, **options}
    if mode == "sync":
        with HistoryClient(key, url, **options) as client:
            return client.plan()

    async def run() -> Plan:
        async with AsyncHistoryClient(key, url, **options) as client:
            return await client.plan()

    return asyncio.run(run())


@MODES
def test_every_field_is_read(server, mode) -> None:
    plan = plan_of(mode, server.url("plan-full"))
    assert plan.tier == "growth"
    assert plan.billing_period == (
        datetime(2026, 11, 1, tzinfo=UTC),
        datetime(2026, 12, 1, tzinfo=UTC),
    )
    assert (plan.included_credits, plan.credits_used, plan.credits) == (30_000, 4_999.5, 25_000.5)
    assert (plan.gifts_balance, plan.max_concurrent_browsers, plan.cost_limit) == (100, -1, 45_000)
    assert plan.unlimited_concurrency
    assert plan.credits_left_included == 25_000.5
    assert plan.overage_credits == 0


@MODES
@pytest.mark.parametrize("case", ["plan-minimal", "plan-nulls"])
def test_optional_fields_absent_or_null_are_none(server, mode, case) -> None:
    plan = plan_of(mode, server.url(case))
    assert (plan.gifts_balance, plan.max_concurrent_browsers, plan.cost_limit) == (None,) * 3
    assert not plan.unlimited_concurrency


@MODES
def test_an_unknown_extra_field_is_tolerated(server, mode) -> None:
    assert plan_of(mode, server.url("plan-extra")).tier == "growth"


@MODES
@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("plan-string", "data.credits_used: expected a number, got str '4999.5'"),
        ("plan-no-tier", "BillingInfoResponse: data.tier: missing"),
        ("plan-period", "data.billing_period: expected YYYY-MM, got 'November'"),
        ("plan-data-list", "the body is not the spec's BillingInfoResponse"),
    ],
)
def test_a_body_out_of_shape_is_a_format_error_naming_the_field(server, mode, case, message):
    with pytest.raises(ResponseFormatError) as caught:
        plan_of(mode, server.url(case))
    assert message in str(caught.value)
    assert KEY not in str(caught.value)


@MODES
@pytest.mark.parametrize("case", ["status-403", "error-message"])
def test_a_key_that_cannot_read_the_plan_is_plan_unavailable(server, mode, case) -> None:
    with pytest.raises(PlanUnavailableError) as caught:
        plan_of(mode, server.url(case))
    assert caught.value.status in (403, 404)


@MODES
def test_a_wrong_key_is_still_an_authentication_error(server, mode) -> None:
    with pytest.raises(AuthenticationError) as caught:
        plan_of(mode, server.url("status-401"))
    assert type(caught.value) is AuthenticationError


@pytest.fixture(scope="module")
def box() -> Iterator[Sandbox]:
    settings = PlanSettings(
        included_credits=500, tier="scale", cost_limit=None, max_concurrent_browsers=-1
    )
    with Sandbox(seed=3, sessions=6_000, days=45, plan=settings) as sandbox:
        yield sandbox


@MODES
def test_the_sandboxs_plan_adds_up_to_its_history(box, mode) -> None:
    plan = plan_of(mode, box.base_url, box.api_key)
    start, _ = plan.billing_period
    assert start == datetime.now(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    with HistoryClient(box.api_key, box.base_url) as client:
        history = client.fetch(start, datetime.now(UTC), "month", "credits_used")
    assert plan.credits_used == history.summary.credits_used
    assert (plan.tier, plan.included_credits, plan.cost_limit) == ("scale", 500, None)
    assert plan.credits == max(0, round(500 - plan.credits_used, 4))
    assert plan.unlimited_concurrency


def test_faults_apply_to_the_plan_too(box) -> None:
    box.set_faults("503@1,wrong-type@2")
    sleeps: list[float] = []
    with (
        HistoryClient(box.api_key, box.base_url, sleep=sleeps.append, max_retries=2) as client,
        pytest.raises(ResponseFormatError, match=r"data\.credits_used: expected a number"),
    ):
        client.plan()
    assert len(sleeps) == 1  # the 503 was retried; the wrong type is not retried
    box.set_faults("")
