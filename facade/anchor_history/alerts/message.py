"""The message of one run: every alert it has to say, in one Slack-compatible
body (``text`` for any webhook, Block Kit ``blocks`` for Slack) and the full
report as JSON under ``anchor_history`` for machines. Pure; never the key."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from ..insights.budgets import BudgetReport
from ..outputs.table import format_money, format_value
from .decide import AlertStatus, Event

__all__ = ["alert_message"]

_HEADS = {
    "crossed": "crossed",
    "reminder": "still crossed (reminder)",
    "resolved": "resolved: no longer crossed",
}


def _line(event: Event, as_of: datetime) -> str:
    status: AlertStatus = event.status
    budget, threshold = status.budget, status.threshold
    f, m = budget.forecast, budget.metric
    watched = "used" if threshold.kind == "actual" else "forecast"
    head = f"*{budget.key}* {threshold.percent:g}% of the limit ({watched}) {_HEADS[event.what]}"
    if budget.money is not None:
        money = budget.money

        def shown(amount: Decimal) -> str:
            return f"{format_money(amount, money.currency)} {money.currency}"

        share = 100 * money.used / money.limit
        parts = [
            head,
            f"used {shown(money.used)} of {shown(money.limit)} ({share:.0f}%)",
            f"forecast {shown(money.value)} ({shown(money.low)} to {shown(money.high)})",
        ]
    else:
        parts = [
            head,
            f"used {format_value(m, f.used)} of {format_value(m, budget.limit)} "
            f"({100 * f.used / budget.limit:.0f}%)",
            f"forecast {format_value(m, f.value)} ({format_value(m, f.low)} to "
            f"{format_value(m, f.high)})",
        ]
    if budget.exhausts_at is not None:
        verb = "ran out" if budget.exhausts_at <= as_of else "runs out"
        parts.append(f"{verb} {budget.exhausts_at:%b %d %H:%M} UTC")
    if budget.pace is not None:
        parts.append(f"pace {budget.pace:.2f}")
    return "; ".join(parts)


def alert_message(
    events: Sequence[Event], report: BudgetReport, team: str = "default"
) -> dict[str, Any]:
    """One message for all of a run's events on one channel."""
    start, end = report.period
    title = (
        f"AnchorBrowser budget alerts, team {team}: {start:%Y-%m-%d} to {end:%Y-%m-%d} (UTC), "
        f"as of {report.as_of:%Y-%m-%d %H:%M} UTC"
    )
    lines = [_line(e, report.as_of) for e in events]
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": "AnchorBrowser budget alerts"}},
        {
            "type": "context",
            "elements": [
                {
                    "type": "mrkdwn",
                    "text": f"team {team}, {start:%Y-%m-%d} to {end:%Y-%m-%d} (UTC), as of "
                    f"{report.as_of:%Y-%m-%d %H:%M} UTC",
                }
            ],
        },
        *({"type": "section", "text": {"type": "mrkdwn", "text": line}} for line in lines),
    ]
    machine = report.to_dict() | {
        "team": team,
        "events": [
            {
                "event": e.what,
                "metric": e.status.budget.metric,
                "name": e.status.budget.name,
                **e.status.to_dict(),
            }
            for e in events
        ],
    }
    return {
        "text": "\n".join([title, *("- " + line.replace("*", "") for line in lines)]),
        "blocks": blocks,
        "anchor_history": machine,
    }
