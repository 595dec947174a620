"""A Prometheus exporter: usage so far this day, week and month, budgets with
forecasts, and the plan. ``samples`` decides what to serve (pure); ``server``
refreshes it in the background and serves it."""

from .samples import METRIC_NAMES, Sample, Snapshot, plan_samples, take_snapshot
from .server import Exporter

__all__ = ["METRIC_NAMES", "Exporter", "Sample", "Snapshot", "plan_samples", "take_snapshot"]
