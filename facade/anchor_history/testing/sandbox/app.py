"""The sandbox's HTTP app: ``GET /v1/sessions/history``, ``GET /v1/billing`` and
``GET /v1/sessions`` as openapi.yaml describes them (the listing: ``listing.py``).

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
from datetime import UTC, datetime
from functools import partial
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .aggregate import bucket_history
from .billing import billing_body
from .fault_responses import DropFilter, apply_fault, billing_fault, listing_fault
from .faults import FaultPlan
from .requests import BadParam, BodyResponse, Params, SandboxSettings, error_response, parse_params

__all__ = ["create_app"]


def create_app(
    conn: sqlite3.Connection,
    settings: SandboxSettings,
    faults: FaultPlan | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> Starlette:
    plan = faults or FaultPlan()
    people_ready: list[bool] = []
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
        return BodyResponse(body)

    async def billing(request: Request) -> Response:
        """GET /v1/billing: the plan, its credits used counted from the sessions."""
        kind = await keyed(request)
        if isinstance(kind, Response):
            return kind
        if request.query_params:
            return error_response(400, f"unknown parameter {next(iter(request.query_params))!r}")
        body = billing_body(conn, settings.plan, clock())
        return await faulted(kind, body, billing_fault, JSONResponse)

    async def sessions(request: Request) -> Response:
        """GET /v1/sessions: a page of the sessions, with who ran them (listing.py)."""
        from .listing import list_body, parse_list_params
        from .people import ensure_people

        kind = await keyed(request)
        if isinstance(kind, Response):
            return kind
        try:
            params = parse_list_params(request.query_params.multi_items())
        except BadParam as exc:
            return error_response(400, str(exc))
        if not people_ready:  # made once, on the first listing
            ensure_people(conn, settings.shape, settings.seed, dict(settings.spikes))
            people_ready.append(True)
        return await faulted(kind, list_body(conn, params, clock()), listing_fault, BodyResponse)

    async def keyed(request: Request) -> Response | str | None:
        """The refusal of a request without the key, else its scheduled fault (if any)."""
        with plan.arrival():
            refused = await authorize(request)
            return refused if refused is not None else plan.next_fault()

    async def faulted(
        kind: str | None,
        body: dict[str, Any],
        fault: Callable[[str, dict[str, Any], SandboxSettings], Response | dict[str, Any]],
        respond: Callable[[dict[str, Any]], Response],
    ) -> Response:
        """``body`` as its fault leaves it: late, replaced by an error, or changed."""
        if kind == "slow":
            await asyncio.sleep(settings.slow_seconds)
        elif kind is not None:
            result = fault(kind, body, settings)
            if isinstance(result, Response):
                return result
            body = result
        return respond(body)

    async def authorize(request: Request) -> Response | None:
        if settings.latency_ms:
            await asyncio.sleep(settings.latency_ms / 1000)
        given = request.headers.get("anchor-api-key")
        if given is None:
            return error_response(401, "Missing API key: send it in the anchor-api-key header")
        keys = (settings.api_key, *settings.other_keys)
        if not any(secrets.compare_digest(given.encode(), key.encode()) for key in keys):
            return error_response(401, "Invalid API key")
        return None

    async def admit(request: Request) -> Response | tuple[Params, str | None]:
        """The request's parameters and its fault, or the error that answers it."""
        refused = await authorize(request)
        if refused is not None:
            return refused
        try:
            params = parse_params(request.query_params.multi_items(), clock())
        except BadParam as exc:
            return error_response(400, str(exc))
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
            return error_response(405, text, {"Allow": "GET, HEAD"})
        return error_response(status, f"Not found: {request.method} {request.url.path}")

    async def server_error(request: Request, exc: Exception) -> Response:
        return error_response(500, "Internal server error")

    return Starlette(
        routes=[
            Route("/v1/sessions/history", history, methods=["GET"]),
            Route("/v1/billing", billing, methods=["GET"]),
            Route("/v1/sessions", sessions, methods=["GET"]),
        ],
        exception_handlers={404: not_found, 405: not_found, Exception: server_error},
    )
