"""Contains all the data models used in inputs/outputs"""

from .billing_info import BillingInfo
from .billing_info_response import BillingInfoResponse
from .error_response import ErrorResponse
from .error_response_error import ErrorResponseError
from .get_v1_sessions_history_granularity import GetV1SessionsHistoryGranularity
from .get_v1_sessions_history_metrics_type_1_item import (
    GetV1SessionsHistoryMetricsType1Item,
)
from .get_v1_sessions_limit import GetV1SessionsLimit
from .get_v1_sessions_sort_order import GetV1SessionsSortOrder
from .session_history_data_point import SessionHistoryDataPoint
from .session_history_page_item import SessionHistoryPageItem
from .session_history_page_item_used_credits_type_2 import (
    SessionHistoryPageItemUsedCreditsType2,
)
from .session_history_page_item_user_configuration import (
    SessionHistoryPageItemUserConfiguration,
)
from .session_history_page_response import SessionHistoryPageResponse
from .session_history_page_response_data import SessionHistoryPageResponseData
from .session_history_pagination import SessionHistoryPagination
from .session_history_response import SessionHistoryResponse
from .session_history_summary import SessionHistorySummary

__all__ = (
    "BillingInfo",
    "BillingInfoResponse",
    "ErrorResponse",
    "ErrorResponseError",
    "GetV1SessionsHistoryGranularity",
    "GetV1SessionsHistoryMetricsType1Item",
    "GetV1SessionsLimit",
    "GetV1SessionsSortOrder",
    "SessionHistoryDataPoint",
    "SessionHistoryPageItem",
    "SessionHistoryPageItemUsedCreditsType2",
    "SessionHistoryPageItemUserConfiguration",
    "SessionHistoryPageResponse",
    "SessionHistoryPageResponseData",
    "SessionHistoryPagination",
    "SessionHistoryResponse",
    "SessionHistorySummary",
)
