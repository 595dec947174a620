"""``anchor-history export``: the store as Hive-partitioned Parquet, or usage
priced as FOCUS 1.2 for FinOps tools, split by who spent it (from a store or the
API)."""

from __future__ import annotations

import argparse
import sys
from decimal import Decimal
from typing import Any

from .common import add_connection_args, open_client
from .errors import EXIT_CODES, EXIT_OK, UsageError
from .prices import add_price_args, price_list
from .stored import store_moment

__all__ = ["add_parser", "run"]


def add_parser(subs: Any) -> None:
    p = subs.add_parser(
        "export",
        help="the store as Parquet (team=.../month=...), or priced usage as FOCUS 1.2",
        description="--parquet DIR: every team's hours of a --store as "
        "DIR/team=NAME/month=YYYY-MM/part-0.parquet, for DuckDB, Spark, Trino or pandas. "
        "--focus FILE (.csv or .parquet): one FOCUS 1.2 row per team, day, tags and API key of "
        "its sessions, and charge, priced with --credit-price (and --currency, "
        "--included-credits, --overage-credit-price, or a [pricing] table), from a --store "
        "or the API. The credits no session explains are a row without tags.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--parquet", metavar="DIR", help="the store's hours as a Parquet dataset")
    what.add_argument("--focus", metavar="FILE", help="FOCUS 1.2 rows: usage-focus.csv or .parquet")
    p.add_argument(
        "--no-sessions",
        action="store_true",
        help="one row per team and day, without tags or API keys (no sessions listed)",
    )
    p.add_argument(
        "--from", dest="from_date", default="last-month", help="start (default last-month)"
    )
    p.add_argument(
        "--to",
        dest="to_date",
        default=None,
        help="end (default: the end of last month when --from is left at last-month, "
        "else now, as in every command)",
    )
    p.add_argument(
        "--account",
        default="default",
        help="the FOCUS BillingAccountId and Name of every team (the API does not say; "
        "default 'default'); its teams share the included credits",
    )
    p.add_argument(
        "--teams",
        default=None,
        metavar="FILE",
        help="the teams file (as sync --all-teams'): a team's `account = \"...\"` is the "
        "billing account it belongs to (default --account); included credits apply per account",
    )
    # --pricing, as in every command that prices; --config was export's own name for it.
    p.add_argument("--config", dest="pricing", default=None, help=argparse.SUPPRESS)
    add_price_args(p)
    add_connection_args(p)


def run(args: argparse.Namespace) -> int:
    from .._optional import require

    if args.parquet:
        if not args.store:
            raise UsageError("--parquet writes a store's hours: give --store PATH")
        from ..store import UsageStore

        require("pyarrow", "parquet")
        with UsageStore(args.store, create=False) as store:
            files = store.export_parquet(args.parquet)
        print(f"{len(files)} files written under {args.parquet}")
        return EXIT_OK
    suffix = args.focus.lower().rsplit(".", 1)[-1]
    if suffix not in ("csv", "parquet"):
        raise UsageError(f"--focus {args.focus}: a FOCUS file is .csv or .parquet")
    if suffix == "parquet":
        require("pyarrow", "parquet")
    from .output import check_output_folder

    check_output_folder(args.focus)
    return _focus(args)


def _accounts(args: argparse.Namespace, teams: list[str]) -> dict[str, str]:
    """Each team's billing account: the teams file's ``account``, else --account."""
    given: dict[str, str] = {}
    if args.teams:
        from .config import load_teams

        listed = load_teams(args.teams, flag="--teams", keys=False)
        given = {t["name"]: t["account"] for t in listed if "account" in t}
    return {team: given.get(team, args.account) for team in teams}


def _sessions(
    source: Any, args: argparse.Namespace, team: str, start: Any, end: Any
) -> dict[Any, Any] | None:
    """A team's sessions of [start, end) by day and group, or None (said on stderr)
    when they are not known: a store synced without ``--sessions``, or a key that
    cannot list them. A store holding them for part of the window splits what it
    holds; the rest is in each day's row without tags."""
    from ..errors import NotHeldError, SessionsUnavailableError
    from ..outputs.focus.attribution import sessions_by_day

    try:
        if args.store:
            held = source.sessions_held()
            first, last = max(start, held[0]), min(end, held[1])
            if first >= last:
                raise NotHeldError(f"store {args.store} holds no sessions of team {team} in "
                                   "the window")  # fmt: skip
            listed = source.stored_sessions(first, last)
            if held[0] > start or held[1] < end:
                span = f"{first:%Y-%m-%d %H:%M} to {last:%Y-%m-%d %H:%M} UTC"
                _note(args, f"team {team}: sessions are held from {span} only; the rest is "
                            "not split")  # fmt: skip
        else:
            listed = source.sessions(start, end, deadline=args.deadline)
    except (NotHeldError, SessionsUnavailableError) as error:
        _note(args, f"{error}; rows by team and day, without tags (--no-sessions says so "
                    "quietly)")  # fmt: skip
        return None
    return sessions_by_day(listed)


def _note(args: argparse.Namespace, text: str) -> None:
    if not args.quiet:
        print(f"anchor-history: note: {text}", file=sys.stderr)


def _focus(args: argparse.Namespace) -> int:
    if args.to_date is None:  # last month whole by default; any other start runs to now
        args.to_date = "last-month" if args.from_date == "last-month" else "now"

    from ..calendar.boundaries import period_floor
    from ..outputs.focus import write_focus
    from ..outputs.focus.columns import EXTRA_COLUMNS
    from ..outputs.focus.rows import account_rows
    from ..periods import fetch_periods
    from ..pricing.charges import billing_month, credits_decimal

    metrics = ("credits_used", *EXTRA_COLUMNS)
    rows: list[dict[str, Any]] = []
    with open_client(args, reading=True) as source:
        prices = price_list(args, None if args.store else source)
        if prices is None:
            raise UsageError("--focus needs a price: --credit-price DECIMAL (FOCUS rows are costs)")
        teams = [args.team] if args.team or not args.store else source.teams()
        teams = [team or "default" for team in teams]
        accounts = _accounts(args, teams)
        moment = store_moment(source, args)
        for account in sorted(set(accounts.values())):
            histories: dict[str, Any] = {}
            before: dict[Any, Any] = {}  # each billing month's credits before the window
            split: dict[str, Any] = {}  # each team's sessions by day, where known
            for team in (t for t in teams if accounts[t] == account):
                if args.store:
                    source.team = team
                days = fetch_periods(
                    source, args.from_date, args.to_date, "day", metrics, now=moment,
                    fill=False, deadline=args.deadline,
                )  # fmt: skip
                histories[team] = days
                if not args.no_sessions:
                    found = _sessions(source, args, team, days.query.from_date, days.query.to_date)
                    if found is not None:
                        split[team] = found
                start = days.query.from_date
                month = billing_month(start)
                if prices.tiered and start > month:  # the month's credits before the window
                    earlier = source.fetch(month, period_floor(start, "day"), "month",
                                           "credits_used")  # fmt: skip
                    spent = credits_decimal(earlier.totals()["credits_used"])
                    before[month] = before.get(month, Decimal(0)) + spent
            rows += account_rows(histories, prices, account=account, used_before=before,
                                 sessions=split)  # fmt: skip
    write_focus(rows, args.focus)
    if not args.quiet:
        print(
            f"{len(rows):,} FOCUS rows ({len(teams)} team{'s' if len(teams) != 1 else ''}) "
            f"written to {args.focus}; priced {prices.rule()}",
            file=sys.stderr,
        )
    return EXIT_OK
