"""One session as ``GET /v1/sessions`` lists it, and the filters a listing takes.

A ``Session`` is what the API says of one browser session, checked and typed:
credits a ``Decimal`` (the API sends a number or a decimal string), or ``None``
while the session is still running (the API's ``"N/A"``: not yet known, never
zero); ``created_at`` aware UTC; ``tags`` and ``domains`` tuples, empty where the
API sent null or nothing. The values who spent it are grouped by live here too
(``DIMENSIONS``), so the store, the breakdown and the CLI name them alike.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

from attrs import frozen

from ..calendar.wire import format_api_datetime

__all__ = [
    "DIMENSIONS",
    "NO_VALUE",
    "Session",
    "SessionFilters",
    "SessionsPage",
    "dimension_values",
    "tag_key_value",
]

# What a breakdown groups by, and what a session without a value is grouped as.
DIMENSIONS = {
    "tag": "one group per tag; a session with several tags counts under each",
    "api_key": "the name of the API key that created the session",
    "domain": "one group per domain visited; a session with several counts under each",
    "proxy_type": "the proxy the session used",
    "status": "completed, running, failed, ...",
    "task": "whether a task started the session (task or interactive)",
}
NO_VALUE = {
    "tag": "(untagged)",
    "api_key": "(none)",
    "domain": "(none)",
    "proxy_type": "(none)",
    "status": "(none)",
    "task": "(none)",
}
# Dimensions under which one session may count in several groups.
MULTI_VALUED = ("tag", "domain")


@frozen(slots=True)
class Session:
    """One session: who started it, what it was tagged, what it used."""

    id: str
    created_at: datetime  # aware, UTC
    status: str
    credits: Decimal | None  # None while running: not yet known
    api_key_name: str
    tags: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    proxy_type: str | None = None
    proxy_bytes: int | float | None = None
    steps: int | float | None = None
    duration: float | None = None  # seconds
    task_initiated: bool = False
    headless: bool = False
    recording: bool = False
    task_executions_count: int | float = 0
    browser_ip: str | None = None

    @property
    def running(self) -> bool:
        """True while the API does not know the session's credits yet."""
        return self.credits is None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: credits as a decimal string (or null while running)."""
        return {
            "id": self.id,
            "created_at": format_api_datetime(self.created_at),
            "status": self.status,
            "credits": None if self.credits is None else str(self.credits),
            "api_key_name": self.api_key_name,
            "tags": list(self.tags),
            "domains": list(self.domains),
            "proxy_type": self.proxy_type,
            "proxy_bytes": self.proxy_bytes,
            "steps": self.steps,
            "duration": self.duration,
            "task_initiated": self.task_initiated,
        }


@frozen
class SessionsPage:
    """One page of the listing, as the API sent it (checked and converted)."""

    sessions: tuple[Session, ...]
    total: int
    page: int
    total_pages: int


@frozen
class SessionFilters:
    """The listing's filters the client passes on (``None``: not filtered).

    ``tags`` and ``domains``: the session has all of them; ``search``: a partial,
    case-insensitive match on tags; ``status`` exact.
    """

    tags: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    status: str | None = None
    search: str | None = None
    task_initiated: bool | None = None

    def admits(self, session: Session) -> bool:
        """Whether ``session`` is one these filters let through (the parts a client
        can check: a server that ignored a filter must not go unseen)."""
        if self.tags and not set(self.tags) <= set(session.tags):
            return False
        if self.domains and not set(self.domains) <= set(session.domains):
            return False
        if self.status is not None and session.status != self.status:
            return False
        return self.task_initiated is None or session.task_initiated == self.task_initiated


def tag_key_value(tag: str) -> tuple[str, str] | None:
    """``team:search`` as ``("team", "search")``; a plain tag (no colon, or an empty
    key) as None.

    >>> tag_key_value("team:search"), tag_key_value("nightly"), tag_key_value("a:b:c")
    (('team', 'search'), None, ('a', 'b:c'))
    """
    key, colon, value = tag.partition(":")
    if not colon or not key:
        return None
    return key, value


def dimension_values(session: Session, by: str) -> Iterable[str]:
    """The groups ``session`` counts under for ``by`` (a DIMENSIONS name or
    ``tag:KEY``): none of its own gives the dimension's ``(none)`` group."""
    if by == "tag":
        values: Iterable[str] = dict.fromkeys(session.tags)
    elif by.startswith("tag:"):
        wanted = by[4:]
        pairs = (tag_key_value(t) for t in session.tags)
        values = dict.fromkeys(p[1] for p in pairs if p is not None and p[0] == wanted)
    elif by == "api_key":
        values = (session.api_key_name,) if session.api_key_name else ()
    elif by == "domain":
        values = dict.fromkeys(session.domains)
    elif by == "proxy_type":
        values = (session.proxy_type,) if session.proxy_type else ()
    elif by == "status":
        values = (session.status,) if session.status else ()
    elif by == "task":
        values = ("task" if session.task_initiated else "interactive",)
    else:
        raise ValueError(f"unknown dimension {by!r}")
    values = list(values)
    if values:
        return values
    return [NO_VALUE["tag"] if by.startswith("tag") else NO_VALUE[by]]
