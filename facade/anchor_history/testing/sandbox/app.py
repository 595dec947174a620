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
import logging
import secrets
import sqlite3
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from typing import Any

from attrs import field, frozen
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .aggregate import METRIC_SOURCES, bucket_history
from .billing import PlanSettings, billing_body
from .fault_responses import DropFilter, apply_fault, billing_fault
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
    plan: PlanSettings = field(factory=PlanSettings)


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


class _BodyResponse(JSONResponse):
    """A history body, encoded by msgspec: the same values in compact JSON as
    Starlette's json.dumps (floats in their shortest form, an exponent without its
    "+"), in a fifth of the time."""

    def render(self, content: Any) -> bytes:
        import msgspec

        return msgspec.json.encode(content)


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
    if "from_date" in single:
        start = _parse_instant("from_date", single["from_date"], end=False)
    elif end - datetime.min.replace(tzinfo=UTC) < timedelta(days=30):
        raise BadParam("to_date", "is too early for the default 30-day window; give from_date")
    else:
        start = end - timedelta(days=30)
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


def create_app(
    conn: sqlite3.Connection,
    settings: SandboxSettings,
    faults: FaultPlan | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> Starlette:
    plan = faults or FaultPlan()
    logging.getLogger("uvicorn.error").addFilter(DropFilter())

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
            result = apply_fault(
                kind, body, params, settings, partial(page_body, params, params.page - 1)
            )
            if isinstance(result, Response):
                return result
            body = result
        return _BodyResponse(body)

    async def billing(request: Request) -> Response:
        """GET /v1/billing: the plan, its credits used counted from the sessions."""
        with plan.arrival():
            refused = await authorize(request)
            kind = None if refused is not None else plan.next_fault()
        if refused is not None:
            return refused
        if request.query_params:
            return _error(400, f"unknown parameter {next(iter(request.query_params))!r}")
        body = billing_body(conn, settings.plan, clock())
        if kind == "slow":
            await asyncio.sleep(settings.slow_seconds)
        elif kind is not None:
            result = billing_fault(kind, body, settings)
            if isinstance(result, Response):
                return result
            body = result
        return JSONResponse(body)

    async def authorize(request: Request) -> Response | None:
        if settings.latency_ms:
            await asyncio.sleep(settings.latency_ms / 1000)
        given = request.headers.get("anchor-api-key")
        if given is None:
            return _error(401, "Missing API key: send it in the anchor-api-key header")
        if not secrets.compare_digest(given.encode(), settings.api_key.encode()):
            return _error(401, "Invalid API key")
        return None

    async def admit(request: Request) -> Response | tuple[Params, str | None]:
        """The request's parameters and its fault, or the error that answers it."""
        refused = await authorize(request)
        if refused is not None:
            return refused
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
        routes=[
            Route("/v1/sessions/history", history, methods=["GET"]),
            Route("/v1/billing", billing, methods=["GET"]),
        ],
        exception_handlers={404: not_found, 405: not_found, Exception: server_error},
    )
