"""Instants and periods: reading a window, zones, where periods begin and end.

Pure functions over ``datetime`` values; nothing here reads the clock (``now``
is always passed in) or knows about the API beyond how it spells a date.
"""

from __future__ import annotations

from .boundaries import (
    BILLING_PERIODS,
    LAST_MS,
    billing_month,
    billing_period,
    month_start,
    period_after,
    period_floor,
)
from .windows import (
    ACCEPTED_FORMS,
    PYTHON_FORMS,
    DateLike,
    is_relative,
    parse_as_of,
    parse_when,
    resolve_window,
)
from .wire import format_api_datetime, parse_bucket_start
from .zones import as_utc, check_whole_hour_zone, zone, zone_name

__all__ = [
    "ACCEPTED_FORMS",
    "BILLING_PERIODS",
    "LAST_MS",
    "PYTHON_FORMS",
    "DateLike",
    "as_utc",
    "billing_month",
    "billing_period",
    "check_whole_hour_zone",
    "format_api_datetime",
    "is_relative",
    "month_start",
    "parse_as_of",
    "parse_bucket_start",
    "parse_when",
    "period_after",
    "period_floor",
    "resolve_window",
    "zone",
    "zone_name",
]
