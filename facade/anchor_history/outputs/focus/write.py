"""FOCUS rows as a file: CSV (nulls as empty cells) or Parquet (every column a
string but the x_ metrics, so decimals keep every digit)."""

from __future__ import annotations

import csv
import os
from collections.abc import Sequence
from typing import Any

from ..._optional import require
from .columns import COLUMNS, EXTRA_COLUMNS

__all__ = ["write_focus"]

HEADER = (*COLUMNS, *EXTRA_COLUMNS.values())


def write_focus(rows: Sequence[dict[str, Any]], path: str | os.PathLike[str]) -> None:
    """``.csv`` or ``.parquet``, by the path's suffix."""
    target = os.fspath(path)
    if target.lower().endswith(".parquet"):
        pa = require("pyarrow", "parquet")
        parquet = require("pyarrow.parquet", "parquet")
        columns = {
            name: pa.array(
                [row[name] for row in rows],
                pa.float64() if name in EXTRA_COLUMNS.values() else pa.string(),
            )
            for name in HEADER
        }
        parquet.write_table(pa.table(columns), target)
        return
    with open(target, "w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=HEADER, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: "" if v is None else v for k, v in row.items()})
