"""The hand-off to DuckDB, Spark, Trino or pandas: the store as Hive-partitioned Parquet.

``team=web/month=2026-11/part-0.parquet``: engines read the partition columns
from the paths (DuckDB: ``read_parquet('DIR/**/*.parquet', hive_partitioning = true)``).
Each export replaces the previous one's partitions in that folder.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from .._optional import require

__all__ = ["write_dataset"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def write_dataset(conn: Any, folder: str, metrics: Sequence[str]) -> list[str]:
    """Write every team's hours, one file per team and month; the files written."""
    pa = require("pyarrow", "parquet")
    parquet = require("pyarrow.parquet", "parquet")
    os.makedirs(folder, exist_ok=True)
    for entry in os.listdir(folder):  # the previous export's partitions, and only those
        if entry.startswith("team="):
            shutil.rmtree(os.path.join(folder, entry))
    written = []
    from .dialect import is_postgres

    month_sql = (
        "to_char(to_timestamp(hour * 3600) AT TIME ZONE 'UTC', 'YYYY-MM')"
        if is_postgres(conn)
        else "strftime('%Y-%m', hour * 3600, 'unixepoch')"
    )
    groups = conn.execute(f"SELECT DISTINCT team, {month_sql} FROM hours ORDER BY 1, 2").fetchall()
    for team, month in groups:
        rows = conn.execute(
            f"SELECT hour, {', '.join(metrics)} FROM hours "
            f"WHERE team = ? AND {month_sql} = ? ORDER BY hour",
            (team, month),
        ).fetchall()
        columns: dict[str, Any] = {
            "hour": pa.array(
                [_EPOCH + timedelta(hours=r[0]) for r in rows], pa.timestamp("ms", tz="UTC")
            )
        }
        for i, metric in enumerate(metrics, start=1):
            values = [r[i] for r in rows]
            is_int = all(v is None or isinstance(v, int) for v in values)
            columns[metric] = pa.array(values, pa.int64() if is_int else pa.float64())
        path = os.path.join(folder, f"team={team}", f"month={month}", "part-0.parquet")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        parquet.write_table(pa.table(columns), path)
        written.append(path)
    return written
