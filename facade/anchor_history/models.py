"""The values the facade returns: frozen, typed, with no I/O beyond the writers.

``HistoryPoint`` and ``HistorySummary`` carry one attribute per metric of the
spec's enum (a test checks they match the generated enum, so a regenerated spec
with a new metric fails loudly until it is added here).
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import IO, Any

from attrs import field, fields, frozen

from ._optional import require
from .dates import format_api_datetime

__all__ = [
    "History",
    "HistoryPage",
    "HistoryPoint",
    "HistoryQuery",
    "HistorySummary",
    "Number",
    "Pagination",
    "TotalMismatch",
]

Number = int | float


@frozen
class HistoryQuery:
    """A validated query: the UTC window resolved once, the checked names."""

    from_date: datetime
    to_date: datetime
    granularity: str
    metrics: tuple[str, ...]
    limit: int = 100

    def to_dict(self) -> dict[str, Any]:
        return {
            "from": format_api_datetime(self.from_date),
            "to": format_api_datetime(self.to_date),
            "granularity": self.granularity,
            "metrics": list(self.metrics),
        }


@frozen
class _Metrics:
    """One optional number per metric; None where the API did not send it."""

    session_count: Number | None = None
    proxy_bytes: Number | None = None
    ai_steps: Number | None = None
    session_hours: Number | None = None
    credits_used: Number | None = None
    screenshots: Number | None = None
    network_bytes_total: Number | None = None

    def as_dict(self, metrics: Iterable[str] | None = None) -> dict[str, Number | None]:
        """The metrics as a dict: the given ones, in that order, or all of them."""
        names = metric_names() if metrics is None else metrics
        return {name: getattr(self, name) for name in names}


def metric_names() -> tuple[str, ...]:
    """The metric attributes of HistoryPoint, in declaration order."""
    return tuple(a.name for a in fields(_Metrics))


@frozen
class HistoryPoint(_Metrics):
    """One period: ``start`` (aware UTC) parsed from the API's raw ``date`` string."""

    start: datetime = field(kw_only=True)
    date: str = field(kw_only=True)


@frozen
class HistorySummary(_Metrics):
    """The server's totals over the whole window (not just one page)."""


@frozen
class Pagination:
    current_page: int | None = None
    total_pages: int | None = None
    total_records: int | None = None
    has_next: bool | None = None
    has_prev: bool | None = None


@frozen
class HistoryPage:
    """One page as the API sent it, checked and converted."""

    points: tuple[HistoryPoint, ...]
    summary: HistorySummary
    pagination: Pagination | None


@frozen
class TotalMismatch:
    metric: str
    points_total: Number
    summary_total: Number | None


@frozen
class History:
    """Every point of a query, in order, with the server's summary and the query itself."""

    points: tuple[HistoryPoint, ...]
    summary: HistorySummary
    query: HistoryQuery

    def __len__(self) -> int:
        return len(self.points)

    def __iter__(self) -> Iterator[HistoryPoint]:
        return iter(self.points)

    def totals(self) -> dict[str, Number]:
        """Each requested metric summed over the points."""
        return {
            name: sum((getattr(p, name) or 0) for p in self.points) for name in self.query.metrics
        }

    def mismatches(self, rel_tol: float = 1e-9, abs_tol: float = 1e-6) -> list[TotalMismatch]:
        """Metrics whose points do not add up to the summary (empty when all agree)."""
        found = []
        for name, total in self.totals().items():
            expected = getattr(self.summary, name)
            if expected is None or not math.isclose(
                total, expected, rel_tol=rel_tol, abs_tol=abs_tol
            ):
                found.append(TotalMismatch(name, total, expected))
        return found

    def totals_match(self) -> bool:
        """True when the points add up to the server's summary, within float tolerance."""
        return not self.mismatches()

    def to_dicts(self) -> list[dict[str, Any]]:
        """One dict per point: ``start`` (ISO, Z), the raw ``date``, then the metrics."""
        return [point_dict(p, self.query.metrics) for p in self.points]

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "query": self.query.to_dict(),
            "points": self.to_dicts(),
            "summary": self.summary.as_dict(self.query.metrics),
        }

    def write_json(self, out: IO[str]) -> None:
        json.dump(self.to_json_dict(), out, indent=2)
        out.write("\n")

    def write_ndjson(self, out: IO[str]) -> None:
        for row in self.to_dicts():
            out.write(json.dumps(row) + "\n")

    def write_csv(self, out: IO[str]) -> None:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["start", "date", *self.query.metrics])
        for row in self.to_dicts():
            writer.writerow(["" if v is None else v for v in row.values()])

    def write_parquet(self, path: str) -> None:
        """A Parquet file with ``start`` as a UTC timestamp (needs the ``parquet`` extra)."""
        pa = require("pyarrow", "parquet")
        parquet = require("pyarrow.parquet", "parquet")
        columns: dict[str, Any] = {
            "start": pa.array([p.start for p in self.points], pa.timestamp("ms", tz="UTC")),
            "date": pa.array([p.date for p in self.points], pa.string()),
        }
        for name in self.query.metrics:
            values = [getattr(p, name) for p in self.points]
            is_int = all(v is None or isinstance(v, int) for v in values)
            columns[name] = pa.array(values, pa.int64() if is_int else pa.float64())
        parquet.write_table(pa.table(columns), path)

    def to_pandas(self) -> Any:
        """A pandas DataFrame (needs the ``pandas`` extra)."""
        return require("pandas", "pandas").DataFrame(self._frame_rows())

    def to_polars(self) -> Any:
        """A polars DataFrame (needs the ``polars`` extra)."""
        return require("polars", "polars").DataFrame(self._frame_rows())

    def _frame_rows(self) -> list[dict[str, Any]]:
        """Rows for a dataframe: ``start`` stays a datetime, unlike in to_dicts()."""
        return [{"start": p.start, "date": p.date, **p.as_dict(self.query.metrics)} for p in self]


def point_dict(point: HistoryPoint, metrics: Iterable[str]) -> dict[str, Any]:
    return {"start": format_api_datetime(point.start), "date": point.date, **point.as_dict(metrics)}
