"""A pytest plugin: the ``anchor_sandbox`` fixture, a sandbox server for your tests.

Installed with anchor-history (entry point ``pytest11``); needs the ``sandbox``
extra. One server per test session; each test starts with no faults::

    def test_my_report(anchor_sandbox):
        client = HistoryClient(anchor_sandbox.api_key, anchor_sandbox.base_url)
        anchor_sandbox.set_faults("503@1")   # the next request fails once
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from .sandbox import Sandbox

__all__ = ["SANDBOX_END", "anchor_sandbox", "anchor_sandbox_session"]

# A fixed end keeps the fixture's data identical from day to day.
SANDBOX_END = datetime(2026, 11, 1, tzinfo=UTC)


@pytest.fixture(scope="session")
def anchor_sandbox_session() -> Iterator[Sandbox]:
    from .sandbox import Sandbox

    box = Sandbox(
        seed=11, sessions=30_000, days=400, end=SANDBOX_END, retry_after=0.05, slow_seconds=2.0
    )
    with box:
        yield box


@pytest.fixture
def anchor_sandbox(anchor_sandbox_session: Sandbox) -> Iterator[Sandbox]:
    """The session's sandbox (``base_url``, ``api_key``), with faults cleared around each test."""
    anchor_sandbox_session.set_faults("")
    yield anchor_sandbox_session
    anchor_sandbox_session.set_faults("")
