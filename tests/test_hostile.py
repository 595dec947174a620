"""Every hostile response and input gets a typed error, in bounded time and memory.

A real server on loopback (tests/hostile_server.py) misbehaves in each way;
each test asserts the exact error class, its message, and that the key is not
in it. The CLI maps each to its exit code, one line, no traceback.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest
from anchor_history import (
    APIError,
    AsyncHistoryClient,
    AuthenticationError,
    BadRequestError,
    HistoryClient,
    InvalidInputError,
    NotFoundError,
    RequestTimeoutError,
    ResponseFormatError,
    ServerError,
    TransportError,
)
from anchor_history.outputs.table import render_table
from hostile_server import KEY, HostileServer
from test_cli import SCRIPT

WINDOW = {"from_date": "2026-10-01", "to_date": "2026-11-20"}


@pytest.fixture(scope="module")
def server() -> Iterator[HostileServer]:
    with HostileServer() as running:
        yield running


def fetch(mode: str, url: str, *, client: dict[str, Any] | None = None, **call: Any) -> Any:
    """``fetch`` through the sync or the async client, with fake sleeps recorded."""
    sleeps: list[float] = []
    options = {"max_retries": 0, **(client or {})}
    call = {**WINDOW, **call}
    if mode == "sync":
        with HistoryClient(KEY, url, sleep=sleeps.append, **options) as sync_client:
            return sync_client.fetch(**call), sleeps

    async def record(seconds: float) -> None:
        sleeps.append(seconds)

    async def run() -> Any:
        async with AsyncHistoryClient(KEY, url, sleep=record, **options) as async_client:
            return await async_client.fetch(**call)

    return asyncio.run(run()), sleeps


def caught(mode: str, url: str, kind: type[Exception], **kwargs: Any) -> Exception:
    with pytest.raises(kind) as info:
        fetch(mode, url, **kwargs)
    error = info.value
    assert type(error) is kind, f"{type(error).__name__}: {error}"
    assert KEY not in str(error)
    assert KEY not in repr(error)
    return error


MODES = pytest.mark.parametrize("mode", ["sync", "async"])


@MODES
@pytest.mark.parametrize(
    ("case", "kind", "message"),
    [
        ("nested", ResponseFormatError, "JSON nested too deeply to read"),
        ("huge-metric", ResponseFormatError, "data[0].session_count: an integer of 401 digits"),
        ("huge-summary", ResponseFormatError, "summary.total_sessions: an integer of 401 digits"),
        ("not-utf8", ResponseFormatError, "SessionHistoryResponse: not UTF-8 text"),
        ("date-number", ResponseFormatError, "data[0].date: expected str, got 20261101"),
        (
            "pagination-string",
            ResponseFormatError,
            "pagination: expected an object, got a string 'abc'",
        ),
        ("redirect", APIError, "HTTP 302: the API redirected to https://elsewhere.example/steal;"),
        ("error-object", BadRequestError, "HTTP 400: bad from_date"),
        ("error-string", BadRequestError, "HTTP 400: from_date is not a date"),
        ("error-message", NotFoundError, "HTTP 404: no such route"),
        ("error-plain", ServerError, "HTTP 500: upstream exploded"),
        ("status-401", AuthenticationError, "HTTP 401: Invalid API key"),
        ("status-403", AuthenticationError, "HTTP 403: Forbidden"),
        ("error-echo", AuthenticationError, "HTTP 401: invalid key ***"),
    ],
)
def test_a_hostile_answer_is_one_typed_error(server, mode, case, kind, message) -> None:
    error = caught(mode, server.url(case), kind)
    assert message in str(error)


def test_a_redirect_is_not_followed_and_hides_the_query(server) -> None:
    error = caught("sync", server.url("redirect"), APIError)
    assert "redirects are not followed, so the key is never sent to another host" in str(error)
    assert "key=1" not in str(error)


@MODES
@pytest.mark.parametrize(
    ("case", "kind", "expected"),
    [
        ("error-object", BadRequestError, "bad from_date"),
        ("error-string", BadRequestError, "from_date is not a date"),
        ("error-message", NotFoundError, "no such route"),
        ("error-plain", ServerError, "upstream exploded"),
    ],
)
def test_the_api_message_is_read_from_every_error_shape(server, mode, case, kind, expected) -> None:
    error = caught(mode, server.url(case), kind)
    assert error.api_message == expected  # type: ignore[attr-defined]
    assert error.body == ""  # type: ignore[attr-defined]


@MODES
@pytest.mark.parametrize(
    ("case", "wait"),
    [("retry-after-ms", 1.5), ("ratelimit", 58.0), ("ratelimit-long", 60.0)],
)
def test_rate_limit_headers_set_the_wait(server, mode, case, wait) -> None:
    history, sleeps = fetch(mode, server.url(case, tag=mode), client={"max_retries": 1})
    assert sleeps == [wait]  # ratelimit-long: 3600 s asked, capped at 60
    assert history.summary.session_count == 1


@MODES
def test_a_gzip_bomb_is_refused_after_the_limit(server, mode) -> None:
    started = time.monotonic()
    error = caught(
        mode, server.url("gzip-bomb"), ResponseFormatError, client={"max_response_bytes": 1 << 20}
    )
    assert "larger than max_response_bytes (1,048,576 bytes); it was not read further" in str(error)
    assert time.monotonic() - started < 5


_MEMORY_CHILD = """
import sys
from anchor_history import HistoryClient, ResponseFormatError
with HistoryClient(sys.argv[2], sys.argv[1], max_retries=0) as client:
    try:
        client.fetch(from_date="2026-10-01", to_date="2026-11-20")
    except ResponseFormatError as error:
        print("refused:", error)
