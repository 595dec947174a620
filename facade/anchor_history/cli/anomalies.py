"""``anchor-history anomalies``: periods far from what their history predicts."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from .anomaly_causes import causes_dict, find_causes
from .common import (
    add_alert_state_args,
    add_as_of_arg,
    add_connection_args,
    add_format_arg,
    add_notify_arg,
    open_client,
    print_result,
    say_dry_run,
)
from .errors import EXIT_CODES, EXIT_FOUND, EXIT_NOTIFY, EXIT_OK, fail
from .stored import store_moment

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from datetime import datetime

    from ..alerts.anomalies import AnomalyDecision
    from ..alerts.decide import Record
    from ..insights.anomaly_values import Anomaly, AnomalyScan
    from ..insights.causes import Cause

    Causes = Mapping[str, tuple[Cause, ...]]

__all__ = ["add_parser", "run"]


# The library's defaults (a test checks they agree): importing it here would load
# httpx, and `--help` must answer at once.
DEFAULT_SENSITIVITY = 4.0
DEFAULT_MIN_IMPACT_PERCENT = 10.0


def add_parser(subs: Any) -> None:
    p = subs.add_parser(
        "anomalies",
        help="periods far from what the trailing history predicts",
        description="Find days (against the same weekday of the last 8 weeks) or hours "
        "(against the same hour of the same kind of day of the last 3 weeks) far from their "
        "median, robust to outliers. A period still in progress is not judged.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--from", dest="from_date", default="90d", help="start (default 90d)")
    p.add_argument("--to", dest="to_date", default="now", help="end (default now)")
    p.add_argument("--granularity", "-g", choices=("hour", "day"), default="day")
    p.add_argument(
        "--metrics",
        "-m",
        default="session_count",
        help="comma list, or 'all' (default session_count)",
    )
    p.add_argument(
        "--sensitivity",
        type=float,
        default=DEFAULT_SENSITIVITY,
        help="robust standard deviations that make an anomaly; lower finds more "
        f"(default {DEFAULT_SENSITIVITY:g})",
    )
    p.add_argument(
        "--min-impact",
        action="append",
        default=None,
        metavar="[METRIC=]N",
        help="report only anomalies at least this far from expected, in the metric's unit "
        "(repeatable, one per metric; default: two sessions' worth, measured on each series)",
    )
    p.add_argument(
        "--min-impact-percent",
        type=float,
        default=DEFAULT_MIN_IMPACT_PERCENT,
        metavar="P",
        help="report only anomalies at least P%% away from expected "
        f"(default {DEFAULT_MIN_IMPACT_PERCENT:g})",
    )
    p.add_argument(
        "--no-sessions",
        action="store_true",
        help="do not read the sessions (GET /v1/sessions, or a store's) to name each "
        "anomaly's causes: its top API keys and tags",
    )
    add_notify_arg(p, "per run that finds anomalies not posted before (each once)")
    add_alert_state_args(p, "an anomaly still found")
    add_as_of_arg(p)
    add_format_arg(p)
    add_connection_args(p)


def run(args: argparse.Namespace) -> int:
    from ..alerts.notify import check_webhook_url
    from ..calendar.wire import format_api_datetime
    from ..insights.anomalies import detect_anomalies

    for url in args.notify:
        check_webhook_url(url)  # before any request
    min_impact = parse_min_impact(args.min_impact)
    with open_client(args, reading=True) as client:
        _, scan = detect_anomalies(
            client,
            args.from_date,
            args.to_date,
            args.granularity,
            args.metrics,
            sensitivity=args.sensitivity,
            min_impact=min_impact,
            min_impact_percent=args.min_impact_percent,
            as_of=args.as_of,
            now=store_moment(client, args),
            deadline=args.deadline,
        )
        found = list(scan.anomalies)
        causes, unknown = find_causes(client, args, found)  # (anomaly_causes.py)
    document = {
        "as_of": None if scan.as_of is None else format_api_datetime(scan.as_of),
        "anomalies": [
            {**a.to_dict(), "causes": causes_dict(causes.get(i))} for i, a in enumerate(found)
        ],
        "causes_unknown": unknown,
        "skipped": scan.skipped_periods,
        "skipped_by_metric": scan.skipped,
    }
    text = render_anomalies(found, args.granularity, causes) + skipped_note(scan, args.granularity)
    if found and unknown is not None:
        text += f"causes unknown: {unknown}\n"
    print_result(document, text, args.format)
    code = EXIT_FOUND if found else EXIT_OK
    if found and args.notify:
        from datetime import UTC, datetime

        moment = scan.as_of if scan.as_of is not None else datetime.now(UTC)
        delivered = post_anomalies(found, moment, args, document)
        return code if delivered else EXIT_NOTIFY
    return code


def post_anomalies(
    found: list[Anomaly], as_of: datetime, args: argparse.Namespace, document: dict[str, Any]
) -> bool:
    """Post each anomaly once per webhook (the state remembers what was posted);
    True when every webhook took its message."""
    from ..alerts import channel_id, default_state_path, open_state, parse_duration
    from ..alerts.anomalies import apply_anomalies, decide_anomalies
    from ..alerts.notify import post_json
    from ..errors import NotificationError

    channels = {channel_id(url): url for url in args.notify}
    team = args.team or "default"
    remind = None if args.remind is None else parse_duration(args.remind)
    state_file = open_state(args.state or default_state_path())

    def message(anomalies: Sequence[Anomaly]) -> dict[str, Any]:
        count = len(anomalies)
        title = f"AnchorBrowser usage: {count} anomal{'y' if count == 1 else 'ies'}\n"
        text = render_anomalies(list(anomalies), args.granularity)
        shown = [a.to_dict() for a in anomalies]
        return {"text": title + text, **document, "anomalies": shown}

    def decide(state: Mapping[str, Record]) -> AnomalyDecision:
        return decide_anomalies(
            found, state, now=as_of, team=team, channels=list(channels), remind=remind
        )

    if args.dry_run:
        decision = decide(state_file.load())
        for channel, url in channels.items():
            todo = decision.outgoing[channel]
            say_dry_run(url, message(todo)["text"] if todo else None)
        return True
    with state_file.locked():
        state = state_file.load()
        decision = decide(state)
        delivered = []
        for channel, url in channels.items():
            todo = decision.outgoing[channel]
            try:
                if todo:
                    post_json(url, message(todo))
                delivered.append(channel)
            except NotificationError as error:
                fail(str(error), EXIT_NOTIFY)
        new = apply_anomalies(state, decision, delivered)
        if new != state:
            state_file.save(new)
    return len(delivered) == len(channels)


def parse_min_impact(values: list[str] | None) -> float | dict[str, float] | None:
    """``--min-impact 50`` (every metric) or ``--min-impact credits_used=50`` (repeatable)."""
    from .errors import UsageError

    if not values:
        return None
    if any("=" not in v for v in values) and len(values) > 1:
        raise UsageError(
            "--min-impact: give one number for every metric, or METRIC=N for each; not both"
        )

    def number(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = -1.0
        if not 0 <= value < float("inf"):
            raise UsageError(
                f"--min-impact: {text!r} is not a number >= 0 (as in 50 or credits_used=50)"
            )
        return value

    if "=" not in values[0]:
        return number(values[0])
    return {name.strip(): number(text) for name, text in (v.split("=", 1) for v in values)}


def skipped_note(scan: AnomalyScan, granularity: str) -> str:
    """One line saying how many periods had too little history to be judged."""
    count = scan.skipped_periods
    if not count:
        return ""
    unit = granularity + ("s" if count != 1 else "")
    baseline = (
        "3 of the same weekday in the 8 weeks before"
        if granularity == "day"
        else "3 of the same hour and kind of day in the 3 weeks before"
    )
    return (
        f"{count:,} {unit} not judged: too little history before them (before the first "
        f"usage, or fewer than {baseline})\n"
    )


def render_anomalies(
    found: list[Anomaly], granularity: str, causes: Mapping[int, Causes] | None = None
) -> str:
    """The table; with causes, the first beside each anomaly (its top API key)."""
    from ..outputs.table import align, format_cause, format_period, format_value

    if not found:
        return "no anomalies\n"
    named = bool(causes)
    rows = [["period (UTC)", "metric", "value", "expected", "score"]]
    if named:
        rows[0].append("first cause (share of the excess)")
    for i, a in enumerate(found):
        expected = round(a.expected) if a.value.is_integer() else a.expected
        row = [
            format_period(a.start, granularity),
            a.metric,
            format_value(a.metric, a.value),
            format_value(a.metric, expected),
            f"{a.score:+.1f}",
        ]
        if named and causes is not None:
            first = (causes.get(i) or {}).get("api_key") or ()
            row.append(format_cause(first[0], a.metric) if first else "-")
        rows.append(row)
    return "\n".join(align(rows, left=2, also_left={5})) + "\n"
