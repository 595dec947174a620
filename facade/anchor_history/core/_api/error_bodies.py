"""What an error response says: the typed error for its status, and the server's
code and message from any of the error bodies this API sends."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx
from anchorbrowser_api.models.error_response import ErrorResponse
from anchorbrowser_api.types import UNSET as _UNSET
from anchorbrowser_api.types import Unset

from ...errors import (
    APIError,
    AuthenticationError,
    BadRequestError,
    NotFoundError,
    RateLimitError,
    ResponseFormatError,
    ServerError,
    excerpt,
)
from ..retry import retry_after_of
from .wire import PARSE_ERRORS

__all__ = ["error_for", "raise_for_status"]

_STATUS_ERRORS: dict[int, type[APIError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: AuthenticationError,
    404: NotFoundError,
    429: RateLimitError,
}


def raise_for_status(
    response: httpx.Response,
    *,
    now: datetime | None = None,
    unavailable: type[APIError] | None = None,
) -> None:
    """Nothing for a 200; else the typed error its status calls for (another 2xx
    is undocumented, so not the spec's answer either). ``unavailable``: the error a
    403 or 404 is for an operation a key may lack, or an older API may not have."""
    status = response.status_code
    if status == 200:
        return
    if 200 <= status < 300:
        raise ResponseFormatError(
            "undocumented success status", status=status, body=excerpt(response.content)
        )
    error = error_for(response, now=now)
    if unavailable is not None and status in (403, 404):
        raise unavailable(
            status,
            code=error.code,
            api_message=error.api_message,
            body=error.body,
            request_id=error.request_id,
        )
    raise error


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
        except PARSE_ERRORS:
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
