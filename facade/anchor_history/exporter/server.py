"""The exporter's process side: a background refresher and the HTTP server."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from http.server import ThreadingHTTPServer
from typing import Any

from .._optional import require
from ..calendar.boundaries import billing_period
from ..insights.budgets import Budget
from ..insights.forecast import TRAILING_DAYS
from ..periods import HistorySource
from ..pricing import PriceList, billing_month
from .samples import Sample, Snapshot, families, plan_samples, take_snapshot
from .serving import handler, version

__all__ = ["Exporter"]

logger = logging.getLogger("anchor_history.exporter")


DEFAULT_PORT = 10464  # past 9100-9999, which Prometheus' port allocations filled
STALE_INTERVALS = 3  # up is 0 once the last good refresh is older than this many


class Exporter:
    """Refreshes a snapshot from ``source`` every ``interval`` seconds and serves it.

    The HTTP server answers from the moment :meth:`start` returns, before the
    first refresh (with ``anchor_history_up 0``); the refresher is a daemon
    thread, so a signal ends the process at once even during a hung refresh.
    ``with Exporter(client) as exporter:`` also waits for the first refresh.
    """

    def __init__(
        self,
        source: HistorySource,
        *,
        team: str = "default",
        teams: Sequence[str] | None = None,
        budgets: Sequence[Budget] = (),
        plan: bool = False,
        prices: PriceList | None = None,
        interval: float = 300.0,
        host: str = "127.0.0.1",
        port: int = DEFAULT_PORT,
        clock: Any = None,
        origin: str = "the API",
        by: Sequence[str] = (),
        top: int = 20,
        wheres: dict[str, Any] | None = None,
    ) -> None:
        prometheus = require("prometheus_client", "exporter")
        self.source, self.budgets = source, tuple(budgets)
        # One series per team: a store's teams, each by its name; else the one given.
        self.teams = tuple(teams) if teams else (team,)
        self.team = self.teams[0]
        self.prices = prices
        # The plan comes from GET /v1/billing: only a client has it, not a store.
        self.plan = plan and callable(getattr(source, "plan", None))
        self.interval = interval
        self.origin = origin
        self.reads_a_store = origin != "the API"
        self.by, self.top = tuple(by), top  # who spent it: by tag or key (exporter/who.py)
        self.wheres = wheres or {}  # the budgets over some sessions: their filters, by key
        self._clock = clock or (lambda: datetime.now(UTC))
        self._snapshot: Snapshot | None = None
        self.last_success: float | None = None
        self.last_duration: float | None = None
        self.errors = 0
        self.successes = 0
        self.last_error = ""
        self._stop = threading.Event()
        self._stop_requested = False  # set by a signal handler: see request_stop()
        self._first = threading.Event()
        self.registry = prometheus.CollectorRegistry(auto_describe=True)
        self.registry.register(_Collector(self))
        prometheus.ProcessCollector(registry=self.registry)
        prometheus.PlatformCollector(registry=self.registry)
        self._server = ThreadingHTTPServer((host, port), handler(self))
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._threads: list[threading.Thread] = []

    def refresh(self) -> bool:
        """One refresh; False (logged, counted, last values kept) when it failed."""
        from ..errors import AnchorHistoryError

        started = time.perf_counter()
        try:
            self._snapshot = self._take()
        except AnchorHistoryError as error:
            self.errors += 1
            self.last_error = str(error)
            logger.warning("refresh failed, serving the last good values: %s", error)
            return False
        finally:
            self.last_duration = time.perf_counter() - started
        self.successes += 1
        self.last_success = time.time()
        self.last_error = ""
        return True

    def _take(self) -> Snapshot:
        from ..errors import PlanUnavailableError

        now = self._clock()
        month, _ = billing_period(now, "month")
        week, _ = billing_period(now, "week")
        start = min(month, week, now - timedelta(days=1))
        if self.prices is not None and self.prices.tiered:
            start = min(start, billing_month(start))  # the included credits spent before
        if self.budgets:
            start = min(start, now - timedelta(days=TRAILING_DAYS + 1))
        samples: list[Sample] = []
        for team in self.teams:
            if len(self.teams) > 1:
                self.source.team = team  # type: ignore[attr-defined]
            history = self.source.fetch(start, now, "hour", "all", page_size=1000)
            snapshot = take_snapshot(
                history,
                team=team,
                now=now,
                budgets=[b for b in self.budgets if b.key not in self.wheres],
                prices=self.prices,
                origin=self.origin,
            )
            samples += [*snapshot.samples, *self._who(team, now, start)]
        if self.plan:
            try:
                plan = self.source.plan()  # type: ignore[attr-defined]
            except PlanUnavailableError as error:
                self.plan = False  # said once; the usage is still served
                logger.warning("the plan is left out: %s", error)
            else:
                samples += plan_samples(plan, self.team)
        return Snapshot(now, tuple(samples))

    def _who(self, team: str, now: datetime, start: datetime) -> list[Sample]:
        """Who spent it (--by), and the budgets over some sessions (--where)."""
        from ..errors import NotHeldError, SessionsUnavailableError
        from .who import filtered_budget_samples, gather_who, who_samples

        found: list[Sample] = []
        try:
            if self.by:
                found += who_samples(gather_who(self.source, self.by, top=self.top, now=now,
                                                store=self.reads_a_store), team)  # fmt: skip
            filtered = [b for b in self.budgets if b.key in self.wheres]
            if filtered:
                found += filtered_budget_samples(
                    self.source, filtered, self.wheres, team=team, now=now, start=start,
                    prices=self.prices,
                )  # fmt: skip
        except (SessionsUnavailableError, NotHeldError) as error:
            # Said once; the rest is still served (the filtered budgets are left out,
            # never judged over the whole team's usage instead).
            self.budgets = tuple(b for b in self.budgets if b.key not in self.wheres)
            self.by, self.wheres = (), {}
            logger.warning("who spent it is left out: %s", error)
        return found

    @property
    def up(self) -> bool:
        """A good refresh, not older than STALE_INTERVALS intervals."""
        if self.last_success is None:
            return False
        return time.time() - self.last_success <= STALE_INTERVALS * self.interval

    def _refresh_forever(self) -> None:
        try:
            self._guarded_refresh()
        finally:
            self._first.set()
        while not self._stop.wait(self.interval):
            self._guarded_refresh()

    def _guarded_refresh(self) -> None:
        """A refresh whose unexpected error (a bug) is logged and counted, so the
        refresher lives on and ``up`` tells the truth."""
        try:
            self.refresh()
        except Exception as error:
            self.errors += 1
            self.last_error = f"{type(error).__name__}: {error}"
            logger.exception("refresh failed unexpectedly; serving the last good values")

    def start(self) -> Exporter:
        """Serve at once, and refresh in the background (the first refresh now)."""
        for target in (self._server.serve_forever, self._refresh_forever):
            thread = threading.Thread(target=target, daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def wait_first_refresh(self, timeout: float | None = None) -> bool:
        return self._first.wait(timeout)

    def stop(self) -> None:
        self._stop.set()
        if self._threads:  # shutdown() waits for serve_forever: only when it was started
            self._server.shutdown()
        self._server.server_close()

    def request_stop(self) -> None:
        """Stop waiting, from a signal handler: takes no lock. A handler runs in
        the main thread between two bytecodes, possibly inside ``Event.wait`` with
        the event's lock held, where ``Event.set()`` would wait for that lock
        forever (it did: an exporter hung on SIGTERM, one start in a few hundred)."""
        self._stop_requested = True

    def wait(self) -> None:
        """Until stop(), or request_stop() from a signal handler (seen within
        0.2 s: the wait wakes to look)."""
        while not self._stop_requested and not self._stop.wait(0.2):
            pass

    def __enter__(self) -> Exporter:
        self.start()
        self.wait_first_refresh()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def status(self) -> str:
        if self.last_success is None:
            reason = f": {self.last_error}" if self.last_error else ""
            return f"anchor-history exporter: no successful refresh yet{reason}"
        age = time.time() - self.last_success
        state = "ok" if self.up else "stale"
        last = f"; the last failed: {self.last_error}" if self.last_error else ""
        return (
            f"anchor-history exporter: {state}, last good refresh {age:.0f} s ago, "
            f"{self.errors} failed refreshes{last}; metrics at /metrics"
        )

    def families(self) -> Iterator[Any]:
        from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, InfoMetricFamily

        snapshot = self._snapshot  # one read: a scrape never sees half an update
        for group in families(snapshot.samples if snapshot else ()):
            kind = CounterMetricFamily if group.name.endswith("_total") else GaugeMetricFamily
            family = kind(group.name.removesuffix("_total"), group.help, labels=group.labels)
            for values, value in group.rows:
                family.add_metric(values, value)
            yield family
        source = f"refreshes from {self.origin}"
        yield _gauge(GaugeMetricFamily, "anchor_history_up",
                     f"1 after a good refresh from {self.origin}, 0 before the first and once "
                     f"the last good one is older than {STALE_INTERVALS} intervals",
                     1.0 if self.up else 0.0)  # fmt: skip
        yield _gauge(GaugeMetricFamily, "anchor_history_last_success_timestamp_seconds",
                     f"When the last good refresh from {self.origin} ended (Unix time; 0: never)",
                     self.last_success or 0.0)  # fmt: skip
        yield _gauge(GaugeMetricFamily, "anchor_history_refresh_duration_seconds",
                     f"How long the last refresh from {self.origin} took (seconds)",
                     self.last_duration or 0.0)  # fmt: skip
        refreshes = CounterMetricFamily(
            "anchor_history_refreshes", f"Refreshes from {self.origin}, by result",
            labels=["result"],
        )  # fmt: skip
        refreshes.add_metric(["success"], self.successes)
        refreshes.add_metric(["error"], self.errors)
        yield refreshes
        errors = CounterMetricFamily("anchor_history_refresh_errors", f"Failed {source}")
        errors.add_metric([], self.errors)
        yield errors
        info = InfoMetricFamily("anchor_history_build", "The exporter's version")
        info.add_metric([], {"version": version()})
        yield info
        if snapshot is not None:
            yield _gauge(GaugeMetricFamily, "anchor_history_snapshot_timestamp_seconds",
                         "The moment the served figures were taken (Unix time); from a store, "
                         "its last sync", snapshot.taken.timestamp())  # fmt: skip
        if snapshot is not None and self.reads_a_store:  # what the sync-too-old alert watches
            yield _gauge(GaugeMetricFamily, "anchor_history_store_last_sync_timestamp_seconds",
                         "The store's last sync that every team served shares (Unix time); "
                         "only an exporter reading a store has it",
                         snapshot.taken.timestamp())  # fmt: skip


def _gauge(kind: Any, name: str, text: str, value: float) -> Any:
    family = kind(name, text)
    family.add_metric([], value)
    return family


class _Collector:
    def __init__(self, exporter: Exporter) -> None:
        self._exporter = exporter

    def collect(self) -> Iterator[Any]:
        return self._exporter.families()
