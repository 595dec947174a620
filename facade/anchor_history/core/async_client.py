"""AsyncHistoryClient: the asyncio twin of :class:`~anchor_history.core.client.HistoryClient`.

Its own module, so that the synchronous client does not load asyncio (about
45 ms of a cold start) for a program that never awaits.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from types import TracebackType
from typing import Any, Self, TypeVar

import httpx

from ..calendar.windows import DateLike
from ..errors import AnchorHistoryError
from ..metrics import MetricsArg
from ..models.history import History, HistoryPage, HistoryPoint, HistoryQuery
from ..models.plan import Plan
from ..models.session import Session, SessionsPage
from . import _api
from ._base import (
    DEFAULT_METRICS,
    Call,
    ClientBase,
    ProgressCallback,
    check_deadline_arg,
    closed_error,
    report_progress,
)
from ._config import check_page
from ._transport import AsyncGuardedTransport, call_deadline, check_deadline, translate_httpx
from .listing import list_in_tasks
from .pagination import PageChecker
from .retry import RetryPolicy
from .session_pages import PAGE_LIMIT, Span, listing_spans, session_filters

__all__ = ["AsyncHistoryClient"]

T = TypeVar("T")


class AsyncHistoryClient(ClientBase[httpx.AsyncBaseTransport, Callable[[float], Awaitable[Any]]]):
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

    async def _get(self, query: HistoryQuery, page: int, call: Call) -> HistoryPage:
        return await self._retrying(
            call,
            lambda: _api.send_async(self._api, query, page),
            lambda exchange, attempt, started: self._page_from(exchange, page, attempt, started),
        )

    async def _retrying(
        self,
        call: Call,
        send: Callable[[], Awaitable[_api.Exchange]],
        convert: Callable[[_api.Exchange, int, float], T],
    ) -> T:
        """The asyncio twin of :meth:`HistoryClient._retrying`."""
        if self._http_async.is_closed:
            raise closed_error(self)
        token = call_deadline.set(call.deadline)  # for the transport, in this task
        try:
            attempt = 0
            while True:
                started = time.perf_counter()
                try:
                    check_deadline()
                    with translate_httpx(self._settings.base_url):
                        exchange = await send()
                    return convert(exchange, attempt, started)
                except AnchorHistoryError as error:
                    attempt += 1
                    await self._sleep(self._next_delay(call, error, attempt))
        finally:
            call_deadline.reset(token)

    async def plan(self, *, max_retries: int | None = None, deadline: float | None = None) -> Plan:
        """The team's plan from ``GET /v1/billing`` (see :meth:`HistoryClient.plan`)."""
        from ._api.billing import send_billing_async

        return await self._retrying(
            self._call(max_retries, deadline),
            lambda: send_billing_async(self._api),
            lambda exchange, attempt, started: self._plan_from(exchange, attempt, started),
        )

    def sessions(
        self,
        from_date: DateLike | None = None,
        to_date: DateLike | None = None,
        *,
        tags: str | Iterable[str] = (),
        domains: str | Iterable[str] = (),
        status: str | None = None,
        search: str | None = None,
        task_initiated: bool | None = None,
        concurrency: int | None = None,
        max_retries: int | None = None,
        progress: ProgressCallback | None = None,
        deadline: float | None = None,
    ) -> AsyncIterator[Session]:
        """``async for`` every session of the window (see :meth:`HistoryClient.sessions`)."""
        from ._api.sessions import send_sessions_async

        filters = session_filters(
            tags=tags, domains=domains, status=status, search=search,
            task_initiated=task_initiated,
        )  # fmt: skip
        spans = listing_spans(from_date, to_date, now=self._clock())
        call = self._call(max_retries, deadline)

        async def get(span: Span, number: int) -> SessionsPage:
            return await self._retrying(
                call,
                lambda: send_sessions_async(
                    self._api, (span.first, span.last), number, PAGE_LIMIT, filters
                ),
                self._sessions_page_from,
            )

        return list_in_tasks(spans, filters, get, self._concurrency(concurrency), progress)

    async def get_page(
        self,
        from_date: DateLike | None = None,
        to_date: DateLike | None = None,
        granularity: str = "day",
        metrics: MetricsArg = DEFAULT_METRICS,
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
        metrics: MetricsArg = DEFAULT_METRICS,
        *,
        page_size: int = 1000,
        max_retries: int | None = None,
        deadline: float | None = None,
    ) -> AsyncIterator[HistoryPoint]:
        query = self._query(from_date, to_date, granularity, metrics, page_size, "page_size")
        return self._iter(query, self._policy_for(max_retries), check_deadline_arg(deadline))

    async def _iter(
        self, query: HistoryQuery, retry: RetryPolicy, seconds: float | None
    ) -> AsyncIterator[HistoryPoint]:
        call = Call.starting(retry, seconds)  # the clock starts with the first request
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
        metrics: MetricsArg = DEFAULT_METRICS,
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
        report_progress(progress, 1, checker.total_pages)

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
                report_progress(progress, number, checker.total_pages)
        finally:
            for _, task in in_flight:
                task.cancel()
            await asyncio.gather(*(task for _, task in in_flight), return_exceptions=True)
        return checker.history(points)
