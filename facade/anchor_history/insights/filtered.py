"""Usage of the sessions that match a filter (``tag=production``, ``api_key=ci``),
as a history: so a budget over them is judged exactly as a team-wide one is.

:class:`FilteredUsage` answers ``fetch`` like ``HistoryClient.fetch`` (by hour or
day, UTC), from the sessions of the window (``GET /v1/sessions``, or a store's)
that match every condition, so :func:`~anchor_history.insights.budgets.check_budgets`,
``fetch_periods`` and the rest work on it unchanged. The building of the history
from the sessions is pure (:func:`usage_history`).

A running session counts as a session; its credits are not known yet, so they
count from when it has ended (as the API's own history would not know them).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from ..calendar.boundaries import period_floor
from ..calendar.windows import DateLike, resolve_window
from ..calendar.wire import format_api_datetime
from ..errors import InvalidInputError
from ..metrics import MetricsArg, normalize_granularity, normalize_metrics
from ..models.history import History, HistoryPoint, HistoryQuery, HistorySummary
from ..models.session import DIMENSIONS, Session, dimension_values

__all__ = ["WHERE_KEYS", "FilteredUsage", "Where", "parse_where", "usage_history", "where_text"]

WHERE_KEYS = (*DIMENSIONS, "tag:NAME")
SESSION_METRICS = ("session_count", "credits_used", "session_hours", "proxy_bytes", "ai_steps")
Where = tuple[tuple[str, str], ...]


def parse_where(values: Iterable[str]) -> Where:
    """``KEY=VALUE`` conditions (all must hold), KEY one of :data:`WHERE_KEYS`."""
    found: list[tuple[str, str]] = []
    for text in values:
        key, equals, value = text.partition("=")
        key = key.strip()
        known = key in DIMENSIONS or (key.startswith("tag:") and key[4:].strip())
        if not equals or not known or not value.strip():
            raise InvalidInputError(
                "where",
                f"{text!r} is not KEY=VALUE with a KEY sessions carry",
                allowed="KEY one of " + ", ".join(WHERE_KEYS) + " (e.g. tag=production)",
            )
        found.append((key, value.strip()))
    return tuple(dict.fromkeys(found))


def where_text(where: Where) -> str:
    """``tag=production, api_key=ci``."""
    return ", ".join(f"{k}={v}" for k, v in where)


def admits(session: Session, where: Where) -> bool:
    return all(value in dimension_values(session, key) for key, value in where)


def usage_history(
    sessions: Iterable[Session],
    window: tuple[datetime, datetime],
    granularity: str,
    metrics: Sequence[str],
) -> History:
    """The sessions' usage in UTC hours or days of ``window``: one point per period
    with a session in it, the sums in the summary."""
    names = tuple(metrics)
    unknown = [m for m in names if m not in SESSION_METRICS]
    if unknown:
        raise InvalidInputError(
            "metrics",
            f"{', '.join(unknown)}: sessions do not carry it, so a filtered budget cannot be on it",
            allowed=", ".join(SESSION_METRICS),
        )
    sums: dict[datetime, list[Any]] = {}
    for s in sessions:
        if not window[0] <= s.created_at < window[1]:
            continue
        slot = sums.setdefault(
            period_floor(s.created_at, granularity), [0, Decimal(0), Decimal(0), 0, 0]
        )
        slot[0] += 1
        if s.credits is not None:
            slot[1] += s.credits
            slot[2] += Decimal(repr(s.duration or 0.0))
            slot[3] += round(s.proxy_bytes or 0)
            slot[4] += round(s.steps or 0)

    def values(slot: list[Any]) -> dict[str, Any]:
        every = {
            "session_count": slot[0],
            "credits_used": float(slot[1]),
            "session_hours": round(float(slot[2] / 3600), 9),
            "proxy_bytes": slot[3],
            "ai_steps": slot[4],
        }
        return {m: every[m] for m in names}

    points = tuple(
        HistoryPoint(**values(sums[start]), start=start, date=format_api_datetime(start))
        for start in sorted(sums)
    )
    whole: list[Any] = [0, Decimal(0), Decimal(0), 0, 0]
    for slot in sums.values():
        whole = [a + b for a, b in zip(whole, slot, strict=True)]
    summary = HistorySummary(**values(whole))
    return History(points, summary, HistoryQuery(window[0], window[1], granularity, names, 1000))


class FilteredUsage:
    """A history source over the sessions of ``source`` (a client, or a store synced
    with ``--sessions``) that match ``where``."""

    def __init__(self, source: Any, where: Where) -> None:
        if not where:
            raise InvalidInputError("where", "no condition given", allowed=", ".join(WHERE_KEYS))
        self.source = source
        self.where = where

    def fetch(
        self,
        from_date: DateLike | None = None,
        to_date: DateLike | None = None,
        granularity: str = "hour",
        metrics: MetricsArg = ("session_count",),
        **options: Any,
    ) -> History:
        period = normalize_granularity(granularity)
        if period not in ("hour", "day"):
            raise InvalidInputError(
                "granularity", f"a filtered history is by hour or day, not {period}"
            )
        names = normalize_metrics(metrics)
        now = options.get("now")
        start, end = resolve_window(from_date, to_date, now=now or datetime.now(UTC))
        if hasattr(self.source, "stored_sessions"):  # a store: what it holds of the window
            held = self.source.sessions_held()
            start, end = max(start, held[0]), min(end, held[1])
            listed = self.source.stored_sessions(start, end) if start < end else []
        else:
            listed = self.source.sessions(start, end, deadline=options.get("deadline"))
        return usage_history(
            (s for s in listed if admits(s, self.where)), (start, end), period, names
        )
