"""The fast road (msgspec) reads a page exactly as the generated models' road does.

For every body: when the fast road takes it, the generated road gives an equal
page (values of the same type and spelling, dates, summary, pagination); when
the generated road refuses it, the fast road does not take it, so the client
falls back and words the same refusal. Bodies: the hostile server's corpus,
hand-made edges of JSON and of the spec's types, near-valid pages from
hypothesis, and what schemathesis generates from the spec's response schema,
conforming and not.
"""

from __future__ import annotations

import io
import json
import math
from functools import cache
from typing import Any

import httpx
import pytest
import schemathesis
import yaml
from anchor_history import ResponseFormatError
from anchor_history.core._api import Exchange, to_page
from anchor_history.core._api.fast_pages import fast_page
from anchor_history.core._api.wire import PARSE_ERRORS, make_api_client
from anchor_history.models import HistoryPage, metric_names
from anchorbrowser_api.api.browser_sessions import get_v1_sessions_history as operation
from hostile_server import CASES, page
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

DAY = "2026-11-01T00:00:00.000Z"


def generated_road(content: bytes) -> HistoryPage | ResponseFormatError:
    """What the client made of a 200 before the fast road: the generated operation's
    parse, then the facade's checks."""
    response = httpx.Response(200, content=content)
    try:
        parsed, error = (
            operation._build_response(client=make_api_client("http://x"), response=response).parsed,
            None,
        )
    except PARSE_ERRORS as caught:
        parsed, error = None, caught
    try:
        return to_page(Exchange(response, parsed, error))
    except ResponseFormatError as refused:
        return refused


def spelled(value: Any) -> tuple[str, str]:
    """A value with its type: 1 and 1.0, 0.0 and -0.0 are not the same answer."""
    return type(value).__name__, repr(value)


def same_page(fast: HistoryPage, slow: HistoryPage) -> None:
    assert fast == slow
    for a, b in zip(fast.points, slow.points, strict=True):
        assert (a.start, a.local_start, a.date, a.partial) == (
            b.start,
            b.local_start,
            b.date,
            b.partial,
        )
        assert a.start.tzinfo is b.start.tzinfo
        for m in metric_names():
            assert spelled(getattr(a, m)) == spelled(getattr(b, m))
    for m in metric_names():
        assert spelled(getattr(fast.summary, m)) == spelled(getattr(slow.summary, m))
    assert fast.pagination == slow.pagination


def judge(content: bytes) -> str:
    """Both roads on one body; says which way it went (for the counts)."""
    slow = generated_road(content)
    fast = fast_page(content)
    if isinstance(slow, ResponseFormatError):
        assert fast is None, f"the fast road took a body the generated road refuses: {slow}"
        return "refused"
    if fast is None:
        return "fell back"
    same_page(fast, slow)
    return "fast"


_NOT_BODIES = {"drip", "reset", "gzip-bomb"}  # a socket's misdeeds, and a gzip stream


@cache
def hostile_bodies() -> dict[str, bytes]:
    """The 200 bodies the hostile server sends (its socket-level cases aside)."""
    found = {}
    for name, answer in CASES.items():
        if name in _NOT_BODIES:
            continue
        out = io.BytesIO()
        answer(out, None, 1)
        head, _, content = out.getvalue().partition(b"\r\n\r\n")
        if head.startswith(b"HTTP/1.1 200"):
            found[name] = content
    return found


def point(**fields: Any) -> dict[str, Any]:
    return {"date": DAY, **fields}


