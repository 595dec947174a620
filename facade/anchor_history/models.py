"""The values the facade returns: frozen, typed, with no I/O beyond the writers.

``HistoryPoint`` and ``HistorySummary`` carry one attribute per metric of the
spec's enum (a test checks they match the generated enum, so a regenerated spec
with a new metric fails loudly until it is added here).
"""

from __future__ import annotations

import csv
import json
import math
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, tzinfo
from decimal import Decimal
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
    "exact_sum",
]

Number = int | float
Output = str | os.PathLike[str] | IO[str]
"""Where a writer writes: a path (str or Path) or an open text stream."""


def exact_sum(values: Iterable[Number | None]) -> Number | None:
    """The sum a database ``numeric`` column would give: no float noise.

    Integers stay integers; floats are added as the shortest decimals that
    round-trip (``0.1 + 0.2`` is ``0.3``, not ``0.30000000000000004``). ``None``
    ("no value for this period") is skipped; all ``None`` (or nothing) gives ``None``.

    >>> exact_sum([0.1, 0.2, None, 1])
    1.3
    """
    whole = 0
    fraction: Decimal | None = None
    seen = False
    for value in values:
        if value is None:
            continue
        seen = True
        if type(value) is int:
            whole += value
        else:
            fraction = (fraction or Decimal(0)) + Decimal(repr(value))
    if not seen:
        return None
    return whole if fraction is None else float(fraction + whole)


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
    """One period: ``start`` (aware UTC) parsed from the API's raw ``date`` string.

    ``partial`` is True for a period that is not whole: still in progress, or cut
    by the window's start or end. ``date`` is empty for a period the server did
    not list (a quiet period filled with zeros).
    """

    start: datetime = field(kw_only=True)
    date: str = field(kw_only=True)
    partial: bool = field(default=False, kw_only=True)


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
    points_total: Number | None
    summary_total: Number | None


