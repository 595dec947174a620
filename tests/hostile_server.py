"""A misbehaving HTTP server on loopback, for the hardening tests.

The first path segment picks the misbehaviour: a client pointed at
``http://127.0.0.1:PORT/nested`` asks for ``/nested/v1/sessions/history`` and
gets JSON nested 100,000 deep. Each case writes raw bytes on the socket, so it
can do what no well-behaved framework would: drip a byte a second, cut the
connection mid-body, send a gzip bomb.
"""

from __future__ import annotations

import json
import socket
import socketserver
import struct
import threading
import time
import zlib
from collections import Counter
from collections.abc import Callable
from functools import cache
from typing import Any, BinaryIO

KEY = "hostile-test-key-0123456789"
BOMB_BYTES = 300 * 1024 * 1024  # what the gzip bomb inflates to


def page(points: list[dict[str, Any]], summary: dict[str, Any] | None = None) -> bytes:
    """A valid one-page body around ``points``."""
    return json.dumps(
        {
            "data": points,
            "summary": summary if summary is not None else {"total_sessions": len(points)},
            "pagination": {
                "current_page": 1,
                "total_pages": 1,
                "total_records": len(points),
                "has_next": False,
                "has_prev": False,
            },
        }
    ).encode()


DAY = "2026-11-01T00:00:00.000Z"


