"""The session listing's fetch loops, threads and asyncio: the spans' first pages
asked for ahead, then each span's other pages in a sliding window, every page
checked by a :class:`~.session_pages.SpanChecker` and yielded oldest first.

Only I/O and waiting happen here; what a page must be is judged in
:mod:`.session_pages`, so the two loops judge alike.
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import TYPE_CHECKING

from ..models.session import Session, SessionFilters, SessionsPage
from .session_pages import PAGE_LIMIT, PageCounter, Span, SpanChecker

if TYPE_CHECKING:
    import asyncio
    from concurrent.futures import Future

__all__ = ["list_in_tasks", "list_in_threads"]

Progress = Callable[[int, int], None]


def list_in_threads(
    spans: list[Span],
    filters: SessionFilters,
    get: Callable[[Span, int], SessionsPage],
    workers: int,
    progress: Progress | None,
) -> Iterator[Session]:
    """Every session of ``spans``, in order, ``get`` called from ``workers`` threads."""
    from concurrent.futures import ThreadPoolExecutor

    counter = PageCounter(len(spans), progress)
    pool = ThreadPoolExecutor(max_workers=workers)
    try:
        # Up to ``workers`` spans' first pages are asked for ahead, so that the next
        # span's pages can start as soon as this one's are all on their way.
        upcoming = iter(spans)
        ahead: deque[tuple[Span, Future[SessionsPage]]] = deque(
            (span, pool.submit(get, span, 1)) for span in itertools.islice(upcoming, workers)
        )
        while ahead:
            span, first_page = ahead.popleft()
            first = first_page.result()
            for span_next in itertools.islice(upcoming, 1):
                ahead.append((span_next, pool.submit(get, span_next, 1)))
            checker = SpanChecker(span, first, filters, PAGE_LIMIT)
            counter.first(checker.total_pages)
            yield from checker.accept(1, first)
            pages = iter(checker.remaining_pages())
            in_flight: deque[tuple[int, Future[SessionsPage]]] = deque(
                (n, pool.submit(get, span, n)) for n in itertools.islice(pages, 4 * workers)
            )
            while in_flight:
                number, future = in_flight.popleft()
                page = future.result()
                for n in itertools.islice(pages, 1):
                    in_flight.append((n, pool.submit(get, span, n)))
                counter.done()
                yield from checker.accept(number, page)
    finally:
        pool.shutdown(cancel_futures=True)


async def list_in_tasks(
    spans: list[Span],
    filters: SessionFilters,
    get: Callable[[Span, int], Awaitable[SessionsPage]],
    workers: int,
    progress: Progress | None,
) -> AsyncIterator[Session]:
    """The asyncio twin of :func:`list_in_threads`: at most ``workers`` requests at
    once (a semaphore), the same order and checks."""
    import asyncio

    limit = asyncio.Semaphore(workers)

    async def one(span: Span, number: int) -> SessionsPage:
        async with limit:
            return await get(span, number)

    def start(span: Span, number: int) -> asyncio.Task[SessionsPage]:
        return asyncio.ensure_future(one(span, number))

    counter = PageCounter(len(spans), progress)
    started: list[asyncio.Task[SessionsPage]] = []
    try:
        upcoming = iter(spans)
        ahead = deque((span, start(span, 1)) for span in itertools.islice(upcoming, workers))
        started.extend(task for _, task in ahead)
        while ahead:
            span, first_page = ahead.popleft()
            first = await first_page
            for span_next in itertools.islice(upcoming, 1):
                ahead.append((span_next, start(span_next, 1)))
                started.append(ahead[-1][1])
            checker = SpanChecker(span, first, filters, PAGE_LIMIT)
            counter.first(checker.total_pages)
            for session in checker.accept(1, first):
                yield session
            pages = iter(checker.remaining_pages())
            in_flight = deque((n, start(span, n)) for n in itertools.islice(pages, 4 * workers))
            started.extend(task for _, task in in_flight)
            while in_flight:
                number, task = in_flight.popleft()
                page = await task
                for n in itertools.islice(pages, 1):
                    in_flight.append((n, start(span, n)))
                    started.append(in_flight[-1][1])
                counter.done()
                for session in checker.accept(number, page):
                    yield session
            started = [t for t in started if not t.done()]
    finally:
        for task in started:
            task.cancel()
        await asyncio.gather(*started, return_exceptions=True)
