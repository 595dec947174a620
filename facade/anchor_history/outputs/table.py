"""Pure text rendering for the terminal: periods, numbers, bytes, and the table.

>>> format_bytes(1536)
'1.5 KiB'
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime, tzinfo
from decimal import Decimal
from typing import Any

from ..calendar.zones import zone_name
from ..metrics import is_byte_metric
from ..models.history import History, Number

__all__ = [
    "PARTIAL_NOTE",
    "align",
    "format_bytes",
    "format_cause",
    "format_period",
    "format_value",
    "period_label",
    "render_table",
]

PARTIAL_MARK = "*"
PARTIAL_NOTE = "* partial period: still in progress, or cut by the window's start or end"

_UNITS = ("B", "KiB", "MiB", "GiB", "TiB", "PiB")


def format_period(start: datetime, granularity: str) -> str:
    """``2026-11-24 13:00``, ``2026-11-24``, ``2026-W48`` or ``2026-11``."""
    if granularity == "hour":
        return start.strftime("%Y-%m-%d %H:%M")
    if granularity == "week":
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    if granularity == "month":
        return start.strftime("%Y-%m")
    return start.strftime("%Y-%m-%d")


def period_label(start: datetime, granularity: str, tz: tzinfo = UTC) -> str:
    """The period as its zone's calendar names it (``start`` is a UTC instant).

    Where the wall clock repeats (the hour a daylight-saving time ends), an
    hour carries its zone's abbreviation, or its offset, so the two differ:

    >>> from zoneinfo import ZoneInfo
    >>> berlin = ZoneInfo("Europe/Berlin")
    >>> [period_label(datetime(2026, 10, 25, h, tzinfo=UTC), "hour", berlin) for h in (0, 1)]
    ['2026-10-25 02:00 CEST', '2026-10-25 02:00 CET']
    """
    local = start.astimezone(tz)
    label = format_period(local, granularity)
    if granularity == "hour" and _repeats(local):
        name = local.tzname() or ""
        label += " " + (
            name if name.isalpha() else local.strftime("%z")[:3] + ":" + local.strftime("%z")[3:]
        )
    return label


def _repeats(local: datetime) -> bool:
    """True when this wall-clock time happens twice in its zone."""
    other = local.replace(fold=1 - local.fold)
    return other.utcoffset() != local.utcoffset()


def format_bytes(value: Number) -> str:
    amount = float(value)
    for unit in _UNITS:
        if abs(amount) < 1024 or unit == _UNITS[-1]:
            return f"{int(amount):,} B" if unit == "B" else f"{amount:,.1f} {unit}"
        amount /= 1024
    raise AssertionError("unreachable")


def format_value(metric: str, value: Number | None) -> str:
    if value is None:
        return "-"
    if is_byte_metric(metric):
        return format_bytes(value)
    if metric == "session_hours":
        return f"{value:,.1f}"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.2f}"
    return f"{int(value):,}"


def format_cause(cause: Any, metric: str) -> str:
    """An anomaly's cause in a line: ``api_key backfill-job +1,206 (96%)``."""
    excess = format_value(metric, abs(cause.excess))
    share = "" if cause.share is None else f" ({cause.share:.0%})"
    return f"{cause.by} {cause.key} {'+' if cause.excess >= 0 else '-'}{excess}{share}"


def format_money(amount: Decimal, currency: str) -> str:
    """``1,234.57``: to the currency's minor unit (ISO 4217), half even; only when shown."""
    from ..pricing.prices import minor_unit

    places = minor_unit(currency)
    return f"{amount.quantize(Decimal(1).scaleb(-places)):,.{places}f}"


def render_table(history: History) -> str:
    """One row per period (labelled in the history's zone, a partial one marked
    ``*`` with a footnote), a totals row from the server's summary, and a warning
    line when the points do not add up to that summary."""
    metrics = history.query.metrics
    granularity = history.query.granularity
    header = [f"period ({zone_name(history.tz)})", *metrics]
    rows = [
        [period_label(p.start, granularity, history.tz) + (f" {PARTIAL_MARK}" if p.partial else "")]
        + [format_value(m, getattr(p, m)) for m in metrics]
        for p in history.points
    ]
    total = ["total", *(format_value(m, getattr(history.summary, m)) for m in metrics)]
    if history.costs is not None and history.currency:
        header.append(f"cost ({history.currency})")
        for row, cost in zip(rows, history.costs, strict=True):
            row.append(format_money(cost, history.currency))
        total.append(format_money(sum(history.costs, Decimal(0)), history.currency))
    widths = [max(len(r[i]) for r in [header, *rows, total]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        first = cells[0].ljust(widths[0])
        rest = (c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True))
        return "  ".join([first, *rest]).rstrip()

    rule = "  ".join("-" * w for w in widths)
    out = [line(header), rule, *(line(r) for r in rows)]
    if not rows:
        out.append("(no sessions in this window)")
    out += [rule, line(total)]
    if any(p.partial for p in history.points):
        out.append(PARTIAL_NOTE)
    out += ["warning: " + text for text in warnings(history)]
    return "\n".join(out) + "\n"


def warnings(history: History) -> list[str]:
    """What a reader must know about these numbers: metrics the server did not
    send, and totals that do not add up."""
    found = [
        f"{name} was requested but the server sent no value for it (in no period, "
        "not in the summary); shown as -, not as zero"
        for name in history.missing_metrics()
    ]
    found += [
        mismatch_text(m.metric, m.points_total, m.summary_total) for m in history.mismatches()
    ]
    return found


def align(rows: list[list[str]], left: int = 1, also_left: Collection[int] = ()) -> list[str]:
    """Rows as lines of columns: the first ``left`` columns (and ``also_left``) flush
    left, the rest right.

    >>> align([["metric", "value"], ["credits_used", "5"]])
    ['metric        value', 'credits_used      5']
    """
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(
            cell.ljust(width) if i < left or i in also_left else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in rows
    ]


def mismatch_text(metric: str, points_total: Number | None, summary_total: Number | None) -> str:
    """``credits_used adds up to 10.00 over the periods, but the server's total is 11.00``."""

    def shown(value: Number | None) -> str:
        return "nothing" if value is None else format_value(metric, value)

    server = "missing" if summary_total is None else format_value(metric, summary_total)
    return (
        f"{metric} adds up to {shown(points_total)} over the periods, "
        f"but the server's total is {server}"
    )
