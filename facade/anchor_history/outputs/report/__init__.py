"""A self-contained usage report: one HTML file to open offline or send by mail.

No request leaves the page: the styles are inline and every chart is an inline
SVG. It holds a headline per metric (the window's total and its change against
the span before), the budgets with their forecast range, the anomalies, a chart
per metric and the table of periods. :func:`write_report` writes it, or, for a
``.png`` path, the same dashboard as one image for chat channels.
"""

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, tzinfo
from typing import Any

from attrs import evolve, frozen

from ...calendar.boundaries import LAST_MS
from ...calendar.windows import DateLike, parse_as_of
from ...errors import PlanUnavailableError
from ...insights.anomalies import Anomaly, detect_anomalies
from ...insights.breakdown_values import Breakdown
from ...insights.budgets import Budget, BudgetReport, check_budgets
from ...insights.causes import Cause
from ...insights.compare import (
    Comparison,
    Span,
    SpanCosts,
    compare_spans,
    span_cost,
    span_totals,
)
from ...insights.plan_check import PlanReport, check_plan
from ...models.history import History
from ...periods import HistorySource, fetch_periods
from ...pricing import PriceList
from ..table import format_value
from .html import marks, render_html
from .spans import headlines, previous_held_in_part, span_before, span_text

__all__ = ["ReportData", "gather_report", "headlines", "render_html", "write_report"]

DEFAULT_METRICS = ("session_count", "credits_used", "session_hours", "proxy_bytes")


@frozen
class ReportData:
    history: History
    comparison: Comparison
    budgets: BudgetReport | None
    anomalies: tuple[Anomaly, ...]
    generated: datetime
    # Periods the anomaly search could not judge: too little history before them.
    anomalies_skipped: int = 0
    plan: PlanReport | None = None
    plan_note: str | None = None  # why the plan is not shown, when it was asked for
    # Why the span before is not comparable, when it is not: a store that holds it
    # only in part, or an account whose usage began inside it.
    previous_gap: str = "is held only in part"
    # Who spent it (from the sessions, filled by the command): each anomaly's causes
    # by its index, the top tags and keys (by tag, by key, by key and day), or why not.
    causes: Mapping[int, Mapping[str, tuple[Cause, ...]]] | None = None
    causes_note: str | None = None
    who: tuple[Breakdown, Breakdown, Breakdown] | None = None
    who_note: str | None = None


def gather_report(
    source: HistorySource,
    from_date: DateLike = "90d",
    granularity: str = "day",
    metrics: Sequence[str] | str = DEFAULT_METRICS,
    *,
    to_date: DateLike | None = None,
    tz: str | tzinfo | None = None,
    budgets: Sequence[Budget] = (),
    plan: bool = False,
    prices: PriceList | None = None,
    as_of: DateLike | None = None,
    now: datetime | None = None,
    **fetch_options: Any,
) -> ReportData:
    """Everything the report shows: whole periods of the window (in ``tz``), the
    span before it, budgets (when given) and anomalies by day (by hour for an
    hourly report)."""
    moment = parse_as_of(as_of, now=now or datetime.now(UTC))
    history = fetch_periods(
        source, from_date, to_date, granularity, metrics, tz=tz, now=moment, **fetch_options
    )
    start, end = history.query.from_date, min(history.query.to_date + LAST_MS, moment)
    before = span_before(start, end, history.tz)
    previous = span_totals(source, before, history.query.metrics, **fetch_options)
    gap = "is held only in part"
    if previous_held_in_part(source, before, history.query.metrics, **fetch_options):
        previous = Span(before[0], before[1], dict.fromkeys(history.query.metrics, None))
        gap = "starts before the account's first usage"
    comparison = compare_spans(Span(start, end, dict(history.totals())), previous)
    if prices is not None:  # the headline in money: each span's credits, priced
        costs = [
            span_cost(source, span, prices, **fetch_options) for span in ((start, end), before)
        ]
        if previous.values and all(v is None for v in previous.values.values()):
            costs[1] = None  # held only in part: not comparable
        cost = SpanCosts(costs[0], costs[1], prices.currency, prices.rule())
        comparison = evolve(comparison, cost=cost)
    report = (
        check_budgets(source, budgets, now=moment, prices=prices, **fetch_options)
        if budgets
        else None
    )
    _, scan = detect_anomalies(
        source,
        from_date,
        to_date,
        "hour" if granularity == "hour" else "day",
        history.query.metrics,
        now=moment,
        **fetch_options,
    )
    plan_report, plan_note = None, None
    if plan:
        try:
            plan_report = check_plan(source, now=moment, deadline=fetch_options.get("deadline"))
        except PlanUnavailableError as error:
            plan_note = str(error)
    return ReportData(
        history,
        comparison,
        report,
        scan.anomalies,
        moment,
        scan.skipped_periods,
        plan_report,
        plan_note,
        gap,
    )


def write_report(data: ReportData, path: str) -> None:
    """``.html``: the page; ``.png``: the same dashboard as one image."""
    if path.lower().endswith(".png"):
        from ..chart import write_image

        tz = data.history.tz
        current = data.comparison.current
        header = [f"AnchorBrowser usage, {span_text(current.start, current.end, tz)}"]
        header += [f"{m}: {total}  ({change})" for m, total, change in headlines(data)]
        if data.budgets is not None:
            header += [
                f"budget {b.metric}: {b.status.replace('_', ' ')}, forecast "
                f"{format_value(b.metric, b.forecast.value)} of {format_value(b.metric, b.limit)}"
                for b in data.budgets.budgets
            ]
        header.append(f"anomalies: {len(data.anomalies)} (ringed in red)")
        write_image(data.history, path, header=header, marks=marks(data))
        return
    with open(path, "w", encoding="utf-8") as out:
        out.write(render_html(data))
