"""The one package that imports the generated ``anchorbrowser_api`` package.

A regeneration that renames something breaks here and nowhere else. It calls
the generated operation (``sync_detailed``/``asyncio_detailed``: never ``sync``,
which returns None on an undocumented status) and converts its models into the
facade's, judging the status and the body's types itself, because the generated
models keep wrong types silently and lose the raw body when parsing fails.

``vocabulary`` holds the spec's metric and granularity names, ``wire`` sends a
request and captures its response, ``pages`` converts a 200's body, ``fast_pages``
reads a plain one faster, ``error_bodies`` reads an error response. ``billing`` (the
plan) is imported by its callers when they need it: it loads the generated billing
operation, about 20 ms of every cold start.
"""

from .pages import to_page
from .vocabulary import GRANULARITIES, METRICS, SUMMARY_FIELDS, check_granularity, check_metric
from .wire import (
    Exchange,
    make_api_client,
    remember_response,
    remember_response_async,
    send,
    send_async,
)

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
