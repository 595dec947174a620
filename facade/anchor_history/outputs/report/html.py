"""The report as one HTML page: inline styles, inline SVG charts, nothing loaded."""

from __future__ import annotations

import html
from datetime import UTC
from typing import TYPE_CHECKING, Any

from ...calendar.zones import zone_name
from ...insights.budgets import BudgetReport
from ...insights.plan_check import PlanReport
from ...models.history import History
from ..chart_marks import ChartMarks, chart_marks
from ..table import format_cause, format_value, period_label
from .spans import headlines, span_text
from .who import who_section

if TYPE_CHECKING:
    from . import ReportData

__all__ = ["marks", "render_html"]


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
    from ..chart import svg_text

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
        f'<p class="sub">{_e(span_text(start, end, tz))}, by {_e(q.granularity)}; as of '
        f"{data.generated:%Y-%m-%d %H:%M} UTC</p>",
        '<div class="cards">',
    ]
    for metric, total, change in headlines(data):
        parts.append(
            f'<div class="card"><div class="name">{_e(metric)}</div>'
            f'<div class="value">{_e(total)}</div><div class="change">{_e(change)}</div></div>'
        )
    parts.append("</div>")
    if data.plan is not None:
        parts += _plan_section(data.plan)
    elif data.plan_note:
        parts.append(f'<h2>Plan</h2><p class="sub">Not shown: {_e(data.plan_note)}.</p>')
    if data.budgets is not None:
        parts += _budget_section(data.budgets)
    parts.append("<h2>Anomalies</h2>")
    if data.anomalies:
        causes = data.causes or {}
        parts.append(
            "<table><tr><th>period</th><th>metric</th><th>value</th>"
            "<th>expected</th><th>score</th>"
            + ("<th>first cause (share of the excess)</th>" if causes else "")
            + "</tr>"
        )
        by = "hour" if q.granularity == "hour" else "day"
        for i, a in enumerate(data.anomalies):
            first = (causes.get(i) or {}).get("api_key") or ()
            shown = format_cause(first[0], a.metric) if first else "-"
            cause = f"<td>{_e(shown)}</td>" if causes else ""
            parts.append(
                f"<tr><td>{_e(period_label(a.start, by, tz))}</td><td>{_e(a.metric)}</td>"
                f"<td>{_e(format_value(a.metric, a.value))}</td>"
                f"<td>{_e(format_value(a.metric, round(a.expected, 2)))}</td>"
                f"<td>{a.score:+.1f}</td>{cause}</tr>"
            )
        parts.append("</table>")
        if data.causes_note:
            parts.append(f'<p class="sub">Causes unknown: {_e(data.causes_note)}.</p>')
    else:
        parts.append("<p>None: every period is within what its history predicts.</p>")
    if data.anomalies_skipped:
        parts.append(
            f'<p class="sub">{data.anomalies_skipped:,} periods not judged: too little '
            "history before them (before the first usage, or too few periods like them).</p>"
        )
    parts += who_section(data.who, data.who_note)
    parts.append("<h2>By " + _e(q.granularity) + "</h2>")
    chart = marks(data)
    for metric in q.metrics:
        parts.append(
            f'<div class="chart" role="img" aria-label="{_e(metric)}">'
            f"{svg_text(history, metric, chart)}</div>"
        )
    parts += _period_table(history)
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def marks(data: ReportData) -> ChartMarks:
    """The anomalies, and the budgets when the report's span is their period."""
    q = data.history.query
    return chart_marks(data.anomalies, data.budgets, (q.from_date, min(q.to_date, data.generated)))


def _plan_section(report: PlanReport) -> list[str]:
    """The plan, what is left of it, and whether the history adds up to the bill."""
    plan, f, r = report.plan, report.forecast, report.reconciliation
    start, end = plan.billing_period

    def credits(value: float | None) -> str:
        return "-" if value is None else format_value("credits_used", value)

    def when(moment: Any) -> str:
        return "not this period" if moment is None else f"{moment:%b %d %H:%M} UTC"

    rows = [
        ("tier", _e(plan.tier)),
        ("included credits", credits(plan.included_credits)),
        ("used", credits(plan.credits_used)),
        ("left before overage", credits(plan.credits_left_included)),
        ("overage so far", credits(plan.overage_credits)),
        ("cost limit", credits(plan.cost_limit) if plan.cost_limit is not None else "none"),
        ("forecast at period end", f"{credits(f.value)} ({credits(f.low)} - {credits(f.high)})"),
        ("included credits run out", when(report.included_exhausts_at)),
        ("cost limit runs out", when(report.cost_limit_exhausts_at)),
    ]
    verdict = "agrees" if r.agrees else "DISAGREES"
    percent = "n/a" if r.percent is None else f"{r.percent:+.2f}%"
    out = [f"<h2>Plan, {_e(span_text(start, end, UTC))}</h2><table>"]
    out += [f"<tr><td>{_e(name)}</td><td>{_e(value)}</td></tr>" for name, value in rows]
    out.append("</table>")
    out.append(
        f'<p class="sub">The history\'s credits over the period, {_e(credits(r.history_credits))}, '
        f"against the plan's {_e(credits(r.plan_credits))}: {_e(percent)}, {verdict}.</p>"
    )
    return out


def _budget_section(report: BudgetReport) -> list[str]:
    start, end = report.period
    out = [
        f"<h2>Budgets, {_e(span_text(start, end, UTC))}</h2>",
        "<table><tr><th>metric</th><th>limit</th><th>used</th><th>forecast</th>"
        "<th>90% range</th><th>pace</th><th>runs out (UTC)</th><th>status</th></tr>",
    ]
    for b in report.budgets:
        f, m = b.forecast, b.metric
        pace = "-" if b.pace is None else f"{b.pace:.2f}"
        runs_out = "not this period" if b.exhausts_at is None else f"{b.exhausts_at:%b %d %H:%M}"
        out.append(
            f"<tr><td>{_e(m)}</td><td>{_e(format_value(m, b.limit))}</td>"
            f"<td>{_e(format_value(m, f.used))}</td><td>{_e(format_value(m, f.value))}</td>"
            f"<td>{_e(format_value(m, f.low))} - {_e(format_value(m, f.high))}</td>"
            f"<td>{_e(pace)}</td><td>{_e(runs_out)}</td>"
            f'<td class="{_e(b.status)}">{_e(b.status.replace("_", " "))}</td></tr>'
        )
    out.append("</table>")
    methods = sorted({b.forecast.method for b in report.budgets})
    out.append(
        f'<p class="sub">Forecast: {_e("; ".join(methods))}. Pace: used over the limit, '
        "divided by the share of the period gone (1.00 = on track).</p>"
    )
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
