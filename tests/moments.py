"""Moments for tests over the sandbox's data, which runs up to the suite's start."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def settled_moment() -> datetime:
    """A recent Wednesday noon, not in a month's first days.

    Inside the sandbox's data and fixed during a test, with some of the week and
    of the month used whatever day the suite runs on: a test asserting that a
    small budget is spent holds on the 1st of a month and on a Monday too.
    """
    moment = (datetime.now(UTC) - timedelta(days=2)).replace(
        hour=12, minute=0, second=0, microsecond=0
    )
    while moment.weekday() != 2 or moment.day < 3:
        moment -= timedelta(days=1)
    return moment
