"""Sessions rolled up by who ran them: one row per UTC hour, dimension and value.

The breakdown reads these rows whether its sessions came from the API or from a
store, so "what a group holds" is defined once, here. A row's figures are
integers, so any engine adds them exactly: sessions, running sessions, credits in
billionths (nano-credits: the store's 9 decimals), duration in milliseconds,
proxy bytes and steps. A running session counts only as running: its credits are
not known yet, and its other figures are not final either.

The dimensions are :data:`~anchor_history.models.session.DIMENSIONS`, the whole
(dimension ``""``), and for each tag key ``K`` seen in ``K:VALUE`` tags, ``tag:K``
(by value) and ``has:K`` (the sessions holding that key, each once), so the
sessions without it are the whole less ``has:K``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

from .session import DIMENSIONS, Session, dimension_values, tag_key_value

__all__ = [
    "FIGURES",
    "NANO",
    "Figures",
    "Row",
    "credits_of_nanos",
    "epoch_hour",
    "hour_start",
    "nanos_of",
    "session_rows",
]

NANO = 10**9
# The integer figures of every row, in order.
FIGURES = ("sessions", "running", "credits_nano", "duration_ms", "proxy_bytes", "steps")
Figures = tuple[int, int, int, int, int, int]
Row = tuple[int, str, str, Figures]  # (epoch hour, dimension, value, figures)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_HOUR = timedelta(hours=1)


def epoch_hour(moment: datetime) -> int:
    return int((moment - _EPOCH) // _HOUR)


def hour_start(hour: int) -> datetime:
    return _EPOCH + hour * _HOUR


def nanos_of(credits: Decimal) -> int:
    """Credits as whole billionths (half-even past the 9th decimal)."""
    return int((credits * NANO).to_integral_value(ROUND_HALF_EVEN))


def credits_of_nanos(nanos: int) -> Decimal:
    """The Decimal of a nano-credit count, without trailing zeros or an exponent.

    >>> credits_of_nanos(143_000_000), credits_of_nanos(5 * 10**9), credits_of_nanos(0)
    (Decimal('0.143'), Decimal('5'), Decimal('0'))
    """
    value = Decimal(nanos).scaleb(-9)
    return value.quantize(Decimal(1)) if value == value.to_integral() else value.normalize()


def figures_of(session: Session) -> Figures:
    if session.credits is None:
        return (0, 1, 0, 0, 0, 0)
    return (
        1,
        0,
        nanos_of(session.credits),
        round((session.duration or 0) * 1000),
        round(session.proxy_bytes or 0),
        round(session.steps or 0),
    )


def _groups(session: Session, dims: Iterable[str]) -> Iterator[tuple[str, str]]:
    yield "", ""
    for dim in dims:
        if dim.startswith("has:"):
            continue
        if dim == "tag:*":  # every tag key the session has (a store keeps them all)
            keys: dict[str, list[str]] = {}
            for tag in session.tags:
                pair = tag_key_value(tag)
                if pair is not None:
                    keys.setdefault(pair[0], []).append(pair[1])
            for key, values in keys.items():
                yield f"has:{key}", ""
                for value in dict.fromkeys(values):
                    yield f"tag:{key}", value
        elif dim.startswith("tag:"):
            key = dim[4:]
            values = [p[1] for p in map(tag_key_value, session.tags) if p and p[0] == key]
            if values:
                yield f"has:{key}", ""
                for value in dict.fromkeys(values):
                    yield dim, value
        else:
            for value in dimension_values(session, dim):
                yield dim, value


def session_rows(
    sessions: Iterable[Session], dims: Iterable[str] = (*DIMENSIONS, "tag:*")
) -> list[Row]:
    """The rows of ``sessions`` for ``dims`` (a store keeps all of them; a breakdown
    from the API asks for its one). ``tag:KEY`` rows come with their ``has:KEY``."""
    wanted = tuple(dims)
    sums: dict[tuple[int, str, str], list[int]] = {}
    for session in sessions:
        hour = epoch_hour(session.created_at)
        figures = figures_of(session)
        for dim, value in _groups(session, wanted):
            slot = sums.get((hour, dim, value))
            if slot is None:
                sums[(hour, dim, value)] = list(figures)
            else:
                for i, figure in enumerate(figures):
                    slot[i] += figure
    return [(h, d, v, tuple(f)) for (h, d, v), f in sorted(sums.items())]  # type: ignore[misc]
