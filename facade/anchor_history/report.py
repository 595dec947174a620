"""A self-contained usage report: one HTML file to open offline or send by mail.

No request leaves the page: the styles are inline and every chart is an inline
SVG. It holds a headline per metric (the window's total and its change against
the span before), the budgets with their forecast range, the anomalies, a chart
per metric and the table of periods. :func:`write_report` writes it, or, for a
``.png`` path, the same dashboard as one image for chat channels.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from attrs import frozen

from .anomalies import Anomaly, detect_anomalies
from .budgets import Budget, BudgetReport, check_budgets
from .chart_marks import ChartMarks, chart_marks
from .compare import Comparison, Span, compare_spans, span_totals
from .dates import DateLike
from .models import History
from .periods import HistorySource, fetch_periods
from .render import format_value, period_label
from .zones import period_after, period_floor, zone_name

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


def gather_report(
    source: HistorySource,
    from_date: DateLike = "90d",
    granularity: str = "day",
    metrics: Sequence[str] | str = DEFAULT_METRICS,
    *,
    to_date: DateLike | None = None,
    tz: str | tzinfo | None = None,
    budgets: Sequence[Budget] = (),
    now: datetime | None = None,
    **fetch_options: Any,
) -> ReportData:
    """Everything the report shows: whole periods of the window (in ``tz``), the
    span before it, budgets (when given) and anomalies by day (by hour for an
    hourly report)."""
    moment = now or datetime.now(UTC)
    history = fetch_periods(
        source, from_date, to_date, granularity, metrics, tz=tz, now=moment, **fetch_options
    )
    start, end = history.query.from_date, min(history.query.to_date + _LAST_MS, moment)
    before = span_before(start, end, history.tz)
    previous = span_totals(source, before, history.query.metrics, **fetch_options)
    if previous_held_in_part(source, before, history.query.metrics, **fetch_options):
        previous = Span(before[0], before[1], dict.fromkeys(history.query.metrics, None))
    comparison = compare_spans(Span(start, end, dict(history.totals())), previous)
    report = check_budgets(source, budgets, now=moment, **fetch_options) if budgets else None
    _, scan = detect_anomalies(
        source,
        from_date,
        to_date,
        "hour" if granularity == "hour" else "day",
        history.query.metrics,
        now=moment,
        **fetch_options,
    )
    return ReportData(history, comparison, report, scan.anomalies, moment, scan.skipped_periods)


_LAST_MS = timedelta(milliseconds=1)  # a window's end is its last millisecond


def span_before(start: datetime, end: datetime, tz: tzinfo) -> tuple[datetime, datetime]:
    """The span a report compares against: the same number of months before a
    window of whole months in ``tz`` (October against September), else a span as
    long, just before."""
    if start == period_floor(start, "month", tz) and end == period_floor(end, "month", tz):
        first, months = start, 0
        while first < end:
            first, months = period_after(first, "month", tz), months + 1
        back = start
        for _ in range(months):
            back = period_floor(back - _LAST_MS, "month", tz)
        return back, start
    return start - (end - start), start


def previous_held_in_part(
    source: HistorySource,
    span: tuple[datetime, datetime],
    metrics: Sequence[str],
    **fetch_options: Any,
) -> bool:
    """True when the span before the report's starts before the account's usage
    does: a run of days with nothing at all in any metric, over a tenth of the
    span (and over two days), then usage. A young account's first month set
    against the weeks before it is not a +164% rise. (A store that holds the
    span only in part already answers None.)"""
    from .store import NotHeldError

    start, end = span
    if end - start < timedelta(days=3):
        return False
    try:
        days = fetch_periods(
            source, start, end, "day", tuple(metrics), exact=True, now=end, **fetch_options
        )
    except NotHeldError:
        return True
    empty = timedelta(0)
    for point in days:
        if any(point.as_dict(metrics).values()):
            break
        empty += timedelta(days=1)
    else:
        return False  # nothing used at all: 'no earlier data', said as such
    return empty > max(timedelta(days=2), (end - start) / 10)


def span_text(start: datetime, end: datetime, tz: tzinfo) -> str:
    """``2026-10-01 to 2026-10-31 (Europe/Berlin)``: the days of [start, end), the
    last one inclusive, as a person reads a span."""
    last = (end - _LAST_MS).astimezone(tz)
    return f"{start.astimezone(tz):%Y-%m-%d} to {last:%Y-%m-%d} ({zone_name(tz)})"


def headlines(data: ReportData) -> list[tuple[str, str, str]]:
    """(metric, total, change) for each metric:
    ``('credits_used', '25,760.58', '▲ +3.4% on 2026-07-03 to 2026-09-01 (UTC)')``."""
    rows = []
    tz = data.history.tz
    before = data.comparison.previous
    span = span_text(before.start, before.end, tz)
    for metric, change in data.comparison.change.items():
        total = format_value(metric, data.comparison.current.values.get(metric))
        if data.comparison.current.values.get(metric) is None:
            shown = "-"  # the server sent no value for it
        elif before.values.get(metric) is None:
            shown = f"not comparable: {span} is held only in part"
        elif change.percent is None:
            shown = f"no earlier data in {span}"
        else:
            arrow = "▲" if change.percent > 0 else ("▼" if change.percent < 0 else "=")
            shown = f"{arrow} {change.percent:+.1f}% on {span}"
        rows.append((metric, total, shown))
    return rows


def _e(value: object) -> str:
    return html.escape(str(value))


_STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:1000px;
color:#1d2330;padding:0 1rem}h1{font-size:1.5rem;margin-bottom:.2rem}h2{font-size:1.15rem;
margin-top:2rem;border-bottom:1px solid #dde;padding-bottom:.3rem}.sub{color:#5a6272}
.cards{display:flex;flex-wrap:wrap;gap:.8rem}.card{border:1px solid #dde;border-radius:8px;
padding:.7rem 1rem;min-width:200px}.card .name{color:#5a6272;font-size:.85rem}.card .value{
font-size:1.4rem;font-weight:600}.card .change{font-size:.85rem}table{border-collapse:collapse;
font-size:.9rem}td,th{padding:.25rem .7rem;border-bottom:1px solid #eef;text-align:right}
td:first-child,th:first-child{text-align:left}.ok{color:#1a7f37}.at_risk{color:#b35900;
font-weight:600}.over{color:#c62828;font-weight:600}.chart svg{width:100%;height:auto}
"""


