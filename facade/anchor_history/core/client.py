"""HistoryClient and AsyncHistoryClient: thin shells that do the I/O and the sleeping.

Every decision (validating input, parsing a page, whether pages fit together,
whether and how long to retry) is made by pure code in the other modules; the
two classes below only send requests, wait and loop, so they stay alike.

>>> # with HistoryClient() as client:
>>> #     history = client.fetch(from_date="30d", metrics=["session_count", "credits_used"])
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self, TypeVar

import httpx

from ..calendar.windows import DateLike
from ..errors import AnchorHistoryError
from ..metrics import MetricsArg
from ..models.history import History, HistoryPage, HistoryPoint, HistoryQuery
from ..models.plan import Plan
from ..models.session import Session, SessionFilters, SessionsPage
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
from ._transport import (
    GuardedTransport,
    LazyTransport,
    call_deadline,
    check_deadline,
    translate_httpx,
)
from .listing import list_in_threads
from .pagination import PageChecker
from .retry import RetryPolicy
from .session_pages import PAGE_LIMIT, Span, listing_spans, session_filters

if TYPE_CHECKING:
    from concurrent.futures import Future

T = TypeVar("T")

__all__ = ["AsyncHistoryClient", "HistoryClient", "ProgressCallback"]  # noqa: F822


class HistoryClient(ClientBase[httpx.BaseTransport, Callable[[float], None]]):
    """A synchronous client for ``GET /v1/sessions/history``.

    One connection pool per client: use it as a context manager, or call ``close()``.
    Settings as for every client: see ``ClientBase``.
    """

    _default_sleep = staticmethod(time.sleep)

    def _open(self, options: dict[str, Any]) -> None:
        limits = self._limits()
        inner = options.pop("transport") or LazyTransport(
            lambda: httpx.HTTPTransport(limits=limits)
        )
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

    def _get(self, query: HistoryQuery, page: int, call: Call) -> HistoryPage:
        return self._retrying(
            call,
            lambda: _api.send(self._api, query, page),
            lambda exchange, attempt, started: self._page_from(exchange, page, attempt, started),
        )

    def _retrying(
        self,
        call: Call,
        send: Callable[[], _api.Exchange],
        convert: Callable[[_api.Exchange, int, float], T],
    ) -> T:
        """One request, retried as the policy says, within the call's deadline."""
        if self._http.is_closed:
            raise closed_error(self)
        token = call_deadline.set(call.deadline)  # for the transport, in this thread
        try:
            attempt = 0
            while True:
                started = time.perf_counter()
                try:
                    check_deadline()
                    with translate_httpx(self._settings.base_url):
                        exchange = send()
                    return convert(exchange, attempt, started)
                except AnchorHistoryError as error:
                    attempt += 1
                    self._sleep(self._next_delay(call, error, attempt))
        finally:
            call_deadline.reset(token)

    def plan(self, *, max_retries: int | None = None, deadline: float | None = None) -> Plan:
        """The team's plan from ``GET /v1/billing``, with the same retries, deadline,
        size cap and typed errors as history; :class:`PlanUnavailableError` when
        this key cannot read it (403/404)."""
        from ._api.billing import send_billing

        return self._retrying(
            self._call(max_retries, deadline),
            lambda: send_billing(self._api),
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
    ) -> Iterator[Session]:
        """Every session created in ``[from_date, to_date)``, oldest first, from
        ``GET /v1/sessions``: pages of 50, fetched ``concurrency`` at a time, each
        checked (see :mod:`.session_pages`). ``tags``/``domains``: sessions holding
        all of them; ``search``: a partial match on tags. Arguments are checked
        here, before the first request; :class:`SessionsUnavailableError` when this
        key or API cannot list sessions."""
        filters = session_filters(
            tags=tags, domains=domains, status=status, search=search,
            task_initiated=task_initiated,
        )  # fmt: skip
        spans = listing_spans(from_date, to_date, now=self._clock())
        call = self._call(max_retries, deadline)
        return self._list(spans, filters, call, self._concurrency(concurrency), progress)

    def _list(
        self,
        spans: list[Span],
        filters: SessionFilters,
        call: Call,
        workers: int,
        progress: ProgressCallback | None,
    ) -> Iterator[Session]:
        from ._api.sessions import send_sessions

        def get(span: Span, number: int) -> SessionsPage:
            return self._retrying(
                call,
                lambda: send_sessions(
                    self._api, (span.first, span.last), number, PAGE_LIMIT, filters
                ),
                self._sessions_page_from,
            )

        return list_in_threads(spans, filters, get, workers, progress)

    def get_page(
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
        """One page, as the API sent it (checked and converted)."""
        query = self._query(from_date, to_date, granularity, metrics, limit)
        return self._get(query, check_page(page), self._call(max_retries, deadline))

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
    ) -> Iterator[HistoryPoint]:
        """Every point, page after page, holding one page in memory at a time.

        The arguments are checked when this is called, before the first request.
        """
        query = self._query(from_date, to_date, granularity, metrics, page_size, "page_size")
        return self._iter(query, self._policy_for(max_retries), check_deadline_arg(deadline))

    def _iter(
        self, query: HistoryQuery, retry: RetryPolicy, seconds: float | None
    ) -> Iterator[HistoryPoint]:
        call = Call.starting(retry, seconds)  # the clock starts with the first request
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
        metrics: MetricsArg = DEFAULT_METRICS,
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
        report_progress(progress, 1, checker.total_pages)
        pages = iter(checker.remaining_pages())
        from concurrent.futures import ThreadPoolExecutor  # 10 ms of a cold start otherwise

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
                    report_progress(progress, number, checker.total_pages)
            finally:
                pool.shutdown(cancel_futures=True)
        return checker.history(points)


def __getattr__(name: str) -> Any:
    """``AsyncHistoryClient`` lives in :mod:`.async_client` (so this module loads no
    asyncio); it is still importable from here."""
    if name == "AsyncHistoryClient":
        from .async_client import AsyncHistoryClient

        return AsyncHistoryClient
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
