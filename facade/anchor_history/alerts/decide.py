"""Which alerts to send: a pure function of a budget report, the thresholds, the
previous state and the moment (the report's ``as_of``, so a month can be
replayed hour by hour).

The state maps one alert on one channel to when it was first notified and last
sent. Its key holds everything that makes a budget: the team, the metric, the
limit and the period (by its start), and the threshold; so a new period, a
changed limit or another team starts clean. A channel is a webhook, named by a
hash of its URL (a webhook URL is a secret: it is never written).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from attrs import frozen

from ..calendar.wire import format_api_datetime
from ..insights.budgets import BudgetReport, BudgetResult
from .thresholds import Threshold

__all__ = ["AlertStatus", "Decision", "Event", "Record", "apply", "channel_id", "decide"]


@frozen
class Record:
    """One alert notified on one channel in one period."""

    notified_at: datetime  # when it was first notified
    sent_at: datetime  # when it was last sent (a reminder moves it)
    period_end: datetime  # when the record may be forgotten


@frozen
class AlertStatus:
    """One threshold of one budget, as of the report."""

    key: str  # without the channel
    budget: BudgetResult
    threshold: Threshold
    crossed: bool
    notified_at: datetime | None  # the first channel to be told, when

    def to_dict(self) -> dict[str, object]:
        return {
            "kind": self.threshold.kind,
            "percent": self.threshold.percent,
            "crossed": self.crossed,
            "notified_at": None
            if self.notified_at is None
            else format_api_datetime(self.notified_at),
        }


@frozen
class Event:
    """Something to say on a channel: a threshold newly crossed, still crossed
    after the reminder interval, or no longer crossed (resolved)."""

    what: str  # "crossed", "reminder" or "resolved"
    status: AlertStatus


@frozen
class Decision:
    statuses: tuple[AlertStatus, ...]
    # Per channel: what to send, and the state's changes once it is sent
    # (a record, or None to forget one).
    outgoing: dict[str, tuple[Event, ...]]
    updates: dict[str, dict[str, Record | None]]
    expired: tuple[str, ...]  # records of periods that are over


def channel_id(url: str) -> str:
    """A webhook's name in the state: a hash of its URL, which is a secret."""
    return hashlib.sha256(url.strip().encode()).hexdigest()[:16]


def _key(team: str, budget: BudgetResult, period_start: datetime, threshold: Threshold) -> str:
    start = format_api_datetime(period_start)
    return f"{team}|{budget.key}|{budget.limit:g}|{start}|{threshold.label}"


def decide(
    report: BudgetReport,
    thresholds: Mapping[str, Sequence[Threshold]],
    state: Mapping[str, Record],
    *,
    team: str = "default",
    channels: Sequence[str] = (),
    remind: timedelta | None = None,
) -> Decision:
    """What to send on each channel now (``report.as_of``), and what to remember.

    ``thresholds`` maps a budget's key (its metric, or ``metric (name)``) to its
    thresholds; ``channels`` are
    :func:`channel_id` values. A threshold crossed and not yet notified on a
    channel in this period is sent there; one notified and crossed still is
    sent again after ``remind``; one notified and no longer crossed is sent as
    resolved and forgotten, so it may fire again.
    """
    now = report.as_of
    period_start, period_end = report.period
    # A run after this period's end was recorded already: the clock has moved past
    # it for good, so looking back at it (``--as-of``) is quiet, whatever records
    # were forgotten since.
    over = any(r.sent_at >= period_end for r in state.values())
    statuses = []
    outgoing: dict[str, list[Event]] = {c: [] for c in channels}
    updates: dict[str, dict[str, Record | None]] = {c: {} for c in channels}
    for budget in report.budgets:
        for threshold in thresholds.get(budget.key, ()):
            key = _key(team, budget, period_start, threshold)
            crossed = threshold.crossed(budget)
            told = [state[f"{c}|{key}"] for c in channels if f"{c}|{key}" in state]
            first = min((r.notified_at for r in told), default=None)
            status = AlertStatus(key, budget, threshold, crossed, first if crossed else None)
            statuses.append(status)
            for channel in channels:
                record = state.get(f"{channel}|{key}")
                event, change = _step(crossed, record, now, period_end, remind)
                if event is not None and not over:
                    outgoing[channel].append(Event(event, status))
                    updates[channel][f"{channel}|{key}"] = change
    # Records are kept through the period after theirs: a look back at last month
    # (--as-of) finds what was sent then, and stays quiet about it.
    expired = tuple(k for k, r in state.items() if r.period_end < period_start)
    return Decision(
        tuple(statuses),
        {c: tuple(e) for c, e in outgoing.items()},
        updates,
        expired,
    )


def _step(
    crossed: bool,
    record: Record | None,
    now: datetime,
    period_end: datetime,
    remind: timedelta | None,
) -> tuple[str | None, Record | None]:
    """(what to send, the record afterwards) for one alert on one channel.

    A record sent after ``now`` was written by a later run (``--as-of`` replays
    an earlier moment): the replay stays quiet about that alert."""
    if record is not None and record.sent_at > now:
        return None, record
    if crossed and record is None:
        return "crossed", Record(now, now, period_end)
    if crossed and record is not None:
        if remind is not None and now - record.sent_at >= remind:
            return "reminder", Record(record.notified_at, now, record.period_end)
        return None, record
    if record is not None:  # no longer crossed: say so once, and forget it
        return "resolved", None
    return None, None


def apply(
    state: Mapping[str, Record], decision: Decision, delivered: Sequence[str]
) -> dict[str, Record]:
    """The state after this run: the changes of the channels whose message was
    delivered (a failed one keeps its old state, so the next run tries again),
    less the records of periods that are over."""
    new = {k: r for k, r in state.items() if k not in decision.expired}
    for channel in delivered:
        for key, record in decision.updates.get(channel, {}).items():
            if record is None:
                new.pop(key, None)
            else:
                new[key] = record
    return new


def notified(statuses: Sequence[AlertStatus], state: Mapping[str, Record]) -> list[AlertStatus]:
    """The statuses with ``notified_at`` read from ``state`` (after a run's sends)."""
    out = []
    for status in statuses:
        times = [r.notified_at for k, r in state.items() if k.endswith("|" + status.key)]
        first = min(times, default=None) if status.crossed else None
        out.append(AlertStatus(status.key, status.budget, status.threshold, status.crossed, first))
    return out
