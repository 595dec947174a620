"""The Prometheus exporter, scraped and parsed with prometheus_client's own parser."""

from __future__ import annotations

import itertools
import re
import signal
import subprocess
import threading
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx
import pytest
from anchor_history import HistoryClient, __version__
from anchor_history.calendar.boundaries import billing_period
from anchor_history.exporter import Exporter, take_snapshot
from anchor_history.insights.budgets import Budget
from anchor_history.models import History, HistoryPoint, HistoryQuery, HistorySummary
from prometheus_client.parser import text_string_to_metric_families
from test_cli import SCRIPT, environment


def scrape(exporter: Exporter) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    text = httpx.get(f"http://127.0.0.1:{exporter.port}/metrics").text
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def when_up(url: str, seconds: float = 20.0) -> str:
    """The exposition once the first refresh is in (the server answers before it)."""
    deadline = time.monotonic() + seconds
    while True:
        text = httpx.get(url).text
        if "anchor_history_up 1.0" in text or time.monotonic() > deadline:
            return text
        time.sleep(0.05)


def labels(**pairs: str) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(pairs.items()))


def test_the_exposition_equals_the_clients_figures_for_each_period(anchor_sandbox) -> None:
    moment = datetime.now(UTC)
    with HistoryClient() as client, Exporter(client, port=0, clock=lambda: moment) as exporter:
        found = scrape(exporter)
        for period in ("day", "week", "month"):
            start, _ = billing_period(moment, period)
            truth = client.fetch(start, moment, "month", "all").summary
            key = labels(period=period, team="default")
            assert found[("anchorbrowser_sessions", key)] == truth.session_count
            assert found[("anchorbrowser_credits_used", key)] == truth.credits_used
            assert found[("anchorbrowser_proxy_bytes", key)] == truth.proxy_bytes
            seconds = found[("anchorbrowser_session_time_seconds", key)]
            assert abs(seconds - truth.session_hours * 3600) < 1e-6 * max(seconds, 1)
        assert found[("anchor_history_refresh_errors_total", ())] == 0


def test_a_failed_refresh_keeps_the_last_good_values_and_counts(anchor_sandbox) -> None:
    with HistoryClient(max_retries=0) as client, Exporter(client, port=0) as exporter:
        before = scrape(exporter)
        anchor_sandbox.set_faults("500@1+")
        assert exporter.refresh() is False
        after = scrape(exporter)
        status = httpx.get(f"http://127.0.0.1:{exporter.port}/").text
    key = ("anchorbrowser_sessions", labels(period="month", team="default"))
    assert after[key] == before[key]
    errors = ("anchor_history_refresh_errors_total", ())
    assert (before[errors], after[errors]) == (0, 1)
    success = ("anchor_history_last_success_timestamp_seconds", ())
    assert after[success] == before[success]
    assert status.startswith("anchor-history exporter: ")
    assert "1 failed refreshes" in status


def test_budgets_are_exported_with_their_forecast_and_ratio(anchor_sandbox) -> None:
    with (
        HistoryClient() as client,
        Exporter(
            client, port=0, budgets=[Budget("credits_used", 1000.0), Budget("session_count", 1e12)]
        ) as exporter,
    ):
        found = scrape(exporter)
    team = labels(team="default")
    key = labels(metric="anchorbrowser_credits_used", team="default")
    assert found[("anchorbrowser_credits_budget_limit", team)] == 1000.0
    forecast = found[("anchorbrowser_credits_budget_forecast", team)]
    assert found[("anchorbrowser_credits_budget_forecast_low", team)] <= forecast
    assert found[("anchorbrowser_budget_forecast_ratio", key)] == forecast / 1000.0
    assert found[("anchorbrowser_budget_pace", key)] > 0
    month = billing_period(datetime.now(UTC), "month")
    runs_out = found[("anchorbrowser_budget_exhaustion_timestamp_seconds", key)]
    assert month[0].timestamp() <= runs_out <= month[1].timestamp()
    never = labels(metric="anchorbrowser_sessions", team="default")
    assert found[("anchorbrowser_sessions_budget_limit", team)] == 1e12  # its own name
    assert found[("anchorbrowser_budget_pace", never)] < 1e-6
    assert ("anchorbrowser_budget_exhaustion_timestamp_seconds", never) not in found


