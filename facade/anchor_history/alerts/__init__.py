"""Budget alerts that fire once per threshold crossing, as AWS Budgets does.

Each budget has thresholds (``actual:80``: 80% of the limit used; ``forecast:100``:
the period-end forecast at the limit). A threshold notifies once, in the run
where it is first crossed, per channel; later runs of the same period stay
quiet about it, a forecast that falls back under the threshold sends one
"resolved", and a new period starts clean.

- :mod:`.thresholds`: what a threshold is, parsed from ``actual:80``.
- :mod:`.decide`: which alerts to send, given a budget report, the thresholds
  and the previous state, and the new state (pure: no files, no clock).
- :mod:`.message`: the Slack-compatible message of one run (pure).
- :mod:`.state`: the state file, locked and written atomically (the I/O edge).
- :mod:`.pg_state`: the same state in PostgreSQL, shared by every runner.
"""

from __future__ import annotations

from .decide import AlertStatus, Decision, Event, Record, apply, channel_id, decide
from .message import alert_message
from .state import StateFile, default_state_path, open_state
from .thresholds import DEFAULT_THRESHOLDS, Threshold, parse_duration, parse_threshold

__all__ = [
    "DEFAULT_THRESHOLDS",
    "AlertStatus",
    "Decision",
    "Event",
    "Record",
    "StateFile",
    "Threshold",
    "alert_message",
    "apply",
    "channel_id",
    "decide",
    "default_state_path",
    "open_state",
    "parse_duration",
    "parse_threshold",
]
