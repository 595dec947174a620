"""What a scheduled fault does to an answer: a status instead of it, a body cut
short or dropped, a wrong type, pagination that does not add up. The schedule
itself is :mod:`.faults`; the requests are :mod:`.app`'s."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from starlette.responses import HTMLResponse, Response
from starlette.types import Receive, Scope, Send

from .requests import Params, SandboxSettings, error_response

__all__ = ["DropFilter", "apply_fault", "billing_fault", "listing_fault"]


class _DropConnection(Exception):
    """Raised after a partial body: the server closes the connection mid-response."""


class DropFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], _DropConnection))


class _PartialResponse(Response):
    """Promises the whole body, sends half, then drops the connection."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": self.raw_headers})
        await send(
            {
                "type": "http.response.body",
                "body": self.body[: len(self.body) // 2],
                "more_body": True,
            }
        )
        raise _DropConnection()


def apply_fault(
    kind: str,
    body: dict[str, Any],
    params: Params,
    settings: SandboxSettings,
    previous: Callable[[], dict[str, Any]],
) -> Response | dict[str, Any]:
    if kind == "429":
        return error_response(
            429, "Too many requests", {"Retry-After": f"{settings.retry_after:g}"}
        )
    if kind == "500":
        return error_response(500, "Internal server error")
    if kind == "502":
        return HTMLResponse("<html><body><h1>502 Bad Gateway</h1></body></html>", status_code=502)
    if kind == "503":
        return error_response(503, "Service unavailable")
    text = json.dumps(body).encode()
    if kind == "reset":
        return _PartialResponse(text, media_type="application/json")
    if kind == "truncated":
        return Response(text[: len(text) // 2], media_type="application/json")
    pagination = body["pagination"]
    if kind == "wrong-type":
        target = body["data"][0] if body["data"] else body["summary"]
        key = next(k for k in target if k != "date")
        target[key] = str(target[key])
    elif kind == "no-pagination":
        del body["pagination"]
    elif kind == "endless":
        pagination["has_next"] = True
    elif kind == "shifting":
        pagination["total_pages"] += 1
        pagination["total_records"] += params.limit
    elif kind == "duplicate":
        data = body["data"]
        if params.page > 1 and data:
            prior = previous()["data"]
            if prior:
                data[0] = prior[-1]
        elif len(data) >= 2:
            data[1] = dict(data[0])
    return body


def billing_fault(
    kind: str, body: dict[str, Any], settings: SandboxSettings
) -> Response | dict[str, Any]:
    """The faults that make sense for one object: statuses, cut bodies, a wrong
    type; the pagination faults leave it as it is."""
    if kind in ("429", "500", "502", "503", "reset", "truncated"):
        empty = Params(datetime.now(UTC), datetime.now(UTC), "day", (), 1, 1)
        return apply_fault(kind, body, empty, settings, dict)
    if kind == "wrong-type":
        body["data"]["credits_used"] = str(body["data"]["credits_used"])
    return body


def listing_fault(
    kind: str, body: dict[str, Any], settings: SandboxSettings
) -> Response | dict[str, Any]:
    """The faults on a page of ``GET /v1/sessions``: statuses and cut bodies as for
    the history; a wrong type, a total that shifts, a session listed twice."""
    if kind in ("429", "500", "502", "503", "reset", "truncated"):
        return billing_fault(kind, body, settings)
    data = body["data"]
    sessions = data["sessions"]
    if kind == "wrong-type" and sessions:
        sessions[0]["used_credits"] = {"credits": sessions[0]["used_credits"]}
    elif kind in ("shifting", "endless"):
        data["total"] += 50
        data["total_pages"] = -(-data["total"] // max(len(sessions), 1))
    elif kind == "duplicate" and len(sessions) >= 2:
        sessions[1] = dict(sessions[0])
    elif kind == "no-pagination":
        del data["total_pages"]
    return body
