"""Who spent it, for the report: the window's top tags and API keys, and the keys
by day, from the API's sessions or a store's (read once for all three)."""

from __future__ import annotations

import argparse
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..insights.breakdown_values import Breakdown

__all__ = ["who_spent"]

METRICS = ("session_count", "credits_used")


def who_spent(
    source: Any,
    args: argparse.Namespace,
    window: tuple[datetime, datetime],
    tz: tzinfo,
    *,
    top: int = 5,
) -> tuple[Breakdown, Breakdown, Breakdown] | str:
    """(by tag, by API key, by API key and day), or why they cannot be told."""
    from ..calendar.boundaries import period_floor, period_starts
    from ..errors import NotHeldError, SessionsUnavailableError
    from ..insights.breakdown import breakdown
    from ..models.session_rows import epoch_hour, session_rows

    start, end = window
    try:
        if args.store:
            held = source.sessions_held()
            start, end = max(start, period_floor(held[0], "hour")), min(end, held[1])
            if start >= end:
                return "the store holds no sessions of this window (`sync --sessions`)"
            cuts = tuple(map(epoch_hour, period_starts(start, end, "day", tz)))
            rows = source.session_rows(("", "tag", "api_key"), start, end, cuts=cuts)
        else:
            listed = source.sessions(start, end, deadline=args.deadline)
            rows = session_rows(listed, ["tag", "api_key"])
    except (SessionsUnavailableError, NotHeldError) as error:
        return str(error)

    def of(by: str, granularity: str | None = None) -> Breakdown:
        wanted = [r for r in rows if r[1] in ("", by)]
        return breakdown(wanted, by=by, window=(start, end), tz=tz, metrics=METRICS, top=top,
                         granularity=granularity)  # fmt: skip

    return of("tag"), of("api_key"), of("api_key", "day")
