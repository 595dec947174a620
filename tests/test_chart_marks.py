"""What the charts show: no date offset, a partial period that is not a cliff, and
in a report each anomaly where it is and a budget over its own period."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from anchor_history.insights.anomalies import Anomaly
from anchor_history.insights.budgets import BudgetReport, BudgetResult
from anchor_history.insights.forecast import Forecast
from anchor_history.models import History, HistoryPoint, HistoryQuery, HistorySummary
from anchor_history.outputs.chart import svg_text
from anchor_history.outputs.chart_marks import chart_marks

NOV = datetime(2026, 11, 1, tzinfo=UTC)
NOW = datetime(2026, 11, 30, 5, tzinfo=UTC)


def days() -> History:
    """Oct 31 to Nov 30, the last day in progress (5 of 24 hours)."""
    start = NOV - timedelta(days=1)
    points = [
        HistoryPoint(session_count=200, start=start + timedelta(days=i), date="") for i in range(30)
    ]
    points.append(HistoryPoint(session_count=40, start=NOW.replace(hour=0), date="", partial=True))
    query = HistoryQuery(start, NOW, "day", ("session_count",))
    return History(tuple(points), HistorySummary(), query)


def budgets(as_of: datetime = NOW) -> BudgetReport:
    outlook = Forecast(used=6000.0, value=7000.0, low=6800.0, high=7200.0, method="test")
    result = BudgetResult("session_count", 15000.0, outlook, "ok")
    return BudgetReport(as_of, (NOV, datetime(2026, 12, 1, tzinfo=UTC)), (result,))


def test_a_daily_chart_has_no_date_offset_and_labels_the_day_so_far() -> None:
    """Oct 31 to Nov 30 carried a '2026-Dec' offset; the day in progress read as a cliff."""
    svg = svg_text(days(), "session_count")
    assert "2026-Dec" not in svg
    assert "so far" in svg


def test_anomalies_are_ringed_where_they_are() -> None:
    spike = Anomaly("session_count", NOV + timedelta(days=19), 1200.0, 200.0, 9.0)
    marks = chart_marks([spike], None, (NOV, NOW))
    assert marks.for_metric("session_count") == ((spike.start,), None)
    assert marks.for_metric("credits_used") == ((), None)
    ringed = svg_text(days(), "session_count", marks)
    plain = svg_text(days(), "session_count")
    assert "#c62828" in ringed
    assert "#c62828" not in plain


def test_a_budget_is_drawn_only_over_its_own_period() -> None:
    this_month = chart_marks([], budgets(), (NOV, NOW))
    _, budget = this_month.for_metric("session_count")
    assert budget is not None
    assert (budget.limit, budget.forecast, budget.low, budget.high) == (15000, 7000, 6800, 7200)
    # The last 30 days are not November: a monthly limit has nothing to say there.
    assert chart_marks([], budgets(), (NOV - timedelta(days=1), NOW)).budgets == {}
    # October's report (to its last millisecond), against November's budget: no.
    october = (datetime(2026, 10, 1, tzinfo=UTC), NOV - timedelta(milliseconds=1))
    assert chart_marks([], budgets(), october).budgets == {}
    svg = svg_text(days(), "session_count", this_month)
    assert "cumulative" in svg
    assert "forecast (90% range)" in svg
