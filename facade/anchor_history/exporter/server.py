"""The exporter's process side: a background refresher and the HTTP server."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from .._optional import require
from ..budgets import Budget, billing_period
from ..forecast import TRAILING_DAYS
from ..periods import HistorySource
from ..pricing import PriceList, billing_month
from .samples import Sample, Snapshot, plan_samples, take_snapshot

__all__ = ["Exporter"]

logger = logging.getLogger("anchor_history.exporter")


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
        plan: bool = False,
        prices: PriceList | None = None,
        interval: float = 300.0,
        host: str = "127.0.0.1",
        port: int = 9464,
        clock: Any = None,
    ) -> None:
        prometheus = require("prometheus_client", "exporter")
        self.source, self.team, self.budgets = source, team, tuple(budgets)
        self.prices = prices
        # The plan comes from GET /v1/billing: only a client has it, not a store.
        self.plan = plan and callable(getattr(source, "plan", None))
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
        from ..errors import AnchorHistoryError, PlanUnavailableError

        now = self._clock()
        month, _ = billing_period(now, "month")
        week, _ = billing_period(now, "week")
        start = min(month, week, now - timedelta(days=1))
        if self.prices is not None and self.prices.tiered:
            start = min(start, billing_month(start))  # the included credits spent before
        if self.budgets:
            start = min(start, now - timedelta(days=TRAILING_DAYS + 1))
        try:
            history = self.source.fetch(start, now, "hour", "all", page_size=1000)
            snapshot = take_snapshot(
                history, team=self.team, now=now, budgets=self.budgets, prices=self.prices
            )
            if self.plan:
                try:
                    plan = self.source.plan()  # type: ignore[attr-defined]
                except PlanUnavailableError as error:
                    self.plan = False  # said once; the usage is still served
                    logger.warning("the plan is left out: %s", error)
                else:
                    samples = snapshot.samples + tuple(plan_samples(plan, self.team))
                    snapshot = Snapshot(snapshot.taken, samples)
            self._snapshot = snapshot
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
