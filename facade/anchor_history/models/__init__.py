"""The values the library hands back: frozen, typed, and without I/O.

``history.py`` holds a History and its points, pages and summary; ``plan.py``
the plan from ``GET /v1/billing``; ``writers.py`` how a History is written
(JSON, NDJSON, CSV, Parquet, dataframes), called by History's own methods.
"""

from __future__ import annotations

from .history import (
    History,
    HistoryPage,
    HistoryPoint,
    HistoryQuery,
    HistorySummary,
    Number,
    Pagination,
    TotalMismatch,
    exact_sum,
    metric_names,
)
from .plan import UNLIMITED, Plan, billing_period_span

__all__ = [
    "UNLIMITED",
    "History",
    "HistoryPage",
    "HistoryPoint",
    "HistoryQuery",
    "HistorySummary",
    "Number",
    "Pagination",
    "Plan",
    "TotalMismatch",
    "billing_period_span",
    "exact_sum",
    "metric_names",
]
