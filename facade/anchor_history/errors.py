"""Every error anchor-history raises, under one base class.

Catch ``AnchorHistoryError`` for all of them, or a branch of the tree::

    AnchorHistoryError
    ├── InvalidInputError          (also a ValueError) bad argument, no request was sent
    │   └── MissingAPIKeyError     no key given and ANCHORBROWSER_API_KEY unset
    ├── MissingExtraError          (also an ImportError) an optional extra is not installed
    ├── APIError                   the server answered with an error status
    │   ├── BadRequestError        400
    │   ├── AuthenticationError    401, 403
    │   ├── NotFoundError          404
    │   ├── PlanUnavailableError   403/404 from GET /v1/billing: this key cannot read the plan
    │   ├── SessionsUnavailableError  403/404 from GET /v1/sessions: no session listing
    │   ├── RateLimitError         429 (``retry_after`` in seconds, when given)
    │   └── ServerError            5xx
    ├── ResponseFormatError        a body that is not the spec's shape
    │   └── PaginationError        pages that do not fit together
    ├── TransportError             connection failed, reset or timed out
    │   └── RequestTimeoutError    no answer in time, or the call's deadline passed
    ├── NotificationError          a webhook did not take a message (budgets, anomalies)
    ├── StoreError                 a store file that cannot be used, or is held by a sync
    │   └── NotHeldError           the store holds nothing of the window asked for
    └── AlertStateError            the alert state file cannot be read or written

An ``InvalidInputError`` carries what was wrong as fields: ``param`` (the
keyword, ``from_date``), ``value`` (what was given), ``problem`` and
``allowed``; the command line words its message from them with its own flag
names (``--from``), not by rewriting the text.

No exception of httpx or of the generated client escapes the facade: each is
converted at the one place the facade talks to them, with ``raise ... from``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

__all__ = [
    "APIError",
    "AlertStateError",
    "AnchorHistoryError",
    "AttributionMismatchError",
    "AuthenticationError",
    "BadRequestError",
    "DatabaseError",
    "InvalidInputError",
    "MissingAPIKeyError",
    "MissingExtraError",
    "NotFoundError",
    "NotHeldError",
    "NotificationError",
    "PaginationError",
    "PlanUnavailableError",
    "RateLimitError",
    "RequestTimeoutError",
    "ResponseFormatError",
    "ServerError",
    "SessionsUnavailableError",
    "StoreError",
    "TransportError",
    "excerpt",
    "redact",
]

_EXCERPT_CHARS = 200


def excerpt(body: bytes | str, limit: int = _EXCERPT_CHARS) -> str:
    """A short, printable start of a body, for error messages."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "..."


def redact(error: BaseException, secret: str) -> None:
    """Remove ``secret`` from an error's message and details, in place: a server may
    echo the key it was sent ("invalid key sk-..."), and messages reach logs."""
    if not secret:
        return
    error.args = tuple(a.replace(secret, "***") if isinstance(a, str) else a for a in error.args)
    for name in ("api_message", "body"):
        value = getattr(error, name, None)
        if isinstance(value, str):
            setattr(error, name, value.replace(secret, "***"))


class AnchorHistoryError(Exception):
    """Base class of every error raised by anchor-history.

    ``attempts`` is how many requests were made before giving up (retries
    included); the message says so when there was more than one.
    """

    attempts: int = 1

    def __str__(self) -> str:
        text = super().__str__()
        if self.attempts > 1:
            text += f" (after {self.attempts} attempts)"
        return text


class InvalidInputError(AnchorHistoryError, ValueError):
    """An argument was wrong: which one, what was given, what is wrong, what is allowed.

    ``param`` is the library's name for it (``from_date``); ``problem`` says what is
    wrong (``cannot read '2026-13-01'``); ``allowed`` what would be accepted, with
    ``python_forms`` the part only a Python caller can pass (a datetime, None);
    ``mentions`` names other parameters the problem speaks of. The message is
    ``param: problem; accepted: allowed``. :meth:`describe` words the same with
    other names for the parameters: the command line passes its flags.

    >>> error = InvalidInputError("to_date", "is before from_date", mentions=("from_date",))
    >>> str(error)
    'to_date: is before from_date'
    >>> error.describe({"to_date": "--to", "from_date": "--from"}, python=False)
    '--to: is before --from'
    """

    def __init__(
        self,
        param: str,
        problem: str,
        *,
        value: object = None,
        allowed: str = "",
        allowed_label: str = "accepted",
        python_forms: str = "",
        mentions: tuple[str, ...] = (),
        named: bool = True,
    ) -> None:
        self.param = param
        self.problem = problem
        self.value = value
        self.allowed = allowed
        self.allowed_label = allowed_label
        self.python_forms = python_forms
        self.mentions = mentions
        self.named = named  # False where the problem itself names what it is about
        super().__init__(self.describe({}))

    def describe(self, names: Mapping[str, str], *, python: bool = True) -> str:
        """The message with each parameter called what ``names`` says (unlisted ones
        keep their own name); ``python=False`` leaves out what only Python can pass."""
        problem = self.problem
        for other in self.mentions:
            if other in names:
                word = rf"(?<![\w-]){re.escape(other)}(?!\w)"
                problem = re.sub(word, names[other].replace("\\", r"\\"), problem)
        text = f"{names.get(self.param, self.param)}: {problem}" if self.named else problem
        forms = self.python_forms if python else ""
        if self.allowed:
            text += f"; {self.allowed_label}: {forms}{self.allowed}"
        elif forms:
            text += f" {forms}"
        return text