for line in open("/proc/self/status"):
    if line.startswith("VmHWM"):
        print("peak-kb", line.split()[1])
"""


def test_a_gzip_bomb_keeps_memory_bounded_at_the_default_limit(server) -> None:
    """300 MB inflated would take the process past 600 MB; the default cap of
    32 MiB keeps the whole process near its import size."""
    child = subprocess.run(
        [sys.executable, "-c", _MEMORY_CHILD, server.url("gzip-bomb"), KEY],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "refused:" in child.stdout, child.stdout + child.stderr
    assert "33,554,432 bytes" in child.stdout
    peak_mb = int(child.stdout.split("peak-kb")[1].split()[0]) / 1024
    print(f"gzip bomb of 300 MB: client process peak {peak_mb:.0f} MB")
    assert peak_mb < 200


@MODES
def test_a_dripping_server_is_cut_at_the_deadline(server, mode) -> None:
    started = time.monotonic()
    error = caught(mode, server.url("drip"), RequestTimeoutError, deadline=2)
    elapsed = time.monotonic() - started
    assert "deadline of 2 s passed" in str(error)
    assert elapsed < 3.5, elapsed


def test_the_deadline_covers_retry_waits(server) -> None:
    error = caught(
        "sync",
        server.url("ratelimit", tag="deadline"),
        RequestTimeoutError,
        client={"max_retries": 2},
        deadline=5,
    )
    assert "the call's deadline of 5 s would pass during the 58.0 s wait before retry 1" in str(
        error
    )


@MODES
def test_a_connection_reset_mid_body_is_a_transport_error_after_retries(server, mode) -> None:
    before = server.requests["reset"]
    error = caught(mode, server.url("reset"), TransportError, client={"max_retries": 2})
    assert f"cannot reach {server.url('reset')}" in str(error)
    assert "(after 3 attempts)" in str(error)
    assert server.requests["reset"] - before == 3


@MODES
def test_a_non_ascii_key_is_refused_before_any_request(server, mode) -> None:
    before = sum(server.requests.values())
    client_class = HistoryClient if mode == "sync" else AsyncHistoryClient
    with pytest.raises(InvalidInputError, match="api_key: character 5 is not printable ASCII"):
        client_class("sk-ké-123", server.url("nested"))
    assert sum(server.requests.values()) == before


@MODES
def test_null_metric_values_are_no_value_not_a_broken_response(server, mode) -> None:
    history, _ = fetch(mode, server.url("null-metric"))
    assert [p.session_count for p in history] == [4, None]
    assert history.totals() == {"session_count": 4}
    assert history.totals_match()
    assert render_table(history).splitlines()[3].split() == ["2026-11-02", "-"]


@MODES
def test_a_requested_metric_the_server_never_sends_is_reported(server, mode) -> None:
    history, _ = fetch(mode, server.url("missing-metric"), metrics="session_count,credits_used")
    assert history.missing_metrics() == ["credits_used"]
    assert history.points[0].credits_used is None
    table = render_table(history)
    assert "warning: credits_used was requested but the server sent no value for it" in table
    assert table.splitlines()[2].split() == ["2026-11-01", "4", "-"]


def cli(server: HostileServer, case: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            SCRIPT,
            "--base-url",
            server.url(case),
            "--api-key",
            KEY,
            "--max-retries",
            "0",
            "--from",
            "2026-10-01",
            "--to",
            "2026-11-20",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("case", "code", "args"),
    [
        ("nested", 6, []),
        ("huge-metric", 6, []),
        ("huge-summary", 6, []),
        ("not-utf8", 6, []),
        ("date-number", 6, []),
        ("pagination-string", 6, []),
        ("gzip-bomb", 6, ["--max-response-mb", "1"]),
        ("drip", 5, ["--deadline", "1.5"]),
        ("reset", 5, []),
        ("redirect", 4, []),
        ("error-object", 4, []),
        ("error-string", 4, []),
        ("error-message", 4, []),
        ("error-plain", 4, []),
        ("status-401", 3, []),
        ("status-403", 3, []),
        ("error-echo", 3, []),
    ],
)
def test_the_cli_maps_each_to_its_exit_code_in_one_line(server, case, code, args) -> None:
    result = cli(server, case, *args)
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert KEY not in result.stdout + result.stderr


def test_the_cli_warns_of_a_missing_metric_on_stderr(server) -> None:
    result = cli(server, "missing-metric", "-m", "session_count,credits_used", "-f", "csv")
    assert result.returncode == 0
    assert "warning: credits_used was requested but the server sent no value" in result.stderr
    rows = {line[:10]: line for line in result.stdout.splitlines()[1:]}
    assert rows["2026-11-01"].endswith(",false,4,")  # credits_used empty, not a zero
    assert rows["2026-10-01"].endswith(",false,0,")  # a quiet day: zero sessions, no credits known


def test_the_cli_refuses_a_non_ascii_key() -> None:
    result = subprocess.run(
        [SCRIPT, "--api-key", "sk-ké", "--base-url", "http://127.0.0.1:9"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "--api-key: character 5 is not printable ASCII" in result.stderr
