"""Charts of a History: in the terminal (plotext, ``chart`` extra) or as a PNG or
SVG file (matplotlib, ``png`` extra). Both are imported only when a chart is asked for.

Every chart says what it shows: a unit on the y axis (bytes scaled to one binary
unit, never a ``1e10`` factor), the zone on the x axis, y from zero. Weeks,
months and a lone period are bars; hours and days are lines. A partial period
(in progress, or cut by the window) is a lighter bar, or a dashed segment.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from .._optional import require
from ..calendar.zones import zone_name
from ..metrics import UNIT_NAMES, is_byte_metric
from ..models.history import History
from .chart_marks import ChartMarks, draw_marks
from .table import period_label

__all__ = ["axis_unit", "figure", "svg_text", "terminal_chart", "write_image"]

_BYTE_UNITS = ("B", "KiB", "MiB", "GiB", "TiB", "PiB")


def axis_unit(metric: str, largest: float) -> tuple[float, str]:
    """The divisor and unit label for a metric's axis, chosen from its largest value.

    >>> axis_unit("proxy_bytes", 3 * 1024**3)
    (1073741824, 'GiB')
    >>> axis_unit("credits_used", 12.5)
    (1, 'credits')
    """
    if is_byte_metric(metric):
        power = 0
        while power < len(_BYTE_UNITS) - 1 and largest >= 1024 ** (power + 1):
            power += 1
        return 1024**power, _BYTE_UNITS[power]
    return 1, UNIT_NAMES.get(metric, metric)


def _series(history: History, metric: str) -> tuple[list[float], str]:
    """The metric's values in its axis unit (a missing value drawn as 0), and the unit."""
    raw = [float(getattr(p, metric) or 0) for p in history.points]
    divisor, unit = axis_unit(metric, max(raw, default=0.0))
    return [v / divisor for v in raw], unit


def _short(value: float) -> str:
    """A tick label: ``1,102``, ``35.6``, ``0.25``."""
    if value >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def _as_bars(history: History) -> bool:
    return history.query.granularity in ("week", "month") or len(history.points) < 2


