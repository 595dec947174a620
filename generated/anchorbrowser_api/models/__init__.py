"""Contains all the data models used in inputs/outputs"""

from .billing_info import BillingInfo
from .billing_info_response import BillingInfoResponse
from .error_response import ErrorResponse
from .error_response_error import ErrorResponseError
from .get_v1_sessions_history_granularity import GetV1SessionsHistoryGranularity
from .get_v1_sessions_history_metrics_type_1_item import (
    GetV1SessionsHistoryMetricsType1Item,
)
from .session_history_data_point import SessionHistoryDataPoint
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
    "SessionHistoryDataPoint",
    "SessionHistoryPagination",
    "SessionHistoryResponse",
    "SessionHistorySummary",
)
