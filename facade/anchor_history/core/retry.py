"""Pure retry decisions: which failures to retry, and how long to wait.

Tested by calling it: no server, no sleeping. Randomness (jitter) comes in
through ``random`` so tests can fix it, as the clock does through ``now``.
GET is safe to repeat, so 429, 5xx, dropped connections, timeouts and a body cut
short are retried; 400/401/403/404 and a body of the wrong shape are not.
"""

from __future__ import annotations

import math
import random as _random
import re
from collections.abc import Callable, Mapping
from datetime import datetime
from email.utils import parsedate_to_datetime

from attrs import field, frozen

from ..errors import (
    AnchorHistoryError,
    APIError,
    RateLimitError,
    ResponseFormatError,
    ServerError,
    TransportError,
)

__all__ = [
    "RETRYABLE_STATUSES",
    "RetryPolicy",
    "parse_ratelimit_reset",
    "parse_retry_after",
    "retry_after_of",
]

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
    if not math.isfinite(seconds):  # NaN, inf
        return None
    return max(0.0, seconds)


_RESET = re.compile(r"(?:^|[;,\s])(?:t|reset)\s*=\s*(\d+(?:\.\d+)?)", re.IGNORECASE)


def parse_ratelimit_reset(value: str | None) -> float | None:
    """Seconds until the quota resets, from the IETF draft ``RateLimit`` header,
    in its newer (``"5-in-1min"; r=0; t=58``) or older (``limit=5, remaining=0,
    reset=58``) form; the longest wait when it names several quotas.

    >>> parse_ratelimit_reset('"5-in-1min"; r=0; t=58')
    58.0
    """
    if not value:
        return None
    waits = [float(m.group(1)) for m in _RESET.finditer(value)]
    return max(waits) if waits else None


def retry_after_of(headers: Mapping[str, str], *, now: datetime) -> float | None:
    """The wait a response asks for: ``retry-after-ms`` (as the vendor's SDK reads it),
    else ``Retry-After`` (seconds or an HTTP date), else the ``RateLimit`` reset."""
    millis = headers.get("retry-after-ms")
    if millis is not None:
        try:
            seconds = float(millis) / 1000
        except ValueError:
            seconds = math.nan
        if math.isfinite(seconds):
            return max(0.0, seconds)
    after = parse_retry_after(headers.get("retry-after"), now=now)
    if after is not None:
        return after
    return parse_ratelimit_reset(headers.get("ratelimit") or headers.get("ratelimit-reset"))


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
