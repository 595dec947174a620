from typing import Literal

GetV1SessionsHistoryMetricsType1Item = Literal[
    "ai_steps",
    "credits_used",
    "network_bytes_total",
    "proxy_bytes",
    "screenshots",
    "session_count",
    "session_hours",
]

GET_V1_SESSIONS_HISTORY_METRICS_TYPE_1_ITEM_VALUES: set[
    GetV1SessionsHistoryMetricsType1Item
] = {
    "ai_steps",
    "credits_used",
    "network_bytes_total",
    "proxy_bytes",
    "screenshots",
    "session_count",
    "session_hours",
}


def check_get_v1_sessions_history_metrics_type_1_item(
    value: str,
) -> GetV1SessionsHistoryMetricsType1Item:
    if value in GET_V1_SESSIONS_HISTORY_METRICS_TYPE_1_ITEM_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {GET_V1_SESSIONS_HISTORY_METRICS_TYPE_1_ITEM_VALUES!r}"
    )
