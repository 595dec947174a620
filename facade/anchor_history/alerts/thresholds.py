"""Thresholds: ``actual:80`` (80% of the limit used so far) or ``forecast:100``
(the period-end forecast at the limit), and ``--remind`` durations. Pure."""

from __future__ import annotations

import math
import re
from datetime import timedelta
from decimal import Decimal

from attrs import frozen

from ..errors import InvalidInputError
from ..insights.budgets import BudgetResult

__all__ = ["DEFAULT_THRESHOLDS", "KINDS", "Threshold", "parse_duration", "parse_threshold"]

KINDS = ("actual", "forecast")


@frozen
class Threshold:
    kind: str  # "actual": used so far; "forecast": the period-end forecast
    percent: float  # of the limit

    @property
    def label(self) -> str:
        return f"{self.kind}:{self.percent:g}"

    def crossed(self, result: BudgetResult) -> bool:
        """The use so far (``actual``) or the forecast at or past the threshold; a
        budget in money is judged in money, exactly."""
        money = result.money
        if money is not None:
            amount = money.used if self.kind == "actual" else money.value
            return amount * 100 >= money.limit * Decimal(repr(self.percent))
        watched = result.forecast.used if self.kind == "actual" else result.forecast.value
        return watched >= result.limit * self.percent / 100


# AWS Budgets' usual set: a warning at 80%, the limit reached, and the forecast over it.
DEFAULT_THRESHOLDS = (
    Threshold("actual", 80.0),
    Threshold("actual", 100.0),
    Threshold("forecast", 100.0),
)


def parse_threshold(text: str) -> Threshold:
    """``actual:80`` or ``forecast:100`` (percent of the limit; ``%`` allowed).

    >>> parse_threshold("forecast:100%")
    Threshold(kind='forecast', percent=100.0)
    """
    kind, sep, number = str(text).strip().partition(":")
    kind = kind.strip().lower()
    if not sep or kind not in KINDS:
        raise InvalidInputError(
            "alert", f"{text!r} is not KIND:PERCENT with KIND actual or forecast, e.g. actual:80"
        )
    try:
        percent = float(number.strip().rstrip("%"))
    except ValueError:
        percent = math.nan
    if not 0 < percent < math.inf:
        raise InvalidInputError("alert", f"{text!r}: the percent must be a number > 0, e.g. 80")
    return Threshold(kind, percent)


_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(m|min|h|d|w)\s*$", re.IGNORECASE)
_UNITS = {"m": "minutes", "min": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_duration(text: str) -> timedelta:
    """``24h``, ``90m``, ``2d``, ``1w``.

    >>> parse_duration("24h")
    datetime.timedelta(days=1)
    """
    match = _DURATION.match(str(text))
    if not match or float(match.group(1)) <= 0:
        raise InvalidInputError("remind", f"{text!r} is not a duration like 24h, 90m, 2d or 1w")
    return timedelta(**{_UNITS[match.group(2).lower()]: float(match.group(1))})
