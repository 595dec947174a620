from typing import Literal

GetV1SessionsSortOrder = Literal["asc", "desc"]

GET_V1_SESSIONS_SORT_ORDER_VALUES: set[GetV1SessionsSortOrder] = {
    "asc",
    "desc",
}


def check_get_v1_sessions_sort_order(value: str) -> GetV1SessionsSortOrder:
    if value in GET_V1_SESSIONS_SORT_ORDER_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {GET_V1_SESSIONS_SORT_ORDER_VALUES!r}"
    )
