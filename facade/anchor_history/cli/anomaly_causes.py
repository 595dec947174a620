"""``anchor-history anomalies``' causes: the sessions behind each anomaly, read from
the API or a store, handed to :func:`~anchor_history.insights.causes.causes_of`."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..insights.anomaly_values import Anomaly
    from ..insights.causes import Cause

    Causes = Mapping[str, tuple[Cause, ...]]

__all__ = ["causes_dict", "find_causes"]


def find_causes(
    source: Any, args: argparse.Namespace, found: list[Anomaly], granularity: str | None = None
) -> tuple[dict[int, Causes], str | None]:
    """Each anomaly's top API keys and tags (by its index), from the sessions of its
    period and its baseline; or why they are unknown. ``granularity``: the
    anomalies' (default ``--granularity``)."""
    from ..errors import NotHeldError, SessionsUnavailableError
    from ..insights.causes import CAUSE_METRICS, causes_of, periods_to_read
    from ..models.session_rows import session_rows

    if not found:
        return {}, None
    if getattr(args, "no_sessions", False):
        return {}, "--no-sessions"
    granularity = granularity or args.granularity
    spans = periods_to_read(found, granularity)
    if not spans:
        return {}, "sessions carry none of these metrics (screenshots, network bytes)"
    try:
        if args.store:
            held = source.sessions_held()
            if spans[0][0] < held[0] or spans[-1][1] > held[1]:
                return {}, (
                    f"the store holds sessions from {held[0]:%Y-%m-%d %H:%M} UTC, not all of "
                    "the anomalies' baselines (`sync --sessions --from` an earlier date)"
                )
            rows = [
                r
                for s, e in spans
                for r in source.session_rows(("", "api_key", "tag"), s, e, cuts=None)
            ]
        else:
            listed = [x for s, e in spans for x in source.sessions(s, e, deadline=args.deadline)]
            rows = session_rows(listed, ["api_key", "tag"])
    except (SessionsUnavailableError, NotHeldError) as error:
        return {}, str(error)
    return {
        i: causes_of(a, rows, granularity) for i, a in enumerate(found) if a.metric in CAUSE_METRICS
    }, None


def causes_dict(causes: Causes | None) -> dict[str, Any] | None:
    if causes is None:
        return None
    return {dim: [c.to_dict() for c in found] for dim, found in causes.items()}
