"""Webhook notifications: one JSON message, Slack-compatible, retried, bounded in time.

An I/O edge: the message is built by pure functions; :func:`post_json` sends it.
The API key is never part of a message (it is not passed here at all), and an
error names the webhook's host only, since a webhook URL is a secret itself.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from ..errors import InvalidInputError, NotificationError

__all__ = ["check_webhook_url", "post_json"]

_RETRYABLE = frozenset({429, 500, 502, 503, 504})


def check_webhook_url(url: str) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInputError("notify", f"{url!r} is not an http(s) URL")
    return url.strip()


def _host(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"


def post_json(
    url: str,
    payload: dict[str, Any],
    *,
    timeout: float = 10.0,
    attempts: int = 3,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """POST ``payload``; retried on 429, 5xx and network errors; NotificationError at the end."""
    import httpx

    url = check_webhook_url(url)
    problem = ""
    with httpx.Client(timeout=timeout, follow_redirects=False) as client:
        for attempt in range(1, attempts + 1):
            try:
                response = client.post(url, json=payload)
            except httpx.HTTPError as exc:
                problem = f"{type(exc).__name__}"
            else:
                if 200 <= response.status_code < 300:
                    return
                problem = f"HTTP {response.status_code}"
                if response.status_code not in _RETRYABLE:
                    break
            if attempt < attempts:
                sleep(min(8.0, 0.5 * 2 ** (attempt - 1)))
    error = NotificationError(f"the webhook at {_host(url)} did not take the message: {problem}")
    error.attempts = attempt
    raise error
