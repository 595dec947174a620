"""Every fault the sandbox can inject, against fetch and iter_points, sync and async:
the result is exactly the fault-free one (retried away) or the matching typed error,
never partial or doubled data, never a hang. A tally is printed at the end."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from anchor_history import (
    AsyncHistoryClient,
    HistoryClient,
    PaginationError,
    ResponseFormatError,
    RetryPolicy,
)
from anchor_history.testing.sandbox import FAULT_KINDS, Sandbox

_TODAY = datetime.now(UTC).date()
# Inside the session sandbox's 400 days up to now, whatever the day the suite runs.
QUERY: dict[str, Any] = {
    "from_date": (_TODAY - timedelta(days=360)).isoformat(),
    "to_date": (_TODAY - timedelta(days=25)).isoformat(),
    "granularity": "day",
    "metrics": ["session_count", "credits_used"],
    "page_size": 50,
}
# What each fault must end in: None = retried away, else the typed error it must raise.
EXPECTED: dict[str, type[Exception] | None] = {
    "429": None,
    "500": None,
    "502": None,
    "503": None,
    "reset": None,
    "slow": None,
    "truncated": None,
    "wrong-type": ResponseFormatError,
    "no-pagination": PaginationError,
    "endless": PaginationError,
    "shifting": PaginationError,
    "duplicate": PaginationError,
}
# Where to inject: the first request, and one in the middle of the fetch. `endless`
# shows only on the last page, so it is kept on from the given request on.
WHERE = {"first": "1", "later": "3"}

TALLY = {"injected": 0, "survived by retry": 0, "reported as typed errors": 0, "data lost": 0}


def test_every_fault_kind_has_an_expectation() -> None:
    assert set(EXPECTED) == set(FAULT_KINDS)


def client_kwargs() -> dict[str, Any]:
    return {
        "timeout": 0.5,  # the sandbox's slow fault takes 2 s
        "max_retries": 3,
        "concurrency": 3,
        "retry_policy": RetryPolicy(base_delay=0.01, max_delay=0.05),
    }


def run(box: Sandbox, mode: str, method: str) -> list[Any]:
    if mode == "sync":
        with HistoryClient(box.api_key, box.base_url, **client_kwargs()) as client:
            if method == "fetch":
                return list(client.fetch(**QUERY))
            return list(client.iter_points(**QUERY))

    async def go() -> list[Any]:
        async with AsyncHistoryClient(box.api_key, box.base_url, **client_kwargs()) as client:
            if method == "fetch":
                return list(await client.fetch(**QUERY))
            return [p async for p in client.iter_points(**QUERY)]

    return asyncio.run(go())


@pytest.fixture(scope="module")
def fault_free(anchor_sandbox_session: Sandbox) -> list[Any]:
    anchor_sandbox_session.set_faults("")
    points = run(anchor_sandbox_session, "sync", "fetch")
    assert len(points) > 5 * QUERY["page_size"]  # several pages, so mid-fetch faults happen
    return points


@pytest.mark.timeout(60)
@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("method", ["fetch", "iter_points"])
@pytest.mark.parametrize("where", sorted(WHERE))
@pytest.mark.parametrize("kind", sorted(EXPECTED))
def test_fault_is_survived_or_reported(
    anchor_sandbox: Sandbox, fault_free: list[Any], kind: str, where: str, method: str, mode: str
) -> None:
    at = WHERE[where] + ("+" if kind == "endless" else "")
    anchor_sandbox.set_faults(f"{kind}@{at}")
    expected_error = EXPECTED[kind]
    TALLY["injected"] += 1
    if expected_error is not None:
        with pytest.raises(expected_error):
            run(anchor_sandbox, mode, method)
        TALLY["reported as typed errors"] += 1
        return
    points = run(anchor_sandbox, mode, method)
    assert anchor_sandbox.faults.injected.get(kind, 0) >= 1, "the fault was never injected"
    if points != fault_free:
        TALLY["data lost"] += 1
    assert points == fault_free, f"{kind}: returned data differs from the fault-free result"
    TALLY["survived by retry"] += 1
