"""A Prometheus exporter: usage so far this day, week and month, budgets with forecasts.

Like prometheus_client's custom collectors, a scrape reads one immutable
:class:`Snapshot` that a background refresher replaces whole: a scrape never
sees half an update and never calls the API, so a dashboard cannot exhaust the
rate limit. On a failed refresh the last good values stay, with
``anchor_history_last_success_timestamp_seconds`` and a refresh-error counter to
alert on. Needs the ``exporter`` extra (prometheus_client).

Names follow Prometheus conventions: base units (bytes, seconds: session hours
are exported as ``anchorbrowser_session_duration_seconds``), no ``_total`` on
these gauges (they restart with each period), one name per quantity with
``period`` and ``team`` labels.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from attrs import frozen

from ._optional import require
from .budgets import Budget, billing_period, evaluate
from .forecast import TRAILING_DAYS
from .models import History, exact_sum, metric_names
from .periods import HistorySource

__all__ = ["METRIC_NAMES", "Exporter", "Sample", "Snapshot", "take_snapshot"]

logger = logging.getLogger("anchor_history.exporter")

# Each API metric's Prometheus name and factor to its base unit.
METRIC_NAMES: dict[str, tuple[str, float, str]] = {
    "session_count": ("anchorbrowser_sessions", 1, "Browser sessions started"),
    "proxy_bytes": ("anchorbrowser_proxy_bytes", 1, "Bytes through the proxy"),
    "ai_steps": ("anchorbrowser_ai_steps", 1, "AI steps taken"),
    "session_hours": ("anchorbrowser_session_duration_seconds", 3600, "Browser session time"),
    "credits_used": ("anchorbrowser_credits_used", 1, "Credits used"),
    "screenshots": ("anchorbrowser_screenshots", 1, "Screenshots taken"),
    "network_bytes_total": ("anchorbrowser_network_bytes", 1, "Network bytes, all traffic"),
}
PERIODS = ("day", "week", "month")


@frozen
class Sample:
    name: str
    help: str
    labels: tuple[tuple[str, str], ...]
    value: float


@frozen
class Snapshot:
    """Every sample of one refresh, taken at ``taken``."""

    taken: datetime
    samples: tuple[Sample, ...]


def take_snapshot(
    history: History, *, team: str, now: datetime, budgets: Sequence[Budget] = ()
) -> Snapshot:
    """The usage so far of each period holding ``now``, from hourly ``history``
    (covering the month, the week and, with budgets, the trailing weeks)."""
    samples = []
    for period in PERIODS:
        start, _ = billing_period(now, period)
        if not history.covers(start, now):
            continue  # a store holds only part of it: absent, not too low
        hours = [p for p in history if start <= p.start < now]
        for metric in metric_names():
            name, factor, text = METRIC_NAMES[metric]
            values = [getattr(p, metric) for p in hours]
            if all(v is None for v in values) and hours:
                continue  # the server sent no value for it: absent, not zero
            used = float(exact_sum(values) or 0) * factor
            labels: tuple[tuple[str, str], ...] = (("period", period), ("team", team))
            help_text = f"{text}, so far in the current day, week or month (label period)"
            samples.append(Sample(name, help_text, labels, used))
    if budgets and history.covers(billing_period(now, "month")[0], now):
        report = evaluate(history, budgets, period=billing_period(now, "month"), as_of=now)
        for result in report.budgets:
            name, factor, _ = METRIC_NAMES[result.metric]
            labels = (("metric", name), ("period", "month"), ("team", team))
            f = result.forecast
            samples += [
                Sample(
                    "anchorbrowser_budget_limit",
                    "Budget for the month",
                    labels,
                    result.limit * factor,
                ),
                Sample(
                    "anchorbrowser_budget_forecast",
                    "Forecast total at the month's end",
                    labels,
                    f.value * factor,
                ),
                Sample(
                    "anchorbrowser_budget_forecast_low",
                    "Low end of the forecast's 90% range",
                    labels,
                    f.low * factor,
                ),
                Sample(
                    "anchorbrowser_budget_forecast_high",
                    "High end of the forecast's 90% range",
                    labels,
                    f.high * factor,
                ),
                Sample(
                    "anchorbrowser_budget_forecast_ratio",
                    "Forecast at the month's end over the budget",
                    labels,
                    f.value / result.limit,
                ),
            ]
            if result.pace is not None:
                samples.append(
                    Sample(
                        "anchorbrowser_budget_pace",
                        "Used over the budget, divided by the share of the month gone "
                        "(1 = on track)",
                        labels,
                        result.pace,
                    )
                )
            if result.exhausts_at is not None:  # absent when not within the month
                samples.append(
                    Sample(
                        "anchorbrowser_budget_exhaustion_timestamp_seconds",
                        "When the use so far, then as forecast, reaches the budget "
                        "(Unix time; in the past when already spent)",
                        labels,
                        result.exhausts_at.timestamp(),
                    )
                )
    return Snapshot(now, tuple(samples))


class Exporter:
    """Refreshes a snapshot from ``source`` every ``interval`` seconds and serves it.

    ``with Exporter(client, port=9464) as exporter: exporter.wait()``
    """

    def __init__(
        self,
        source: HistorySource,
        *,
        team: str = "default",
        budgets: Sequence[Budget] = (),
        interval: float = 300.0,
        host: str = "127.0.0.1",
        port: int = 9464,
        clock: Any = None,
    ) -> None:
        prometheus = require("prometheus_client", "exporter")
        self.source, self.team, self.budgets = source, team, tuple(budgets)
        self.interval = interval
        self._clock = clock or (lambda: datetime.now(UTC))
        self._snapshot: Snapshot | None = None
        self.last_success: float | None = None
        self.errors = 0
        self.last_error = ""
        self._stop = threading.Event()
        self.registry = prometheus.CollectorRegistry(auto_describe=True)
        self.registry.register(_Collector(self))
        self._server = ThreadingHTTPServer((host, port), _handler(self))
        self.port = self._server.server_address[1]
        self._threads: list[threading.Thread] = []

    def refresh(self) -> bool:
        """One refresh; False (logged, counted, last values kept) when it failed."""
        from .errors import AnchorHistoryError

        now = self._clock()
        month, _ = billing_period(now, "month")
        week, _ = billing_period(now, "week")
        start = min(month, week, now - timedelta(days=1))
        if self.budgets:
            start = min(start, now - timedelta(days=TRAILING_DAYS + 1))
        try:
            history = self.source.fetch(start, now, "hour", "all", page_size=1000)
            self._snapshot = take_snapshot(history, team=self.team, now=now, budgets=self.budgets)
        except AnchorHistoryError as error:
            self.errors += 1
            self.last_error = str(error)
            logger.warning("refresh failed, serving the last good values: %s", error)
            return False
        self.last_success = time.time()
        return True

    def _refresh_forever(self) -> None:
        while not self._stop.wait(self.interval):
            self.refresh()

    def start(self) -> Exporter:
        self.refresh()
        for target in (self._server.serve_forever, self._refresh_forever):
            thread = threading.Thread(target=target, daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        self._stop.set()
        self._server.shutdown()
        self._server.server_close()

    def wait(self) -> None:
        """Until stop() (or a signal handler calling it)."""
        self._stop.wait()

    def __enter__(self) -> Exporter:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def status(self) -> str:
        if self.last_success is None:
            return f"anchor-history exporter: no successful refresh yet ({self.last_error})"
        age = time.time() - self.last_success
        state = "ok" if not self.last_error or age < self.interval else "stale"
        return (
            f"anchor-history exporter: {state}, last refresh {age:.0f} s ago, "
            f"{self.errors} failed refreshes; metrics at /metrics"
        )

    def families(self) -> Iterator[Any]:
        from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

        snapshot = self._snapshot  # one read: a scrape never sees half an update
        grouped: dict[str, list[Sample]] = {}
        for sample in snapshot.samples if snapshot else ():
            grouped.setdefault(sample.name, []).append(sample)
        for name, samples in grouped.items():
            labels = [k for k, _ in samples[0].labels]
            family = GaugeMetricFamily(name, samples[0].help, labels=labels)
            for sample in samples:
                family.add_metric([v for _, v in sample.labels], sample.value)
            yield family
        success = GaugeMetricFamily(
            "anchor_history_last_success_timestamp_seconds",
            "When the exporter last refreshed from the API (Unix time)",
            labels=["team"],
        )
        if self.last_success is not None:
            success.add_metric([self.team], self.last_success)
        yield success
        errors = CounterMetricFamily(
            "anchor_history_refresh_errors", "Refreshes that failed", labels=["team"]
        )
        errors.add_metric([self.team], self.errors)
        yield errors
        if snapshot is not None:
            taken = GaugeMetricFamily(
                "anchor_history_snapshot_timestamp_seconds",
                "The moment the served figures were taken (Unix time)",
                labels=["team"],
            )
            taken.add_metric([self.team], snapshot.taken.timestamp())
            yield taken


class _Collector:
    def __init__(self, exporter: Exporter) -> None:
        self._exporter = exporter

    def collect(self) -> Iterator[Any]:
        return self._exporter.families()


def _handler(exporter: Exporter) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest

            if self.path.split("?")[0] == "/metrics":
                body, kind = generate_latest(exporter.registry), CONTENT_TYPE_LATEST
            elif self.path == "/":
                body, kind = (exporter.status() + "\n").encode(), "text/plain; charset=utf-8"
            else:
                self.send_error(404, "not found: try /metrics")
                return
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:  # scrapes are not news
            pass

    return Handler
