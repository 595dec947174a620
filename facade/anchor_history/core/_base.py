"""What HistoryClient and AsyncHistoryClient share: settings, query building,
retry decisions, deadlines and logging. Nothing here sends a request or sleeps;
the two shells in ``client.py`` do that, each in its own way."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

import httpx
from attrs import evolve, frozen

from ..calendar.windows import DateLike
from ..errors import (
    AnchorHistoryError,
    APIError,
    InvalidInputError,
    RequestTimeoutError,
    redact,
)
from ..metrics import MetricsArg
from ..models.history import HistoryPage, HistoryQuery
from ..models.plan import Plan
from ..models.session import SessionsPage
from . import _api
from ._config import (
    DEFAULT_TIMEOUT,
    Settings,
    build_query,
    positive_int,
    resolve_settings,
)
from ._transport import DEFAULT_MAX_RESPONSE_BYTES, check_deadline
from .retry import RetryPolicy

__all__ = [
    "DEFAULT_METRICS",
    "Call",
    "ClientBase",
    "ProgressCallback",
    "check_deadline_arg",
    "closed_error",
    "report_progress",
]

logger = logging.getLogger("anchor_history")

ProgressCallback = Callable[[int, int], None]
"""Called with (pages done, pages in all) as a fetch goes."""

DEFAULT_METRICS = ("session_count",)


@frozen
class Call:
    """What every attempt of one call shares: its retry policy and its deadline
    (monotonic end, seconds given), or None."""

    policy: RetryPolicy
    deadline: tuple[float, float] | None

    @classmethod
    def starting(cls, policy: RetryPolicy, seconds: float | None) -> Call:
        if seconds is None:
            return cls(policy, None)
        return cls(policy, (time.monotonic() + seconds, seconds))


def closed_error(client: object) -> InvalidInputError:
    name = type(client).__name__
    block = "async with" if name.startswith("Async") else "with"
    return InvalidInputError(
        "client",
        f"this {name} is closed; make a new one (`{block} {name}() as client:` closes it for you)",
        named=False,
    )


def check_deadline_arg(deadline: object) -> float | None:
    if deadline is None:
        return None
    if isinstance(deadline, bool) or not isinstance(deadline, (int, float)) or not deadline > 0:
        raise InvalidInputError(
            "deadline", f"{deadline!r} is not a number of seconds > 0", python_forms="(or None)"
        )
    if deadline != deadline or deadline == float("inf"):
        raise InvalidInputError("deadline", f"{deadline!r} is not a finite number of seconds")
    return float(deadline)


TransportT = TypeVar("TransportT")
ConvertedT = TypeVar("ConvertedT")
SleepT = TypeVar("SleepT")


class ClientBase(Generic[TransportT, SleepT]):
    """What both clients share: settings, query building, retry policy, logging.

    ``api_key`` falls back to ``ANCHORBROWSER_API_KEY``, ``base_url`` to
    ``ANCHORBROWSER_BASE_URL`` and then the real API. ``transport`` (an httpx
    transport), ``sleep`` and ``clock`` are there for tests and special networks.
    ``max_response_bytes`` caps one response body after decompression (32 MiB).
    Every call also takes ``deadline``: seconds for the whole call, retries and
    waits included (for ``iter_points``, from its first request).
    """

    _default_sleep: Callable[..., Any]

    def __init__(
        self,
        api_key: str | None = None,
        base_url: str | None = None,
        *,
        timeout: float | httpx.Timeout | None = DEFAULT_TIMEOUT,
        max_retries: int = 2,
        concurrency: int = 4,
        allow_insecure_http: bool = False,
        transport: TransportT | None = None,
        sleep: SleepT | None = None,
        retry_policy: RetryPolicy | None = None,
        clock: Callable[[], datetime] | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        self._max_response_bytes = positive_int("max_response_bytes", max_response_bytes, 1)
        self._settings: Settings = resolve_settings(
            api_key=api_key,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            concurrency=concurrency,
            allow_insecure_http=allow_insecure_http,
            env=os.environ,
        )
        self._policy = evolve(retry_policy or RetryPolicy(), max_retries=self._settings.max_retries)
        self._clock = clock or (lambda: datetime.now(UTC))
        default_sleep: Any = type(self)._default_sleep  # each client's own (time or asyncio)
        self._sleep: SleepT = sleep if sleep is not None else default_sleep
        self._api = _api.make_api_client(self._settings.base_url)
        self._open(self._httpx_options(transport))

    def _open(self, options: dict[str, Any]) -> None:
        """Create the connection pool, its transport guarded, for the generated client."""
        raise NotImplementedError

    @property
    def base_url(self) -> str:
        return self._settings.base_url

    @property
    def account(self) -> str:
        """Which account this client reads, as a fingerprint of its base URL and key:
        equal for two clients of one key, and never the key (nor enough of it to
        find it). A store uses it to refuse one account synced under two teams."""
        import hashlib

        seen = f"{self._settings.base_url}\n{self._settings.api_key}".encode()
        return hashlib.sha256(seen).hexdigest()[:16]

    def __repr__(self) -> str:
        s = self._settings
        return (
            f"{type(self).__name__}(base_url={s.base_url!r}, api_key='***', "
            f"timeout={s.timeout.read}, max_retries={s.max_retries}, concurrency={s.concurrency})"
        )

    def _httpx_options(self, transport: Any) -> dict[str, Any]:
        s = self._settings
        return {
            "base_url": s.base_url,
            # The key travels only in this header, set once on the connection pool.
            "headers": {"anchor-api-key": s.api_key, "accept": "application/json"},
            "timeout": s.timeout,
            "follow_redirects": False,
            "transport": transport,
        }

    def _limits(self) -> httpx.Limits:
        return httpx.Limits(max_connections=max(10, self._settings.concurrency * 2))

    def _query(
        self,
        from_date: DateLike | None,
        to_date: DateLike | None,
        granularity: str,
        metrics: MetricsArg,
        limit: object,
        limit_name: str = "limit",
    ) -> HistoryQuery:
        return build_query(
            from_date=from_date,
            to_date=to_date,
            granularity=granularity,
            metrics=metrics,
            limit=limit,
            now=self._clock(),
            limit_name=limit_name,
        )

    def _policy_for(self, max_retries: int | None) -> RetryPolicy:
        if max_retries is None:
            return self._policy
        return evolve(self._policy, max_retries=positive_int("max_retries", max_retries, 0))

    def _call(self, max_retries: int | None, deadline: float | None) -> Call:
        return Call.starting(self._policy_for(max_retries), check_deadline_arg(deadline))

    def _concurrency(self, concurrency: int | None) -> int:
        if concurrency is None:
            return self._settings.concurrency
        return positive_int("concurrency", concurrency, 1)

    def _page_from(
        self, exchange: _api.Exchange, page: int, attempt: int, started: float
    ) -> HistoryPage:
        return self._converted(exchange, attempt, started, _api.to_page)  # page: in the URL

    def _plan_from(self, exchange: _api.Exchange, attempt: int, started: float) -> Plan:
        from ._api.billing import to_plan

        return self._converted(exchange, attempt, started, to_plan)

    def _sessions_page_from(
        self, exchange: _api.Exchange, attempt: int, started: float
    ) -> SessionsPage:
        from ._api.sessions import to_sessions_page

        return self._converted(exchange, attempt, started, to_sessions_page)

    def _converted(
        self,
        exchange: _api.Exchange,
        attempt: int,
        started: float,
        convert: Callable[..., ConvertedT],
    ) -> ConvertedT:
        """``convert(exchange)``, logged, with the key redacted from any error."""
        response = exchange.response
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug(
                "GET %s -> %s in %.1f ms (attempt %d)",
                response.request.url.raw_path.decode("ascii", "replace"),
                response.status_code,
                (time.perf_counter() - started) * 1000,
                attempt + 1,
            )
        try:
            return convert(exchange, now=self._clock())
        except AnchorHistoryError as error:
            redact(error, self._settings.api_key)
            raise

    def _next_delay(self, call: Call, error: AnchorHistoryError, attempt: int) -> float:
        """The wait before retry ``attempt``; re-raises ``error`` when it is not to be
        retried, or a RequestTimeoutError when the wait would outlast the deadline."""
        policy = call.policy
        delay = policy.delay(error, attempt)
        if delay is None:
            error.attempts = attempt
            raise error
        left = check_deadline() if call.deadline is not None else None
        if left is not None and delay >= left:
            timeout = RequestTimeoutError(
                f"the call's deadline of {call.deadline[1]:g} s would pass during the "  # type: ignore[index]
                f"{delay:.1f} s wait before retry {attempt} (after: {error})"
            )
            timeout.attempts = attempt
            raise timeout from error
        # INFO, so a terminal can show what it waits for (the CLI does); silent by default.
        asked = isinstance(error, APIError) and error.retry_after is not None
        logger.info(
            "%s; waiting %.1f s (%s) before retry %d of %d",
            error,
            delay,
            "as the server asked" if asked else "backoff",
            attempt,
            policy.max_retries,
        )
        return delay


def report_progress(progress: ProgressCallback | None, done: int, total: int) -> None:
    if progress is not None:
        progress(done, max(total, 1))
