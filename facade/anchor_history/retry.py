"""Pure retry decisions: which failures to retry, and how long to wait.

Tested by calling it: no server, no sleeping. Randomness (jitter) comes in
through ``random`` so tests can fix it, as the clock does through ``now``.
GET is safe to repeat, so 429, 5xx, dropped connections, timeouts and a body cut
short are retried; 400/401/403/404 and a body of the wrong shape are not.
"""

from __future__ import annotations

import random as _random
from collections.abc import Callable
from datetime import datetime
from email.utils import parsedate_to_datetime

from attrs import field, frozen

from .errors import (
    AnchorHistoryError,
    APIError,
    RateLimitError,
    ResponseFormatError,
    ServerError,
    TransportError,
)

__all__ = ["RETRYABLE_STATUSES", "RetryPolicy", "parse_retry_after"]

RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})


def parse_retry_after(value: str | None, *, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date.

    >>> from datetime import timezone
    >>> parse_retry_after("3", now=datetime(2026, 1, 1, tzinfo=timezone.utc))
    3.0
    """
    if value is None:
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            return None
        seconds = (when - now).total_seconds()
    if seconds != seconds:  # NaN
        return None
    return max(0.0, seconds)


def is_retryable(error: AnchorHistoryError) -> bool:
    if isinstance(error, (RateLimitError, TransportError)):
        return True
    if isinstance(error, ServerError):
        return error.status in RETRYABLE_STATUSES
    # A body cut short (invalid JSON) is a transport hiccup in disguise; a body of
    # valid JSON in the wrong shape would come back the same, so is not retried.
    return isinstance(error, ResponseFormatError) and error.retryable


@frozen
class RetryPolicy:
    """Exponential backoff with full jitter, honouring Retry-After up to a cap.

    >>> RetryPolicy(random=lambda: 1.0).delay(ServerError(503), attempt=2)
    1.0
    """

    max_retries: int = 2
    base_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = 60.0
    random: Callable[[], float] = field(default=_random.random, repr=False)

    def delay(self, error: AnchorHistoryError, attempt: int) -> float | None:
        """Seconds to wait before retry number ``attempt`` (1-based), or None to give up."""
        if attempt > self.max_retries or not is_retryable(error):
            return None
        if isinstance(error, APIError) and error.retry_after is not None:  # 429, 503
            return min(error.retry_after, self.max_retry_after)
        ceiling = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        return float(ceiling * self.random())
