"""The one module that imports the generated ``anchorbrowser_api`` package.

A regeneration that renames something breaks here and nowhere else. It calls
the generated operation (``sync_detailed``/``asyncio_detailed``: never ``sync``,
which returns None on an undocumented status) and converts its models into the
facade's, judging the status and the body's types itself, because the generated
models keep wrong types silently and lose the raw body when parsing fails.
"""

from __future__ import annotations

import json
import math
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, cast, get_args

import httpx
from anchorbrowser_api.api.browser_sessions import get_v1_sessions_history as _operation
from anchorbrowser_api.client import AuthenticatedClient
from anchorbrowser_api.models.error_response import ErrorResponse
from anchorbrowser_api.models.get_v1_sessions_history_granularity import (
    GetV1SessionsHistoryGranularity as _Granularity,
)
from anchorbrowser_api.models.get_v1_sessions_history_granularity import (
    check_get_v1_sessions_history_granularity as check_granularity,
)
from anchorbrowser_api.models.get_v1_sessions_history_metrics_type_1_item import (
    GetV1SessionsHistoryMetricsType1Item as _Metric,
)
from anchorbrowser_api.models.get_v1_sessions_history_metrics_type_1_item import (
    check_get_v1_sessions_history_metrics_type_1_item as check_metric,
)
from anchorbrowser_api.models.session_history_data_point import SessionHistoryDataPoint
from anchorbrowser_api.models.session_history_pagination import SessionHistoryPagination
from anchorbrowser_api.models.session_history_response import SessionHistoryResponse
from anchorbrowser_api.models.session_history_summary import SessionHistorySummary
from anchorbrowser_api.types import UNSET as _UNSET
from anchorbrowser_api.types import Unset
from attrs import fields, frozen

from .dates import format_api_datetime, parse_bucket_start
from .errors import (
    APIError,
    AuthenticationError,
    BadRequestError,
    NotFoundError,
    RateLimitError,
    ResponseFormatError,
    ServerError,
    excerpt,
)
from .models import (
    HistoryPage,
    HistoryPoint,
    HistoryQuery,
    HistorySummary,
    Number,
    Pagination,
    metric_names,
)
from .retry import retry_after_of

__all__ = [
    "GRANULARITIES",
    "METRICS",
    "SUMMARY_FIELDS",
    "Exchange",
    "check_granularity",
    "check_metric",
    "make_api_client",
    "remember_response",
    "remember_response_async",
    "send",
    "send_async",
    "to_page",
]

# In the spec's order (HistoryPoint declares its metrics in it; the generated
# Literal is alphabetical), any metric the hand-written types lack at the end.
METRICS: tuple[str, ...] = tuple(
    [m for m in metric_names() if m in get_args(_Metric)]
    + sorted(set(get_args(_Metric)) - set(metric_names()))
)
GRANULARITIES: tuple[str, ...] = get_args(_Granularity)

# The summary names its totals after the metrics, but session_count's total is
# "total_sessions". A test checks every metric maps to a field of the generated model.
SUMMARY_FIELDS: dict[str, str] = {
    m: "total_sessions" if m == "session_count" else f"total_{m}" for m in METRICS
}
_SUMMARY_MODEL_FIELDS = frozenset(a.name for a in fields(SessionHistorySummary))
_POINT_MODEL_FIELDS = frozenset(a.name for a in fields(SessionHistoryDataPoint))
_ORDERED_METRICS = metric_names()  # HistoryPoint's metric fields, in declaration order


# Set by an httpx response hook, read right after the generated call returns or
# raises: the generated code drops the raw response when parsing fails, and an
# error message needs its status and body. A ContextVar keeps concurrent calls
# (threads or tasks) apart.
_last_response: ContextVar[httpx.Response | None] = ContextVar("_last_response", default=None)

