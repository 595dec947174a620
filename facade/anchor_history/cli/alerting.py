"""``check``'s alerts: one locked run over the state file: decide, post one
message per channel, keep what was delivered (or, with --dry-run, print what
would be posted). The decision itself is :func:`anchor_history.alerts.decide`."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from .common import say_dry_run

if TYPE_CHECKING:
    from ..alerts.decide import AlertStatus
    from ..insights.budgets import BudgetReport
    from .check_settings import CheckSettings

__all__ = ["run_alerts"]


def run_alerts(
    report: BudgetReport, settings: CheckSettings, args: argparse.Namespace
) -> tuple[list[AlertStatus], bool]:
    """The alerts' statuses (``notified_at`` as the state now says), and whether
    every channel took its message."""
    from ..alerts import alert_message, apply, channel_id, decide, open_state
    from ..alerts.decide import notified
    from ..alerts.notify import post_json
    from ..errors import NotificationError

    urls = settings.notify
    team = getattr(args, "team", None) or "default"
    thresholds = settings.thresholds
    if not urls:
        decision = decide(report, thresholds, {}, team=team)
        return list(decision.statuses), True
    channels = {channel_id(url): url for url in urls}
    if getattr(args, "dry_run", False):
        return _dry_run(report, settings, team, channels)
    with open_state(settings.state).locked() as state_file:
        state = state_file.load()
        decision = decide(
            report, thresholds, state, team=team, channels=list(channels), remind=settings.remind
        )
        delivered, failed = [], []
        for channel, url in channels.items():
            events = decision.outgoing[channel]
            if not events:
                delivered.append(channel)
                continue
            try:
                post_json(url, alert_message(events, report, team))
                delivered.append(channel)
            except NotificationError as error:
                failed.append(error)
        new = apply(state, decision, delivered)
        if new != state:
            state_file.save(new)
    if failed:
        from .errors import EXIT_NOTIFY, fail

        for problem in failed:
            fail(str(problem), EXIT_NOTIFY)
    return notified(decision.statuses, new), not failed


def _dry_run(
    report: BudgetReport, settings: CheckSettings, team: str, channels: dict[str, str]
) -> tuple[list[AlertStatus], bool]:
    """What a run would post, printed; nothing posted, nothing recorded."""
    from ..alerts import alert_message, decide, open_state
    from ..alerts.decide import notified

    state = open_state(settings.state).load()
    decision = decide(
        report, settings.thresholds, state, team=team, channels=list(channels),
        remind=settings.remind,
    )  # fmt: skip
    for channel, url in channels.items():
        events = decision.outgoing[channel]
        say_dry_run(url, alert_message(events, report, team)["text"] if events else None)
    return notified(decision.statuses, state), True
