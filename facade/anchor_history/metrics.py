"""Pure validation of metrics and granularity against the spec's own enums.

The valid names come from the generated client (``literal_enums`` gives a
``Literal`` and a ``check_*`` function per enum), so a new metric in the spec
reaches users by regenerating, never by editing a hand-copied list here.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

from .errors import InvalidInputError
from .models.history import metric_names

__all__ = ["GRANULARITIES", "METRICS", "MetricsArg", "normalize_granularity", "normalize_metrics"]  # noqa: F822

MetricsArg = str | Iterable[str]

# The names a caller usually gives are the hand-written types' (HistoryPoint's
# metrics; the four granularities), which tests pin to the generated enums: they
# are checked without loading the generated client, and so without httpx, so
# that a read from a local store, which sends nothing, loads nothing for sending
# (a cold `history --store` paid 85 ms for it). Any other name is judged by the
# generated enums themselves.
_GRANULARITIES = ("hour", "day", "week", "month")


def _spec() -> Any:
    """The generated vocabulary (METRICS, GRANULARITIES, check_*), on first need."""
    from .core import _api

    return _api


def __getattr__(name: str) -> Any:
    """``METRICS`` and ``GRANULARITIES``: the spec's, loaded on first use."""
    if name in ("METRICS", "GRANULARITIES"):
        return getattr(_spec(), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# What people call a metric, word by word: "sessions" is a count of sessions
# (spelled alike, "session_hours" is closer), "credits" the credits used. Only
# names the spec's enum holds are ever suggested.
_WORDS = {
    "sessions": "session_count",
    "session": "session_count",
    "count": "session_count",
    "credits": "credits_used",
    "credit": "credits_used",
    "cost": "credits_used",
    "hours": "session_hours",
    "duration": "session_hours",
    "steps": "ai_steps",
    "ai": "ai_steps",
    "proxy": "proxy_bytes",
    "network": "network_bytes_total",
    "bandwidth": "network_bytes_total",
    "screenshot": "screenshots",
}


def _suggestion(name: str, valid: tuple[str, ...]) -> str | None:
    """The valid name meant: by its words first (``sessions`` -> ``session_count``),
    then by spelling (``credit_used`` -> ``credits_used``)."""
    words = name.lower().replace("-", "_").split("_")
    if len(words) == 1 and _WORDS.get(words[0]) in valid:
        return _WORDS[words[0]]
    close = difflib.get_close_matches(name.lower(), valid, n=1, cutoff=0.6)
    return close[0] if close else None


def _unknown(kind: str, name: str, valid: tuple[str, ...], extra: str = "") -> InvalidInputError:
    """'unknown metric 'credit_used'; did you mean 'credits_used'? valid: ...'"""
    close = _suggestion(name, valid)
    hint = f"; did you mean {close!r}?" if close else ";"
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
                f"metrics: {value!r} is not a list or a string; valid: {', '.join(metric_names())}"
            ) from None
    names = [n for n in names if n != ""]
    if not names:
        raise InvalidInputError(f"metrics: none given; valid: all, {', '.join(metric_names())}")
    if any(isinstance(n, str) and n.lower() == "all" for n in names):
        return metric_names()  # the spec's, in its order (a test pins it to METRICS)
    known = metric_names()
    chosen: list[str] = []
    for name in names:
        if not isinstance(name, str):
            raise InvalidInputError(f"metrics: {name!r} is not a string; valid: {', '.join(known)}")
        if name in known:
            checked = name
        else:
            spec = _spec()
            try:
                checked = spec.check_metric(name)
            except TypeError:
                raise _unknown("metric", name, spec.METRICS, "all, ") from None
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
            f"granularity: {value!r} is not a string; valid: {', '.join(_GRANULARITIES)}"
        )
    word = value.strip().lower()
    if word in _GRANULARITIES:
        return word
    spec = _spec()
    try:
        return str(spec.check_granularity(word))
    except TypeError:
        raise _unknown("granularity", value, spec.GRANULARITIES) from None