@frozen
class History:
    """Every point of a query, in order, with the server's summary and the query itself.

    ``tz`` is the zone its periods are whole in (UTC unless re-bucketed, see
    :mod:`anchor_history.periods`); ``start`` is always an aware UTC instant.
    """

    points: tuple[HistoryPoint, ...]
    summary: HistorySummary
    query: HistoryQuery
    tz: tzinfo = field(default=UTC, kw_only=True)

    def __len__(self) -> int:
        return len(self.points)

    def __iter__(self) -> Iterator[HistoryPoint]:
        return iter(self.points)

    def totals(self) -> dict[str, Number | None]:
        """Each requested metric summed over the points (exactly; None where no point has one)."""
        if not self.points:  # nothing to add up: every total is zero
            return dict.fromkeys(self.query.metrics, 0)
        return {
            name: exact_sum(getattr(p, name) for p in self.points) for name in self.query.metrics
        }

    def mismatches(self, rel_tol: float = 1e-9, abs_tol: float = 1e-6) -> list[TotalMismatch]:
        """Metrics whose points do not add up to the summary (empty when all agree)."""
        found = []
        missing = set(self.missing_metrics())
        for name, total in self.totals().items():
            if name in missing:  # reported as missing, not as a mismatch
                continue
            expected = getattr(self.summary, name)
            if not _agree(total, expected, rel_tol, abs_tol):
                found.append(TotalMismatch(name, total, expected))
        return found

    def missing_metrics(self) -> list[str]:
        """Requested metrics the server sent no value for: in no point, not in the summary.

        Every field of the response is optional, so such a metric is not zero: it
        is unknown, and shown as ``-``.
        """
        return [
            name
            for name in self.query.metrics
            if getattr(self.summary, name) is None
            and all(getattr(p, name) is None for p in self.points)
        ]

    def totals_match(self) -> bool:
        """True when the points add up to the server's summary, within float tolerance."""
        return not self.mismatches()

    def to_dicts(self, *, raw_dates: bool = False) -> list[dict[str, Any]]:
        """One dict per point: ``start`` (ISO), ``partial``, then the metrics.

        ``start`` is written with ``Z`` in UTC, with the zone's offset otherwise.
        ``raw_dates=True`` adds ``date``, the string the server sent (empty for a
        filled period), after ``start``.
        """
        return [point_dict(p, self.query.metrics, self.tz, raw_dates) for p in self.points]

    def to_json_dict(self, *, raw_dates: bool = False) -> dict[str, Any]:
        from .dates import zone_name

        return {
            "query": self.query.to_dict() | {"tz": zone_name(self.tz)},
            "points": self.to_dicts(raw_dates=raw_dates),
            "summary": self.summary.as_dict(self.query.metrics),
        }

    def write_json(self, out: Output, *, raw_dates: bool = False) -> None:
        with _opened(out) as stream:
            json.dump(self.to_json_dict(raw_dates=raw_dates), stream, indent=2)
            stream.write("\n")

    def write_ndjson(self, out: Output, *, raw_dates: bool = False) -> None:
        with _opened(out) as stream:
            for row in self.to_dicts(raw_dates=raw_dates):
                stream.write(json.dumps(row) + "\n")

    def write_csv(self, out: Output, *, raw_dates: bool = False) -> None:
        """CSV with a header; ``partial`` as ``true``/``false``, a missing value as empty."""
        with _opened(out) as stream:
            writer = csv.writer(stream, lineterminator="\n")
            rows = self.to_dicts(raw_dates=raw_dates)
            writer.writerow(list(rows[0]) if rows else self._columns(raw_dates))
            for row in rows:
                writer.writerow([_csv_cell(v) for v in row.values()])

    def _columns(self, raw_dates: bool) -> list[str]:
        return ["start", *(["date"] if raw_dates else []), "partial", *self.query.metrics]

    def write_parquet(self, path: str | os.PathLike[str], *, raw_dates: bool = False) -> None:
        """A Parquet file with ``start`` as a UTC timestamp (needs the ``parquet`` extra)."""
        pa = require("pyarrow", "parquet")
        parquet = require("pyarrow.parquet", "parquet")
        columns: dict[str, Any] = {
            "start": pa.array([p.start for p in self.points], pa.timestamp("ms", tz="UTC")),
        }
        if raw_dates:
            columns["date"] = pa.array([p.date for p in self.points], pa.string())
        columns["partial"] = pa.array([p.partial for p in self.points], pa.bool_())
        for name in self.query.metrics:
            values = [getattr(p, name) for p in self.points]
            is_int = all(v is None or isinstance(v, int) for v in values)
            columns[name] = pa.array(values, pa.int64() if is_int else pa.float64())
        parquet.write_table(pa.table(columns), os.fspath(path))

    def to_pandas(self) -> Any:
        """A pandas DataFrame indexed by the UTC ``start`` (needs the ``pandas`` extra)."""
        pandas = require("pandas", "pandas")
        frame = pandas.DataFrame(self._frame_rows(), columns=self._frame_columns())
        frame["start"] = pandas.to_datetime(frame["start"], utc=True)
        return frame.set_index("start").sort_index()

    def to_polars(self) -> Any:
        """A polars DataFrame sorted by the UTC ``start`` (needs the ``polars`` extra)."""
        polars = require("polars", "polars")
        frame = polars.DataFrame(self._frame_rows(), schema=None, orient="row")
        if frame.is_empty():
            return polars.DataFrame(schema=self._frame_columns())
        return frame.sort("start")

    def _frame_columns(self) -> list[str]:
        return ["start", "date", "partial", *self.query.metrics]

    def _frame_rows(self) -> list[dict[str, Any]]:
        """Rows for a dataframe: ``start`` stays a datetime, unlike in to_dicts()."""
        return [
            {
                "start": p.start,
                "date": p.date,
                "partial": p.partial,
                **p.as_dict(self.query.metrics),
            }
            for p in self
        ]


def _agree(total: Number | None, expected: Number | None, rel_tol: float, abs_tol: float) -> bool:
    if total is None or expected is None:
        return total is None and expected is None
    if type(total) is int and type(expected) is int:
        return total == expected
    try:
        return math.isclose(total, expected, rel_tol=rel_tol, abs_tol=abs_tol)
    except OverflowError:  # an int too large for a float: compare exactly
        return Decimal(total) == Decimal(expected)


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
    row.update(point.as_dict(metrics))
    return row