def test_the_command_serves_then_stops_on_sigterm(anchor_sandbox) -> None:
    process = subprocess.Popen(
        [SCRIPT, "exporter", "--port", "0", "--interval", "60"],
        env=environment(anchor_sandbox),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        url = line.split()[2]
        assert url.startswith("http://127.0.0.1:")
        assert url.endswith("/metrics")
        metrics = when_up(url)
        assert 'anchorbrowser_sessions{period="day",team="default"}' in metrics
        assert anchor_sandbox.api_key not in metrics
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=10)
    assert process.returncode == 0, err
    assert "exporter stopped" in err


def test_a_scrape_never_calls_the_api(anchor_sandbox) -> None:
    with HistoryClient() as client, Exporter(client, port=0, interval=3600) as exporter:
        before = anchor_sandbox.faults.requests
        for _ in range(5):
            scrape(exporter)
        assert anchor_sandbox.faults.requests == before  # only the refresher asks
        exporter.refresh()
        assert anchor_sandbox.faults.requests > before


def test_a_bad_or_busy_port_is_one_line_and_its_exit_code(anchor_sandbox) -> None:
    env = environment(anchor_sandbox)
    bad = subprocess.run(
        [SCRIPT, "exporter", "--port", "99999"], env=env, capture_output=True, text=True
    )
    assert bad.returncode == 2
    assert "'99999' is not a port; allowed: 0-65535" in bad.stderr
    assert "Traceback" not in bad.stderr
    port = str(anchor_sandbox.port)  # taken by the sandbox itself
    busy = subprocess.run(
        [SCRIPT, "exporter", "--port", port], env=env, capture_output=True, text=True
    )
    assert busy.returncode == 8
    assert busy.stderr.strip() == f"anchor-history: error: --port {port}: Address already in use"


HOUR = timedelta(hours=1)


def test_a_period_the_source_holds_only_in_part_is_absent_not_too_low() -> None:
    """A store synced from the 20th holds the day and the week, not the month."""
    now = datetime(2026, 11, 25, 12, tzinfo=UTC)
    held_from = datetime(2026, 11, 20, tzinfo=UTC)
    hours = int((now - held_from) / HOUR)
    points = tuple(
        HistoryPoint(
            session_count=1, credits_used=2.0, start=held_from + timedelta(hours=i), date=""
        )
        for i in range(hours)
    )
    query = HistoryQuery(held_from, now, "hour", ("session_count", "credits_used"))
    history = History(points, HistorySummary(), query)
    snapshot = take_snapshot(history, team="web", now=now, budgets=[Budget("credits_used", 1e3)])
    sessions = {
        dict(s.labels)["period"]: s.value
        for s in snapshot.samples
        if s.name == "anchorbrowser_sessions"
    }
    assert sessions == {"day": 12, "week": 2 * 24 + 12}
    assert not [s for s in snapshot.samples if s.name.startswith("anchorbrowser_budget")]


def test_the_plan_is_exported_beside_the_history(anchor_sandbox) -> None:
    with HistoryClient() as client:
        plan = client.plan()
        with Exporter(client, port=0, plan=True) as exporter:
            found = scrape(exporter)
    key = labels(team="default", tier=plan.tier)
    assert found[("anchorbrowser_plan_included_credits", key)] == plan.included_credits
    assert found[("anchorbrowser_plan_cost_limit_credits", key)] == plan.cost_limit
    assert found[("anchorbrowser_plan_credits_balance", key)] == pytest.approx(plan.credits, abs=5)
    used = found[("anchorbrowser_plan_credits_used", key)]
    assert used == pytest.approx(plan.credits_used, abs=5)  # a refresh moments apart


class NoUsage:
    """A source with no usage at all, whose plan comes from ``client``."""

    def __init__(self, client: HistoryClient) -> None:
        self.client = client

    def fetch(self, start, end, granularity, metrics, **options):
        from anchor_history.models import History, HistoryQuery, HistorySummary, metric_names

        query = HistoryQuery(start, end, granularity, metric_names())
        return History((), HistorySummary(), query)

    def plan(self):
        return self.client.plan()


