"""The request side: the API's vocabulary (metrics, granularities, summary fields)
as the generated package declares it, the generated client, and one call through
the generated operation, captured with the raw response it came from."""

from __future__ import annotations

from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, cast

import httpx
from anchorbrowser_api.api.browser_sessions import get_v1_sessions_history as _operation
from anchorbrowser_api.client import AuthenticatedClient
from attrs import frozen

from ...calendar.wire import format_api_datetime
from ...models.history import HistoryQuery
from .vocabulary import Granularity, Metric

__all__ = [
    "PARSE_ERRORS",
    "Exchange",
    "capture",
    "make_api_client",
    "remember_response",
    "remember_response_async",
    "send",
    "send_async",
]

# Set by an httpx response hook, read right after the generated call returns or
# raises: the generated code drops the raw response when parsing fails, and an
# error message needs its status and body. A ContextVar keeps concurrent calls
# (threads or tasks) apart.
_last_response: ContextVar[httpx.Response | None] = ContextVar("_last_response", default=None)


def remember_response(response: httpx.Response) -> None:
    _last_response.set(response)


async def remember_response_async(response: httpx.Response) -> None:
    _last_response.set(response)


def make_api_client(base_url: str) -> AuthenticatedClient:
    """The generated client; the caller installs its own httpx client (with the key header)."""
    # The token is never given to the generated client: the key travels only in the
    # httpx client's headers, so no attrs repr of the generated client can show it.
    return AuthenticatedClient(base_url=base_url, token="", prefix="", auth_header_name="")


class _WireDatetime(datetime):
    """A datetime whose isoformat() is UTC with ``Z``: the generated code calls isoformat()."""

    def isoformat(self, sep: str = "T", timespec: str = "auto") -> str:
        return format_api_datetime(self)

    @classmethod
    def of(cls, value: datetime) -> _WireDatetime:
        return cls.fromtimestamp(value.timestamp(), tz=UTC)


def _request_args(query: HistoryQuery, page: int) -> dict[str, Any]:
    # metrics is always sent: the generated default is the literal string
    # "['session_count']", which no server understands.
    return {
        "from_date": _WireDatetime.of(query.from_date),
        "to_date": _WireDatetime.of(query.to_date),
        "granularity": cast(Granularity, query.granularity),
        "metrics": cast(list[Metric], list(query.metrics)),
        "page": page,
        "limit": query.limit,
    }


@frozen
class Exchange:
    """A response and what the generated code made of it (or the error it raised)."""

    response: httpx.Response
    parsed: object
    parse_error: Exception | None


# What the generated parsing raises on a body of the wrong shape. RecursionError:
# JSON nested 100,000 deep is valid JSON that Python cannot read.
PARSE_ERRORS = (ValueError, TypeError, KeyError, AttributeError, RecursionError)


class _Capture:
    """What one generated call gave: its parsed body, or the parse error it raised,
    with the raw response the hook saw. Used as ``with _Capture() as got: ...``."""

    def __init__(self) -> None:
        self.parsed: object = None
        self.error: Exception | None = None
        self.response: httpx.Response | None = None

    def __enter__(self) -> _Capture:
        self._token = _last_response.set(None)
        return self

    def __exit__(self, kind: object, error: BaseException | None, tb: object) -> bool:
        self.response = _last_response.get()
        _last_response.reset(self._token)
        if isinstance(error, PARSE_ERRORS) and self.response is not None:
            self.error = error  # the body did not parse: to_page judges it, with the body
            return True
        return False  # anything else (httpx errors included) propagates

    def exchange(self) -> Exchange:
        if self.response is None:
            raise RuntimeError("the response hook was not installed on the httpx client")
        return Exchange(self.response, self.parsed, self.error)


def capture() -> _Capture:
    """``with capture() as got: got.parsed = <a generated *_detailed call>.parsed``."""
    return _Capture()


def send(client: AuthenticatedClient, query: HistoryQuery, page: int) -> Exchange:
    """One request, built by the generated operation. httpx errors propagate.

    The body of a 200 goes the fast road first (``fast_pages``); what that road
    does not take is read by the generated models, as the operation would.
    """
    request = _operation._get_kwargs(**_request_args(query, page))
    with _Capture() as got:
        got.parsed = _parsed(client, client.get_httpx_client().request(**request))
    return got.exchange()


async def send_async(client: AuthenticatedClient, query: HistoryQuery, page: int) -> Exchange:
    request = _operation._get_kwargs(**_request_args(query, page))
    with _Capture() as got:
        response = await client.get_async_httpx_client().request(**request)
        got.parsed = _parsed(client, response)
    return got.exchange()


def _parsed(client: AuthenticatedClient, response: httpx.Response) -> object:
    if response.status_code == 200:
        from .fast_pages import fast_page  # msgspec loads with the first page, not the import

        page = fast_page(response.content)
        if page is not None:
            return page
    return _operation._build_response(client=client, response=response).parsed
