"""``GET /v1/sessions`` ("List Sessions History Page"): the request built by the
generated operation, the 200's body judged and converted into the facade's
:class:`~anchor_history.models.session.SessionsPage`.

The body is read from its JSON rather than through the generated models: those
keep a string where a number belongs, raise a bare ValueError for a bad
``created_at`` and lose the path of what was wrong; here every field is checked
and an error names it (``data.sessions[3].used_credits``). The generated model is
still the spec's word: a contract test parses every recorded body with it.

What the spec and the vendor's notes say of the values: ``used_credits`` is a
number, a decimal string, or ``"N/A"`` while the session runs (kept as None,
never 0); ``tags``, ``domains``, ``proxy_*``, ``steps``, ``duration`` and
``browser_ip`` may be null; ``total``, ``page`` and ``total_pages`` are numbers
(whole ones are taken as integers, anything else refused).
"""

from __future__ import annotations

import json
import math
import re
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
from anchorbrowser_api.api.browser_sessions import get_v1_sessions as _operation
from anchorbrowser_api.client import AuthenticatedClient

from ...errors import ResponseFormatError, SessionsUnavailableError, excerpt
from ...models.session import Session, SessionFilters, SessionsPage
from .error_bodies import raise_for_status
from .wire import Exchange, _WireDatetime, capture

__all__ = ["LIMITS", "send_sessions", "send_sessions_async", "to_sessions_page"]

LIMITS = (10, 20, 50)  # the spec's enum for ``limit``
_DECIMAL = re.compile(r"^-?\d+(\.\d+)?$")  # the spec's pattern for a decimal string
_INT_LIMIT = 2**63


def _request(
    span: tuple[datetime, datetime], page: int, limit: int, filters: SessionFilters
) -> dict[str, Any]:
    """The generated operation's request for one page: oldest first, both ends of
    ``span`` inclusive (as ``created_from``/``created_to`` are)."""
    args: dict[str, Any] = {
        "page": page,
        "limit": limit,
        "sort_by": "created_at",
        "sort_order": "asc",
        "created_from": _WireDatetime.of(span[0]),
        "created_to": _WireDatetime.of(span[1]),
    }
    if filters.tags:
        args["tags"] = ",".join(filters.tags)
    if filters.domains:
        args["domains"] = ",".join(filters.domains)
    if filters.status is not None:
        args["status"] = filters.status
    if filters.search is not None:
        args["search"] = filters.search
    if filters.task_initiated is not None:
        args["task_initiated"] = filters.task_initiated
    return _operation._get_kwargs(**args)


def send_sessions(
    client: AuthenticatedClient,
    span: tuple[datetime, datetime],
    page: int,
    limit: int,
    filters: SessionFilters,
) -> Exchange:
    with capture() as got:
        client.get_httpx_client().request(**_request(span, page, limit, filters))
    return got.exchange()


async def send_sessions_async(
    client: AuthenticatedClient,
    span: tuple[datetime, datetime],
    page: int,
    limit: int,
    filters: SessionFilters,
) -> Exchange:
    with capture() as got:
        await client.get_async_httpx_client().request(**_request(span, page, limit, filters))
    return got.exchange()


def to_sessions_page(exchange: Exchange, *, now: datetime | None = None) -> SessionsPage:
    """The page in an exchange, or the typed error its status or body calls for.
    A 403 or 404 is :class:`SessionsUnavailableError`: this key (or this API)
    cannot list sessions."""
    response = exchange.response
    status = response.status_code
    raise_for_status(response, now=now, unavailable=SessionsUnavailableError)
    try:
        document = json.loads(response.content)
    except (ValueError, RecursionError) as exc:
        deep = isinstance(exc, RecursionError)
        raise ResponseFormatError(
            "the body is not the spec's SessionHistoryPageResponse: "
            + ("JSON nested too deeply to read" if deep else "not valid JSON"),
            status=status,
            body=excerpt(response.content),
            retryable=not deep,
        ) from None
    return _Reader(response).page(document)


