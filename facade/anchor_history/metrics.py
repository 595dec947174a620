"""Pure validation of metrics and granularity against the spec's own enums.

The valid names come from the generated client (``literal_enums`` gives a
``Literal`` and a ``check_*`` function per enum), so a new metric in the spec
reaches users by regenerating, never by editing a hand-copied list here.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from ._api import GRANULARITIES, METRICS, check_granularity, check_metric
from .errors import InvalidInputError

__all__ = ["GRANULARITIES", "METRICS", "MetricsArg", "normalize_granularity", "normalize_metrics"]

MetricsArg = str | Iterable[str]


def _unknown(kind: str, name: str, valid: tuple[str, ...], extra: str = "") -> InvalidInputError:
    """'unknown metric 'credit_used'; did you mean 'credits_used'? valid: ...'"""
    close = difflib.get_close_matches(name.lower(), valid, n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]!r}?" if close else ";"
    return InvalidInputError(f"unknown {kind} {name!r}{hint} valid: {extra}{', '.join(valid)}")


def normalize_metrics(value: MetricsArg) -> tuple[str, ...]:
    """The metrics to request, validated, de-duplicated, in the caller's order.

    Takes a list, one name, a comma-separated string or ``"all"``.

    >>> normalize_metrics("credits_used, session_count,credits_used")
    ('credits_used', 'session_count')
    """
    if isinstance(value, str):
        names = [part.strip() for part in value.split(",")]
    else:
        try:
            names = [n.strip() if isinstance(n, str) else n for n in value]
        except TypeError:
            raise InvalidInputError(
                f"metrics: {value!r} is not a list or a string; valid: {', '.join(METRICS)}"
            ) from None
    names = [n for n in names if n != ""]
    if not names:
        raise InvalidInputError(f"metrics: none given; valid: all, {', '.join(METRICS)}")
    if any(isinstance(n, str) and n.lower() == "all" for n in names):
        return METRICS
    chosen: list[str] = []
    for name in names:
        if not isinstance(name, str):
            raise InvalidInputError(
                f"metrics: {name!r} is not a string; valid: {', '.join(METRICS)}"
            )
        try:
            checked = check_metric(name)
        except TypeError:
            raise _unknown("metric", name, METRICS, "all, ") from None
        if checked not in chosen:
            chosen.append(checked)
    return tuple(chosen)


def normalize_granularity(value: str) -> str:
    """``hour``, ``day``, ``week`` or ``month``, case-insensitive.

    >>> normalize_granularity("Week")
    'week'
    """
    if not isinstance(value, str):
        raise InvalidInputError(
            f"granularity: {value!r} is not a string; valid: {', '.join(GRANULARITIES)}"
        )
    try:
        return check_granularity(value.strip().lower())
    except TypeError:
        raise _unknown("granularity", value, GRANULARITIES) from None
