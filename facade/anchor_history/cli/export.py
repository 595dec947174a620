"""``anchor-history export``: the store as Hive-partitioned Parquet for other engines."""

from __future__ import annotations

import argparse
from typing import Any

from .errors import EXIT_CODES, EXIT_OK

__all__ = ["add_parser", "run"]


def add_parser(subs: Any) -> None:
    p = subs.add_parser(
        "export",
        help="write the store as Hive-partitioned Parquet (team=.../month=...)",
        description="Write every team's hours as DIR/team=NAME/month=YYYY-MM/part-0.parquet, "
        "for DuckDB, Spark, Trino or pandas (parquet extra).",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--store", required=True, metavar="PATH", help="the store (SQLite file)")
    p.add_argument("--parquet", required=True, metavar="DIR", help="the dataset folder")


def run(args: argparse.Namespace) -> int:
    from .._optional import require
    from ..store import UsageStore

    require("pyarrow", "parquet")
    with UsageStore(args.store, create=False) as store:
        files = store.export_parquet(args.parquet)
    print(f"{len(files)} files written under {args.parquet}")
    return EXIT_OK
