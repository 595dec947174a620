"""GET /v1/sessions: the sandbox serves it consistently with its history, and
``HistoryClient.sessions`` (and the async twin) stream checked, typed sessions."""

from __future__ import annotations

import asyncio
import json
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from anchor_history import (
    AsyncHistoryClient,
    HistoryClient,
    InvalidInputError,
    PaginationError,
    ResponseFormatError,
    Session,
    SessionsUnavailableError,
)
from anchor_history.testing.sandbox import Sandbox
from anchor_history.testing.sandbox.people import SessionShape
from conftest import KEY, NOW, Recorder, make_async_client, make_client

END = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def box() -> Any:
    with Sandbox(seed=21, sessions=6_000, days=20, end=END, latency_ms=0) as sandbox:
        yield sandbox


@pytest.fixture(scope="module")
def week(box: Any) -> list[Session]:
    clock = END + timedelta(days=1)  # every session has ended by then
    with HistoryClient(box.api_key, box.base_url, clock=lambda: clock) as client:
        return list(client.sessions(END - timedelta(days=10), END, concurrency=4))


def test_the_sessions_of_every_hour_add_up_to_that_hours_history(box: Any, week: list) -> None:
    sums: dict[datetime, Counter[str]] = defaultdict(Counter)
    credits: dict[datetime, Decimal] = defaultdict(Decimal)
    for s in week:
        hour = s.created_at.replace(minute=0, second=0, microsecond=0)
        sums[hour]["session_count"] += 1
        sums[hour]["proxy_bytes"] += s.proxy_bytes or 0
        sums[hour]["ai_steps"] += s.steps or 0
        sums[hour]["milliseconds"] += round(s.duration * 1000)
        credits[hour] += s.credits
    with HistoryClient(box.api_key, box.base_url) as client:
        history = client.fetch(END - timedelta(days=10), END, "hour", "all")
    assert len(history.points) == len(sums) > 200
    for p in history.points:
        got = sums[p.start]
        assert got["session_count"] == p.session_count
        assert got["proxy_bytes"] == p.proxy_bytes
        assert got["ai_steps"] == p.ai_steps
        assert Decimal(repr(p.credits_used)) == credits[p.start]
        assert got["milliseconds"] / 3_600_000 == pytest.approx(p.session_hours, abs=1e-9)


def test_sessions_come_oldest_first_typed_and_whole(week: list) -> None:
    assert [s.created_at for s in week] == sorted(s.created_at for s in week)
    assert len({s.id for s in week}) == len(week)
    assert all(s.created_at.tzinfo is UTC for s in week)
    assert all(isinstance(s.credits, Decimal) and s.credits >= 0 for s in week)
    assert all(isinstance(s.tags, tuple) for s in week)
    shown = week[0].to_dict()  # JSON-ready: credits as a decimal string, times as the API's
    assert shown["credits"] == str(week[0].credits)
    assert shown["created_at"].endswith("Z")


