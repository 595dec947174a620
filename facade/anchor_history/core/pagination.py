"""Pure checks that the pages of one query fit together into the whole data.

A misbehaving server (``has_next`` that never ends, totals that change between
pages, a short page, the same period twice) must never yield partial or doubled
data as if it were whole. The fetch loops (sync and async) only do I/O; every
judgement is made here, so both are checked alike and tested without a server.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from attrs import evolve

from ..calendar.boundaries import LAST_MS, period_after
from ..errors import PaginationError
from ..models.history import History, HistoryPage, HistoryPoint, HistoryQuery, Pagination

__all__ = ["PageChecker"]

# The longest period of each granularity (UTC buckets: no DST in them).
_LONGEST = {
    "hour": timedelta(hours=1),
    "day": timedelta(days=1),
    "week": timedelta(days=7),
    "month": timedelta(days=31),
}


class PageChecker:
    """Checks every page of one query against the first one.

    >>> # checker = PageChecker(query, first_page)
    >>> # for n in checker.remaining_pages(): points = checker.accept(n, fetch(n))
    """

    def __init__(
        self, query: HistoryQuery, first: HistoryPage, *, now: datetime | None = None
    ) -> None:
        self.query = query
        # Points whose period may stick out of the window so far are marked partial.
        # A period lasts at most its granularity's longest (31 days for a month), so only
        # starts within that of the end are looked at.
        self._covered = min(query.to_date, now or datetime.now(UTC))
        # (clamped: a window in year 1 has no period before it)
        longest = _LONGEST.get(query.granularity, _LONGEST["month"])
        earliest = datetime.min.replace(tzinfo=UTC) + longest
        self._late = max(self._covered, earliest) - longest
        self.summary = first.summary
        pagination = _pagination_of(1, first)
        if pagination.total_pages is None or pagination.total_pages < 0:
            raise PaginationError(
                f"page 1: pagination.total_pages is {pagination.total_pages!r}; "
                "cannot tell how many pages to fetch"
            )
        self.total_pages = pagination.total_pages
        self.total_records = pagination.total_records
        # The server may cap the page size below the limit asked for: learn it
        # from page 1 when more pages follow.
        self.page_size = len(first.points) if self.total_pages > 1 else query.limit
        if self.page_size > query.limit or (self.total_pages > 1 and self.page_size == 0):
            raise PaginationError(
                f"page 1 holds {len(first.points)} points for limit {query.limit} "
                f"with {self.total_pages} pages"
            )
        if self.total_records is not None:
            expected_pages = math.ceil(self.total_records / self.page_size)
            if self.total_pages != expected_pages and not (
                self.total_records == 0 and self.total_pages <= 1
            ):
                raise PaginationError(
                    f"page 1: total_pages {self.total_pages} does not fit total_records "
                    f"{self.total_records} at {self.page_size} per page"
                )
        self._last: datetime | None = None
        self._direction = 0

    def remaining_pages(self) -> range:
        return range(2, self.total_pages + 1)

    def accept(self, number: int, page: HistoryPage) -> tuple[HistoryPoint, ...]:
        """The page's points, once the page is checked against page 1 and the points before.

        Pages must be accepted in order (the period order is checked across them).
        """
        self._check_page(number, page)
        # The order check, inlined: one loop over a page's points is most of what a
        # fetch spends in this class (a method call a point cost a tenth of a page).
        last, direction = self._last, self._direction
        start, late = self.query.from_date, self._late
        marked = False
        for point in page.points:
            moment = point.start
            if last is not None:
                step = 1 if moment > last else (-1 if moment < last else 0)
                if step == 0 or (direction and step != direction):
                    raise PaginationError(
                        f"page {number}: period {point.date!r} comes again or out of order"
                    )
                direction = step
            last = moment
            if moment < start or moment > late:
                marked = True
        self._last, self._direction = last, direction
        return self._mark_partial(page.points) if marked else page.points

    def _mark_partial(self, points: tuple[HistoryPoint, ...]) -> tuple[HistoryPoint, ...]:
        """Points the window cuts, marked: only those before its start, or starting
        within the longest period of its end, can be (the others are not looked at)."""
        start, late = self.query.from_date, self._late
        covered, granularity = self._covered, self.query.granularity
        return tuple(
            evolve(p, partial=True)
            if p.start < start
            or (p.start > late and period_after(p.start, granularity) - covered > LAST_MS)
            else p
            for p in points
        )

    def history(self, points: list[HistoryPoint]) -> History:
        return History(points=tuple(points), summary=self.summary, query=self.query)

    def _expected_length(self, number: int) -> int | None:
        if number > max(self.total_pages, 1):
            return 0
        if self.total_records is None:
            return self.page_size if number < self.total_pages else None
        return max(0, min(self.page_size, self.total_records - (number - 1) * self.page_size))

    def _check_page(self, number: int, page: HistoryPage) -> None:
        pagination = _pagination_of(number, page)
        if pagination.current_page is not None and pagination.current_page != number:
            raise PaginationError(f"asked for page {number}, got page {pagination.current_page}")
        for name, first in (
            ("total_pages", self.total_pages),
            ("total_records", self.total_records),
        ):
            now = getattr(pagination, name)
            if now != first:
                raise PaginationError(
                    f"{name} changed from {first} on page 1 to {now} on page {number}: "
                    "the data changed while it was read"
                )
        expected = self._expected_length(number)
        got = len(page.points)
        if (expected is not None and got != expected) or (expected is None and got == 0):
            raise PaginationError(
                f"page {number} of {self.total_pages} holds {got} points; expected "
                f"{expected if expected is not None else 'at least 1'} "
                f"({self.total_records} records, {self.page_size} per page)"
            )
        more = number < self.total_pages
        if pagination.has_next is not None and pagination.has_next != more:
            raise PaginationError(
                f"page {number} of {self.total_pages} says has_next={pagination.has_next}"
            )


def _pagination_of(number: int, page: HistoryPage) -> Pagination:
    if page.pagination is None:
        raise PaginationError(
            f"page {number}: pagination is missing; cannot tell whether the data is whole"
        )
    return page.pagination
