"""anchor-history: pull, check and chart AnchorBrowser usage history.

>>> # from anchor_history import HistoryClient
>>> # with HistoryClient() as client:          # key from ANCHORBROWSER_API_KEY
>>> #     history = client.fetch(from_date="30d", metrics=["session_count", "credits_used"])
"""

from __future__ import annotations

from .client import AsyncHistoryClient, HistoryClient
from .errors import (
    AnchorHistoryError,
    APIError,
    AuthenticationError,
    BadRequestError,
    InvalidInputError,
    MissingAPIKeyError,
    MissingExtraError,
    NotFoundError,
    PaginationError,
    RateLimitError,
    RequestTimeoutError,
    ResponseFormatError,
    ServerError,
    TransportError,
)
from .metrics import GRANULARITIES, METRICS
from .models import History, HistoryPage, HistoryPoint, HistoryQuery, HistorySummary, Pagination
from .retry import RetryPolicy

__version__ = "0.1.0"

__all__ = [
    "GRANULARITIES",
    "METRICS",
    "APIError",
    "AnchorHistoryError",
    "AsyncHistoryClient",
    "AuthenticationError",
    "BadRequestError",
    "History",
    "HistoryClient",
    "HistoryPage",
    "HistoryPoint",
    "HistoryQuery",
    "HistorySummary",
    "InvalidInputError",
    "MissingAPIKeyError",
    "MissingExtraError",
    "NotFoundError",
    "Pagination",
    "PaginationError",
    "RateLimitError",
    "RequestTimeoutError",
    "ResponseFormatError",
    "RetryPolicy",
    "ServerError",
    "TransportError",
    "__version__",
]
