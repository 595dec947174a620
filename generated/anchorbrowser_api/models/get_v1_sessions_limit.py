from typing import Literal

GetV1SessionsLimit = Literal[10, 20, 50]

GET_V1_SESSIONS_LIMIT_VALUES: set[GetV1SessionsLimit] = {
    10,
    20,
    50,
}


def check_get_v1_sessions_limit(value: int) -> GetV1SessionsLimit:
    if value in GET_V1_SESSIONS_LIMIT_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {GET_V1_SESSIONS_LIMIT_VALUES!r}"
    )
