"""make bench's clock: repeated timings and how a figure is printed (median, range)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

__all__ = ["fmt_s", "summary", "timed"]


def timed(fn: Callable[[], Any], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return times


def summary(times: list[float]) -> tuple[float, float, float]:
    return statistics.median(times), min(times), max(times)


def fmt_s(times: list[float]) -> str:
    med, lo, hi = summary(times)
    return f"{med * 1000:8.1f} ms (range {lo * 1000:.1f}-{hi * 1000:.1f})"
