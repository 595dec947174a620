"""The spec's vocabulary for the history operation: its metrics and granularities
(from the generated enums) and the summary's name for each metric's total.

Apart from ``wire`` so that both roads that read a page (``pages``, ``fast_pages``)
and the request builder take it from one place without importing each other.
"""

from __future__ import annotations

from typing import get_args

from anchorbrowser_api.models.get_v1_sessions_history_granularity import (
    GetV1SessionsHistoryGranularity as Granularity,
)
from anchorbrowser_api.models.get_v1_sessions_history_granularity import (
    check_get_v1_sessions_history_granularity as check_granularity,
)
from anchorbrowser_api.models.get_v1_sessions_history_metrics_type_1_item import (
    GetV1SessionsHistoryMetricsType1Item as Metric,
)
from anchorbrowser_api.models.get_v1_sessions_history_metrics_type_1_item import (
    check_get_v1_sessions_history_metrics_type_1_item as check_metric,
)

from ...models.history import metric_names

__all__ = [
    "GRANULARITIES",
    "METRICS",
    "SUMMARY_FIELDS",
    "Granularity",
    "Metric",
    "check_granularity",
    "check_metric",
]

# In the spec's order (HistoryPoint declares its metrics in it; the generated
# Literal is alphabetical), any metric the hand-written types lack at the end.
METRICS: tuple[str, ...] = tuple(
    [m for m in metric_names() if m in get_args(Metric)]
    + sorted(set(get_args(Metric)) - set(metric_names()))
)
GRANULARITIES: tuple[str, ...] = get_args(Granularity)

# The summary names its totals after the metrics, but session_count's total is
# "total_sessions". A test checks every metric maps to a field of the generated model.
SUMMARY_FIELDS: dict[str, str] = {
    m: "total_sessions" if m == "session_count" else f"total_{m}" for m in METRICS
}