def test_the_sandbox_seeds_keys_tags_plain_tags_untagged_and_decimal_strings(box: Any) -> None:
    response = httpx.get(
        f"{box.base_url}/v1/sessions",
        params={"limit": 50, "created_from": "2026-11-15T00:00:00Z", "page": 3},
        headers={"anchor-api-key": box.api_key},
    )
    page = response.json()["data"]
    assert response.status_code == 200
    assert len(page["sessions"]) == 50
    everything = []
    for number in range(1, 16):
        got = httpx.get(
            f"{box.base_url}/v1/sessions",
            params={"limit": 50, "page": number},
            headers={"anchor-api-key": box.api_key},
        ).json()["data"]["sessions"]
        everything += got
    tags = [s["tags"] for s in everything]
    assert None in tags
    assert [] in tags
    flat = Counter(t for ts in tags if ts for t in ts)
    assert flat["team:search"] > 0
    assert flat["nightly"] > 0
    assert len({s["api_key_name"] for s in everything}) >= 3
    kinds = Counter(type(s["used_credits"]).__name__ for s in everything)
    assert kinds["str"] > 0
    assert kinds["float"] > 0
    assert {s["proxy_type"] for s in everything} >= {None, "anchor_proxy"}


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"limit": 25}, "limit"),
        ({"limit": 100}, "limit"),
        ({"sort_by": "colour"}, "sort_by"),
        ({"sort_order": "up"}, "sort_order"),
        ({"task_initiated": "yes"}, "task_initiated"),
        ({"created_from": "yesterday"}, "created_from"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_the_sandbox_answers_a_bad_listing_query_with_a_400_naming_it(
    box: Any, params: dict, named: str
) -> None:
    response = httpx.get(
        f"{box.base_url}/v1/sessions", params=params, headers={"anchor-api-key": box.api_key}
    )
    assert response.status_code == 400
    assert named in response.json()["error"]["message"]


def test_filters_pass_through_and_are_honoured(box: Any) -> None:
    clock = END + timedelta(days=1)
    with HistoryClient(box.api_key, box.base_url, clock=lambda: clock) as client:
        tagged = list(client.sessions("2026-11-10", END, tags=["team:search", "env:prod"]))
        failed = list(client.sessions("2026-11-10", END, status="failed"))
        everyone = list(client.sessions("2026-11-10", END))
    assert tagged
    assert all({"team:search", "env:prod"} <= set(s.tags) for s in tagged)
    both = [s for s in everyone if {"team:search", "env:prod"} <= set(s.tags)]
    assert [s.id for s in tagged] == [s.id for s in both]
    assert failed
    assert {s.status for s in failed} == {"failed"}


def test_a_session_still_running_has_no_credits_not_zero() -> None:
    end = datetime.now(UTC).replace(microsecond=0)
    with (
        Sandbox(seed=5, sessions=3_000, days=1, end=end) as box,
        HistoryClient(box.api_key, box.base_url) as client,
    ):
        listed = list(client.sessions("2h"))
    running = [s for s in listed if s.status == "running"]
    assert running, "the last minutes of a sandbox made now hold running sessions"
    assert all(s.credits is None and s.running and s.duration is None for s in running)
    assert all(s.credits is not None for s in listed if s.status != "running")


def test_the_async_twin_lists_the_same_sessions(box: Any, week: list) -> None:
    clock = END + timedelta(days=1)

    async def listed() -> list[Session]:
        async with AsyncHistoryClient(box.api_key, box.base_url, clock=lambda: clock) as client:
            return [s async for s in client.sessions(END - timedelta(days=10), END)]

    assert asyncio.run(listed()) == week


def test_a_429_is_waited_out_and_the_listing_is_still_whole(box: Any, week: list) -> None:
    clock = END + timedelta(days=1)
    box.set_faults("429@3,503@7")
    try:
        with HistoryClient(
            box.api_key, box.base_url, clock=lambda: clock, sleep=lambda s: None
        ) as client:
            again = list(client.sessions(END - timedelta(days=10), END))
    finally:
        box.set_faults("")
    assert again == week


def test_progress_counts_pages_up_to_the_whole(box: Any) -> None:
    seen: list[tuple[int, int]] = []
    clock = END + timedelta(days=1)
    with HistoryClient(box.api_key, box.base_url, clock=lambda: clock) as client:
        listed = list(
            client.sessions(END - timedelta(days=10), END, progress=lambda *a: seen.append(a))
        )
    assert seen[-1][0] == seen[-1][1] == len(seen) >= len(listed) // 50


# -- a server that misbehaves ---------------------------------------------------


def _item(i: int, **changes: Any) -> dict[str, Any]:
    item = {
        "id": f"s{i}",
        "status": "completed",
        "tags": ["team:search"],
        "headless": True,
        "recording": False,
        "used_credits": 1.5,
        "proxy_bytes": None,
        "proxy_type": None,
        "steps": 3,
        "duration": 60,
        "created_at": (NOW - timedelta(hours=5, minutes=-i)).isoformat().replace("+00:00", "Z"),
        "user_configuration": {},
        "task_initiated": False,
        "task_executions_count": 0,
        "api_key_name": "k",
        "browser_ip": None,
        "domains": None,
    }
    item.update(changes)
    return item


def _server(items: list[dict[str, Any]], **overrides: Any) -> Recorder:
    def handle(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params["page"])
        limit = int(request.url.params["limit"])
        chosen = items[(page - 1) * limit : page * limit]
        data = {
            "sessions": chosen,
            "total": len(items),
            "page": page,
            "total_pages": -(-len(items) // limit),
            **overrides,
        }
        return httpx.Response(200, json={"data": data})

    return Recorder(handle)


def _listed(handler: Any, **kwargs: Any) -> list[Session]:
    with make_client(handler) as client:
        return list(client.sessions("1d", **kwargs))


def test_what_the_client_sends_limit_50_oldest_first_both_ends_inclusive() -> None:
    server = _server([_item(i) for i in range(120)])
    listed = _listed(server, tags=["team:search"], status="completed")
    assert len(listed) == 120
    first = server.requests[0].url.params
    assert first["limit"] == "50"
    assert first["sort_by"] == "created_at"
    assert first["sort_order"] == "asc"
    assert first["tags"] == "team:search"
    assert first["created_from"] == "2026-11-23T12:00:00.000Z"
    assert first["created_to"] == "2026-11-24T11:59:59.999Z"  # [from, to): to less 1 ms
    assert sorted(r.url.params["page"] for r in server.requests) == ["1", "2", "3"]
    assert KEY not in str(server.requests[0].url)


def test_used_credits_of_every_documented_form() -> None:
    items = [
        _item(0, used_credits=2),
        _item(1, used_credits="12.5"),
        _item(2, used_credits=0.1),
        _item(3, used_credits="N/A", status="running", duration=None),
    ]
    credits = [s.credits for s in _listed(_server(items))]
    assert credits == [Decimal(2), Decimal("12.5"), Decimal("0.1"), None]


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"used_credits": "abc"}, "data.sessions[1].used_credits"),
        ({"used_credits": None}, "data.sessions[1].used_credits"),
        ({"used_credits": -1}, "data.sessions[1].used_credits"),
        ({"created_at": "yesterday"}, "data.sessions[1].created_at"),
        ({"tags": "team:search"}, "data.sessions[1].tags"),
        ({"tags": [1]}, "data.sessions[1].tags[0]"),
        ({"api_key_name": None}, "data.sessions[1].api_key_name"),
        ({"duration": "60"}, "data.sessions[1].duration"),
        ({"task_initiated": "no"}, "data.sessions[1].task_initiated"),
    ],
)
def test_a_field_out_of_shape_is_named(change: dict, where: str) -> None:
    items = [_item(0), _item(1, **change), _item(2)]
    with pytest.raises(ResponseFormatError) as caught:
        _listed(_server(items))
    assert str(caught.value).startswith(f"{where}: ")


