"""Bounds on what one response may cost: its size after decompression, and time.

A hostile or broken server can send a gzip body that inflates to gigabytes, or
drip one byte a second so that no read ever times out. Both are stopped here,
in an httpx transport wrapped around the real one (or a test's): the body is
decoded by this module with a hard cap (httpx is then handed plain bytes), and
a deadline for the whole call is checked between chunks and caps each
request's timeouts. The deadline travels in a ContextVar set by the client
around each attempt, so concurrent pages (threads or tasks) keep their own.
"""

from __future__ import annotations

import threading
import time
import zlib
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import httpx

from ..errors import RequestTimeoutError, ResponseFormatError, TransportError

__all__ = [
    "DEFAULT_MAX_RESPONSE_BYTES",
    "AsyncGuardedTransport",
    "BoundedDecoder",
    "GuardedTransport",
    "call_deadline",
    "check_deadline",
    "translate_httpx",
]

DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024
ACCEPT_ENCODING = "gzip, deflate"  # what BoundedDecoder can inflate with a cap

# (monotonic end, seconds given) of the call under way in this thread or task.
call_deadline: ContextVar[tuple[float, float] | None] = ContextVar("call_deadline", default=None)


def check_deadline() -> float | None:
    """Seconds left for the call under way (None: no deadline); raises once it has passed."""
    deadline = call_deadline.get()
    if deadline is None:
        return None
    left = deadline[0] - time.monotonic()
    if left <= 0:
        raise RequestTimeoutError(f"the call's deadline of {deadline[1]:g} s passed")
    return left


class BoundedDecoder:
    """Decodes a body (identity, gzip or deflate) and refuses more than ``limit`` bytes
    of it, inflating no more than one byte past the limit whatever the input.

    >>> decoder = BoundedDecoder("gzip", limit=10)
    >>> decoder.feed(zlib.compress(b"abc", wbits=31)) + decoder.flush()
    b'abc'
    """

    def __init__(self, encoding: str | None, limit: int) -> None:
        self.limit = limit
        self.produced = 0
        name = (encoding or "identity").strip().lower()
        if name in ("identity", ""):
            self._inflater: Any = None
        elif name in ("gzip", "x-gzip"):
            self._inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
        elif name == "deflate":
            self._inflater = zlib.decompressobj()
        else:
            raise ResponseFormatError(
                f"the body is encoded as {encoding!r}, which was not asked for "
                f"(accepted: {ACCEPT_ENCODING})"
            )

    def feed(self, chunk: bytes) -> bytes:
        if self._inflater is None:
            return self._count(chunk)
        try:
            out: bytes = self._inflater.decompress(chunk, self.limit - self.produced + 1)
        except zlib.error as exc:
            raise ResponseFormatError(f"the compressed body is corrupt ({exc})") from None
        self._count(out)
        if self._inflater.unconsumed_tail:  # more output than the cap allows is waiting
            self._too_large()
        return out

    def flush(self) -> bytes:
        if self._inflater is None:
            return b""
        tail: bytes = self._inflater.flush()
        return self._count(tail)

    def _count(self, data: bytes) -> bytes:
        self.produced += len(data)
        if self.produced > self.limit:
            self._too_large()
        return data

    def _too_large(self) -> None:
        raise ResponseFormatError(
            f"the response body is larger than max_response_bytes ({self.limit:,} bytes); "
            "it was not read further"
        )


def _decoder_for(response: httpx.Response, limit: int) -> BoundedDecoder:
    """The decoder of a response's body; a plain body declared too large is refused unread."""
    length = response.headers.get("content-length")
    encoding = response.headers.get("content-encoding")
    decoder = BoundedDecoder(encoding, limit)
    if not encoding and length and length.isdigit() and int(length) > limit:
        decoder._too_large()
    return decoder


def _guarded_response(
    request: httpx.Request,
    response: httpx.Response,
    stream: httpx.SyncByteStream | httpx.AsyncByteStream,
) -> httpx.Response:
    """The response as httpx will see it: plain (decoded) bytes from ``stream``."""
    headers = [
        (k, v)
        for k, v in response.headers.multi_items()
        if k.lower() not in ("content-encoding", "content-length")
    ]
    return httpx.Response(
        response.status_code,
        headers=headers,
        stream=stream,
        request=request,
        extensions=response.extensions,
    )


