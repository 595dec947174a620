"""The response side: a 200's body judged and converted into the facade's
HistoryPage, with a message that names the path of anything out of shape."""

from __future__ import annotations

import json
import math
from datetime import datetime
from typing import Any

import httpx
from anchorbrowser_api.models.session_history_data_point import SessionHistoryDataPoint
from anchorbrowser_api.models.session_history_pagination import SessionHistoryPagination
from anchorbrowser_api.models.session_history_response import SessionHistoryResponse
from anchorbrowser_api.models.session_history_summary import SessionHistorySummary
from anchorbrowser_api.types import UNSET as _UNSET
from anchorbrowser_api.types import Unset
from attrs import fields

from ...calendar.wire import parse_bucket_start
from ...errors import ResponseFormatError, excerpt
from ...models.history import (
    HistoryPage,
    HistoryPoint,
    HistorySummary,
    Number,
    Pagination,
    metric_names,
)
from .error_bodies import raise_for_status
from .vocabulary import SUMMARY_FIELDS
from .wire import Exchange

__all__ = ["to_page", "why_unreadable"]

_SUMMARY_MODEL_FIELDS = frozenset(a.name for a in fields(SessionHistorySummary))
_POINT_MODEL_FIELDS = frozenset(a.name for a in fields(SessionHistoryDataPoint))
_ORDERED_METRICS = metric_names()  # HistoryPoint's metric fields, in declaration order

# Counts beyond a signed 64-bit integer are no usage figure (and no Parquet column
# could hold them): such a body is refused rather than carried into every sum.
_INT_LIMIT = 2**63


def to_page(exchange: Exchange, *, now: datetime | None = None) -> HistoryPage:
    """The page in an exchange, or the typed error its status or body calls for."""
    response = exchange.response
    status = response.status_code
    raise_for_status(response, now=now)
    if isinstance(exchange.parsed, HistoryPage):  # the fast road took it
        return exchange.parsed
    if exchange.parse_error is not None or not isinstance(exchange.parsed, SessionHistoryResponse):
        reason, retryable = why_unreadable(exchange.parse_error, response.content)
        raise ResponseFormatError(
            f"the body is not the spec's SessionHistoryResponse: {reason}",
            status=status,
            body=excerpt(response.content),
            retryable=retryable,
        )
    return _convert(exchange.parsed, response)


def why_unreadable(error: Exception | None, content: bytes) -> tuple[str, bool]:
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