def render_html(data: ReportData) -> str:
    from .chart import svg_text

    history, tz = data.history, data.history.tz
    q = history.query
    start, end = data.comparison.current.start, data.comparison.current.end
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>AnchorBrowser usage, {_e(span_text(start, end, tz))}</title>",
        f"<style>{_STYLE}</style></head><body>",
        "<h1>AnchorBrowser usage</h1>",
        f'<p class="sub">{_e(span_text(start, end, tz))}, by {_e(q.granularity)}; generated '
        f"{data.generated:%Y-%m-%d %H:%M} UTC</p>",
        '<div class="cards">',
    ]
    for metric, total, change in headlines(data):
        parts.append(
            f'<div class="card"><div class="name">{_e(metric)}</div>'
            f'<div class="value">{_e(total)}</div><div class="change">{_e(change)}</div></div>'
        )
    parts.append("</div>")
    if data.budgets is not None:
        parts += _budget_section(data.budgets)
    parts.append("<h2>Anomalies</h2>")
    if data.anomalies:
        parts.append(
            "<table><tr><th>period</th><th>metric</th><th>value</th>"
            "<th>expected</th><th>score</th></tr>"
        )
        by = "hour" if q.granularity == "hour" else "day"
        for a in data.anomalies:
            parts.append(
                f"<tr><td>{_e(period_label(a.start, by, tz))}</td><td>{_e(a.metric)}</td>"
                f"<td>{_e(format_value(a.metric, a.value))}</td>"
                f"<td>{_e(format_value(a.metric, round(a.expected, 2)))}</td>"
                f"<td>{a.score:+.1f}</td></tr>"
            )
        parts.append("</table>")
    else:
        parts.append("<p>None: every period is within what its history predicts.</p>")
    if data.anomalies_skipped:
        parts.append(
            f'<p class="sub">{data.anomalies_skipped:,} periods not judged: too little '
            "history before them (before the first usage, or too few periods like them).</p>"
        )
    parts.append("<h2>By " + _e(q.granularity) + "</h2>")
    marks = _marks(data)
    for metric in q.metrics:
        parts.append(
            f'<div class="chart" role="img" aria-label="{_e(metric)}">'
            f"{svg_text(history, metric, marks)}</div>"
        )
    parts += _period_table(history)
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _marks(data: ReportData) -> ChartMarks:
    """The anomalies, and the budgets when the report's span is their period."""
    q = data.history.query
    return chart_marks(data.anomalies, data.budgets, (q.from_date, min(q.to_date, data.generated)))


def _budget_section(report: BudgetReport) -> list[str]:
    start, end = report.period
    out = [
        f"<h2>Budgets, {start:%Y-%m-%d} to {end:%Y-%m-%d} (UTC)</h2>",
        "<table><tr><th>metric</th><th>limit</th><th>used</th><th>forecast</th>"
        "<th>90% range</th><th>status</th></tr>",
    ]
    for b in report.budgets:
        f, m = b.forecast, b.metric
        out.append(
            f"<tr><td>{_e(m)}</td><td>{_e(format_value(m, b.limit))}</td>"
            f"<td>{_e(format_value(m, f.used))}</td><td>{_e(format_value(m, f.value))}</td>"
            f"<td>{_e(format_value(m, f.low))} - {_e(format_value(m, f.high))}</td>"
            f'<td class="{_e(b.status)}">{_e(b.status.replace("_", " "))}</td></tr>'
        )
    out.append("</table>")
    methods = sorted({b.forecast.method for b in report.budgets})
    out.append(f'<p class="sub">Forecast: {_e("; ".join(methods))}.</p>')
    return out


def _period_table(history: History) -> list[str]:
    q = history.query
    head = "".join(f"<th>{_e(m)}</th>" for m in q.metrics)
    out = [f"<h2>Periods</h2><table><tr><th>period ({_e(zone_name(history.tz))})</th>{head}</tr>"]
    for p in history.points:
        cells = "".join(f"<td>{_e(format_value(m, getattr(p, m)))}</td>" for m in q.metrics)
        mark = " *" if p.partial else ""
        out.append(
            f"<tr><td>{_e(period_label(p.start, q.granularity, history.tz))}{mark}</td>{cells}</tr>"
        )
    out.append("</table>")
    if any(p.partial for p in history.points):
        out.append('<p class="sub">* partial period: still in progress, or cut by the window.</p>')
    return out


def write_report(data: ReportData, path: str) -> None:
    """``.html``: the page; ``.png``: the same dashboard as one image."""
    if path.lower().endswith(".png"):
        from .chart import write_image

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
        write_image(data.history, path, header=header, marks=_marks(data))
        return
    with open(path, "w", encoding="utf-8") as out:
        out.write(render_html(data))
