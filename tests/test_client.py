"""HistoryClient and AsyncHistoryClient through httpx.MockTransport: what is sent,
what comes back, every error class, retries and the key's safety. Each test runs
against the sync and the async client alike."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest
from anchor_history import (
    APIError,
    AuthenticationError,
    BadRequestError,
    HistoryClient,
    InvalidInputError,
    MissingAPIKeyError,
    NotFoundError,
    RateLimitError,
    RequestTimeoutError,
    ResponseFormatError,
    ServerError,
    TransportError,
)
from conftest import (
    KEY,
    Api,
    Recorder,
    make_client,
    ok,
    paged_server,
    point,
    raw,
    sequence,
)

WINDOW = {"from_date": "2026-11-01", "to_date": "2026-11-03"}


def test_sends_the_exact_query(api: Api) -> None:
    seen = Recorder(lambda r: ok())
    api.call(
        seen,
        "get_page",
        granularity="Hour",
        metrics="credits_used,session_count",
        page=3,
        limit=7,
        **WINDOW,
    )
    (request,) = seen.requests
    assert request.url.path == "/v1/sessions/history"
    assert request.url.query.decode() == (
        "from_date=2026-11-01T00%3A00%3A00.000Z&to_date=2026-11-03T23%3A59%3A59.999Z"
        "&granularity=hour&metrics=credits_used&metrics=session_count&page=3&limit=7"
    )
    assert request.headers["anchor-api-key"] == KEY


def test_metrics_are_always_sent_even_by_default(api: Api) -> None:
    seen = Recorder(lambda r: ok())
    api.call(seen, "get_page")
    assert seen.requests[0].url.params.get_list("metrics") == ["session_count"]


def test_points_carry_start_raw_date_and_typed_numbers(api: Api) -> None:
    page = api.call(
        lambda r: ok([point(0, credits_used=2.5, proxy_bytes=10)]), "get_page", metrics="all"
    )
    (p,) = page.points
    assert (p.date, p.start.isoformat()) == (
        "2026-01-01T00:00:00.000Z",
        "2026-01-01T00:00:00+00:00",
    )
    assert (p.session_count, p.credits_used, p.proxy_bytes, p.ai_steps) == (1, 2.5, 10, None)
    assert type(p.session_count) is int
    assert type(p.credits_used) is float


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"page": 0}, "page: 0 is not an integer >= 1"),
        ({"limit": 0}, "limit: 0 is not an integer from 1 to 1000"),
        ({"limit": 1001}, "limit: 1001"),
        ({"granularity": "yearly"}, "unknown granularity 'yearly'"),
        ({"metrics": "credit_used"}, "did you mean 'credits_used'"),
        ({"from_date": "soon"}, "cannot read 'soon'"),
        ({"from_date": "2026-11-05", "to_date": "2026-11-01"}, "is not before to_date"),
    ],
)
def test_bad_arguments_fail_before_any_request(
    api: Api, kwargs: dict[str, Any], match: str
) -> None:
    seen = Recorder(lambda r: ok())
    with pytest.raises(InvalidInputError, match=match):
        api.call(seen, "get_page", **kwargs)
    assert seen.requests == []


def test_iter_points_checks_arguments_when_called() -> None:
    client = make_client(lambda r: ok())
    with pytest.raises(InvalidInputError, match="page_size"):
        client.iter_points(page_size=5000)


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, AuthenticationError),
        (404, NotFoundError),
        (409, APIError),
    ],
)
def test_error_statuses_map_to_typed_errors_without_retrying(
    api: Api, status: int, error: type
) -> None:
    seen = Recorder(
        lambda r: httpx.Response(status, json={"error": {"code": status, "message": "nope"}})
    )
    with pytest.raises(error) as caught:
        api.call(seen, "fetch")
    assert (caught.value.status, caught.value.code, caught.value.api_message) == (
        status,
        status,
        "nope",
    )
    assert len(seen.requests) == 1


def test_an_html_error_page_keeps_an_excerpt(api: Api) -> None:
    with pytest.raises(ServerError) as caught:
        api.call(
            lambda r: raw(502, "<html><h1>502 Bad Gateway</h1></html>"), "fetch", max_retries=0
        )
    assert "502 Bad Gateway" in caught.value.body
    assert caught.value.code is None


def test_5xx_is_retried_with_backoff_then_succeeds(api: Api) -> None:
    seen = Recorder(sequence(raw(503, "busy"), httpx.Response(500, json={"error": {}}), ok()))
    page = api.call(seen, "get_page", client_kwargs={"max_retries": 2})
    assert len(page.points) == 1
    assert len(seen.requests) == 3
    assert len(api.sleeps) == 2
    assert all(0 <= s <= 8 for s in api.sleeps)


def test_429_honours_retry_after_seconds(api: Api) -> None:
    seen = Recorder(sequence(raw(429, "{}", **{"Retry-After": "7"}), ok()))
    api.call(seen, "get_page")
    assert api.sleeps == [7.0]


def test_429_honours_retry_after_as_http_date(api: Api) -> None:
    # conftest's clock says 2026-11-24 12:00:00 UTC
    seen = Recorder(
        sequence(raw(429, "{}", **{"Retry-After": "Tue, 24 Nov 2026 12:00:04 GMT"}), ok())
    )
    api.call(seen, "get_page")
    assert api.sleeps == [4.0]


def test_503_honours_retry_after_too(api: Api) -> None:
    seen = Recorder(sequence(raw(503, "busy", **{"Retry-After": "5"}), ok()))
    api.call(seen, "get_page")
    assert api.sleeps == [5.0]


def test_retry_after_on_a_400_does_not_make_it_retried(api: Api) -> None:
    seen = Recorder(lambda r: raw(400, "{}", **{"Retry-After": "1"}))
    with pytest.raises(BadRequestError):
        api.call(seen, "get_page")
    assert len(seen.requests) == 1


def test_retry_after_is_capped(api: Api) -> None:
    seen = Recorder(sequence(raw(429, "{}", **{"Retry-After": "86400"}), ok()))
    api.call(seen, "get_page")
    assert api.sleeps == [60.0]


def test_rate_limit_after_all_retries_carries_retry_after(api: Api) -> None:
    seen = Recorder(
        lambda r: raw(
            429, '{"error": {"code": 429, "message": "slow down"}}', **{"Retry-After": "1"}
        )
    )
    with pytest.raises(RateLimitError) as caught:
        api.call(seen, "get_page", max_retries=1)
    assert caught.value.retry_after == 1.0
    assert len(seen.requests) == 2


def test_connection_errors_are_retried_then_raised_as_transport_errors(api: Api) -> None:
    seen = Recorder(lambda r: (_ for _ in ()).throw(httpx.ConnectError("refused")))
    with pytest.raises(TransportError, match="ConnectError") as caught:
        api.call(seen, "get_page")
    assert len(seen.requests) == 3
    assert not isinstance(caught.value, httpx.HTTPError)


def test_read_timeouts_become_request_timeout_errors(api: Api) -> None:
    seen = Recorder(sequence(httpx.ReadTimeout("slow"), httpx.ReadTimeout("slow")))
    with pytest.raises(RequestTimeoutError):
        api.call(seen, "get_page", max_retries=1)


@pytest.mark.parametrize(
    ("content", "match"),
    [
        (
            b'{"data": [{"date": "2026-01-01", "session_count": "12"}]}',
            r"data\[0\].session_count: expected a number, got str '12'",
        ),
        (
            b'{"data": [{"date": "2026-01-01", "session_count": true}]}',
            r"data\[0\].session_count: expected a number, got bool",
        ),
        (b'{"data": [{"date": "someday"}]}', r"data\[0\].date: not a date"),
        (b'{"data": [{"session_count": 1}]}', r"data\[0\].date: missing"),
        (b'{"data": "many"}', "SessionHistoryResponse: data: expected a list, got a string 'many'"),
        (b'{"summary": {}}', "data: missing"),
        (b'{"data": [], "summary": {"total_sessions": "x"}}', "summary.total_sessions"),
        (
            b'{"data": [], "pagination": {"total_pages": "2"}}',
            "pagination.total_pages: expected int",
        ),
        (b"[1, 2]", r"the body is a list \[1, 2\], not an object"),
    ],
)
def test_bodies_of_the_wrong_shape_are_response_format_errors(
    api: Api, content: bytes, match: str
) -> None:
    seen = Recorder(lambda r: raw(200, content, **{"content-type": "application/json"}))
    with pytest.raises(ResponseFormatError, match=match) as caught:
        api.call(seen, "get_page")
    assert caught.value.status == 200
    assert len(seen.requests) == 1  # the same body would come again: not retried


def test_a_body_cut_short_is_retried_and_then_reported(api: Api) -> None:
    seen = Recorder(
        lambda r: raw(200, b'{"data": [{"date": "2026-0', **{"content-type": "application/json"})
    )
    with pytest.raises(ResponseFormatError, match="not valid JSON") as caught:
        api.call(seen, "get_page", max_retries=2)
    assert len(seen.requests) == 3
    assert '{"data": [{"date": "2026-0' in caught.value.body


def test_missing_key_is_a_clear_error_before_any_request(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANCHORBROWSER_API_KEY", raising=False)
    with pytest.raises(MissingAPIKeyError, match="ANCHORBROWSER_API_KEY"):
        HistoryClient()


def test_key_and_base_url_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANCHORBROWSER_API_KEY", "env-key-42")
    monkeypatch.setenv("ANCHORBROWSER_BASE_URL", "http://127.0.0.1:9/")
    seen = Recorder(lambda r: ok())
    with HistoryClient(transport=httpx.MockTransport(seen)) as client:
        client.get_page()
    assert seen.requests[0].headers["anchor-api-key"] == "env-key-42"
    assert str(seen.requests[0].url).startswith("http://127.0.0.1:9/v1/sessions/history?")


def test_default_base_url_is_the_real_api(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANCHORBROWSER_BASE_URL", raising=False)
    assert HistoryClient("k").base_url == "https://api.anchorbrowser.io"


@pytest.mark.parametrize(
    "url", ["http://api.example.com", "ftp://x", "not a url", "https://", "https://h/?q=1"]
)
def test_unsafe_or_invalid_base_urls_are_refused(url: str) -> None:
    with pytest.raises(InvalidInputError, match="base_url"):
        HistoryClient("k", url)


def test_plain_http_is_allowed_to_loopback_or_when_opted_in() -> None:
    assert HistoryClient("k", "http://localhost:8765").base_url == "http://localhost:8765"
    assert HistoryClient("k", "http://[::1]:1").base_url == "http://[::1]:1"
    assert (
        HistoryClient("k", "http://h.example", allow_insecure_http=True).base_url
        == "http://h.example"
    )


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"timeout": 0}, "timeout"),
        ({"max_retries": -1}, "max_retries"),
        ({"concurrency": 0}, "concurrency"),
    ],
)
def test_bad_client_settings_are_input_errors(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(InvalidInputError, match=match):
        HistoryClient("k", **kwargs)


def test_the_key_never_shows_in_repr_errors_or_logs(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="anchor_history")
    client = make_client(lambda r: ok())
    assert KEY not in repr(client)
    assert "***" in repr(client)
    seen = Recorder(sequence(raw(503, "x"), raw(401, '{"error": {"message": "bad key"}}')))
    with pytest.raises(AuthenticationError) as caught:
        api.call(seen, "get_page")
    assert KEY not in str(caught.value)
    assert KEY not in repr(caught.value)
    assert "/v1/sessions/history?" in caplog.text
    assert "before retry 1 of 2" in caplog.text
    assert KEY not in caplog.text


def test_fetch_returns_every_page_in_order(api: Api) -> None:
    seen = Recorder(paged_server(95))
    history = api.call(seen, "fetch", page_size=10, client_kwargs={"concurrency": 3})
    assert [p.session_count for p in history.points] == list(range(1, 96))
    assert sorted(int(r.url.params["page"]) for r in seen.requests) == list(range(1, 11))
    assert history.totals_match()


def test_iter_points_streams_every_page_in_order(api: Api) -> None:
    seen = Recorder(paged_server(25))
    points = api.call(seen, "iter_points", page_size=10)
    assert [p.session_count for p in points] == list(range(1, 26))
    assert [int(r.url.params["page"]) for r in seen.requests] == [1, 2, 3]


def test_every_page_of_one_call_asks_for_the_same_window(api: Api) -> None:
    seen = Recorder(paged_server(30))
    api.call(seen, "fetch", from_date="30d", page_size=10)
    windows = {(r.url.params["from_date"], r.url.params["to_date"]) for r in seen.requests}
    assert windows == {("2026-10-25T12:00:00.000Z", "2026-11-24T12:00:00.000Z")}


def test_a_server_capping_the_page_size_is_followed(api: Api) -> None:
    history = api.call(paged_server(25, limit_cap=10), "fetch", page_size=100)
    assert len(history.points) == 25


def test_fetch_reports_progress() -> None:
    seen: list[tuple[int, int]] = []
    with make_client(paged_server(30)) as client:
        client.fetch(
            page_size=10, concurrency=1, progress=lambda done, total: seen.append((done, total))
        )
    assert seen == [(1, 3), (2, 3), (3, 3)]


def test_totals_mismatch_is_reported() -> None:
    handler = lambda r: ok([point(0), point(1)], summary={"total_sessions": 5})  # noqa: E731
    with make_client(handler) as client:
        history = client.fetch()
    (miss,) = history.mismatches()
    assert (miss.metric, miss.points_total, miss.summary_total) == ("session_count", 3, 5)
    assert not history.totals_match()


def test_a_closed_client_says_so_before_any_request() -> None:
    import asyncio

    from conftest import make_async_client

    calls: list[httpx.Request] = []
    client = make_client(lambda r: calls.append(r) or ok([point("2026-11-01")]))
    client.close()
    with pytest.raises(InvalidInputError, match=r"this HistoryClient is closed; make a new one"):
        client.fetch(**WINDOW)
    with pytest.raises(InvalidInputError, match="is closed"):
        next(iter(client.iter_points(**WINDOW)))

    async def closed_async() -> None:
        aclient = make_async_client(lambda r: calls.append(r) or ok([point("2026-11-01")]))
        await aclient.aclose()
        with pytest.raises(InvalidInputError, match=r"`async with AsyncHistoryClient\(\)"):
            await aclient.fetch(**WINDOW)

    asyncio.run(closed_async())
    assert calls == []
