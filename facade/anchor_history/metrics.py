"""The metric vocabulary: the names, the words people use for them, their units,
which count bytes, and the validation of metric and granularity names.

The names are HistoryPoint's metrics, pinned by a test to the spec's generated
enum, so a new metric in the spec fails the suite until it is added there.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from .errors import InvalidInputError
from .models.history import metric_names

__all__ = [
    "UNIT_NAMES",
    "MetricsArg",
    "is_byte_metric",
    "normalize_granularity",
    "normalize_metrics",
]

MetricsArg = str | Iterable[str]

# The names are the hand-written types' (HistoryPoint's metrics; the four
# granularities), which a test pins to the spec's generated enums
# (tests/test_read_path.py): checked here without loading the generated client,
# and so without httpx, so that a read from a local store, which sends nothing,
# loads nothing for sending (a cold `history --store` paid 85 ms for it).
_GRANULARITIES = ("hour", "day", "week", "month")

# The unit of each metric that is not bytes, as an axis or a HELP text names it.
UNIT_NAMES = {
    "session_count": "sessions",
    "ai_steps": "AI steps",
    "session_hours": "hours",
    "credits_used": "credits",
    "screenshots": "screenshots",
}


def is_byte_metric(metric: str) -> bool:
    """True for the metrics that count bytes (shown in KiB, MiB, ... and summed as
    integers): ``proxy_bytes`` and ``network_bytes_total``, and any metric the spec
    names alike.

    >>> [is_byte_metric(m) for m in ("proxy_bytes", "network_bytes_total", "credits_used")]
    [True, True, False]
    """
    return metric.endswith(("_bytes", "_bytes_total"))


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
    return InvalidInputError(
        "metrics" if kind == "metric" else kind,
        f"unknown {kind} {name!r}{hint} valid: {extra}{', '.join(valid)}",
        value=name,
        named=False,
    )


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
                "metrics",
                f"{value!r} is not a list or a string; valid: {', '.join(metric_names())}",
            ) from None
    names = [n for n in names if n != ""]
    if not names:
        raise InvalidInputError("metrics", f"none given; valid: all, {', '.join(metric_names())}")
    if any(isinstance(n, str) and n.lower() == "all" for n in names):
        return metric_names()  # the spec's, in its order (a test pins it to METRICS)
    known = metric_names()
    chosen: list[str] = []
    for name in names:
        if not isinstance(name, str):
            raise InvalidInputError(
                "metrics", f"{name!r} is not a string; valid: {', '.join(known)}"
            )
        if name not in known:
            raise _unknown("metric", name, known, "all, ")
        if name not in chosen:
            chosen.append(name)
    return tuple(chosen)


def normalize_granularity(value: str) -> str:
    """``hour``, ``day``, ``week`` or ``month``, case-insensitive.

    >>> normalize_granularity("Week")
    'week'
    """
    if not isinstance(value, str):
        raise InvalidInputError(
            "granularity", f"{value!r} is not a string; valid: {', '.join(_GRANULARITIES)}"
        )
    word = value.strip().lower()
    if word in _GRANULARITIES:
        return word
    raise _unknown("granularity", value, _GRANULARITIES)
