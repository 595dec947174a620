"""A pytest plugin: the ``anchor_sandbox`` fixture, a sandbox server for your tests.

Installed with anchor-history (entry point ``pytest11``); needs the ``sandbox``
extra. One server per test session, with a year of seeded data up to the moment
it started; each test starts with no faults, and with ``ANCHORBROWSER_BASE_URL``
and ``ANCHORBROWSER_API_KEY`` pointing at it, so code that builds its own
``HistoryClient()`` talks to the sandbox::

    from anchor_history import HistoryClient

    def test_last_week_has_sessions(anchor_sandbox):
        with HistoryClient() as client:          # the fixture set the environment
            history = client.fetch(from_date="7d")
        assert history.summary.session_count > 0
        anchor_sandbox.set_faults("503@1")       # the next request fails once
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from .sandbox import Sandbox

__all__ = ["anchor_sandbox", "anchor_sandbox_session"]


@pytest.fixture(scope="session")
def anchor_sandbox_session() -> Iterator[Sandbox]:
    """The session's sandbox: 400 days of seeded data, ending when it starts."""
    from .sandbox import Sandbox

    box = Sandbox(seed=11, sessions=30_000, days=400, retry_after=0.05, slow_seconds=2.0)
    with box:
        yield box


@pytest.fixture
def anchor_sandbox(anchor_sandbox_session: Sandbox) -> Iterator[Sandbox]:
    """The session's sandbox (``base_url``, ``api_key``), faults cleared around each
    test, and the environment pointing a bare ``HistoryClient()`` at it."""
    box = anchor_sandbox_session
    box.set_faults("")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ANCHORBROWSER_BASE_URL", box.base_url)
        patch.setenv("ANCHORBROWSER_API_KEY", box.api_key)
        yield box
    box.set_faults("")
