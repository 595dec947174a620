from typing import Literal

GetV1SessionsHistoryGranularity = Literal["day", "hour", "month", "week"]

GET_V1_SESSIONS_HISTORY_GRANULARITY_VALUES: set[GetV1SessionsHistoryGranularity] = {
    "day",
    "hour",
    "month",
    "week",
}


def check_get_v1_sessions_history_granularity(
    value: str,
) -> GetV1SessionsHistoryGranularity:
    if value in GET_V1_SESSIONS_HISTORY_GRANULARITY_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {GET_V1_SESSIONS_HISTORY_GRANULARITY_VALUES!r}"
    )
