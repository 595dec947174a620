"""``anchor-history store copy SRC DST``: a store moved between engines (a SQLite
file to PostgreSQL when a team outgrows one machine, and back), verified."""

from __future__ import annotations

import argparse
from typing import Any

from .errors import EXIT_CODES, EXIT_OK

__all__ = ["add_parser", "run"]


def add_parser(subs: Any) -> None:
    p = subs.add_parser(
        "store",
        help="copy a store between SQLite and PostgreSQL",
        description="copy SRC DST: every table of the store SRC into DST, an empty store "
        "(a SQLite file, or postgresql://user:pass@host:port/db), in one transaction, "
        "compared with SRC before it commits (each team's hours, daily rollup and sessions, "
        "and every table's rows): DST holds the whole store, shown equal, or is left as it was.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = p.add_subparsers(dest="action", metavar="{copy}", required=True)
    copy = actions.add_parser("copy", help="copy SRC into the empty store DST, verified")
    copy.add_argument("source", metavar="SRC", help="the store to copy: a path or a URL")
    copy.add_argument("target", metavar="DST", help="an empty store: a path or a URL")
    copy.add_argument("-q", "--quiet", action="store_true", help="print nothing on success")


def run(args: argparse.Namespace) -> int:
    from ..store import UsageStore
    from .sync import _without_a_new_empty_store

    with UsageStore(args.source, create=False) as source:
        with _without_a_new_empty_store(args.target), UsageStore(args.target) as target:
            result = source.copy_into(target)
        if not args.quiet:
            print(f"{source.path} -> {target.path}: {result.line()}")
    return EXIT_OK