def test_a_plan_the_key_cannot_read_is_left_out_and_said_once(caplog) -> None:
    from hostile_server import KEY, HostileServer

    with (
        HostileServer() as server,
        HistoryClient(KEY, server.url("status-403"), max_retries=0) as client,
        Exporter(NoUsage(client), port=0, plan=True) as exporter,
    ):
        exporter.refresh()  # a second refresh: still said only once
        found = scrape(exporter)
    assert not [name for name, _ in found if name.startswith("anchorbrowser_plan_")]
    assert found[("anchorbrowser_sessions", labels(period="month", team="default"))] == 0
    said = [r for r in caplog.records if "the plan is left out" in r.getMessage()]
    assert len(said) == 1
    assert "this key cannot read the plan" in said[0].getMessage()


def test_the_cost_is_exported_in_the_currency_as_a_label(anchor_sandbox) -> None:
    from decimal import Decimal

    from anchor_history.pricing import parse_price_list

    moment = datetime.now(UTC)
    prices = parse_price_list("EUR", "0.01", "1000", "0.02")
    with (
        HistoryClient() as client,
        Exporter(client, port=0, clock=lambda: moment, prices=prices) as exporter,
    ):
        found = scrape(exporter)
        month = billing_period(moment, "month")[0]
        credits = client.fetch(month, moment, "month", "credits_used").summary.credits_used
    used = Decimal(repr(credits))
    expected = min(used, Decimal(1000)) * Decimal("0.01") + max(used - 1000, Decimal(0)) * Decimal(
        "0.02"
    )
    key = labels(currency="EUR", period="month", team="default")
    assert found[("anchorbrowser_cost", key)] == pytest.approx(float(expected), abs=1e-6)
    cost = {
        period: found[("anchorbrowser_cost", labels(currency="EUR", period=period, team="default"))]
        for period in ("day", "week", "month")
    }
    assert 0 <= cost["day"] <= min(cost["week"], cost["month"])  # today is in both


class Hung:
    """A source whose fetch hangs until released: a first refresh that does not end."""

    def __init__(self) -> None:
        self.release = threading.Event()

    def fetch(self, *args, **kwargs):
        self.release.wait(60)
        raise RuntimeError("released")


def test_it_serves_before_the_first_refresh_with_up_0_and_503() -> None:
    source = Hung()
    exporter = Exporter(source, port=0, interval=60).start()  # type: ignore[arg-type]
    try:
        found = scrape(exporter)
        assert found[("anchor_history_up", ())] == 0
        assert found[("anchor_history_last_success_timestamp_seconds", ())] == 0  # never
        assert found[("anchor_history_build_info", (("version", __version__),))] == 1
        assert ("process_cpu_seconds_total", ()) in found  # the process collector
        status = httpx.get(f"http://127.0.0.1:{exporter.port}/")
        assert status.status_code == 503
        assert status.text.startswith("anchor-history exporter: no successful refresh yet")
        head = httpx.head(f"http://127.0.0.1:{exporter.port}/metrics")
        assert head.status_code == 200
        assert head.content == b""
    finally:
        source.release.set()
        exporter.wait_first_refresh(10)
        exporter.stop()
    assert exporter.errors == 1  # the refresher caught what the source raised, and lives on
    assert exporter.last_error == "RuntimeError: released"


def test_up_and_the_status_follow_the_last_good_refresh(anchor_sandbox) -> None:
    with HistoryClient() as client, Exporter(client, port=0, interval=60) as exporter:
        assert scrape(exporter)[("anchor_history_up", ())] == 1
        assert httpx.get(f"http://127.0.0.1:{exporter.port}/").status_code == 200
        exporter.last_success = time.time() - 3 * 60 - 1  # three intervals ago: stale
        assert scrape(exporter)[("anchor_history_up", ())] == 0
        stale = httpx.get(f"http://127.0.0.1:{exporter.port}/")
        assert (stale.status_code, stale.text.split(",")[0]) == (
            503,
            "anchor-history exporter: stale",
        )
        assert exporter.refresh()
        fresh = httpx.get(f"http://127.0.0.1:{exporter.port}/")
        assert fresh.status_code == 200
        assert fresh.text.startswith("anchor-history exporter: ok,")
        found = scrape(exporter)
        assert found[("anchor_history_refreshes_total", (("result", "success"),))] == 2
        assert found[("anchor_history_refresh_duration_seconds", ())] > 0


