"""Shared helpers: fake pages for httpx.MockTransport, and clients wired to it."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from anchor_history import AsyncHistoryClient, HistoryClient
from hypothesis import settings as hypothesis_settings

# CI replays the same examples every run (a red run must be reproducible); local
# runs keep exploring new ones.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
KEY = "test-key-0123456789"


def point(i: int, **metrics: Any) -> dict[str, Any]:
    """The i-th daily point from 2026-01-01, with session_count = i + 1 unless given."""
    day = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=i)
    return {"date": day.strftime("%Y-%m-%dT%H:%M:%S.000Z"), "session_count": i + 1, **metrics}


def body(
    points: list[dict[str, Any]],
    *,
    page: int = 1,
    total_pages: int = 1,
    total_records: int | None = None,
    summary: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "data": points,
        "summary": summary if summary is not None else {"total_sessions": 0},
        "pagination": {
            "current_page": page,
            "total_pages": total_pages,
            "total_records": len(points) if total_records is None else total_records,
            "has_next": page < total_pages,
            "has_prev": page > 1,
        },
    }


def paged_server(
    total: int, limit_cap: int | None = None
) -> Callable[[httpx.Request], httpx.Response]:
    """A handler serving `total` daily points, paginated as the request asks."""

    def handle(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params["page"])
        limit = int(request.url.params["limit"])
        if limit_cap:
            limit = min(limit, limit_cap)
        pages = -(-total // limit)
        chosen = [point(i) for i in range((page - 1) * limit, min(total, page * limit))]
        summary = {"total_sessions": sum(p["session_count"] for p in map(point, range(total)))}
        return httpx.Response(
            200,
            json=body(chosen, page=page, total_pages=pages, total_records=total, summary=summary),
        )

    return handle


class Recorder:
    """Wraps a handler and keeps every request it saw."""

    def __init__(self, handler: Callable[[httpx.Request], httpx.Response]) -> None:
        self.handler = handler
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.handler(request)


def sequence(*responses: httpx.Response | Exception) -> Callable[[httpx.Request], httpx.Response]:
    """A handler answering with each response (or raising each exception) in turn."""
    pending = list(responses)

    def handle(request: httpx.Request) -> httpx.Response:
        item = pending.pop(0)
        if isinstance(item, Exception):
            raise item
        return item

    return handle


def ok(points: list[dict[str, Any]] | None = None, **kwargs: Any) -> httpx.Response:
    return httpx.Response(200, json=body(points if points is not None else [point(0)], **kwargs))


def raw(status: int, content: bytes | str, **headers: str) -> httpx.Response:
    return httpx.Response(status, content=content, headers=headers)


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


class AsyncSleeps(list[float]):
    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


def make_client(handler: Callable[[httpx.Request], httpx.Response], **kwargs: Any) -> HistoryClient:
    kwargs.setdefault("sleep", Sleeps())
    return HistoryClient(
        KEY,
        "https://api.example.test",
        transport=httpx.MockTransport(handler),
        clock=lambda: NOW,
        **kwargs,
    )


def make_async_client(
    handler: Callable[[httpx.Request], httpx.Response], **kwargs: Any
) -> AsyncHistoryClient:
    kwargs.setdefault("sleep", AsyncSleeps())
    return AsyncHistoryClient(
        KEY,
        "https://api.example.test",
        transport=httpx.MockTransport(handler),
        clock=lambda: NOW,
        **kwargs,
    )


def body_json(request: httpx.Request) -> Any:
    return json.loads(request.content or b"null")


class Api:
    """Calls the sync or the async client the same way, returning plain values."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.sleeps: list[float] = []

    def _client(self, handler: Callable[[httpx.Request], httpx.Response], **kwargs: Any) -> Any:
        factory = make_client if self.mode == "sync" else make_async_client
        client = factory(handler, **kwargs)
        self.sleeps = client._sleep
        return client

    def call(
        self,
        handler: Callable[[httpx.Request], httpx.Response],
        method: str,
        client_kwargs: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> Any:
        client = self._client(handler, **(client_kwargs or {}))
        if self.mode == "sync":
            with client:
                result = getattr(client, method)(**kwargs)
                return list(result) if method == "iter_points" else result

        async def run() -> Any:
            async with client:
                if method == "iter_points":
                    return [p async for p in client.iter_points(**kwargs)]
                return await getattr(client, method)(**kwargs)

        return asyncio.run(run())


@pytest.fixture(params=["sync", "async"])
def api(request: pytest.FixtureRequest) -> Api:
    return Api(request.param)


_WORKER_TALLIES: list[dict[str, int]] = []


def pytest_sessionfinish(session: pytest.Session) -> None:
    """In a pytest-xdist worker: hand the fault tally to the controller."""
    module = sys.modules.get("test_faults")
    output = getattr(session.config, "workeroutput", None)
    if output is not None and module is not None:
        output["fault_tally"] = dict(module.TALLY)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """pytest-xdist, in the controller: a worker's tally, to add up."""
    tally = getattr(node, "workeroutput", {}).get("fault_tally")
    if tally:
        _WORKER_TALLIES.append(tally)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """The fault-injection suite's one-line tally, when it ran (in any worker)."""
    module = sys.modules.get("test_faults")
    tallies = [*_WORKER_TALLIES, *([module.TALLY] if module is not None else [])]
    total = {k: sum(t.get(k, 0) for t in tallies) for k in (tallies[0] if tallies else {})}
    if total.get("injected"):
        terminalreporter.write_line(
            "fault tally: " + ", ".join(f"{name} {count}" for name, count in total.items())
        )


# ---- recording and replaying cassettes (tests/contract) ----------------------

REPLAY_BASE_URL = "http://127.0.0.1:9"  # never contacted: in replay vcrpy answers
KEY_PLACEHOLDER = "<ANCHORBROWSER_API_KEY>"
URL_PLACEHOLDER = "<BASE_URL>"
_NOISY_RESPONSE_HEADERS = ("date", "server", "x-request-id", "cf-ray", "set-cookie")


class RecordTarget:
    """Where cassettes come from: replay (CI), the sandbox, or the live API."""

    def __init__(self, base_url: str, api_key: str, source: str) -> None:
        self.base_url, self.api_key, self.source = base_url, api_key, source


@pytest.fixture(scope="session")
def record_target(request: pytest.FixtureRequest) -> RecordTarget:
    mode = request.config.getoption("--record-mode", default="none") or "none"
    if mode == "none":
        return RecordTarget(REPLAY_BASE_URL, "replay-key", "replay")
    key = os.environ.get("ANCHORBROWSER_API_KEY")
    if key:
        base = os.environ.get("RECORD_BASE_URL") or "https://api.anchorbrowser.io"
        return RecordTarget(base, key, "live")
    box = request.getfixturevalue("anchor_sandbox_session")
    return RecordTarget(box.base_url, box.api_key, "sandbox")


def _drop_noisy_headers(response: dict[str, Any]) -> dict[str, Any]:
    headers = response.get("headers", {})
    for name in list(headers):
        if name.lower() in _NOISY_RESPONSE_HEADERS:
            del headers[name]
    return response


def cassette_config(api_key: str, base_url: str) -> dict[str, Any]:
    """vcrpy settings: readable bodies, the key and base URL swapped for placeholders."""
    return {
        "filter_headers": [
            ("anchor-api-key", KEY_PLACEHOLDER),
            *((name, None) for name in ("host", "user-agent", "accept-encoding", "connection")),
        ],
        "filter_sensitive_data": [(KEY_PLACEHOLDER, api_key), (URL_PLACEHOLDER, base_url)],
        "decode_compressed_response": True,
        "before_record_response": _drop_noisy_headers,
    }


@pytest.fixture(scope="module")
def vcr_config(record_target: RecordTarget) -> dict[str, Any]:
    return cassette_config(record_target.api_key, record_target.base_url)


def killed_inside(code: str, *args: str, marker: Path) -> int:
    """Run ``code`` (a Python script given ``args``) in a child, wait for it to write
    ``marker`` (it does so inside its transaction), kill it with SIGKILL there, and
    return its exit status."""
    import signal
    import subprocess
    import time

    child = subprocess.Popen([sys.executable, "-c", code, *args, str(marker)])
    try:
        deadline = time.monotonic() + 30
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert marker.exists(), "the child never reached its transaction"
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait(timeout=10)
    return child.returncode


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A throwaway PostgreSQL cluster for this test process (tests/postgres_cluster.py);
    skipped, saying why, where PostgreSQL is not installed."""
    import postgres_cluster

    why = postgres_cluster.available()
    if why is not None:
        pytest.skip(f"no PostgreSQL here: {why}")
    with postgres_cluster.cluster() as url:
        yield url
