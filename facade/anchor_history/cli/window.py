"""The window a command reads: --from, --to, -g, -m, --tz, --exact and --no-fill,
read in one place for ``history`` and ``history --by-team`` alike."""

from __future__ import annotations

import argparse
from typing import Any

__all__ = ["periods_of"]


def periods_of(source: Any, args: argparse.Namespace, now: Any, **fetch_options: Any) -> Any:
    """The whole periods the window flags ask for (the one reading of --from, --to,
    -g, -m, --tz, --exact and --no-fill, for history and --by-team alike)."""
    from ..periods import fetch_periods

    return fetch_periods(
        source,
        args.from_date,
        args.to_date,
        args.granularity,
        args.metrics,
        tz=args.tz,
        exact=args.exact,
        fill=args.fill,
        now=now,
        **fetch_options,
    )