_STATUS_ERRORS: dict[int, type[APIError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: AuthenticationError,
    404: NotFoundError,
    429: RateLimitError,
}


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
        "granularity": cast(_Granularity, query.granularity),
        "metrics": cast(list[_Metric], list(query.metrics)),
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
_PARSE_ERRORS = (ValueError, TypeError, KeyError, AttributeError, RecursionError)
# Counts beyond a signed 64-bit integer are no usage figure (and no Parquet column
# could hold them): such a body is refused rather than carried into every sum.
_INT_LIMIT = 2**63


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
        if isinstance(error, _PARSE_ERRORS) and self.response is not None:
            self.error = error  # the body did not parse: to_page judges it, with the body
            return True
        return False  # anything else (httpx errors included) propagates

    def exchange(self) -> Exchange:
        if self.response is None:
            raise RuntimeError("the response hook was not installed on the httpx client")
        return Exchange(self.response, self.parsed, self.error)


def send(client: AuthenticatedClient, query: HistoryQuery, page: int) -> Exchange:
    """One request through the generated operation. httpx errors propagate."""
    with _Capture() as got:
        got.parsed = _operation.sync_detailed(client=client, **_request_args(query, page)).parsed
    return got.exchange()


async def send_async(client: AuthenticatedClient, query: HistoryQuery, page: int) -> Exchange:
    with _Capture() as got:
        detailed = await _operation.asyncio_detailed(client=client, **_request_args(query, page))
        got.parsed = detailed.parsed
    return got.exchange()


def to_page(exchange: Exchange, *, now: datetime | None = None) -> HistoryPage:
    """The page in an exchange, or the typed error its status or body calls for."""
    response = exchange.response
    status = response.status_code
    if status != 200:
        if 200 <= status < 300:
            raise ResponseFormatError(
                "undocumented success status", status=status, body=excerpt(response.content)
            )
        raise error_for(response, now=now)
    if exchange.parse_error is not None or not isinstance(exchange.parsed, SessionHistoryResponse):
        reason, retryable = _why_unreadable(exchange.parse_error, response.content)
        raise ResponseFormatError(
            f"the body is not the spec's SessionHistoryResponse: {reason}",
            status=status,
            body=excerpt(response.content),
            retryable=retryable,
        )
    return _convert(exchange.parsed, response)


def _why_unreadable(error: Exception | None, content: bytes) -> tuple[str, bool]:
    """What is wrong with a body the generated models could not read, and whether
    asking again may cure it (a body cut short is not valid JSON)."""
    if isinstance(error, RecursionError):
        return "JSON nested too deeply to read", False
    if isinstance(error, UnicodeDecodeError):
        return "not UTF-8 text", False
    if isinstance(error, json.JSONDecodeError):
        return "not valid JSON", True
    try:
        document = json.loads(content)
    except (ValueError, RecursionError):
        return "not valid JSON", True
    return _shape_problem(document) or f"{error or 'not an object'}", False


def _kind(value: object) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}
    text = repr(value)
    shown = text if len(text) <= 40 else text[:40] + "..."
    return f"{names.get(type(value), type(value).__name__)} {shown}"


def _shape_problem(document: object) -> str | None:
    """Where a JSON document departs from the response's shape, as a path."""
    if not isinstance(document, dict):
        return f"the body is {_kind(document)}, not an object"
    for name, kind in (("data", list), ("summary", dict), ("pagination", dict)):
        if name in document and not isinstance(document[name], kind):
            expected = "a list" if kind is list else "an object"
            return f"{name}: expected {expected}, got {_kind(document[name])}"
    for i, item in enumerate(document.get("data") or []):
        if not isinstance(item, dict):
            return f"data[{i}]: expected an object, got {_kind(item)}"
    return None


def error_for(response: httpx.Response, *, now: datetime | None = None) -> APIError:
    status = response.status_code
    if 300 <= status < 400:
        return APIError(status, api_message=_redirect_message(response))
    cls = _STATUS_ERRORS.get(status) or (ServerError if status >= 500 else APIError)
    code, message = _error_details(response)
    when = now or datetime.now(UTC)
    return cls(
        status,
        code=code,
        api_message=message,
        body="" if message else excerpt(response.content),
        request_id=response.headers.get("x-request-id"),
        retry_after=retry_after_of(response.headers, now=when),
    )


def _redirect_message(response: httpx.Response) -> str:
    location = response.headers.get("location", "")
    try:
        target = httpx.URL(location)
        if target.is_relative_url:
            target = response.request.url.join(target)
        where = f"{target.scheme}://{target.netloc.decode('ascii', 'replace')}{target.path}"
    except (httpx.InvalidURL, ValueError, TypeError, RuntimeError):
        where = repr(excerpt(location, 80)) if location else "an unnamed location"
    return (
        f"the API redirected to {where}; redirects are not followed, so the key is never "
        "sent to another host (check the base URL)"
    )


