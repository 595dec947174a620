"""Pure planning and checking for the session listing (``GET /v1/sessions``).

The window ``[start, end)`` is asked for in spans of at most ``SPAN`` (a week):
the API documents no longest window, and a span keeps every query to pages a
server serves quickly (page 80, not page 500 of one deep offset), and lets the
spans' first pages go out at once. Each span is inclusive at both ends, as
``created_from``/``created_to`` are, and they neither overlap nor leave a gap.

``SpanChecker`` checks every page of one span against its first: the same
totals, full pages but the last, sessions oldest first inside the span and
matching the filters asked for, no session twice. A listing that does not fit
together is a :class:`PaginationError`, never a partial answer passed as whole.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from attrs import frozen

from ..calendar.windows import DateLike, resolve_window
from ..errors import InvalidInputError, PaginationError
from ..models.session import Session, SessionFilters, SessionsPage

__all__ = [
    "PAGE_LIMIT",
    "SPAN",
    "PageCounter",
    "Span",
    "SpanChecker",
    "listing_spans",
    "session_filters",
    "spans_of",
]

PAGE_LIMIT = 50  # the largest page the API serves (its limit is 10, 20 or 50)
SPAN = timedelta(days=7)
_TICK = timedelta(milliseconds=1)  # the API's precision: created_to is at or before


@frozen
class Span:
    """One query's window, both ends inclusive, as the API takes it."""

    first: datetime
    last: datetime


def listing_spans(
    from_date: DateLike | None, to_date: DateLike | None, *, now: datetime
) -> list[Span]:
    """The spans of one call's window (checked as the history's is: ``to`` defaults
    to now, ``from`` to 30 days before it), ending no later than ``now``: a session
    created while the listing is read must not shift its pages."""
    start, end = resolve_window(from_date, to_date, now=now)
    return spans_of(start, min(end, now + _TICK))


def spans_of(start: datetime, end: datetime, *, span: timedelta = SPAN) -> list[Span]:
    """``[start, end)`` as inclusive spans of at most ``span``, in order.

    >>> from datetime import UTC
    >>> [(s.first.day, s.last.isoformat()[8:23]) for s in spans_of(
    ...     datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 10, tzinfo=UTC))]
    [(1, '07T23:59:59.999'), (8, '09T23:59:59.999')]
    """
    found: list[Span] = []
    cursor = start
    while cursor < end:
        stop = min(cursor + span, end)
        found.append(Span(cursor, stop - _TICK))
        cursor = stop
    return found


class PageCounter:
    """Pages done against pages known so far (a span's count is known once its
    first page is in), for a progress callback."""

    def __init__(self, spans: int, progress: Callable[[int, int], None] | None) -> None:
        self._unknown = spans
        self._known = 0
        self._done = 0
        self._progress = progress

    def first(self, pages: int) -> None:
        self._unknown -= 1
        self._known += max(pages, 1)
        self.done()

    def done(self) -> None:
        self._done += 1
        if self._progress is not None:
            self._progress(self._done, max(self._known + self._unknown, 1))


class SpanChecker:
    """Checks the pages of one span's listing against its first page."""

    def __init__(
        self, span: Span, first: SessionsPage, filters: SessionFilters, limit: int
    ) -> None:
        self.span = span
        self.filters = filters
        self.total = first.total
        self.total_pages = first.total_pages
        where = f"sessions from {span.first.isoformat()}"
        if first.page != 1:
            raise PaginationError(f"{where}: asked for page 1, got page {first.page}")
        # A server may serve fewer than the limit asked for: learn its page size.
        self.page_size = len(first.sessions) if self.total_pages > 1 else limit
        if self.page_size == 0 and self.total > 0:
            raise PaginationError(f"{where}: page 1 is empty but total is {self.total}")
        if len(first.sessions) > limit:
            raise PaginationError(
                f"{where}: page 1 holds {len(first.sessions)} sessions for limit {limit}"
            )
        expected = math.ceil(self.total / self.page_size) if self.page_size else 0
        if self.total_pages != expected and not (self.total == 0 and self.total_pages <= 1):
            raise PaginationError(
                f"{where}: total_pages {self.total_pages} does not fit total {self.total} "
                f"at {self.page_size} per page"
            )
        self._seen: set[str] = set()
        self._last: datetime | None = None
        self._where = where

    def remaining_pages(self) -> range:
        return range(2, self.total_pages + 1)

    def accept(self, number: int, page: SessionsPage) -> list[Session]:
        """The sessions of page ``number``, checked; they must be accepted in order."""
        where = f"{self._where}, page {number}"
        if page.page != number:
            raise PaginationError(f"{where}: the server sent page {page.page}")
        if (page.total, page.total_pages) != (self.total, self.total_pages):
            raise PaginationError(
                f"{where}: the listing changed while it was read (total {self.total} -> "
                f"{page.total}, pages {self.total_pages} -> {page.total_pages}); run it again"
            )
        expected = max(0, min(self.page_size, self.total - self.page_size * (number - 1)))
        if len(page.sessions) != expected:
            raise PaginationError(
                f"{where}: {len(page.sessions)} sessions where {expected} were due "
                f"(total {self.total}, {self.page_size} a page)"
            )
        for session in page.sessions:
            self._check(where, session)
        if number == self.total_pages and len(self._seen) != self.total:
            raise PaginationError(f"{where}: {len(self._seen)} sessions for total {self.total}")
        return list(page.sessions)

    def _check(self, where: str, session: Session) -> None:
        if not self.span.first <= session.created_at <= self.span.last:
            raise PaginationError(
                f"{where}: session {session.id} was created at {session.created_at.isoformat()}, "
                f"outside the span asked for ({self.span.first.isoformat()} to "
                f"{self.span.last.isoformat()})"
            )
        if self._last is not None and session.created_at < self._last:
            raise PaginationError(f"{where}: session {session.id} is out of order (oldest first)")
        if session.id in self._seen:
            raise PaginationError(f"{where}: session {session.id} was listed twice")
        if not self.filters.admits(session):
            raise PaginationError(
                f"{where}: session {session.id} does not match the filters asked for"
            )
        self._seen.add(session.id)
        self._last = session.created_at


def session_filters(
    *,
    tags: object = (),
    domains: object = (),
    status: object = None,
    search: object = None,
    task_initiated: object = None,
) -> SessionFilters:
    """The filters of one call, checked before any request. ``tags`` and
    ``domains`` take one string or several (each travels comma-joined, so none
    may hold a comma)."""
    return SessionFilters(
        tags=_names("tags", tags),
        domains=_names("domains", domains),
        status=_word("status", status),
        search=_word("search", search),
        task_initiated=_flag("task_initiated", task_initiated),
    )


def _names(param: str, value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, Iterable) or isinstance(items, bytes | dict):
        raise InvalidInputError(param, f"{value!r} is not a string or a list of strings")
    found: list[str] = []
    for item in items:
        if not isinstance(item, str) or not item.strip():
            raise InvalidInputError(param, f"{item!r} is not a non-empty string")
        if "," in item:
            raise InvalidInputError(
                param,
                f"{item!r} holds a comma; the API takes them comma-joined, so give "
                "each on its own (a list)",
            )
        found.append(item.strip())
    return tuple(dict.fromkeys(found))


def _word(param: str, value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise InvalidInputError(param, f"{value!r} is not a non-empty string")
    return value.strip()


def _flag(param: str, value: object) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    raise InvalidInputError(param, f"{value!r} is not True, False or None")