@pytest.mark.parametrize(
    ("items", "overrides", "words"),
    [
        ([_item(0), _item(0)], {}, "listed twice"),
        ([_item(1), _item(0)], {}, "out of order"),
        ([_item(0, created_at="2026-11-01T00:00:00Z")], {}, "outside the span"),
        ([_item(0)], {"total": 2}, "1 sessions where 2 were due"),
        ([_item(i) for i in range(60)], {"total_pages": 1}, "does not fit"),
        ([_item(0)], {}, "does not match the filters"),
    ],
)
def test_a_listing_that_does_not_fit_together_is_refused(
    items: list, overrides: dict, words: str
) -> None:
    with pytest.raises(PaginationError, match=words):
        _listed(_server(items, **overrides), tags="other" if "filters" in words else ())


def test_a_total_that_changes_between_pages_is_refused() -> None:
    items = [_item(i) for i in range(80)]
    calls: list[int] = []

    def handle(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        response = _server(items)(request)
        if request.url.params["page"] == "2":
            document = json.loads(response.content)
            document["data"]["total"] = 81
            return httpx.Response(200, json=document)
        return response

    with pytest.raises(PaginationError, match="changed while it was read"):
        _listed(handle)


@pytest.mark.parametrize("status", [403, 404])
def test_a_key_that_cannot_list_sessions_gets_a_typed_error(status: int) -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, json={"error": {"code": status, "message": "no access"}})

    with pytest.raises(SessionsUnavailableError, match="cannot list sessions") as caught:
        _listed(handle)
    assert caught.value.status == status
    assert KEY not in str(caught.value)


