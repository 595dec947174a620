"""HistoryClient and AsyncHistoryClient: thin shells that do the I/O and the sleeping.

Every decision (validating input, parsing a page, whether pages fit together,
whether and how long to retry) is made by pure code in the other modules; the
two classes below only send requests, wait and loop, so they stay alike.

>>> # with HistoryClient() as client:
>>> #     history = client.fetch(from_date="30d", metrics=["session_count", "credits_used"])
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Generic, Self, TypeVar

import httpx
from attrs import evolve, frozen

from . import _api
from ._config import (
    DEFAULT_TIMEOUT,
    Settings,
    build_query,
    check_page,
    positive_int,
    resolve_settings,
)
from ._transport import (
    DEFAULT_MAX_RESPONSE_BYTES,
    AsyncGuardedTransport,
    GuardedTransport,
    call_deadline,
    check_deadline,
)
from .dates import DateLike
from .errors import (
    AnchorHistoryError,
    APIError,
    InvalidInputError,
    RequestTimeoutError,
    TransportError,
    redact,
)
from .metrics import MetricsArg
from .models import History, HistoryPage, HistoryPoint, HistoryQuery
from .pagination import PageChecker
from .retry import RetryPolicy

__all__ = ["AsyncHistoryClient", "HistoryClient", "ProgressCallback"]

logger = logging.getLogger("anchor_history")

ProgressCallback = Callable[[int, int], None]
"""Called with (pages done, pages in all) as a fetch goes."""

_DEFAULT_METRICS = ("session_count",)


@contextmanager
def _translate_httpx(base_url: str) -> Iterator[None]:
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


@frozen
class _Call:
    """What every attempt of one call shares: its retry policy and its deadline
    (monotonic end, seconds given), or None."""

    policy: RetryPolicy
    deadline: tuple[float, float] | None

    @classmethod
    def starting(cls, policy: RetryPolicy, seconds: float | None) -> _Call:
        if seconds is None:
            return cls(policy, None)
        return cls(policy, (time.monotonic() + seconds, seconds))


def _check_deadline_arg(deadline: object) -> float | None:
    if deadline is None:
        return None
    if isinstance(deadline, bool) or not isinstance(deadline, (int, float)) or not deadline > 0:
        raise InvalidInputError(f"deadline: {deadline!r} is not a number of seconds > 0 (or None)")
    if deadline != deadline or deadline == float("inf"):
        raise InvalidInputError(f"deadline: {deadline!r} is not a finite number of seconds")
    return float(deadline)


TransportT = TypeVar("TransportT")
SleepT = TypeVar("SleepT")


class _ClientBase(Generic[TransportT, SleepT]):
    """What both clients share: settings, query building, retry policy, logging.

    ``api_key`` falls back to ``ANCHORBROWSER_API_KEY``, ``base_url`` to
    ``ANCHORBROWSER_BASE_URL`` and then the real API. ``transport`` (an httpx
    transport), ``sleep`` and ``clock`` are there for tests and special networks.
    ``max_response_bytes`` caps one response body after decompression (32 MiB).
    Every call also takes ``deadline``: seconds for the whole call, retries and
    waits included (for ``iter_points``, from its first request).
    """

    _default_sleep: Callable[..., Any]

    def __init__(
        self,
        api_key: str | None = None,
        base_url: str | None = None,
        *,
        timeout: float | httpx.Timeout | None = DEFAULT_TIMEOUT,
        max_retries: int = 2,
        concurrency: int = 4,
        allow_insecure_http: bool = False,
        transport: TransportT | None = None,
        sleep: SleepT | None = None,
        retry_policy: RetryPolicy | None = None,
        clock: Callable[[], datetime] | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        self._max_response_bytes = positive_int("max_response_bytes", max_response_bytes, 1)
        self._settings: Settings = resolve_settings(
            api_key=api_key,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            concurrency=concurrency,
            allow_insecure_http=allow_insecure_http,
            env=os.environ,
        )
        self._policy = evolve(retry_policy or RetryPolicy(), max_retries=self._settings.max_retries)
        self._clock = clock or (lambda: datetime.now(UTC))
        default_sleep: Any = type(self)._default_sleep  # each client's own (time or asyncio)
        self._sleep: SleepT = sleep if sleep is not None else default_sleep
        self._api = _api.make_api_client(self._settings.base_url)
        self._open(self._httpx_options(transport))

    def _open(self, options: dict[str, Any]) -> None:
        """Create the connection pool, its transport guarded, for the generated client."""
        raise NotImplementedError

    @property
    def base_url(self) -> str:
        return self._settings.base_url

    def __repr__(self) -> str:
        s = self._settings
        return (
            f"{type(self).__name__}(base_url={s.base_url!r}, api_key='***', "
            f"timeout={s.timeout.read}, max_retries={s.max_retries}, concurrency={s.concurrency})"
        )

    def _httpx_options(self, transport: Any) -> dict[str, Any]:
        s = self._settings
        return {
            "base_url": s.base_url,
            # The key travels only in this header, set once on the connection pool.
            "headers": {"anchor-api-key": s.api_key, "accept": "application/json"},
            "timeout": s.timeout,
            "follow_redirects": False,
            "transport": transport,
        }

    def _limits(self) -> httpx.Limits:
        return httpx.Limits(max_connections=max(10, self._settings.concurrency * 2))

    def _query(
        self,
        from_date: DateLike | None,
        to_date: DateLike | None,
        granularity: str,
        metrics: MetricsArg,
        limit: object,
        limit_name: str = "limit",
    ) -> HistoryQuery:
        return build_query(
            from_date=from_date,
            to_date=to_date,
            granularity=granularity,
            metrics=metrics,
            limit=limit,
            now=self._clock(),
            limit_name=limit_name,
        )

    def _policy_for(self, max_retries: int | None) -> RetryPolicy:
        if max_retries is None:
            return self._policy
        return evolve(self._policy, max_retries=positive_int("max_retries", max_retries, 0))

    def _call(self, max_retries: int | None, deadline: float | None) -> _Call:
        return _Call.starting(self._policy_for(max_retries), _check_deadline_arg(deadline))

    def _concurrency(self, concurrency: int | None) -> int:
        if concurrency is None:
            return self._settings.concurrency
        return positive_int("concurrency", concurrency, 1)

    def _page_from(
        self, exchange: _api.Exchange, page: int, attempt: int, started: float
    ) -> HistoryPage:
        response = exchange.response
        if logger.isEnabledFor(logging.DEBUG):  # the arguments cost something on a hot path
            logger.debug(
                "GET %s -> %s in %.1f ms (page %d, attempt %d)",
                response.request.url.raw_path.decode("ascii", "replace"),
                response.status_code,
                (time.perf_counter() - started) * 1000,
                page,
                attempt + 1,
            )
        try:
            return _api.to_page(exchange, now=self._clock())
        except AnchorHistoryError as error:
            redact(error, self._settings.api_key)  # a server may echo the key back
            raise

    def _next_delay(self, call: _Call, error: AnchorHistoryError, attempt: int) -> float:
        """The wait before retry ``attempt``; re-raises ``error`` when it is not to be
        retried, or a RequestTimeoutError when the wait would outlast the deadline."""
        policy = call.policy
        delay = policy.delay(error, attempt)
        if delay is None:
            error.attempts = attempt
            raise error
        left = check_deadline() if call.deadline is not None else None
        if left is not None and delay >= left:
            timeout = RequestTimeoutError(
                f"the call's deadline of {call.deadline[1]:g} s would pass during the "  # type: ignore[index]
                f"{delay:.1f} s wait before retry {attempt} (after: {error})"
            )
            timeout.attempts = attempt
            raise timeout from error
        # INFO, so a terminal can show what it waits for (the CLI does); silent by default.
        asked = isinstance(error, APIError) and error.retry_after is not None
        logger.info(
            "%s; waiting %.1f s (%s) before retry %d of %d",
            error,
            delay,
            "as the server asked" if asked else "backoff",
            attempt,
            policy.max_retries,
        )
        return delay


class HistoryClient(_ClientBase[httpx.BaseTransport, Callable[[float], None]]):
    """A synchronous client for ``GET /v1/sessions/history``.

    One connection pool per client: use it as a context manager, or call ``close()``.
    Settings as for every client: see ``_ClientBase``.
    """

    _default_sleep = staticmethod(time.sleep)

    def _open(self, options: dict[str, Any]) -> None:
        inner = options.pop("transport") or httpx.HTTPTransport(limits=self._limits())
        self._http = httpx.Client(
            **options,
            transport=GuardedTransport(inner, self._max_response_bytes),
            event_hooks={"response": [_api.remember_response]},
        )
        self._api.set_httpx_client(self._http)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _get(self, query: HistoryQuery, page: int, call: _Call) -> HistoryPage:
        token = call_deadline.set(call.deadline)  # for the transport, in this thread
        try:
            attempt = 0
            while True:
                started = time.perf_counter()
                try:
                    check_deadline()
                    with _translate_httpx(self._settings.base_url):
                        exchange = _api.send(self._api, query, page)
                    return self._page_from(exchange, page, attempt, started)
                except AnchorHistoryError as error:
                    attempt += 1
                    self._sleep(self._next_delay(call, error, attempt))
        finally:
            call_deadline.reset(token)

    def get_page(
        self,
        from_date: DateLike | None = None,
        to_date: DateLike | None = None,
        granularity: str = "day",
        metrics: MetricsArg = _DEFAULT_METRICS,
        page: int = 1,
        limit: int = 100,
        *,
        max_retries: int | None = None,
        deadline: float | None = None,
    ) -> HistoryPage:
        """One page, as the API sent it (checked and converted)."""
        query = self._query(from_date, to_date, granularity, metrics, limit)
        return self._get(query, check_page(page), self._call(max_retries, deadline))

    def iter_points(
        self,
        from_date: DateLike | None = None,
        to_date: DateLike | None = None,
        granularity: str = "day",
        metrics: MetricsArg = _DEFAULT_METRICS,
        *,
        page_size: int = 1000,
        max_retries: int | None = None,
        deadline: float | None = None,
    ) -> Iterator[HistoryPoint]:
        """Every point, page after page, holding one page in memory at a time.

        The arguments are checked when this is called, before the first request.
        """
        query = self._query(from_date, to_date, granularity, metrics, page_size, "page_size")
        return self._iter(query, self._policy_for(max_retries), _check_deadline_arg(deadline))

    def _iter(
        self, query: HistoryQuery, retry: RetryPolicy, seconds: float | None
    ) -> Iterator[HistoryPoint]:
        call = _Call.starting(retry, seconds)  # the clock starts with the first request
        first = self._get(query, 1, call)
        checker = PageChecker(query, first, now=self._clock())
        yield from checker.accept(1, first)
        for number in checker.remaining_pages():
            yield from checker.accept(number, self._get(query, number, call))

    def fetch(
        self,
        from_date: DateLike | None = None,
        to_date: DateLike | None = None,
        granularity: str = "day",
        metrics: MetricsArg = _DEFAULT_METRICS,
        *,
        page_size: int = 1000,
        concurrency: int | None = None,
        max_retries: int | None = None,
        progress: ProgressCallback | None = None,
        deadline: float | None = None,
    ) -> History:
        """All points of the window: page 1, then the rest concurrently, returned in order."""
        query = self._query(from_date, to_date, granularity, metrics, page_size, "page_size")
        call = self._call(max_retries, deadline)
        workers = self._concurrency(concurrency)
        first = self._get(query, 1, call)
        checker = PageChecker(query, first, now=self._clock())
        points = list(checker.accept(1, first))
        _report(progress, 1, checker.total_pages)
        pages = iter(checker.remaining_pages())
        with ThreadPoolExecutor(max_workers=workers) as pool:
            # A sliding window of requests, 4x the workers (enough that one slow page
            # rarely idles them; measured against 2x and 8x), so a
            # server claiming a billion pages costs nothing until they are fetched.
            in_flight: deque[tuple[int, Future[HistoryPage]]] = deque()

            def submit_next() -> None:
                number = next(pages, None)
                if number is not None:
                    in_flight.append((number, pool.submit(self._get, query, number, call)))

            try:
                for _ in range(4 * workers):
                    submit_next()
                while in_flight:
                    number, future = in_flight.popleft()
                    page = future.result()
                    submit_next()
                    points.extend(checker.accept(number, page))
                    _report(progress, number, checker.total_pages)
            finally:
                pool.shutdown(cancel_futures=True)
        return checker.history(points)


class AsyncHistoryClient(_ClientBase[httpx.AsyncBaseTransport, Callable[[float], Awaitable[Any]]]):
    """The asyncio twin of :class:`HistoryClient`.

    ``await`` get_page and fetch; ``async for`` over iter_points.
    """

    _default_sleep = staticmethod(asyncio.sleep)

    def _open(self, options: dict[str, Any]) -> None:
        inner = options.pop("transport") or httpx.AsyncHTTPTransport(limits=self._limits())
        self._http_async = httpx.AsyncClient(
            **options,
            transport=AsyncGuardedTransport(inner, self._max_response_bytes),
            event_hooks={"response": [_api.remember_response_async]},
        )
        self._api.set_async_httpx_client(self._http_async)

    async def aclose(self) -> None:
        await self._http_async.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def _get(self, query: HistoryQuery, page: int, call: _Call) -> HistoryPage:
        token = call_deadline.set(call.deadline)  # for the transport, in this task
        try:
            attempt = 0
            while True:
                started = time.perf_counter()
                try:
                    check_deadline()
                    with _translate_httpx(self._settings.base_url):
                        exchange = await _api.send_async(self._api, query, page)
                    return self._page_from(exchange, page, attempt, started)
                except AnchorHistoryError as error:
                    attempt += 1
                    await self._sleep(self._next_delay(call, error, attempt))
        finally:
            call_deadline.reset(token)

    async def get_page(
        self,
        from_date: DateLike | None = None,
        to_date: DateLike | None = None,
        granularity: str = "day",
        metrics: MetricsArg = _DEFAULT_METRICS,
        page: int = 1,
        limit: int = 100,
        *,
        max_retries: int | None = None,
        deadline: float | None = None,
    ) -> HistoryPage:
        query = self._query(from_date, to_date, granularity, metrics, limit)
        return await self._get(query, check_page(page), self._call(max_retries, deadline))

    def iter_points(
        self,
        from_date: DateLike | None = None,
        to_date: DateLike | None = None,
        granularity: str = "day",
        metrics: MetricsArg = _DEFAULT_METRICS,
        *,
        page_size: int = 1000,
        max_retries: int | None = None,
        deadline: float | None = None,
    ) -> AsyncIterator[HistoryPoint]:
        query = self._query(from_date, to_date, granularity, metrics, page_size, "page_size")
        return self._iter(query, self._policy_for(max_retries), _check_deadline_arg(deadline))

    async def _iter(
        self, query: HistoryQuery, retry: RetryPolicy, seconds: float | None
    ) -> AsyncIterator[HistoryPoint]:
        call = _Call.starting(retry, seconds)  # the clock starts with the first request
        first = await self._get(query, 1, call)
        checker = PageChecker(query, first, now=self._clock())
        for point in checker.accept(1, first):
            yield point
        for number in checker.remaining_pages():
            for point in checker.accept(number, await self._get(query, number, call)):
                yield point

    async def fetch(
        self,
        from_date: DateLike | None = None,
        to_date: DateLike | None = None,
        granularity: str = "day",
        metrics: MetricsArg = _DEFAULT_METRICS,
        *,
        page_size: int = 1000,
        concurrency: int | None = None,
        max_retries: int | None = None,
        progress: ProgressCallback | None = None,
        deadline: float | None = None,
    ) -> History:
        query = self._query(from_date, to_date, granularity, metrics, page_size, "page_size")
        call = self._call(max_retries, deadline)
        limit = asyncio.Semaphore(self._concurrency(concurrency))
        first = await self._get(query, 1, call)
        checker = PageChecker(query, first, now=self._clock())
        points = list(checker.accept(1, first))
        _report(progress, 1, checker.total_pages)

        pages = iter(checker.remaining_pages())
        in_flight: deque[tuple[int, asyncio.Task[HistoryPage]]] = deque()

        async def one(number: int) -> HistoryPage:
            async with limit:
                return await self._get(query, number, call)

        def start_next() -> None:  # the same sliding window as the sync client's
            number = next(pages, None)
            if number is not None:
                in_flight.append((number, asyncio.ensure_future(one(number))))

        try:
            for _ in range(4 * self._concurrency(concurrency)):
                start_next()
            while in_flight:
                number, task = in_flight.popleft()
                page = await task
                start_next()
                points.extend(checker.accept(number, page))
                _report(progress, number, checker.total_pages)
        finally:
            for _, task in in_flight:
                task.cancel()
            await asyncio.gather(*(task for _, task in in_flight), return_exceptions=True)
        return checker.history(points)


def _report(progress: ProgressCallback | None, done: int, total: int) -> None:
    if progress is not None:
        progress(done, max(total, 1))
