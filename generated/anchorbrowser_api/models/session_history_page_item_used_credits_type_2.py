from typing import Literal

SessionHistoryPageItemUsedCreditsType2 = Literal["N/A"]

SESSION_HISTORY_PAGE_ITEM_USED_CREDITS_TYPE_2_VALUES: set[
    SessionHistoryPageItemUsedCreditsType2
] = {
    "N/A",
}


def check_session_history_page_item_used_credits_type_2(
    value: str,
) -> SessionHistoryPageItemUsedCreditsType2:
    if value in SESSION_HISTORY_PAGE_ITEM_USED_CREDITS_TYPE_2_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {SESSION_HISTORY_PAGE_ITEM_USED_CREDITS_TYPE_2_VALUES!r}"
    )