def _error_details(response: httpx.Response) -> tuple[int | None, str | None]:
    """The server's code and message from any of the API's error bodies:
    ``{"error": {"code", "message"}}``, ``{"error": "text"}``, ``{"message": "text"}``
    or plain text."""
    body = response.content
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):
        plain = response.headers.get("content-type", "").startswith("text/plain")
        return None, (excerpt(body) or None) if plain else None
    if not isinstance(document, dict):
        return None, None
    error = document.get("error")
    if isinstance(error, dict):
        try:
            parsed = ErrorResponse.from_dict(document).error
        except _PARSE_ERRORS:
            parsed = _UNSET
        if not isinstance(parsed, Unset):
            code = parsed.code if type(parsed.code) is int else None
            message = parsed.message if isinstance(parsed.message, str) else None
            return code, _short(message)
    if isinstance(error, str):
        return None, _short(error)
    message = document.get("message")
    return None, _short(message) if isinstance(message, str) else None


def _short(message: str | None) -> str | None:
    return excerpt(message) if message else None


def _number(value: object, where: str, response: httpx.Response) -> Number | None:
    """A metric's value: a number, or None where the API sent none (absent or null:
    "no value for this period", as the vendor's own models read it)."""
    if isinstance(value, Unset) or value is None:
        return None
    if type(value) is int and -_INT_LIMIT < value < _INT_LIMIT:
        return value
    if type(value) is float and math.isfinite(value):
        return value
    if type(value) is int:
        what = f"an integer of {len(str(abs(value)))} digits, beyond a 64-bit count"
    elif type(value) is float:
        what = f"{value!r}, not a finite number"
    else:
        what = f"expected a number, got {type(value).__name__} {excerpt(repr(value), 40)}"
    raise ResponseFormatError(f"{where}: {what}", status=response.status_code)


def _optional(value: object, kind: type, where: str, response: httpx.Response) -> Any:
    if isinstance(value, Unset):
        return None
    if type(value) is not kind:
        raise ResponseFormatError(
            f"{where}: expected {kind.__name__}, got {type(value).__name__} {value!r}",
            status=response.status_code,
            body=excerpt(response.content),
        )
    return value


def _convert(parsed: SessionHistoryResponse, response: httpx.Response) -> HistoryPage:
    if isinstance(parsed.data, Unset):
        raise ResponseFormatError(
            "data: missing", status=response.status_code, body=excerpt(response.content)
        )
    # The hot loop of every fetch: type checks are inlined (a function call per
    # value would double its cost); anything unusual goes to _number for the message.
    points = []
    for i, item in enumerate(parsed.data):
        raw_date = item.date
        if type(raw_date) is not str:
            what = "missing" if raw_date is _UNSET else f"expected str, got {raw_date!r}"
            raise ResponseFormatError(f"data[{i}].date: {what}", status=response.status_code)
        try:
            start = parse_bucket_start(raw_date)
        except ValueError as exc:
            raise ResponseFormatError(
                f"data[{i}].date: {exc}", status=response.status_code
            ) from exc
        values: list[Number | None] = []  # in HistoryPoint's field order: positional is fastest
        for m in _ORDERED_METRICS:
            value = (
                getattr(item, m)
                if m in _POINT_MODEL_FIELDS
                else item.additional_properties.get(m, _UNSET)  # a metric the model lacks
            )
            if value is _UNSET or value is None:
                values.append(None)
            elif (type(value) is int and -_INT_LIMIT < value < _INT_LIMIT) or (
                type(value) is float and math.isfinite(value)
            ):
                values.append(value)
            else:
                values.append(_number(value, f"data[{i}].{m}", response))
        points.append(HistoryPoint(*values, start=start, date=raw_date))
    return HistoryPage(
        points=tuple(points),
        summary=_summary(parsed.summary, response),
        pagination=_pagination(parsed.pagination, response),
    )


def _summary(summary: SessionHistorySummary | Unset, response: httpx.Response) -> HistorySummary:
    if isinstance(summary, Unset):
        return HistorySummary()
    values = {
        metric: _number(
            getattr(summary, name)
            if name in _SUMMARY_MODEL_FIELDS
            else summary.additional_properties.get(name, _UNSET),
            f"summary.{name}",
            response,
        )
        for metric, name in SUMMARY_FIELDS.items()
    }
    return HistorySummary(**values)


def _pagination(
    pagination: SessionHistoryPagination | Unset, response: httpx.Response
) -> Pagination | None:
    if isinstance(pagination, Unset):
        return None

    def check(value: object, kind: type, name: str) -> Any:
        return _optional(value, kind, f"pagination.{name}", response)

    return Pagination(
        current_page=check(pagination.current_page, int, "current_page"),
        total_pages=check(pagination.total_pages, int, "total_pages"),
        total_records=check(pagination.total_records, int, "total_records"),
        has_next=check(pagination.has_next, bool, "has_next"),
        has_prev=check(pagination.has_prev, bool, "has_prev"),
    )
