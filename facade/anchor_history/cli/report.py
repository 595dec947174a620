"""``anchor-history report``: a self-contained HTML (or PNG) usage report."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from .common import add_as_of_arg, add_connection_args, open_client
from .errors import EXIT_CODES, EXIT_OK, UsageError
from .prices import add_price_args, price_list
from .stored import store_moment

__all__ = ["add_parser", "run"]


def add_parser(subs: Any) -> None:
    p = subs.add_parser(
        "report",
        help="a self-contained HTML report (or a PNG of it) to open offline or mail",
        description="Write one HTML file with nothing loaded from outside it: a headline "
        "per metric (total, change on the span before), the budgets with their forecast "
        "range, the anomalies, a chart per metric and the table of periods. A .png output "
        "is the same dashboard as an image (png extra).",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--output", "-o", required=True, help="usage.html or usage.png")
    p.add_argument("--from", dest="from_date", default="90d", help="start (default 90d)")
    p.add_argument(
        "--to",
        dest="to_date",
        default=None,
        help="end (default now); a date, month or named period includes the whole of it "
        "(October's report: --from last-month --to last-month)",
    )
    p.add_argument(
        "--tz",
        default="UTC",
        help="IANA time zone for days, weeks, months and dates (default UTC)",
    )
    p.add_argument("--granularity", "-g", default="day", help="hour, day, week or month")
    p.add_argument(
        "--metrics",
        "-m",
        default="session_count,credits_used,session_hours,proxy_bytes",
        help="comma list, or 'all' (default session_count,credits_used,session_hours,proxy_bytes)",
    )
    p.add_argument(
        "--budget",
        action="append",
        default=[],
        metavar="METRIC=LIMIT",
        help="a monthly budget to show with its forecast; repeatable",
    )
    p.add_argument(
        "--plan",
        action="store_true",
        help="a section on the plan (GET /v1/billing): what is left, when it runs out, and "
        "whether the history adds up to it; with the API only",
    )
    p.add_argument(
        "--no-sessions",
        action="store_true",
        help="leave out who spent it (the sessions: GET /v1/sessions, or a store's) and "
        "the anomalies' causes",
    )
    add_as_of_arg(p)
    add_price_args(p)
    add_connection_args(p)


def run(args: argparse.Namespace) -> int:
    from .._optional import require
    from ..insights.budgets import parse_budget
    from ..outputs.report import gather_report, write_report
    from .output import check_output_folder

    suffix = os.path.splitext(args.output)[1].lower()
    if suffix not in (".html", ".htm", ".png"):
        raise UsageError(f"--output {args.output}: a report is .html or .png")
    check_output_folder(args.output)
    require("matplotlib", "png")  # the charts, before any request
    budgets = [parse_budget(text) for text in args.budget]
    if args.plan and args.store:
        raise UsageError("--plan reads GET /v1/billing: it needs the API, not a --store")
    with open_client(args, reading=True) as source:
        data = gather_report(
            source,
            args.from_date,
            args.granularity,
            args.metrics,
            to_date=args.to_date,
            tz=args.tz,
            budgets=budgets,
            plan=args.plan,
            prices=price_list(args, None if args.store else source),
            as_of=args.as_of,
            now=store_moment(source, args),
            deadline=args.deadline,
        )
        data = _with_who(source, args, data)
    write_report(data, args.output)
    if not args.quiet:
        print(f"report written to {args.output}", file=sys.stderr)
    return EXIT_OK


def _with_who(source: Any, args: argparse.Namespace, data: Any) -> Any:
    """The report with who spent it: the anomalies' causes, the top tags and keys."""
    from attrs import evolve

    from .anomaly_causes import find_causes
    from .who import who_spent

    if args.no_sessions:
        return evolve(data, causes_note="--no-sessions", who_note="--no-sessions")
    by = "hour" if args.granularity == "hour" else "day"
    causes, note = find_causes(source, args, list(data.anomalies), by)
    q = data.history.query
    who = who_spent(source, args, (q.from_date, min(q.to_date, data.generated)), data.history.tz)
    if isinstance(who, str):
        return evolve(data, causes=causes, causes_note=note, who_note=who)
    return evolve(data, causes=causes, causes_note=note, who=who)