EDGES: dict[str, bytes] = {
    "plain": page([point(session_count=3, credits_used=0.1, session_hours=1 / 3)]),
    "every metric": page([point(**{m: i for i, m in enumerate(metric_names())})]),
    "no summary or pagination": b'{"data": [{"date": "2026-11-01"}]}',
    "empty": b'{"data": []}',
    "2**63 - 1": page([point(session_count=2**63 - 1)]),
    "2**63": page([point(session_count=2**63)]),
    "-(2**63)": page([point(session_count=-(2**63))]),
    "2**64": page([point(session_count=2**64)]),
    "10**400": page([point(session_count=10**400)]),
    "1e999": b'{"data": [{"date": "2026-11-01", "credits_used": 1e999}]}',
    "-1e999 summary": b'{"data": [], "summary": {"total_credits_used": -1e999}}',
    "NaN": b'{"data": [{"date": "2026-11-01", "credits_used": NaN}]}',
    "Infinity": b'{"data": [{"date": "2026-11-01", "credits_used": Infinity}]}',
    "-0": b'{"data": [{"date": "2026-11-01", "session_count": -0}]}',
    "-0.0": b'{"data": [{"date": "2026-11-01", "session_count": -0.0}]}',
    "1.0": b'{"data": [{"date": "2026-11-01", "session_count": 1.0}]}',
    "1E2": b'{"data": [{"date": "2026-11-01", "session_count": 1E2}]}',
    "long float": b'{"data": [{"date": "2026-11-01", "credits_used": '
    b"0.1000000000000000055511151231257827}]}",
    "tiny float": b'{"data": [{"date": "2026-11-01", "credits_used": 4.9e-324}]}',
    "underflow": b'{"data": [{"date": "2026-11-01", "credits_used": 1e-400}]}',
    "true as a count": page([point(session_count=True)]),
    "string count": page([point(session_count="4")]),
    "list count": page([point(session_count=[4])]),
    "null metric": page([point(session_count=None)]),
    "null date": page([{"date": None}]),
    "no date": page([{"session_count": 1}]),
    "date a number": page([{"date": 20261101}]),
    "bad date": page([{"date": "yesterday"}]),
    "date with spaces": page([{"date": " 2026-11-01T00:00:00Z "}]),
    "date naive": page([{"date": "2026-11-01T05:00:00"}]),
    "date offset": page([{"date": "2026-11-01T05:00:00+02:00"}]),
    "plain date": page([{"date": "2026-11-01"}]),
    "ISO week": page([{"date": "2026-W48"}]),
    "year-month": page([{"date": "2026-11"}]),
    "date 0001": page([{"date": "0001-01-01T00:00:00Z"}]),
    "data null": b'{"data": null}',
    "data an object": b'{"data": {"date": "2026-11-01"}}',
    "no data": b'{"summary": {"total_sessions": 1}}',
    "item a list of pairs": b'{"data": [[["date", "2026-11-01"], ["session_count", 2]]]}',
    "item a number": b'{"data": [1]}',
    "summary null": b'{"data": [], "summary": null}',
    "summary a list": b'{"data": [], "summary": []}',
    "summary bool": b'{"data": [], "summary": {"total_sessions": false}}',
    "pagination null": b'{"data": [], "pagination": null}',
    "page a float": b'{"data": [], "pagination": {"current_page": 1.0}}',
    "page true": b'{"data": [], "pagination": {"current_page": true}}',
    "has_next 1": b'{"data": [], "pagination": {"has_next": 1}}',
    "has_next null": b'{"data": [], "pagination": {"has_next": null}}',
    "huge page count": b'{"data": [], "pagination": {"total_pages": 100000000000000000000000}}',
    "unknown fields": b'{"data": [{"date": "2026-11-01", "x": {"y": [1]}}], "z": 1, '
    b'"summary": {"w": 2}}',
    "duplicate keys": b'{"data": [{"date": "2026-11-01", "session_count": 1, "session_count": 2}]}',
    "duplicate data": b'{"data": [], "data": [{"date": "2026-11-01"}]}',
    "BOM": b'\xef\xbb\xbf{"data": []}',
    "UTF-16": '{"data": [{"date": "2026-11-01"}]}'.encode("utf-16"),
    "lone surrogate": b'{"data": [{"date": "2026-11-01", "x": "\\ud800"}]}',
    "escaped date": b'{"data": [{"date": "2026-11-01T00:00:00\\u005a"}]}',
    "not UTF-8": b'{"data": [{"date": "\xff"}]}',
    "trailing garbage": b'{"data": []} x',
    "two documents": b'{"data": []}{"data": []}',
    "whitespace around": b' \n\t{"data": []}\r\n ',
    "empty body": b"",
    "null": b"null",
    "a list": b"[]",
    "a string": b'"data"',
    "deep": b'{"data": [{"date": "2026-11-01", "x": ' + b"[" * 5000 + b"]" * 5000 + b"}]}",
    "very deep": b"[" * 100_000 + b"]" * 100_000,
}