def test_a_counter_per_metric_for_the_month(anchor_sandbox) -> None:
    moment = datetime.now(UTC)
    with HistoryClient() as client, Exporter(client, port=0, clock=lambda: moment) as exporter:
        text = httpx.get(f"http://127.0.0.1:{exporter.port}/metrics").text
        found = scrape(exporter)
    assert "# TYPE anchorbrowser_sessions_total counter" in text
    month = found[("anchorbrowser_sessions", labels(period="month", team="default"))]
    assert found[("anchorbrowser_sessions_total", labels(team="default"))] == month
    assert ("anchorbrowser_session_time_seconds_total", labels(team="default")) in found


def test_sigterm_ends_it_within_a_second_even_during_a_hung_first_refresh() -> None:
    """A refresh hung for its whole timeout used to hold SIGTERM 30-90 s, past
    Kubernetes' grace period. A server that accepts and never answers: the hang."""
    import socket

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    url = f"http://127.0.0.1:{silent.getsockname()[1]}"
    env = {**environment(None), "ANCHORBROWSER_API_KEY": "k", "ANCHORBROWSER_BASE_URL": url}
    process = subprocess.Popen(
        [SCRIPT, "exporter", "--port", "0", "--allow-insecure-http", "--timeout", "60"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        url = process.stdout.readline().split()[2]
        metrics = httpx.get(url).text  # served while the first refresh hangs
        assert "anchor_history_up 0.0" in metrics
        time.sleep(0.5)
        sent = time.monotonic()
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=10)
        took = time.monotonic() - sent
    finally:
        process.kill()
        silent.close()
    assert process.returncode == 0, err
    assert took < 1.0
    assert re.search(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ INFO anchor-history exporter: "
                     r"exporter stopped$", err, re.MULTILINE)  # fmt: skip


def test_a_store_without_team_serves_each_team_by_name(tmp_path) -> None:
    from anchor_history.store import UsageStore
    from anchor_history.testing.sandbox import Sandbox

    path = str(tmp_path / "usage.db")
    with Sandbox(seed=1, sessions=3_000, days=40) as web, Sandbox(seed=2, sessions=1_000,
                                                                  days=40) as api:  # fmt: skip
        for team, box in (("web", web), ("api", api)):
            with UsageStore(path) as s, HistoryClient(box.api_key, box.base_url) as c:
                s.sync(c, team=team, from_date="35d")
    process = subprocess.Popen(
        [SCRIPT, "exporter", "--port", "0", "--store", path],
        env=environment(None), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        url = process.stdout.readline().split()[2]
        text = when_up(url)
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=10)
    teams = set(re.findall(r'anchorbrowser_sessions\{period="month",team="(\w+)"\}', text))
    assert teams == {"web", "api"}  # each by name: no sum, no team="default"


def test_the_cli_default_port_is_the_librarys() -> None:
    from anchor_history.cli import exporter as command
    from anchor_history.exporter.server import DEFAULT_PORT

    assert command.DEFAULT_PORT == DEFAULT_PORT == 10464


@pytest.mark.parametrize(
    "order", list(itertools.permutations(("cost", "credits_used", "session_count")))
)
def test_every_series_keeps_its_own_labels_whatever_the_budgets_order(order) -> None:
    """Label names were read from a family's first sample and the others' values
    placed by position: with a cost budget first, a credits budget's team landed
    in ``currency``; the other way round, the cost's currency became its team."""
    from anchor_history.pricing import PriceList
    from prometheus_client import CollectorRegistry, generate_latest

    now = datetime(2026, 11, 25, 12, tzinfo=UTC)
    start = datetime(2026, 9, 25, tzinfo=UTC)
    hours = int((now - start) / HOUR)
    points = tuple(
        HistoryPoint(session_count=3, credits_used=5.0, start=start + i * HOUR, date="")
        for i in range(hours)
    )
    query = HistoryQuery(start, now, "hour", ("session_count", "credits_used"))
    history = History(points, HistorySummary(), query)
    limits = {"cost": 10.0, "credits_used": 1e5, "session_count": 1e5}
    budgets = [Budget(metric, limits[metric]) for metric in order]
    prices = PriceList("USD", Decimal("0.01"))
    snapshot = take_snapshot(history, team="web", now=now, budgets=budgets, prices=prices)
    exporter = Exporter(history, port=0, budgets=budgets, prices=prices)
    exporter._snapshot = snapshot  # what a refresh would have made: no server, no clock

    class _Collector:
        def collect(self):
            return exporter.families()

    registry = CollectorRegistry()
    registry.register(_Collector())
    scraped = {  # Prometheus reads an empty label as no label
        (sample.name, tuple(sorted((k, v) for k, v in sample.labels.items() if v)))
        for family in text_string_to_metric_families(generate_latest(registry).decode())
        for sample in family.samples
    }
    for sample in snapshot.samples:
        assert (sample.name, tuple(sorted(sample.labels))) in scraped, sample
        assert dict(sample.labels)["team"] == "web"


def test_a_budgets_help_names_its_unit() -> None:
    """Credits and money were said to be "(count)"."""
    now = datetime(2026, 11, 25, 12, tzinfo=UTC)
    start = datetime(2026, 9, 25, tzinfo=UTC)
    points = tuple(
        HistoryPoint(session_count=3, credits_used=5.0, start=start + i * HOUR, date="")
        for i in range(int((now - start) / HOUR))
    )
    history = History(
        points,
        HistorySummary(),
        HistoryQuery(start, now, "hour", ("session_count", "credits_used")),
    )
    from anchor_history.pricing import PriceList

    budgets = [Budget("credits_used", 1e5), Budget("cost", 10.0), Budget("session_count", 1e5)]
    snapshot = take_snapshot(
        history, team="web", now=now, budgets=budgets, prices=PriceList("USD", Decimal("0.01"))
    )
    helps = {s.name: s.help for s in snapshot.samples}
    assert helps["anchorbrowser_credits_budget_limit"].endswith("(credits)")
    assert helps["anchorbrowser_cost_budget_limit"].endswith("(money, in the currency labelled)")
    assert helps["anchorbrowser_sessions_budget_limit"].endswith("(sessions)")
    assert not [name for name, text in helps.items() if "(count)" in text]


def test_only_an_exporter_reading_a_store_has_the_store_sync_gauge(anchor_sandbox) -> None:
    """The store-sync-too-old alert fired for API exporters too: it watched the
    snapshot time, which both have."""
    with HistoryClient() as client, Exporter(client, port=0, interval=3600) as exporter:
        names = {name for name, _ in scrape(exporter)}
    assert "anchor_history_snapshot_timestamp_seconds" in names
    assert "anchor_history_store_last_sync_timestamp_seconds" not in names


def test_a_stop_requested_by_a_signal_takes_no_lock(anchor_sandbox) -> None:
    """SIGTERM's handler runs in the main thread between two bytecodes, maybe inside
    Event.wait holding the event's lock: Event.set() there waited forever (an exporter
    hung on SIGTERM). request_stop() must return while that lock is held."""
    import threading

    with HistoryClient() as client:
        exporter = Exporter(client, port=0, interval=3600)
        try:
            with exporter._stop._cond:  # as the handler may find the main thread
                asked = threading.Thread(target=exporter.request_stop, daemon=True)
                asked.start()
                asked.join(timeout=5)
                assert not asked.is_alive(), "the stop request waited for the event's lock"
            waiting = threading.Thread(target=exporter.wait, daemon=True)
            waiting.start()
            waiting.join(timeout=5)
            assert not waiting.is_alive(), "wait() did not see the stop request"
        finally:
            exporter.stop()
