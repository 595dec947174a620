"""make bench section 2b: the whole public call, as a user makes it.

``HistoryClient.fetch`` against the official SDK's ``get_sessions_history`` on
the same 1000-point page of every metric, both over one in-process transport
(httpx's MockTransport answering from memory), so what is measured is each
client's own CPU for a call: building the request, httpx's request and
response objects, status and header handling, decoding, the page checks and
the result. Rounds interleave the two (a noisy moment on this shared machine
falls on both alike); each round times five calls of each by process CPU.
"""

from __future__ import annotations

import gc
import json
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

__all__ = ["bench_whole_call"]

ROUNDS = 80
CALLS = 5


def _page() -> tuple[bytes, datetime, datetime, list[str]]:
    """A 1000-point page of every metric as the sandbox serves it, made the only page."""
    import httpx
    from anchor_history.core import _api
    from anchor_history.testing.sandbox import Sandbox

    metrics = list(_api.METRICS)
    with Sandbox(seed=2, sessions=60_000, days=90) as box:
        end = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
        start = end - timedelta(hours=1500)  # quiet night hours are not listed
        raw = httpx.get(
            box.base_url + "/v1/sessions/history",
            headers={"anchor-api-key": box.api_key},
            params={"from_date": start.isoformat(), "to_date": end.isoformat(),
                    "granularity": "hour", "metrics": metrics, "limit": 1000},
        ).content  # fmt: skip
    body = json.loads(raw)
    body["data"] = body["data"][:1000]
    body["pagination"].update(total_pages=1, has_next=False, total_records=len(body["data"]))
    return json.dumps(body).encode(), start, end, metrics


def _cpu_per_call(fn: Callable[[], Any]) -> float:
    started = time.process_time()
    for _ in range(CALLS):
        fn()
    return (time.process_time() - started) / CALLS


def bench_whole_call(report: Any, repeat: int) -> None:
    import anchorbrowser
    import httpx
    from anchor_history import HistoryClient

    raw, start, end, metrics = _page()

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=raw, headers={"content-type": "application/json"})

    ours = HistoryClient("k", "https://api.example.test", max_retries=0,
                         transport=httpx.MockTransport(answer))  # fmt: skip
    sdk = anchorbrowser.Anchorbrowser(
        api_key="k", base_url="https://api.example.test", max_retries=0,
        http_client=httpx.Client(transport=httpx.MockTransport(answer)),
    )  # fmt: skip
    iso = {"from_date": start.isoformat(), "to_date": end.isoformat()}

    def call_ours() -> int:
        return len(ours.fetch(start, end, "hour", metrics, page_size=1000).points)

    def call_sdk() -> int:
        page = sdk.sessions.get_sessions_history(
            **iso,
            granularity="hour",
            metrics=metrics,
            limit=1000,  # type: ignore[arg-type]
        )
        return len(page.data or [])

    assert call_ours() == call_sdk() == len(json.loads(raw)["data"])
    report.say(
        "## 2b. The whole call as a user makes it: HistoryClient.fetch against the SDK's "
        "get_sessions_history, one 1000-point page of every metric, over the same "
        "in-process transport (CPU per call; rounds interleaved)"
    )
    mine, theirs, ratios = [], [], []
    for _ in range(max(ROUNDS, repeat * 10)):
        gc.collect()
        a, b = _cpu_per_call(call_ours), _cpu_per_call(call_sdk)
        mine.append(a)
        theirs.append(b)
        ratios.append(a / b)
    q1, median, q3 = statistics.quantiles(ratios, n=4)
    report.say(f"  HistoryClient.fetch     : {statistics.median(mine) * 1000:6.2f} ms per call")
    report.say(f"  SDK get_sessions_history: {statistics.median(theirs) * 1000:6.2f} ms per call")
    report.say(f"  ratio, {len(ratios)} rounds: median {median:.2f}x (quartiles {q1:.2f}-{q3:.2f})")
    report.target("the whole call at most 0.8x the SDK's", median <= 0.8, f"{median:.2f}x")
    report.say()
