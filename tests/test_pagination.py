"""A misbehaving server never gets partial or doubled data past the client."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from anchor_history import PaginationError
from conftest import Api, Recorder, body, make_client, paged_server, point
from hypothesis import given, settings
from hypothesis import strategies as st


def pages_server(pages: dict[int, dict[str, Any]]):
    return lambda r: httpx.Response(200, json=pages[int(r.url.params["page"])])


def three_pages(**overrides: dict[str, Any]) -> dict[int, dict[str, Any]]:
    """3 pages of 2 points (total 5); overrides patch a page's pagination by number."""
    pages = {
        n: body(
            [point(i) for i in range((n - 1) * 2, min(5, n * 2))],
            page=n,
            total_pages=3,
            total_records=5,
        )
        for n in (1, 2, 3)
    }
    for key, patch in overrides.items():
        pages[int(key[1:])]["pagination"].update(patch)
    return pages


@pytest.mark.parametrize("method", ["fetch", "iter_points"])
@pytest.mark.parametrize(
    ("pages", "match"),
    [
        (three_pages(p3={"has_next": True}), "page 3 of 3 says has_next=True"),
        (three_pages(p2={"total_pages": 4}), "total_pages changed from 3 on page 1 to 4 on page 2"),
        (three_pages(p3={"total_records": 6}), "total_records changed from 5 on page 1 to 6"),
        (three_pages(p2={"current_page": 1}), "asked for page 2, got page 1"),
    ],
)
def test_inconsistent_pagination_is_an_error(
    api: Api, method: str, pages: dict, match: str
) -> None:
    with pytest.raises(PaginationError, match=match):
        api.call(pages_server(pages), method, page_size=2)


@pytest.mark.parametrize("method", ["fetch", "iter_points"])
def test_a_short_page_is_an_error(api: Api, method: str) -> None:
    pages = three_pages()
    pages[2]["data"].pop()
    with pytest.raises(PaginationError, match="page 2 of 3 holds 1 points; expected 2"):
        api.call(pages_server(pages), method, page_size=2)


@pytest.mark.parametrize("method", ["fetch", "iter_points"])
def test_the_same_period_twice_is_an_error(api: Api, method: str) -> None:
    pages = three_pages()
    pages[2]["data"][0] = pages[1]["data"][-1]
    with pytest.raises(PaginationError, match="comes again or out of order"):
        api.call(pages_server(pages), method, page_size=2)


@pytest.mark.parametrize("method", ["fetch", "iter_points"])
def test_missing_pagination_is_an_error(api: Api, method: str) -> None:
    payload = body([point(0)])
    del payload["pagination"]
    with pytest.raises(PaginationError, match="pagination is missing"):
        api.call(lambda r: httpx.Response(200, json=payload), method)


def test_total_pages_that_do_not_fit_total_records_is_an_error(api: Api) -> None:
    payload = body([point(0), point(1)], total_pages=5, total_records=4)
    with pytest.raises(PaginationError, match="total_pages 5 does not fit total_records 4"):
        api.call(lambda r: httpx.Response(200, json=payload), "fetch", page_size=2)


def test_an_empty_window_is_an_empty_history(api: Api) -> None:
    payload = body([], total_pages=0, total_records=0, summary={"total_sessions": 0})
    history = api.call(lambda r: httpx.Response(200, json=payload), "fetch")
    assert history.points == ()
    assert history.totals_match()


def test_descending_pages_are_accepted_when_consistent() -> None:
    pages = {
        n: body(
            [point(9 - i) for i in range((n - 1) * 5, n * 5)],
            page=n,
            total_pages=2,
            total_records=10,
        )
        for n in (1, 2)
    }
    with make_client(pages_server(pages)) as client:
        assert [p.session_count for p in client.fetch(page_size=5)] == list(range(10, 0, -1))


@settings(max_examples=60, deadline=None)
@given(total=st.integers(0, 120), limit=st.integers(1, 30), concurrency=st.integers(1, 5))
def test_any_total_and_limit_give_every_period_exactly_once(
    total: int, limit: int, concurrency: int
) -> None:
    with make_client(paged_server(total), concurrency=concurrency) as client:
        fetched = [p.start for p in client.fetch(page_size=limit)]
        streamed = [p.start for p in client.iter_points(page_size=limit)]
    expected = [point(i)["date"] for i in range(total)]
    assert [d.strftime("%Y-%m-%dT%H:%M:%S.000Z") for d in fetched] == expected
    assert streamed == fetched


def test_a_server_claiming_huge_totals_costs_a_bounded_number_of_requests(api: Api) -> None:
    pages, total = 10**8, 10**9

    def handle(request: httpx.Request) -> httpx.Response:
        number = int(request.url.params["page"])
        points = [point(i) for i in range(10)] if number == 1 else []  # page 2 on: empty
        return httpx.Response(
            200, json=body(points, page=number, total_pages=pages, total_records=total)
        )

    seen = Recorder(handle)
    with pytest.raises(PaginationError, match="page 2 of 100000000 holds 0 points"):
        api.call(seen, "fetch", page_size=10, client_kwargs={"concurrency": 4})
    assert len(seen.requests) <= 1 + 4 * 4 + 1  # page 1, the window, at most one refill