def _tick_positions(count: int, label_width: int, plot_width: int) -> list[int]:
    """Indices of the labels that fit side by side with two spaces between them."""
    if count == 0:
        return []
    fits = max(1, plot_width // (label_width + 2))
    step = max(1, -(-count // fits))
    return list(range(0, count, step))


def terminal_chart(history: History, width: int = 80, height_per_metric: int = 12) -> str:
    """One small chart per metric, stacked, ``width`` columns wide."""
    plt: Any = require("plotext", "chart")
    metrics = history.query.metrics
    granularity = history.query.granularity
    labels = [period_label(p.start, granularity, history.tz) for p in history.points]
    partial = [p.partial for p in history.points]
    xs = list(range(len(labels)))
    plt.clear_figure()
    plt.subplots(len(metrics), 1)
    plt.plotsize(width, height_per_metric * len(metrics))
    for row, metric in enumerate(metrics, start=1):
        plt.subplot(row, 1)
        plt.theme("clear")
        values, unit = _series(history, metric)
        plt.title(f"{metric} ({unit})")
        if not xs:
            continue
        if _as_bars(history):
            whole = [v if not part else 0.0 for v, part in zip(values, partial, strict=True)]
            plt.bar(xs, whole, marker="█", width=0.6)
            if any(partial):
                cut = [v if part else 0.0 for v, part in zip(values, partial, strict=True)]
                plt.bar(xs, cut, marker="░", width=0.6)
            if len(xs) < 4:  # a lone bar stays a bar, not a wall
                plt.xlim(-1.5, len(xs) + 0.5)
        else:
            # A period still in progress is a lone ○, not the end of the line: a
            # line dropping into it would read as a cliff in usage.
            upto = len(xs) - 1 if partial[-1] and len(xs) > 1 else len(xs)
            plt.plot(xs[:upto], values[:upto], marker="braille")
            for i in (i for i, part in enumerate(partial) if part):
                plt.scatter([xs[i]], [values[i]], marker="○")
        top = max(values) or 1.0
        plt.ylim(0, top * 1.08)
        plt.yticks([0, top / 2, top], ["0", _short(top / 2), _short(top)])
        ticks = _tick_positions(len(xs), max(map(len, labels)), width - 12)
        plt.xticks([xs[i] for i in ticks], [labels[i] for i in ticks])
        mark = "░" if _as_bars(history) else "○"
        plt.xlabel(
            f"period ({zone_name(history.tz)})" + (f", {mark} partial" if any(partial) else "")
        )
    text: str = plt.uncolorize(plt.build())  # the "clear" theme still emits ANSI resets
    plt.clear_figure()
    return "\n".join(line.rstrip() for line in text.rstrip().splitlines()) + "\n"


def _pyplot() -> tuple[Any, Any, Any]:
    require("matplotlib", "png")
    import matplotlib

    matplotlib.use("Agg")
    matplotlib.rcParams["svg.fonttype"] = "none"  # SVG text stays text: smaller, searchable
    import matplotlib.pyplot as plt

    return plt, require("matplotlib.dates", "png"), require("matplotlib.ticker", "png")


def _panel(
    ax: Any,
    history: History,
    metric: str,
    mdates: Any,
    ticker: Any,
    marks: ChartMarks | None = None,
) -> None:
    """One metric's chart: bars or a line, its unit on y from zero, the zone's dates
    on x (no offset label: the title and the axis name the span and the zone)."""
    tz, granularity = history.tz, history.query.granularity
    partial = [p.partial for p in history.points]
    values, unit = _series(history, metric)
    if _as_bars(history):
        labels = [period_label(p.start, granularity, tz) for p in history.points]
        xs: list[Any] = list(range(len(values)))
        colors = ["#9ecae1" if part else "#3182bd" for part in partial]
        ax.bar(xs, values, color=colors, width=0.7, edgecolor="#3182bd")
        ax.set_xticks(xs, labels, rotation=30 if len(labels) > 8 else 0, ha="right")
        if len(xs) < 4:  # a lone bar stays a bar, not a wall
            ax.set_xlim(-1.5, len(xs) + 0.5)
    else:
        xs = [p.start.astimezone(tz) for p in history.points]
        _dashed_partial_line(ax, xs, values, partial, _period(granularity))
        locator = mdates.AutoDateLocator(tz=tz, maxticks=10)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator, tz=tz, show_offset=False))
    if marks is not None:
        anomalies, budget = marks.for_metric(metric)
        divisor = axis_unit(
            metric, max((float(getattr(p, metric) or 0) for p in history.points), default=0.0)
        )[0]
        starts = [p.start for p in history.points]
        draw_marks(ax, xs, values, starts, divisor, anomalies, budget, granularity)
    ax.set_ylim(bottom=0, top=max(values, default=0) * 1.1 or 1)
    ax.set_ylabel(unit)
    ax.set_title(metric, loc="left", fontsize=10)
    ax.ticklabel_format(axis="y", style="plain", useOffset=False)
    if max(values, default=0) >= 1000:
        ax.yaxis.set_major_formatter(ticker.StrMethodFormatter("{x:,.0f}"))
    ax.grid(alpha=0.3)


def _x_label(history: History) -> str:
    partial = any(p.partial for p in history.points)
    return f"period start ({zone_name(history.tz)})" + (
        "; lighter bar or dashed line: partial period (so far)" if partial else ""
    )


def figure(
    history: History,
    metrics: Sequence[str] | None = None,
    header: Sequence[str] = (),
    marks: ChartMarks | None = None,
) -> Any:
    """A matplotlib figure: ``header`` lines of text on top, then one panel per metric."""
    plt, mdates, ticker = _pyplot()
    names = list(metrics or history.query.metrics)
    head = 0.35 * len(header) + (0.3 if header else 0)
    fig = plt.figure(figsize=(10, 1.0 + head + 2.2 * len(names)))
    grid = fig.add_gridspec(
        len(names) + (1 if header else 0),
        1,
        height_ratios=([head] if header else []) + [2.2] * len(names),
    )
    if header:
        top = fig.add_subplot(grid[0, 0])
        top.axis("off")
        for i, line in enumerate(header):
            top.text(
                0,
                1 - (i + 0.5) / len(header),
                line,
                fontsize=11 if i else 13,
                fontweight="bold" if i == 0 else "normal",
                va="center",
                transform=top.transAxes,
            )
    axes = [fig.add_subplot(grid[i + (1 if header else 0), 0]) for i in range(len(names))]
    for ax, metric in zip(axes, names, strict=True):
        _panel(ax, history, metric, mdates, ticker, marks)
    axes[-1].set_xlabel(_x_label(history))
    q, tz = history.query, history.tz
    if not header:
        fig.suptitle(
            f"AnchorBrowser usage by {q.granularity}, "
            f"{q.from_date.astimezone(tz):%Y-%m-%d} to {q.to_date.astimezone(tz):%Y-%m-%d} "
            f"({zone_name(tz)})"
        )
    fig.tight_layout()
    return fig


def write_image(
    history: History, path: str, header: Sequence[str] = (), marks: ChartMarks | None = None
) -> None:
    """A PNG or SVG file (by ``path``'s suffix) with one panel per metric."""
    plt, _, _ = _pyplot()
    fig = figure(history, header=header, marks=marks)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def svg_text(history: History, metric: str, marks: ChartMarks | None = None) -> str:
    """One metric's chart as an ``<svg>`` element, to inline in a page."""
    import io

    plt, mdates, ticker = _pyplot()
    fig, ax = plt.subplots(figsize=(9, 2.8))
    _panel(ax, history, metric, mdates, ticker, marks)
    ax.set_xlabel(_x_label(history))
    fig.tight_layout()
    out = io.StringIO()
    fig.savefig(out, format="svg")
    plt.close(fig)
    text = out.getvalue()
    return text[text.index("<svg") :]


def _period(granularity: str) -> timedelta:
    return timedelta(hours=1) if granularity == "hour" else timedelta(days=1)


def _dashed_partial_line(
    ax: Any, xs: list[Any], ys: list[float], partial: list[bool], period: timedelta
) -> None:
    """A solid line through whole periods, dashed out of a partial first one (cut
    by the window's start). A partial last one (still in progress, or cut by the
    window's end) is a lighter bar labelled "so far": a line dropping into it
    would read as a cliff in usage."""
    last = len(xs) - 1
    solid = [math.nan if part else y for y, part in zip(ys, partial, strict=True)]
    ax.plot(
        xs,
        solid,
        color="#3182bd",
        linewidth=1.4,
        marker="o" if len(xs) < 60 else None,
        markersize=3,
    )
    for i in (i for i, part in enumerate(partial) if part):
        if i == last and last > 0:
            ax.bar([xs[i]], [ys[i]], width=period * 0.8, color="#c6dbef", edgecolor="#6baed6")
            ax.annotate(
                "so far",
                (xs[i], ys[i]),
                textcoords="offset points",
                xytext=(0, 4),
                ha="center",
                fontsize=7,
                color="#4a6fa5",
            )
            continue
        lo, hi = max(0, i - 1), min(len(xs), i + 2)
        ax.plot(xs[lo:hi], ys[lo:hi], color="#6baed6", linestyle="--", linewidth=1.4)
        ax.plot(
            [xs[i]], [ys[i]], marker="o", markersize=4, markerfacecolor="white", color="#6baed6"
        )
