"""anchor-history: pull, check and chart AnchorBrowser usage history.

>>> # from anchor_history import HistoryClient
>>> # with HistoryClient() as client:          # key from ANCHORBROWSER_API_KEY
>>> #     history = client.fetch(from_date="30d", metrics=["session_count", "credits_used"])
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from . import _moved

_moved.install()  # old paths (anchor_history.insights.budgets, ...) still import, with a warning

if TYPE_CHECKING:
    from .core._api.vocabulary import GRANULARITIES, METRICS
    from .core.async_client import AsyncHistoryClient
    from .core.client import HistoryClient
    from .core.retry import RetryPolicy
    from .errors import (
        AlertStateError,
        AnchorHistoryError,
        APIError,
        AuthenticationError,
        BadRequestError,
        InvalidInputError,
        MissingAPIKeyError,
        MissingExtraError,
        NotFoundError,
        NotHeldError,
        NotificationError,
        PaginationError,
        PlanUnavailableError,
        RateLimitError,
        RequestTimeoutError,
        ResponseFormatError,
        ServerError,
        SessionsUnavailableError,
        StoreError,
        TransportError,
    )
    from .models import History, HistoryPage, HistoryPoint, HistoryQuery, HistorySummary, Pagination
    from .models.plan import Plan
    from .models.session import Session

__version__ = "0.1.0"

__all__ = [
    "GRANULARITIES",
    "METRICS",
    "APIError",
    "AlertStateError",
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
    "NotHeldError",
    "NotificationError",
    "Pagination",
    "PaginationError",
    "Plan",
    "PlanUnavailableError",
    "RateLimitError",
    "RequestTimeoutError",
    "ResponseFormatError",
    "RetryPolicy",
    "ServerError",
    "Session",
    "SessionsUnavailableError",
    "StoreError",
    "TransportError",
    "__version__",
]

# Public names load on first use, so `import anchor_history` and the CLI's
# --help do not pay for httpx (which imports its own CLI stack when present).
_HOMES = {
    "HistoryClient": "core.client",
    "AsyncHistoryClient": "core.async_client",
    **dict.fromkeys(["GRANULARITIES", "METRICS"], "core._api.vocabulary"),  # the spec's
    **dict.fromkeys(
        ["History", "HistoryPage", "HistoryPoint", "HistoryQuery", "HistorySummary", "Pagination"],
        "models",
    ),
    "RetryPolicy": "core.retry",
    "Plan": "models.plan",
    "Session": "models.session",
}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(import_module(f".{_HOMES[name]}", __name__), name)
    if name in __all__:
        return getattr(import_module(".errors", __name__), name)
    raise AttributeError(f"module 'anchor_history' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
