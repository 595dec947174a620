"""Charts of a History: in the terminal (plotext, ``chart`` extra) or as a PNG
(matplotlib, ``png`` extra). Both are imported only when a chart is asked for."""

from __future__ import annotations

from typing import Any

from ._optional import require
from .models import History
from .render import format_period

__all__ = ["terminal_chart", "write_png"]


def _series(history: History, metric: str) -> list[float]:
    return [float(getattr(p, metric) or 0) for p in history.points]


def terminal_chart(history: History, width: int = 80, height_per_metric: int = 12) -> str:
    """One small line chart per metric, stacked, ``width`` columns wide."""
    plt: Any = require("plotext", "chart")
    metrics = history.query.metrics
    labels = [format_period(p.start, history.query.granularity) for p in history.points]
    plt.clear_figure()
    plt.subplots(len(metrics), 1)
    plt.plotsize(width, height_per_metric * len(metrics))
    for row, metric in enumerate(metrics, start=1):
        plt.subplot(row, 1)
        plt.theme("clear")
        plt.title(metric)
        xs = list(range(len(labels)))
        if xs:
            plt.plot(xs, _series(history, metric), marker="braille")
            step = max(1, len(xs) // 4)
            plt.xticks(xs[::step], labels[::step])
    text: str = plt.uncolorize(plt.build())  # the "clear" theme still emits ANSI resets
    plt.clear_figure()
    return "\n".join(line.rstrip() for line in text.rstrip().splitlines()) + "\n"


def write_png(history: History, path: str) -> None:
    """A PNG with one panel per metric."""
    require("matplotlib", "png")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    metrics = history.query.metrics
    fig, axes = plt.subplots(
        len(metrics), 1, figsize=(10, 2.6 * len(metrics)), sharex=True, squeeze=False
    )
    starts = [p.start for p in history.points]
    for ax, metric in zip(axes[:, 0], metrics, strict=True):
        ax.plot(starts, _series(history, metric), linewidth=1.2)
        ax.set_title(metric, loc="left", fontsize=10)
        ax.grid(alpha=0.3)
    q = history.query
    fig.suptitle(
        f"AnchorBrowser usage by {q.granularity}, "
        f"{q.from_date:%Y-%m-%d} to {q.to_date:%Y-%m-%d} (UTC)"
    )
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