@pytest.mark.parametrize(
    ("kwargs", "param"),
    [
        ({"tags": ["a,b"]}, "tags"),
        ({"tags": [""]}, "tags"),
        ({"tags": 5}, "tags"),
        ({"status": ""}, "status"),
        ({"task_initiated": "yes"}, "task_initiated"),
        ({"concurrency": 0}, "concurrency"),
    ],
)
def test_bad_arguments_are_refused_before_any_request(kwargs: dict, param: str) -> None:
    server = _server([])
    with make_client(server) as client, pytest.raises(InvalidInputError) as caught:
        client.sessions("1d", **kwargs)
    assert caught.value.param == param
    assert server.requests == []


def test_a_long_window_is_split_into_spans_not_refused() -> None:
    server = _server([])
    assert _listed(server) == []
    with make_client(server) as client:
        assert list(client.sessions("2026-09-01", "2026-11-01")) == []
    spans = [r.url.params["created_from"] for r in server.requests[1:]]
    assert len(spans) == 9
    assert spans[0] == "2026-09-01T00:00:00.000Z"


def test_the_async_twin_refuses_the_same_bad_page() -> None:
    items = [_item(0), _item(1, used_credits="abc")]

    async def listed() -> None:
        async with make_async_client(_server(items)) as client:
            [s async for s in client.sessions("1d")]

    with pytest.raises(ResponseFormatError, match=r"sessions\[1\].used_credits"):
        asyncio.run(listed())


def test_the_shape_flags_choose_keys_and_tags() -> None:
    shape = SessionShape(keys=("alpha", "beta"), tags=("red", "team:blue"), untagged=0.0)
    with (
        Sandbox(seed=1, sessions=500, days=2, end=END, shape=shape) as box,
        HistoryClient(box.api_key, box.base_url, clock=lambda: END) as client,
    ):
        listed = list(client.sessions("2d"))
    assert {s.api_key_name for s in listed} == {"alpha", "beta"}
    assert {t for s in listed for t in s.tags} <= {"red", "team:blue", "priority:high"}
    assert all(s.tags for s in listed)


def test_the_sandbox_sorts_as_asked_and_filters_inclusively(box: Any) -> None:
    def listed(**params: Any) -> list[dict[str, Any]]:
        response = httpx.get(
            f"{box.base_url}/v1/sessions",
            params={"limit": 50, **params},
            headers={"anchor-api-key": box.api_key},
        )
        assert response.status_code == 200, response.text
        return response.json()["data"]["sessions"]

    newest = listed(sort_order="desc")
    assert [s["created_at"] for s in newest] == sorted(
        (s["created_at"] for s in newest), reverse=True
    )
    by_key = listed(sort_by="api_key_name")
    assert [s["api_key_name"] for s in by_key] == sorted(s["api_key_name"] for s in by_key)
    one = newest[3]["created_at"]
    both_ends = listed(created_from=one, created_to=one)  # both ends inclusive
    assert [s["id"] for s in both_ends] == [newest[3]["id"]]
    failed = listed(status="failed")
    assert failed
    assert {s["status"] for s in failed} == {"failed"}
    plain = listed(tags="nightly,env:prod")
    assert plain
    assert all({"nightly", "env:prod"} <= set(s["tags"]) for s in plain)
    searched = listed(search="SEARCH")  # partial, case-insensitive, on tags
    assert searched
    assert all(any("search" in t for t in s["tags"]) for s in searched)