class MissingAPIKeyError(InvalidInputError):
    """No API key was passed and ANCHORBROWSER_API_KEY is not set."""


class MissingExtraError(AnchorHistoryError, ImportError):
    """A feature needs an optional extra: ``pip install 'anchor-history[EXTRA]'``."""


class APIError(AnchorHistoryError):
    """The API answered with an error status.

    ``code`` and ``api_message`` come from the body's ``{"error": {...}}`` when
    the server sent one; ``body`` is a short excerpt of the raw body otherwise.
    """

    def __init__(
        self,
        status: int,
        *,
        code: int | None = None,
        api_message: str | None = None,
        body: str = "",
        request_id: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.status = status
        self.retry_after = retry_after  # seconds the server asked to wait (429, 503), if any
        self.code = code
        self.api_message = api_message
        self.body = body
        self.request_id = request_id
        detail = api_message or body or "no details in the body"
        text = f"HTTP {status}: {detail}"
        if request_id:
            text += f" (request id {request_id})"
        super().__init__(text)


class PlanUnavailableError(APIError):
    """``GET /v1/billing`` answered 403 or 404: this key cannot read the plan. The
    commands fall back to what they can do without it, and say so once."""

    def __str__(self) -> str:
        return f"GET /v1/billing: {super().__str__()} (this key cannot read the plan)"


class SessionsUnavailableError(APIError):
    """``GET /v1/sessions`` answered 403 or 404: this key may not list sessions, or
    the API is older than the listing. What needs sessions says so and stops."""

    def __str__(self) -> str:
        return f"GET /v1/sessions: {super().__str__()} (this key or API cannot list sessions)"


class BadRequestError(APIError):
    """400: the server rejected the query."""


class AuthenticationError(APIError):
    """401 or 403: the key is missing, wrong or not allowed to read the history."""


class NotFoundError(APIError):
    """404: wrong base URL or path."""


class RateLimitError(APIError):
    """429: too many requests. ``retry_after`` is the wait the server asked for."""


class ServerError(APIError):
    """5xx: the server failed; retried with backoff before it reaches you."""


class ResponseFormatError(AnchorHistoryError):
    """The server's answer is not in the spec's shape.

    ``status`` is the HTTP status, ``body`` a short excerpt of what came;
    ``retryable`` is True for a body cut short (not JSON), which asking again may cure.
    """

    def __init__(
        self, message: str, *, status: int | None = None, body: str = "", retryable: bool = False
    ) -> None:
        self.status = status
        self.body = body
        self.retryable = retryable
        text = message
        if status is not None:
            text += f" (HTTP {status})"
        if body:
            text += f"; body starts: {body!r}"
        super().__init__(text)


class PaginationError(ResponseFormatError):
    """Pages of one query do not fit together: the data would be partial or doubled."""


class TransportError(AnchorHistoryError):
    """The request did not get an answer: connection refused or reset, DNS, TLS."""


class RequestTimeoutError(TransportError):
    """No answer within the timeout."""


class NotificationError(AnchorHistoryError):
    """A webhook did not take the message, after retries; the result it carried stands."""


class StoreError(AnchorHistoryError):
    """The store file cannot be used: not a store, or held by another sync too long."""


class NotHeldError(StoreError):
    """The store holds nothing of the window asked for (before its first backfill,
    or after its last sync): the usage there is unknown, not zero."""


class AttributionMismatchError(AnchorHistoryError):
    """A day's sessions hold more credits than its history, beyond the tolerance:
    who spent it cannot be told in a file that adds up to the bill (CLI exit 1)."""


class DatabaseError(AnchorHistoryError):
    """A PostgreSQL store or state cannot be used: the server is down, refused the
    login, has no such database, or dropped the connection (CLI exit 10). The
    message shows the address with its password masked."""


class AlertStateError(AnchorHistoryError):
    """The alert state file cannot be read or written (CLI exit code 9)."""