@pytest.mark.parametrize("content", [*EDGES.values(), *hostile_bodies().values()],
                         ids=[*EDGES, *(f"hostile {n}" for n in hostile_bodies())])  # fmt: skip
def test_the_fast_road_reads_every_edge_as_the_generated_road(content: bytes) -> None:
    judge(content)


def test_the_fast_road_takes_the_usual_pages_and_refuses_what_it_must() -> None:
    verdicts = {name: judge(content) for name, content in EDGES.items()}
    for name in (
        "plain",
        "every metric",
        "empty",
        "2**63 - 1",
        "-0.0",
        "ISO week",
        "duplicate keys",
    ):
        assert verdicts[name] == "fast", name
    for name in ("2**63", "10**400", "1e999", "NaN", "true as a count", "bad date", "data null"):
        assert verdicts[name] == "refused", name
    # Bodies only the generated road can read (JSON's odder corners) fall back, and
    # are read the same: a change of speed, never of meaning.
    assert verdicts["BOM"] == verdicts["UTF-16"] == verdicts["item a list of pairs"] == "fell back"


_number = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.none(),
    st.booleans(),
    st.text(max_size=3),
)
_date = st.one_of(
    st.datetimes().map(lambda d: d.isoformat() + "Z"),
    st.dates().map(str),
    st.sampled_from(["2026-W48", "2026-11", "2026-11-01T00:00:00+05:30", "", "2026-13-01"]),
    st.text(max_size=12),
    st.integers(),
)
_item = st.fixed_dictionaries(
    {}, optional={"date": _date, **dict.fromkeys(metric_names(), _number), "extra": _number}
)
_summary = st.fixed_dictionaries(
    {}, optional={f"total_{m}": _number for m in metric_names()} | {"total_sessions": _number}
)
_pagination = st.fixed_dictionaries(
    {},
    optional={
        k: st.one_of(st.integers(), st.booleans(), st.none(), st.floats())
        for k in ("current_page", "total_pages", "total_records", "has_next", "has_prev")
    },
)
_body = st.fixed_dictionaries(
    {},
    optional={"data": st.lists(_item, max_size=6), "summary": _summary, "pagination": _pagination},
)


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(body=_body)
def test_near_valid_pages_are_read_alike(body: dict[str, Any]) -> None:
    judge(json.dumps(body, allow_nan=True).encode())


def _schemathesis_operation() -> Any:
    """An operation whose request body is the spec's SessionHistoryResponse, so that
    schemathesis generates response bodies from the spec (conforming or not)."""
    with open("openapi.yaml") as stream:
        spec = yaml.safe_load(stream)
    body = {"$ref": "#/components/schemas/SessionHistoryResponse"}
    document = {
        "openapi": "3.0.3",
        "info": {"title": "response bodies", "version": "1"},
        "paths": {"/body": {"post": {
            "requestBody": {"required": True, "content": {"application/json": {"schema": body}}},
            "responses": {"200": {"description": "ok"}},
        }}},
        "components": {"schemas": spec["components"]["schemas"]},
    }  # fmt: skip
    return schemathesis.openapi.from_dict(document)["/body"]["POST"]


_OPERATION = _schemathesis_operation()


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_bodies_schemathesis_makes_from_the_spec_are_read_alike(mode: GenerationMode) -> None:
    @settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
    @given(case=_OPERATION.as_strategy(generation_mode=mode))
    def check(case: Any) -> None:
        content = case.body if isinstance(case.body, bytes) else json.dumps(case.body).encode()
        judge(content)

    check()


def test_points_built_by_the_fast_road_are_whole_history_points() -> None:
    fast = fast_page(page([point(session_count=1, credits_used=0.5)]))
    assert fast is not None
    (built,) = fast.points
    assert built.local_start is built.start
    assert built.partial is False
    assert math.isclose(built.credits_used, 0.5)
    assert built.ai_steps is None
