"""Reading a ``--store``: the moment its answers are as of.

A store knows usage up to its last sync. The commands that read one answer as
of that moment (budgets, comparisons, anomalies, windows such as ``30d``), say
so when it is not the present, and refuse an ``--as-of`` after it: figures past
the last sync would be missing usage, not zero usage.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

from .errors import UsageError

__all__ = ["store_moment"]

_STALE = timedelta(minutes=1)


def store_moment(source: Any, args: argparse.Namespace) -> datetime | None:
    """The moment ``source`` answers as of: a store's last sync (for its team, or
    for all of them at once), or None for the API, whose answers are as of now."""
    if not getattr(args, "store", None):
        return None
    from ..calendar.windows import parse_when

    moment: datetime = source.held()[1]
    if datetime.now(UTC) - moment > _STALE and not args.quiet:
        print(
            f"anchor-history: note: the store was last synced {moment:%Y-%m-%d %H:%M} UTC; "
            "figures are as of then (`anchor-history sync` brings it up to date)",
            file=sys.stderr,
        )
    as_of = getattr(args, "as_of", None)
    if as_of is not None and parse_when(as_of, now=moment, role="from", param="as_of") > moment:
        raise UsageError(
            f"--as-of {as_of}: after the store's last sync ({moment:%Y-%m-%d %H:%M} UTC); "
            "sync it first, or ask as of an earlier moment"
        )
    return moment