@cache
def gzip_bomb() -> bytes:
    """300 MB of JSON-ish zeros, gzipped to a few hundred KB (made once)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = b"0" * (1024 * 1024)
    parts = [packer.compress(b'{"data": [], "x": "')]
    parts += [packer.compress(chunk) for _ in range(BOMB_BYTES // len(chunk))]
    parts.append(packer.compress(b'"}') + packer.flush())
    return b"".join(parts)


def respond(out: BinaryIO, status: int, body: bytes, **headers: str) -> None:
    head = {
        "Content-Type": "application/json",
        "Content-Length": str(len(body)),
        "Connection": "close",
    }
    head.update({k.replace("_", "-"): v for k, v in headers.items()})
    lines = [f"HTTP/1.1 {status} Status"] + [f"{k}: {v}" for k, v in head.items()]
    out.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)


def _drip(out: BinaryIO, connection: socket.socket) -> None:
    out.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 600\r\n\r\n")
    out.flush()
    for _ in range(600):  # one byte a second: no read ever waits long enough to time out
        out.write(b" ")
        out.flush()
        time.sleep(0.5)


def _reset_mid_body(out: BinaryIO, connection: socket.socket) -> None:
    body = page([{"date": DAY, "session_count": 1}])
    out.write(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body[: len(body) // 2]
    )
    out.flush()
    # SO_LINGER 0: close with a TCP reset, not a clean end of stream.
    connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def _rate_limited(headers: dict[str, str]) -> Callable[[BinaryIO, socket.socket, int], None]:
    """429 with ``headers`` on the first request, a page after."""

    def answer(out: BinaryIO, connection: socket.socket, count: int) -> None:
        if count == 1:
            respond(out, 429, b'{"error": {"code": 429, "message": "slow down"}}', **headers)
        else:
            respond(out, 200, page([{"date": DAY, "session_count": 1}]))

    return answer


def _simple(status: int, body: bytes, **headers: str) -> Callable[..., None]:
    return lambda out, connection, count: respond(out, status, body, **headers)


def _raw(writer: Callable[[BinaryIO, socket.socket], None]) -> Callable[..., None]:
    return lambda out, connection, count: writer(out, connection)


def billing(**fields: Any) -> bytes:
    """A GET /v1/billing body: the required fields, changed or dropped (None) by ``fields``."""
    data: dict[str, Any] = {
        "credits": 25_000.5,
        "credits_used": 4_999.5,
        "included_credits": 30_000,
        "billing_period": "2026-11",
        "tier": "growth",
    }
    for name, value in fields.items():
        if value is _DROP:
            data.pop(name, None)
        else:
            data[name] = value
    return json.dumps({"data": data}).encode()


_DROP = object()

CASES: dict[str, Callable[[BinaryIO, socket.socket, int], None]] = {
    "plan-full": _simple(
        200, billing(gifts_balance=100, max_concurrent_browsers=-1, cost_limit=45_000)
    ),
    "plan-minimal": _simple(200, billing()),
    "plan-nulls": _simple(
        200, billing(gifts_balance=None, max_concurrent_browsers=None, cost_limit=None)
    ),
    "plan-extra": _simple(200, billing(new_field="tolerated")),
    "plan-string": _simple(200, billing(credits_used="4999.5")),
    "plan-no-tier": _simple(200, billing(tier=_DROP)),
    "plan-period": _simple(200, billing(billing_period="November")),
    "plan-data-list": _simple(200, b'{"data": [1, 2]}'),
    "nested": _simple(200, b"[" * 100_000 + b"]" * 100_000),
    "huge-metric": _simple(200, page([{"date": DAY, "session_count": 10**400}])),
    "huge-summary": _simple(200, page([], {"total_sessions": 10**400})),
    "gzip-bomb": lambda out, connection, count: respond(
        out, 200, gzip_bomb(), Content_Encoding="gzip"
    ),
    "drip": _raw(_drip),
    "redirect": _simple(302, b"", Location="https://elsewhere.example/steal?key=1"),
    "error-object": _simple(400, b'{"error": {"code": 400, "message": "bad from_date"}}'),
    "error-string": _simple(400, b'{"error": "from_date is not a date"}'),
    "error-message": _simple(404, b'{"message": "no such route"}'),
    "error-plain": _simple(500, b"upstream exploded", Content_Type="text/plain; charset=utf-8"),
    "error-echo": _simple(401, json.dumps({"error": f"invalid key {KEY}"}).encode()),
    "status-401": _simple(401, b'{"error": {"code": 401, "message": "Invalid API key"}}'),
    "status-403": _simple(403, b'{"error": "Forbidden"}'),
    "retry-after-ms": _rate_limited({"retry-after-ms": "1500"}),
    "ratelimit": _rate_limited({"RateLimit": '"5-in-1min"; r=0; t=58'}),
    "ratelimit-long": _rate_limited({"RateLimit": '"5-in-1h"; r=0; t=3600'}),
    "missing-metric": _simple(
        200, page([{"date": DAY, "session_count": 4}], {"total_sessions": 4})
    ),
    "null-metric": _simple(
        200,
        page(
            [
                {"date": DAY, "session_count": 4},
                {"date": "2026-11-02T00:00:00.000Z", "session_count": None},
            ],
            {"total_sessions": 4},
        ),
    ),
    "not-utf8": _simple(200, b'{"data": [{"date": "\xff\xfe"}]}'),
    "date-number": _simple(200, page([{"date": 20261101, "session_count": 1}])),
    "pagination-string": _simple(200, b'{"data": [], "pagination": "abc"}'),
    "reset": _raw(_reset_mid_body),
}


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class HostileServer:
    """``with HostileServer() as server: server.url("nested")``; counts requests per URL."""

    def __init__(self) -> None:
        self.requests: Counter[str] = Counter()
        owner = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                line = self.rfile.readline().decode("latin-1")
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass
                segment = line.split(" ")[1].split("/")[1] if " " in line else ""
                owner.requests[segment] += 1
                answer = CASES.get(segment.split("~")[0], _simple(404, b'{"error": "no case"}'))
                try:
                    answer(self.wfile, self.connection, owner.requests[segment])
                    self.wfile.flush()
                except OSError:  # the client gave up: fine
                    pass

        self._server = _Server(("127.0.0.1", 0), Handler)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def url(self, case: str, tag: str = "") -> str:
        """The base URL of a case; a ``tag`` gives it a request count of its own."""
        return f"http://127.0.0.1:{self.port}/{case}" + (f"~{tag}" if tag else "")

    def __enter__(self) -> HostileServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
