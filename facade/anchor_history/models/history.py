"""The values the facade returns: frozen, typed, and without I/O (History's
``write_*`` and ``to_*`` methods hand over to :mod:`anchor_history.models.writers`).

``HistoryPoint`` and ``HistorySummary`` carry one attribute per metric of the
spec's enum (a test checks they match the generated enum, so a regenerated spec
with a new metric fails loudly until it is added here).
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, tzinfo
from decimal import Decimal
from typing import Any

from attrs import Factory, field, fields, frozen

from ..calendar.wire import format_api_datetime
from . import writers
from .writers import Output

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
    by the window's start or end. ``local_start`` is ``start`` in the zone asked
    for (``start`` itself when none was). ``date`` is empty for a period the server did
    not list (a quiet period filled with zeros).
    """

    start: datetime = field(kw_only=True)
    date: str = field(kw_only=True)
    partial: bool = field(default=False, kw_only=True)
    # The same instant as ``start``, in the zone the periods are whole in (from
    # fetch_periods(..., tz=...)); ``start`` itself stays UTC, as the API's is.
    local_start: datetime = field(
        kw_only=True, default=Factory(lambda self: self.start, takes_self=True), eq=False
    )


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
    # With a price list (anchor_history.pricing.price_history): each point's cost,
    # exact, in ``currency``. Written as ``cost`` and ``currency`` columns.
    costs: tuple[Decimal, ...] | None = field(default=None, kw_only=True)
    currency: str | None = field(default=None, kw_only=True)

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

    def covers(self, start: datetime, end: datetime) -> bool:
        """True when this answer holds all of [start, end). The API's always holds what
        was asked; a store's is clipped to what it synced, and the rest is unknown."""
        return self.query.from_date <= start and end <= self.query.to_date

    def to_dicts(self, *, raw_dates: bool = False) -> list[dict[str, Any]]:
        """One dict per point: ``start`` (ISO), ``partial``, then the metrics.

        ``start`` is written with ``Z`` in UTC, with the zone's offset otherwise.
        ``raw_dates=True`` adds ``date``, the string the server sent (empty for a
        filled period), after ``start``.
        """
        return writers.rows(self, raw_dates)

    def to_json_dict(self, *, raw_dates: bool = False) -> dict[str, Any]:
        return writers.json_document(self, raw_dates)

    def write_json(self, out: Output, *, raw_dates: bool = False) -> None:
        writers.write_json(self, out, raw_dates)

    def write_ndjson(self, out: Output, *, raw_dates: bool = False) -> None:
        writers.write_ndjson(self, out, raw_dates)

    def write_csv(self, out: Output, *, raw_dates: bool = False) -> None:
        """CSV with a header; ``partial`` as ``true``/``false``, a missing value as empty."""
        writers.write_csv(self, out, raw_dates)

    def write_parquet(self, path: str | os.PathLike[str], *, raw_dates: bool = False) -> None:
        """A Parquet file with ``start`` as a UTC timestamp (needs the ``parquet`` extra)."""
        writers.write_parquet(self, path, raw_dates)

    def to_pandas(self) -> Any:
        """A pandas DataFrame indexed by the UTC ``start`` (needs the ``pandas`` extra)."""
        return writers.to_pandas(self)

    def to_polars(self) -> Any:
        """A polars DataFrame sorted by the UTC ``start`` (needs the ``polars`` extra)."""
        return writers.to_polars(self)


def _agree(total: Number | None, expected: Number | None, rel_tol: float, abs_tol: float) -> bool:
    if total is None or expected is None:
        return total is None and expected is None
    if type(total) is int and type(expected) is int:
        return total == expected
    try:
        return math.isclose(total, expected, rel_tol=rel_tol, abs_tol=abs_tol)
    except OverflowError:  # an int too large for a float: compare exactly
        return Decimal(total) == Decimal(expected)
