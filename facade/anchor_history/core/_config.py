"""Pure resolution of a client's settings and of one call's query.

Environment variables are read here only when the caller passes ``env``; the
client passes ``os.environ`` at its edge, tests pass a dict.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from datetime import datetime
from urllib.parse import urlsplit

import httpx
from attrs import field, frozen

from ..calendar.windows import DateLike, resolve_window
from ..errors import InvalidInputError, MissingAPIKeyError
from ..metrics import MetricsArg, normalize_granularity, normalize_metrics
from ..models.history import HistoryQuery

__all__ = [
    "DEFAULT_BASE_URL",
    "ENV_BASE_URL",
    "ENV_KEY",
    "MAX_LIMIT",
    "Settings",
    "build_query",
    "check_limit",
    "check_page",
    "positive_int",
    "resolve_settings",
]

DEFAULT_BASE_URL = "https://api.anchorbrowser.io"
ENV_KEY = "ANCHORBROWSER_API_KEY"  # the official SDK's names, so one setting serves both
ENV_BASE_URL = "ANCHORBROWSER_BASE_URL"
MAX_LIMIT = 1000  # the spec's maximum for `limit`
DEFAULT_TIMEOUT = 30.0
CONNECT_TIMEOUT = 5.0


@frozen
class Settings:
    api_key: str = field(repr=False)
    base_url: str
    timeout: httpx.Timeout
    max_retries: int
    concurrency: int


def positive_int(name: str, value: object, minimum: int) -> int:
    if type(value) is not int or value < minimum:
        raise InvalidInputError(name, f"{value!r} is not an integer >= {minimum}")
    return value


def _is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_base_url(url: str, *, allow_insecure_http: bool = False) -> str:
    """The base URL without a trailing slash; plain http only to loopback unless allowed."""
    if not isinstance(url, str) or not url.strip():
        raise InvalidInputError("base_url", f"{url!r} is not a URL like {DEFAULT_BASE_URL}")
    url = url.strip().rstrip("/")
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018  (raises ValueError on a bad port)
    except ValueError as exc:
        raise InvalidInputError("base_url", f"{url!r} is not a valid URL ({exc})") from None
    if parts.scheme not in ("http", "https") or not host:
        raise InvalidInputError(
            "base_url", f"{url!r} must be an http:// or https:// URL like {DEFAULT_BASE_URL}"
        )
    if parts.query or parts.fragment or parts.username or parts.password:
        raise InvalidInputError(
            "base_url", f"{url!r} must not carry a query, fragment or user info"
        )
    if parts.path.rstrip("/").endswith("/v1") or "/v1/" in parts.path + "/":
        raise InvalidInputError(
            "base_url",
            f"{url!r} includes the API's /v1 path; the client adds "
            f"/v1/sessions/history itself, so give the server's root, like {DEFAULT_BASE_URL}",
        )
    if parts.scheme == "http" and not _is_loopback(host) and not allow_insecure_http:
        raise InvalidInputError(
            "base_url",
            f"{url!r} would send the API key unencrypted; use https://, "
            "or pass allow_insecure_http=True if you really mean it",
            mentions=("allow_insecure_http=True",),
        )
    return url


def resolve_settings(
    *,
    api_key: str | None,
    base_url: str | None,
    timeout: float | httpx.Timeout | None,
    max_retries: int,
    concurrency: int,
    allow_insecure_http: bool,
    env: Mapping[str, str],
) -> Settings:
    key = api_key if api_key is not None else env.get(ENV_KEY)
    if not key or not isinstance(key, str) or not key.strip():
        raise MissingAPIKeyError(
            "api_key",
            f"no API key: pass api_key=... or set {ENV_KEY} "
            "(for the local sandbox, its key is printed when it starts)",
            named=False,
            mentions=("api_key=...",),
        )
    bad = next((i for i, c in enumerate(key.strip()) if not " " < c < "\x7f"), None)
    if bad is not None:
        raise InvalidInputError(
            "api_key",
            f"character {bad + 1} is not printable ASCII (a space, a line break, "
            "or a letter such as 'é' copied in by mistake?); API keys are ASCII letters, "
            "digits and punctuation",
        )
    url = base_url if base_url is not None else env.get(ENV_BASE_URL) or DEFAULT_BASE_URL
    if isinstance(timeout, httpx.Timeout):
        resolved_timeout = timeout
    elif timeout is None:
        resolved_timeout = httpx.Timeout(None)
    elif isinstance(timeout, (int, float)) and not isinstance(timeout, bool) and timeout > 0:
        resolved_timeout = httpx.Timeout(timeout, connect=min(CONNECT_TIMEOUT, timeout))
    else:
        raise InvalidInputError(
            "timeout", f"{timeout!r} is not a number of seconds > 0", python_forms="(or None)"
        )
    return Settings(
        api_key=key.strip(),
        base_url=check_base_url(url, allow_insecure_http=allow_insecure_http),
        timeout=resolved_timeout,
        max_retries=positive_int("max_retries", max_retries, 0),
        concurrency=positive_int("concurrency", concurrency, 1),
    )


def check_page(page: object) -> int:
    return positive_int("page", page, 1)


def check_limit(limit: object, name: str = "limit") -> int:
    if type(limit) is not int or not 1 <= limit <= MAX_LIMIT:
        raise InvalidInputError(name, f"{limit!r} is not an integer from 1 to {MAX_LIMIT}")
    return limit


def build_query(
    *,
    from_date: DateLike | None,
    to_date: DateLike | None,
    granularity: str,
    metrics: MetricsArg,
    limit: object,
    now: datetime,
    limit_name: str = "limit",
) -> HistoryQuery:
    """Validate every argument of a call and resolve its window once, before any request."""
    start, end = resolve_window(from_date, to_date, now=now)
    return HistoryQuery(
        from_date=start,
        to_date=end,
        granularity=normalize_granularity(granularity),
        metrics=normalize_metrics(metrics),
        limit=check_limit(limit, limit_name),
    )
