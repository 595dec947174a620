"""Which anomalies to post, given what was posted before: each anomaly (its team,
metric and period) once per channel, again only after ``remind``. Pure, like
:func:`~anchor_history.alerts.decide`: the state file and the webhook stay at
the edges, so an hourly ``anomalies --notify`` from cron posts a spike once,
not every hour for the 90 days it stays in the window.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from attrs import frozen

from ..calendar.wire import format_api_datetime
from ..insights.anomaly_values import Anomaly
from .decide import Record

__all__ = ["KEEP", "AnomalyDecision", "anomaly_key", "apply_anomalies", "decide_anomalies"]

# How long a posted anomaly is remembered after its period began: longer than any
# window a search looks back over, so it never comes back into view unremembered.
KEEP = timedelta(days=400)


def anomaly_key(team: str, anomaly: Anomaly) -> str:
    return f"anomaly|{team}|{anomaly.metric}|{format_api_datetime(anomaly.start)}"


@frozen
class AnomalyDecision:
    outgoing: dict[str, tuple[Anomaly, ...]]  # by channel: what to post there now
    updates: dict[str, dict[str, Record]]  # by channel: its records once it took them
    expired: tuple[str, ...]  # anomaly records past KEEP


def decide_anomalies(
    found: Sequence[Anomaly],
    state: Mapping[str, Record],
    *,
    now: datetime,
    team: str = "default",
    channels: Sequence[str] = (),
    remind: timedelta | None = None,
) -> AnomalyDecision:
    """What to post on each channel (``channel_id`` values), and what to remember.

    An anomaly not posted on a channel is posted there; one posted is posted again
    only after ``remind``; a record sent after ``now`` (a look back with --as-of)
    keeps the run quiet about it. Anomaly records older than :data:`KEEP` are
    forgotten; a budget's records in the same file are left to its own rules.
    """
    outgoing: dict[str, list[Anomaly]] = {c: [] for c in channels}
    updates: dict[str, dict[str, Record]] = {c: {} for c in channels}
    for anomaly in found:
        key = anomaly_key(team, anomaly)
        for channel in channels:
            record = state.get(f"{channel}|{key}")
            if record is None:
                outgoing[channel].append(anomaly)
                updates[channel][f"{channel}|{key}"] = Record(now, now, anomaly.start + KEEP)
            elif record.sent_at <= now and remind is not None and now - record.sent_at >= remind:
                outgoing[channel].append(anomaly)
                updates[channel][f"{channel}|{key}"] = Record(
                    record.notified_at, now, record.period_end
                )
    expired = tuple(
        k for k, r in state.items() if k.split("|")[1:2] == ["anomaly"] and r.period_end <= now
    )
    return AnomalyDecision({c: tuple(a) for c, a in outgoing.items()}, updates, expired)


def apply_anomalies(
    state: Mapping[str, Record], decision: AnomalyDecision, delivered: Sequence[str]
) -> dict[str, Record]:
    """The state after the run: what the channels that took their message were
    sent (a failed one is tried again next run), less the expired records."""
    new = {k: r for k, r in state.items() if k not in decision.expired}
    for channel in delivered:
        new.update(decision.updates.get(channel, {}))
    return new
