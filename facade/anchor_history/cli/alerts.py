"""``anchor-history alerts``: what the alert state holds, and a way to forget it.

``check --notify`` remembers each alert it posted (so it is posted once per
crossing); this lists those records, and ``--reset`` forgets them (all, or a
team's), under the same lock a ``check`` holds, so the next run posts afresh.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from .common import add_format_arg, print_result
from .errors import EXIT_CODES, EXIT_OK

if TYPE_CHECKING:
    from ..alerts.decide import Record

__all__ = ["add_parser", "run"]


def add_parser(subs: Any) -> None:
    p = subs.add_parser(
        "alerts",
        help="list the alerts check has posted (its state), or reset them",
        description="List the records of the alert state that `check --notify` keeps: one "
        "per alert, channel and period, with when it was first notified and last sent. "
        "--reset forgets them, so the next check posts every crossed alert again.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--state",
        default=None,
        metavar="PATH|URL",
        help="the state: a file or postgresql://... (as check's)",
    )
    p.add_argument("--team", default=None, help="only this team's records")
    p.add_argument("--reset", action="store_true", help="forget the records listed")
    add_format_arg(p)


def run(args: argparse.Namespace) -> int:
    from ..alerts import default_state_path, open_state

    state_file = open_state(args.state or default_state_path())
    with state_file.locked():
        records = state_file.load()
        chosen = {
            key: record
            for key, record in records.items()
            if args.team is None or key.split("|")[1] == args.team
        }
        if args.reset and chosen:
            state_file.save({k: r for k, r in records.items() if k not in chosen})
    rows = [_row(key, record) for key, record in sorted(chosen.items())]
    document = {"state": str(state_file.path), "reset": bool(args.reset), "alerts": rows}
    print_result(document, _render(rows, args.reset, str(state_file.path)), args.format)
    return EXIT_OK


def _row(key: str, record: Record) -> dict[str, str]:
    parts = key.split("|")
    if parts[1] == "anomaly":  # channel|anomaly|team|metric|start (anomalies --notify)
        channel, _, team, metric, start = parts
        what = {"team": team, "budget": "", "limit": "", "period_start": start,
                "threshold": f"anomaly in {metric}"}  # fmt: skip
    else:  # channel|team|budget|limit|period start|threshold (check --notify)
        channel, team, budget, limit, start, threshold = parts
        what = {"team": team, "budget": budget, "limit": limit, "period_start": start,
                "threshold": threshold}  # fmt: skip
    return {
        **what,
        "channel": channel,
        "notified_at": record.notified_at.isoformat(),
        "sent_at": record.sent_at.isoformat(),
        "period_end": record.period_end.isoformat(),
    }


def _render(rows: list[dict[str, str]], reset: bool, path: str) -> str:
    from ..outputs.table import align

    if not rows:
        return f"no alerts recorded in {path}\n"
    table = [["team", "budget", "threshold", "period (UTC)", "notified (UTC)", "channel"]]
    table += [
        [r["team"], r["budget"], r["threshold"], r["period_start"][:10], r["notified_at"][:16],
         r["channel"]]
        for r in rows
    ]  # fmt: skip
    verb = "forgotten" if reset else "recorded"
    return "\n".join([*align(table), "", f"{len(rows)} alert(s) {verb} in {path}"]) + "\n"
