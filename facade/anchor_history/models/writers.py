"""A History as rows and files: dicts, JSON, NDJSON, CSV, Parquet, dataframes.

Every format writes the same columns in the same order: ``start`` (ISO, in the
history's zone), ``date`` only when asked for, ``partial``, then the metrics.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, tzinfo
from typing import IO, TYPE_CHECKING, Any

from .._optional import require
from ..calendar.wire import format_api_datetime
from ..calendar.zones import zone_name

if TYPE_CHECKING:
    from .history import History, HistoryPoint

__all__ = [
    "Output",
    "format_start",
    "json_document",
    "point_dict",
    "rows",
    "to_pandas",
    "to_polars",
    "write_csv",
    "write_json",
    "write_ndjson",
    "write_parquet",
]

Output = str | os.PathLike[str] | IO[str]
"""Where a writer writes: a path (str or Path) or an open text stream."""


def rows(history: History, raw_dates: bool = False) -> list[dict[str, Any]]:
    metrics = history.query.metrics
    out = [point_dict(p, metrics, history.tz, raw_dates) for p in history.points]
    if history.costs is not None:  # money as decimal strings: exact, never a float
        for row, cost in zip(out, history.costs, strict=True):
            row["cost"], row["currency"] = str(cost), history.currency
    return out


def json_document(history: History, raw_dates: bool = False) -> dict[str, Any]:
    return {
        "query": history.query.to_dict() | {"tz": zone_name(history.tz)},
        "points": rows(history, raw_dates),
        "summary": _at_scale(history.summary.as_dict(history.query.metrics)),
    }


def write_json(history: History, out: Output, raw_dates: bool = False) -> None:
    with _opened(out) as stream:
        json.dump(json_document(history, raw_dates), stream, indent=2)
        stream.write("\n")


def write_ndjson(history: History, out: Output, raw_dates: bool = False) -> None:
    with _opened(out) as stream:
        for row in rows(history, raw_dates):
            stream.write(json.dumps(row) + "\n")


def write_csv(history: History, out: Output, raw_dates: bool = False) -> None:
    with _opened(out) as stream:
        writer = csv.writer(stream, lineterminator="\n")
        table = rows(history, raw_dates)
        writer.writerow(list(table[0]) if table else _columns(history, raw_dates))
        for row in table:
            writer.writerow([_csv_cell(v) for v in row.values()])


def _columns(history: History, raw_dates: bool) -> list[str]:
    money = ["cost", "currency"] if history.costs is not None else []
    return ["start", *(["date"] if raw_dates else []), "partial", *history.query.metrics, *money]


def write_parquet(history: History, path: str | os.PathLike[str], raw_dates: bool = False) -> None:
    pa = require("pyarrow", "parquet")
    parquet = require("pyarrow.parquet", "parquet")
    points = history.points
    columns: dict[str, Any] = {
        "start": pa.array([p.start for p in points], pa.timestamp("ms", tz="UTC")),
    }
    if raw_dates:
        columns["date"] = pa.array([p.date for p in points], pa.string())
    columns["partial"] = pa.array([p.partial for p in points], pa.bool_())
    for name in history.query.metrics:
        values = [_at_scale({name: getattr(p, name)})[name] for p in points]
        is_int = all(v is None or isinstance(v, int) for v in values)
        columns[name] = pa.array(values, pa.int64() if is_int else pa.float64())
    if history.costs is not None:  # a decimal column: exact
        columns["cost"] = pa.array(list(history.costs), pa.decimal128(38, 12))
        columns["currency"] = pa.array([history.currency] * len(points), pa.string())
    parquet.write_table(pa.table(columns), os.fspath(path))


def to_pandas(history: History) -> Any:
    pandas = require("pandas", "pandas")
    frame = pandas.DataFrame(_frame_rows(history), columns=_frame_columns(history))
    frame["start"] = pandas.to_datetime(frame["start"], utc=True)
    return frame.set_index("start").sort_index()


def to_polars(history: History) -> Any:
    polars = require("polars", "polars")
    frame = polars.DataFrame(_frame_rows(history), schema=None, orient="row")
    if frame.is_empty():
        return polars.DataFrame(schema=_frame_columns(history))
    return frame.sort("start")


def _frame_columns(history: History) -> list[str]:
    """``start`` (UTC), ``local_start`` when the periods are another zone's, ``partial``
    and the metrics. (The server's raw ``date`` string is for the text formats'
    ``raw_dates``; a frame has ``start``.)"""
    local = [] if history.tz is UTC else ["local_start"]
    return ["start", *local, "partial", *history.query.metrics]


def _frame_rows(history: History) -> list[dict[str, Any]]:
    """Rows for a dataframe: ``start`` stays a datetime, unlike in rows()."""
    metrics = history.query.metrics
    local = history.tz is not UTC
    return [
        {
            "start": p.start,
            **({"local_start": p.local_start} if local else {}),
            "partial": p.partial,
            **p.as_dict(metrics),
        }
        for p in history.points
    ]


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


@contextmanager
def _opened(out: Output) -> Iterator[IO[str]]:
    """A stream as it is (left open), or a path opened for writing and closed after."""
    if isinstance(out, (str, os.PathLike)):
        with open(out, "w", newline="", encoding="utf-8") as stream:
            yield stream
    else:
        yield out


def format_start(start: datetime, tz: tzinfo = UTC) -> str:
    """``2026-11-24T13:00:00.000Z`` in UTC, ``2026-11-24T14:00:00.000+01:00`` in a zone."""
    if tz is UTC:
        return format_api_datetime(start)
    local = start.astimezone(tz)
    return (
        local.strftime("%Y-%m-%dT%H:%M:%S.") + f"{local.microsecond // 1000:03d}" + _offset(local)
    )


def _offset(local: datetime) -> str:
    text = local.strftime("%z")  # +0100
    return f"{text[:3]}:{text[3:]}"


def point_dict(
    point: HistoryPoint, metrics: Iterable[str], tz: tzinfo = UTC, raw_dates: bool = False
) -> dict[str, Any]:
    row: dict[str, Any] = {"start": format_start(point.start, tz)}
    if raw_dates:
        row["date"] = point.date
    row["partial"] = point.partial
    row.update(_at_scale(point.as_dict(metrics)))
    return row


DECIMALS = 9
"""The places a real value is written with: a store keeps its sums at this scale (as a
``numeric`` column would), so a file from the API and one from a store of the same
window carry the same digits (``session_hours`` came as 17 from one, 9 from the
other). Integers, and the values in memory, are as they came."""


def _at_scale(values: dict[str, Any]) -> dict[str, Any]:
    return {k: round(v, DECIMALS) if type(v) is float else v for k, v in values.items()}
