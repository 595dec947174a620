"""The sandbox's HTTP app: ``GET /v1/sessions/history`` as openapi.yaml describes it.

Assumptions where the spec is silent (the real service documents none of them):
unknown query parameters are a 400 (a misspelled one would otherwise pass unseen);
defaults are granularity ``day``, metrics ``[session_count]``, page 1, limit 100,
``to_date`` now and ``from_date`` 30 days before it; the window is ``[from, to)``;
buckets are UTC (ISO weeks start on Monday); empty buckets are not listed; a
page past the end is empty; naive date-times are UTC.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import sqlite3
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from typing import Any

from attrs import frozen
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from .aggregate import METRIC_SOURCES, bucket_history
from .faults import FaultPlan

__all__ = ["SandboxSettings", "create_app", "parse_params"]

GRANULARITIES = ("hour", "day", "week", "month")
MAX_LIMIT = 1000
KNOWN_PARAMS = ("from_date", "to_date", "granularity", "metrics", "page", "limit")


@frozen
class SandboxSettings:
    api_key: str
    latency_ms: float = 0.0
    date_style: str = "iso-ms"
    retry_after: float = 1.0
    slow_seconds: float = 3.0


class BadParam(Exception):
    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"{name}: {message}")


@frozen
class Params:
    start: datetime
    end: datetime
    granularity: str
    metrics: tuple[str, ...]
    page: int
    limit: int


def error_body(code: int, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


def _error(code: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(error_body(code, message), status_code=code, headers=headers)


def _parse_instant(name: str, text: str, *, end: bool) -> datetime:
    text = text.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return datetime.combine(day + timedelta(days=1) if end else day, time(0), UTC)
        value = datetime.fromisoformat(text)
    except ValueError:
        raise BadParam(name, f"{text!r} is not an ISO 8601 date or date-time") from None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _parse_int(name: str, text: str, low: int, high: int | None) -> int:
    try:
        value = int(text)
    except ValueError:
        raise BadParam(name, f"{text!r} is not an integer") from None
    if value < low or (high is not None and value > high):
        allowed = f"from {low} to {high}" if high is not None else f">= {low}"
        raise BadParam(name, f"{value} is out of range; allowed: {allowed}")
    return value


def parse_params(query: list[tuple[str, str]], now: datetime) -> Params:
    """The query of one request, validated; BadParam names the parameter."""
    single: dict[str, str] = {}
    metrics: list[str] = []
    for key, value in query:
        if key not in KNOWN_PARAMS:
            raise BadParam(
                key or "(empty name)", f"unknown query parameter; valid: {', '.join(KNOWN_PARAMS)}"
            )
        if key == "metrics":
            metrics.extend(part.strip() for part in value.split(","))
        else:
            single[key] = value
    end = _parse_instant("to_date", single["to_date"], end=True) if "to_date" in single else now
    start = (
        _parse_instant("from_date", single["from_date"], end=False)
        if "from_date" in single
        else end - timedelta(days=30)
    )
    if start > end:
        raise BadParam("from_date", "is after to_date")
    granularity = single.get("granularity", "day")
    if granularity not in GRANULARITIES:
        raise BadParam("granularity", f"{granularity!r} is not one of {', '.join(GRANULARITIES)}")
    names = [m for m in metrics if m] if metrics else ["session_count"]
    if not names:
        raise BadParam("metrics", "is empty")
    for name in names:
        if name not in METRIC_SOURCES:
            raise BadParam(
                "metrics", f"unknown metric {name!r}; valid: {', '.join(METRIC_SOURCES)}"
            )
    return Params(
        start=start,
        end=end,
        granularity=granularity,
        metrics=tuple(dict.fromkeys(names)),
        page=_parse_int("page", single.get("page", "1"), 1, None),
        limit=_parse_int("limit", single.get("limit", "100"), 1, MAX_LIMIT),
    )


class _DropConnection(Exception):
    """Raised after a partial body: the server closes the connection mid-response."""


class _DropFilter(logging.Filter):
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


def _apply_fault(
    kind: str,
    body: dict[str, Any],
    params: Params,
    settings: SandboxSettings,
    previous: Callable[[], dict[str, Any]],
) -> Response | dict[str, Any]:
    if kind == "429":
        return _error(429, "Too many requests", {"Retry-After": f"{settings.retry_after:g}"})
    if kind == "500":
        return _error(500, "Internal server error")
    if kind == "502":
        return HTMLResponse("<html><body><h1>502 Bad Gateway</h1></body></html>", status_code=502)
    if kind == "503":
        return _error(503, "Service unavailable")
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


def create_app(
    conn: sqlite3.Connection,
    settings: SandboxSettings,
    faults: FaultPlan | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> Starlette:
    plan = faults or FaultPlan()
    logging.getLogger("uvicorn.error").addFilter(_DropFilter())

    async def history(request: Request) -> Response:
        with plan.arrival():  # until counted: see FaultPlan.wait_quiet
            admitted = await admit(request)
        if isinstance(admitted, Response):
            return admitted
        params, kind = admitted
        body = page_body(params, params.page)
        if kind == "slow":
            await asyncio.sleep(settings.slow_seconds)
        elif kind is not None:
            result = _apply_fault(
                kind, body, params, settings, partial(page_body, params, params.page - 1)
            )
            if isinstance(result, Response):
                return result
            body = result
        return JSONResponse(body)

    async def admit(request: Request) -> Response | tuple[Params, str | None]:
        """The request's parameters and its fault, or the error that answers it."""
        if settings.latency_ms:
            await asyncio.sleep(settings.latency_ms / 1000)
        given = request.headers.get("anchor-api-key")
        if given is None:
            return _error(401, "Missing API key: send it in the anchor-api-key header")
        if not secrets.compare_digest(given.encode(), settings.api_key.encode()):
            return _error(401, "Invalid API key")
        try:
            params = parse_params(request.query_params.multi_items(), clock())
        except BadParam as exc:
            return _error(400, str(exc))
        return params, plan.next_fault()

    def page_body(params: Params, page: int) -> dict[str, Any]:
        return bucket_history(
            conn,
            start=params.start,
            end=params.end,
            granularity=params.granularity,
            metrics=params.metrics,
            page=page,
            limit=params.limit,
            date_style=settings.date_style,
        )

    async def not_found(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 404
        if status == 405:  # RFC 9110: a 405 lists the methods that are allowed
            text = f"Method not allowed: {request.method} {request.url.path}"
            return _error(405, text, {"Allow": "GET, HEAD"})
        return _error(status, f"Not found: {request.method} {request.url.path}")

    async def server_error(request: Request, exc: Exception) -> Response:
        return _error(500, "Internal server error")

    return Starlette(
        routes=[Route("/v1/sessions/history", history, methods=["GET"])],
        exception_handlers={404: not_found, 405: not_found, Exception: server_error},
    )
