"""Who spent a team's day, as FOCUS rows hold it: the day's sessions grouped by
their tags and API key, and the part of the history's day that no session
explains (pure, no I/O).

A session's credits belong to the UTC day it was created in, as the store and the
breakdown count them. A day becomes one slice per distinct (tags, API key) of its
sessions, and one slice without tags for the rest: the history's credits less
the sessions', with the sessions still running (their credits are not known yet)
and the metrics the listing does not carry per session (network bytes,
screenshots). So a day's slices add up to its history exactly, and so do the
rows made of them.

When a day's sessions hold more credits than its history, by more than the
breakdown's tolerance (0.01 credit, or 0.01% where that is more), the two
disagree and no file could both name who spent it and add up to the bill: that
is an :class:`~anchor_history.errors.AttributionMismatchError`, never a guess.
Within the tolerance, the excess is taken from the largest slice, so rounding
never writes a negative row.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from attrs import evolve, frozen

from ...calendar.boundaries import period_floor
from ...errors import AttributionMismatchError
from ...models.history import HistoryPoint
from ...models.session import Session, tag_key_value
from ...pricing.charges import credits_decimal

__all__ = ["Slice", "day_slices", "focus_tags", "sessions_by_day", "whole_day"]

Group = tuple[str | None, str]  # (FOCUS Tags text or None, API key name)
# Per-session metrics, summed per group; the history's other metrics stay on the
# slice without tags.
SESSION_METRICS = ("session_count", "session_hours", "ai_steps", "proxy_bytes")
DAY_METRICS = ("network_bytes_total", "screenshots")
_HOURS = Decimal("0.000000001")  # session hours to 9 decimals, as files write them


@frozen
class Slice:
    """One part of a team's day: whose it is, its credits and its usage metrics."""

    tags: str | None  # FOCUS Tags (a JSON object), None for no tags
    api_key: str | None  # None on the slice no session explains
    credits: Decimal
    metrics: Mapping[str, Any]


def focus_tags(tags: Iterable[str]) -> str | None:
    """A session's tags in FOCUS's key/value form, as JSON text (None: no tags).

    ``team:search`` is ``{"team": "search"}``; a plain tag (``nightly``) is a key
    without a value, which FOCUS writes ``true``. A key a session holds more than
    once (``team:a`` and ``team:b``, or ``env`` and ``env:prod``) cannot be one
    JSON key, so each such tag is kept whole as a valueless key
    (``{"team:a": true, "team:b": true}``): no value is altered or lost.

    >>> focus_tags(["team:search", "nightly"])
    '{"nightly": true, "team": "search"}'
    >>> focus_tags(["team:a", "team:b"]), focus_tags([])
    ('{"team:a": true, "team:b": true}', None)
    """
    by_key: dict[str, list[tuple[str, str | bool]]] = {}
    for tag in dict.fromkeys(tags):
        pair = tag_key_value(tag)
        key, value = (tag, True) if pair is None else pair
        by_key.setdefault(key, []).append((tag, value))
    form: dict[str, str | bool] = {}
    for key, entries in by_key.items():
        if len(entries) == 1:
            form[key] = entries[0][1]
        else:
            form.update((whole, True) for whole, _ in entries)
    return json.dumps(form, sort_keys=True) if form else None


def sessions_by_day(sessions: Iterable[Session]) -> dict[datetime, dict[Group, dict[str, Any]]]:
    """The finished sessions' credits and metrics by UTC day and (tags, API key)."""
    days: dict[datetime, dict[Group, dict[str, Any]]] = {}
    for session in sessions:
        if session.credits is None:  # running: its credits are not known yet
            continue
        day = period_floor(session.created_at, "day")
        group = (focus_tags(session.tags), session.api_key_name)
        sums = days.setdefault(day, {}).setdefault(group, _empty())
        sums["credits"] += session.credits
        sums["session_count"] += 1
        sums["session_hours"] += Decimal(repr(session.duration or 0)) / 3600
        sums["ai_steps"] += int(session.steps or 0)
        sums["proxy_bytes"] += int(session.proxy_bytes or 0)
    return days


def _empty() -> dict[str, Any]:
    return {"credits": Decimal(0), "session_count": 0, "session_hours": Decimal(0),
            "ai_steps": 0, "proxy_bytes": 0}  # fmt: skip


def whole_day(point: HistoryPoint) -> Slice:
    """The day as one slice without tags: for a day whose sessions are not known."""
    metrics = {m: _number(m, getattr(point, m)) for m in (*SESSION_METRICS, *DAY_METRICS)}
    return Slice(None, None, credits_decimal(point.credits_used), metrics)


def day_slices(point: HistoryPoint, groups: Mapping[Group, Mapping[str, Any]]) -> list[Slice]:
    """A day of the history split by its sessions' groups (in key, then tags order),
    then the rest without tags (when any credits or metrics are left to it)."""
    total = credits_decimal(point.credits_used)
    slices = [
        Slice(tags, key, sums["credits"],
              {m: _rounded(sums[m]) for m in SESSION_METRICS} | dict.fromkeys(DAY_METRICS))
        for (tags, key), sums in sorted(groups.items(), key=lambda g: (g[0][1], g[0][0] or ""))
    ]  # fmt: skip
    explained = sum((s.credits for s in slices), Decimal(0))
    rest = total - explained
    if rest < 0:
        tolerance = max(Decimal("0.01"), total * Decimal("0.0001"))
        if -rest > tolerance:
            raise AttributionMismatchError(
                f"the sessions of {point.start:%Y-%m-%d} (UTC) hold {explained} credits, "
                f"more than the day's history of {total} by {-rest}, beyond the tolerance of "
                f"{tolerance.quantize(Decimal('0.0001'))}: no file can name who spent it and "
                "add up to the bill"
            )
        largest = max(range(len(slices)), key=lambda i: slices[i].credits)
        slices[largest] = evolve(slices[largest], credits=slices[largest].credits + rest)
        rest = Decimal(0)
    left: dict[str, Any] = {}
    for metric in SESSION_METRICS:
        whole = _number(metric, getattr(point, metric))
        used = sum((s.metrics[metric] for s in slices), Decimal(0) if metric == "session_hours"
                   else 0)  # fmt: skip
        left[metric] = None if whole is None else max(whole - used, 0)
    for metric in DAY_METRICS:
        left[metric] = _number(metric, getattr(point, metric))
    if rest or not slices or any(left.values()):
        slices.append(Slice(None, None, rest, left))
    return slices


def _number(metric: str, value: Any) -> Any:
    """A history metric as files keep it: counts whole, session hours a Decimal."""
    if value is None:
        return None
    if metric == "session_hours":
        return _rounded(Decimal(repr(float(value))))
    return int(value)


def _rounded(value: Any) -> Any:
    return value.quantize(_HOURS) if isinstance(value, Decimal) else value