class _Reader:
    """Converts one body, naming the path of the first thing out of shape."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response

    def fail(self, where: str, problem: str) -> ResponseFormatError:
        return ResponseFormatError(f"{where}: {problem}", status=self.response.status_code)

    def got(self, where: str, expected: str, value: object) -> ResponseFormatError:
        shown = excerpt(repr(value), 40)
        return self.fail(where, f"expected {expected}, got {type(value).__name__} {shown}")

    def page(self, document: object) -> SessionsPage:
        if not isinstance(document, dict):
            raise self.got("(body)", "an object", document)
        data = document.get("data")
        if not isinstance(data, dict):
            raise self.got("data", "an object", data)
        counts = {name: self.whole(f"data.{name}", data.get(name)) for name in ("total", "page")}
        total_pages = self.whole("data.total_pages", data.get("total_pages"))
        items = data.get("sessions")
        if not isinstance(items, list):
            raise self.got("data.sessions", "a list", items)
        sessions = tuple(self.session(f"data.sessions[{i}]", v) for i, v in enumerate(items))
        return SessionsPage(sessions, counts["total"], counts["page"], total_pages)

    def whole(self, where: str, value: object) -> int:
        """A count the spec types as ``number``: a whole one, >= 0."""
        if type(value) is int and 0 <= value < _INT_LIMIT:
            return value
        if type(value) is float and value.is_integer() and 0 <= value < _INT_LIMIT:
            return int(value)
        raise self.got(where, "a whole number >= 0", value)

    def session(self, where: str, item: object) -> Session:
        if not isinstance(item, dict):
            raise self.got(where, "an object", item)

        def text(name: str, *, optional: bool = False) -> Any:
            value = item.get(name)
            if value is None and optional:
                return None
            if type(value) is not str:
                raise self.got(f"{where}.{name}", "a string", value)
            return value

        def flag(name: str) -> bool:
            value = item.get(name)
            if type(value) is not bool:
                raise self.got(f"{where}.{name}", "true or false", value)
            return value

        return Session(
            id=text("id"),
            created_at=self.instant(f"{where}.created_at", item.get("created_at")),
            status=text("status"),
            credits=self.credits(f"{where}.used_credits", item.get("used_credits")),
            api_key_name=text("api_key_name"),
            tags=self.strings(f"{where}.tags", item.get("tags")),
            domains=self.strings(f"{where}.domains", item.get("domains")),
            proxy_type=text("proxy_type", optional=True),
            proxy_bytes=self.number(f"{where}.proxy_bytes", item.get("proxy_bytes")),
            steps=self.number(f"{where}.steps", item.get("steps")),
            duration=self.number(f"{where}.duration", item.get("duration"), real=True),
            task_initiated=flag("task_initiated"),
            headless=flag("headless"),
            recording=flag("recording"),
            task_executions_count=self.number(
                f"{where}.task_executions_count", item.get("task_executions_count")
            )
            or 0,
            browser_ip=text("browser_ip", optional=True),
        )

    def instant(self, where: str, value: object) -> datetime:
        if type(value) is not str:
            raise self.got(where, "an ISO 8601 date-time string", value)
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            raise self.got(where, "an ISO 8601 date-time string", value) from None
        # The spec says UTC; a date-time without an offset is read as UTC.
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)

    def credits(self, where: str, value: object) -> Decimal | None:
        """A number, a decimal string, or "N/A" (running: None, never 0)."""
        if value == "N/A":
            return None
        if (type(value) is str and _DECIMAL.match(value)) or (
            type(value) is int and abs(value) < _INT_LIMIT
        ):
            number = Decimal(value)
        elif type(value) is float and math.isfinite(value):
            number = Decimal(repr(value))  # the decimal the server wrote
        else:
            raise self.got(where, 'a number, a decimal string or "N/A"', value)
        if number < 0:
            raise self.fail(where, f"{value!r} is negative; credits used cannot be")
        return number

    def number(self, where: str, value: object, *, real: bool = False) -> Any:
        if value is None:
            return None
        if type(value) is int and 0 <= value < _INT_LIMIT:
            return float(value) if real else value
        if type(value) is float and math.isfinite(value) and value >= 0:
            return value if real or not value.is_integer() else int(value)
        raise self.got(where, "a number >= 0 or null", value)

    def strings(self, where: str, value: object) -> tuple[str, ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            raise self.got(where, "a list of strings or null", value)
        for i, entry in enumerate(value):
            if type(entry) is not str:
                raise self.got(f"{where}[{i}]", "a string", entry)
        return tuple(value)