def _capped_timeouts(request: httpx.Request) -> None:
    """Every timeout of this request no longer than what is left of the call."""
    left = check_deadline()
    if left is None:
        return
    current = request.extensions.get("timeout") or {}
    request.extensions["timeout"] = {
        key: left if current.get(key) is None else min(current[key], left)
        for key in ("connect", "read", "write", "pool")
    }


class _GuardedStream(httpx.SyncByteStream):
    def __init__(self, inner: httpx.Response, decoder: BoundedDecoder) -> None:
        self._inner = inner
        self._decoder = decoder

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._inner.stream:  # type: ignore[union-attr]
            check_deadline()
            out = self._decoder.feed(chunk)
            if out:
                yield out
        tail = self._decoder.flush()
        if tail:
            yield tail

    def close(self) -> None:
        self._inner.close()


class _AsyncGuardedStream(httpx.AsyncByteStream):
    def __init__(self, inner: httpx.Response, decoder: BoundedDecoder) -> None:
        self._inner = inner
        self._decoder = decoder

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._inner.stream:  # type: ignore[union-attr]
            check_deadline()
            out = self._decoder.feed(chunk)
            if out:
                yield out
        tail = self._decoder.flush()
        if tail:
            yield tail

    async def aclose(self) -> None:
        await self._inner.aclose()


class LazyTransport(httpx.BaseTransport):
    """An ``httpx.HTTPTransport`` made by the first request, not by the client.

    Its SSL context (certifi's bundle, about 25 ms) and httpcore (about 30 ms) are
    most of a cold start, and a client that never sends (a --help, a store read
    that still makes a client, a program that fails its own checks first) never
    needs them. Threads sending the first pages together make it once.
    """

    def __init__(self, make: Callable[[], httpx.BaseTransport]) -> None:
        self._make = make
        self._inner: httpx.BaseTransport | None = None
        self._lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        inner = self._inner
        if inner is None:
            with self._lock:
                if self._inner is None:
                    self._inner = self._make()
                inner = self._inner
        return inner.handle_request(request)

    def close(self) -> None:
        if self._inner is not None:
            self._inner.close()


class GuardedTransport(httpx.BaseTransport):
    """Wraps a transport: size cap after decoding, deadline between chunks."""

    def __init__(self, inner: httpx.BaseTransport, max_response_bytes: int) -> None:
        self._inner = inner
        self._limit = max_response_bytes

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        _capped_timeouts(request)
        request.headers["accept-encoding"] = ACCEPT_ENCODING
        response = self._inner.handle_request(request)
        try:
            decoder = _decoder_for(response, self._limit)
        except BaseException:
            response.close()
            raise
        return _guarded_response(request, response, _GuardedStream(response, decoder))

    def close(self) -> None:
        self._inner.close()


class AsyncGuardedTransport(httpx.AsyncBaseTransport):
    """The asyncio twin of :class:`GuardedTransport`."""

    def __init__(self, inner: httpx.AsyncBaseTransport, max_response_bytes: int) -> None:
        self._inner = inner
        self._limit = max_response_bytes

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        _capped_timeouts(request)
        request.headers["accept-encoding"] = ACCEPT_ENCODING
        response = await self._inner.handle_async_request(request)
        try:
            decoder = _decoder_for(response, self._limit)
        except BaseException:
            await response.aclose()
            raise
        return _guarded_response(request, response, _AsyncGuardedStream(response, decoder))

    async def aclose(self) -> None:
        await self._inner.aclose()


@contextmanager
def translate_httpx(base_url: str) -> Iterator[None]:
    """httpx's exceptions never leave the facade: each becomes a TransportError
    naming the server it could not reach (the key is in a header, never in it)."""
    try:
        yield
    except httpx.TimeoutException as exc:
        raise RequestTimeoutError(
            f"no answer from {base_url} in time ({type(exc).__name__})"
        ) from exc
    except httpx.HTTPError as exc:
        raise TransportError(
            f"cannot reach {base_url}: {type(exc).__name__}: {exc or 'connection failed'}"
        ) from exc
