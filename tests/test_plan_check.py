"""anchor-history plan: what is left, when it runs out, and whether the history
adds up to the bill; pure first, then the command against the sandbox."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from anchor_history.insights.plan_check import busiest_hours, plan_report, reconcile
from anchor_history.models import HistoryPoint
from anchor_history.models.plan import Plan
from anchor_history.testing.sandbox import Sandbox
from anchor_history.testing.sandbox.billing import PlanSettings
from test_cli import run

NOV = (datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC))


def hours(start: datetime, end: datetime, credits: float, session_hours: float = 1.0):
    out, hour = [], start
    while hour < end:
        out.append(
            HistoryPoint(credits_used=credits, session_hours=session_hours, start=hour, date="")
        )
        hour += timedelta(hours=1)
    return out


def plan(used: float, included: float = 1000, cost_limit: float | None = 1500) -> Plan:
    return Plan("growth", NOV, included, used, max(included - used, 0), 0, 20, cost_limit)


def test_reconciliation_within_and_beyond_the_tolerance() -> None:
    assert reconcile(1000.0, 1000.0, 1.0).agrees
    assert reconcile(1009.9, 1000.0, 1.0).agrees
    off = reconcile(1020.0, 1000.0, 1.0)
    assert (off.agrees, round(off.difference, 6), round(off.percent, 6)) == (False, 20.0, 2.0)
    assert reconcile(0.0, 0.0, 1.0).agrees
    nothing_billed = reconcile(5.0, 0.0, 1.0)
    assert (nothing_billed.percent, nothing_billed.agrees) == (None, False)


def test_when_the_included_credits_and_the_cost_limit_run_out() -> None:
    """2 credits an hour, every hour: by Nov 15 12:00, 696 used; 1,000 are reached
    152 hours later, on the 21st at 20:00; 1,500 would be in December: not this period."""
    as_of = datetime(2026, 11, 15, 12, tzinfo=UTC)
    points = hours(NOV[0] - timedelta(days=60), as_of, credits=2.0)
    report = plan_report(plan(696.0), points, as_of=as_of)
    assert report.forecast.used == 696.0
    assert report.forecast.value == pytest.approx(1440.0, rel=0.01)
    assert report.included_exhausts_at == pytest.approx(
        datetime(2026, 11, 21, 20, tzinfo=UTC), abs=timedelta(minutes=1)
    )
    assert report.cost_limit_exhausts_at is None
    assert report.reconciliation.agrees
    document = report.to_dict()
    assert set(document) == {
        "tier", "billing_period", "included_credits", "credits_used", "credits_left_included",
        "overage_credits", "cost_limit", "gifts_balance", "credits", "as_of", "forecast",
        "included_exhausts_at", "cost_limit_exhausts_at", "reconciliation", "concurrency",
    }  # fmt: skip
    assert document["cost_limit_exhausts_at"] is None
    assert document["included_exhausts_at"].startswith("2026-11-21T20:00")


def test_overage_and_a_spent_limit() -> None:
    p = plan(1200.0, included=1000, cost_limit=1100)
    assert (p.credits_left_included, p.overage_credits) == (0, 200.0)
    as_of = datetime(2026, 11, 25, tzinfo=UTC)
    report = plan_report(p, hours(NOV[0], as_of, credits=2.0), as_of=as_of)
    assert report.included_exhausts_at < as_of  # already spent: when it happened
    assert report.cost_limit_exhausts_at < as_of


def test_the_busiest_hours_are_the_mean_concurrency() -> None:
    points = hours(NOV[0], NOV[0] + timedelta(days=2), credits=1.0, session_hours=2.0)
    points[30] = HistoryPoint(session_hours=9.5, start=points[30].start, date="")
    points[7] = HistoryPoint(session_hours=4.0, start=points[7].start, date="")
    top = busiest_hours(points, NOV, count=2)
    assert top == ((points[30].start, 9.5), (points[7].start, 4.0))


@pytest.fixture(scope="module")
def box() -> Iterator[Sandbox]:
    settings = PlanSettings(included_credits=800, tier="scale", cost_limit=None)
    with Sandbox(seed=11, sessions=8_000, days=70, plan=settings) as sandbox:
        yield sandbox


def test_the_command_against_the_sandbox(box) -> None:
    result = run(box, "plan", "-f", "json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["tier"] == "scale"
    assert document["cost_limit"] is None
    assert document["cost_limit_exhausts_at"] is None
    assert document["reconciliation"]["agrees"]
    assert document["reconciliation"]["difference"] == 0
    assert document["concurrency"]["max_concurrent_browsers"] == 50
    assert document["concurrency"]["peak_mean"] > 0
    table = run(box, "plan").stdout
    assert table.startswith("plan scale, billing period ")
    assert "agrees (tolerance 1%)" in table
    assert "busiest hours, mean concurrent sessions (a lower bound on the peak), limit 50:" in table
    assert re.search(r"^cost limit +none$", table, re.MULTILINE)


class BillProxy:
    """A proxy to the sandbox whose GET /v1/billing is changed: its credits_used times
    ``factor``, or the ``status`` given instead (403: a key that cannot read the plan)."""

    def __init__(self, box: Sandbox, factor: float = 1.0, status: int | None = None) -> None:
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                upstream = httpx.get(
                    box.base_url + self.path,
                    headers={"anchor-api-key": self.headers.get("anchor-api-key", "")},
                )
                code, body = upstream.status_code, upstream.content
                if self.path.startswith("/v1/billing") and status is not None:
                    code, body = status, b'{"error": {"code": 403, "message": "Forbidden"}}'
                elif self.path.startswith("/v1/billing") and code == 200:
                    document = upstream.json()
                    document["data"]["credits_used"] *= factor
                    body = json.dumps(document).encode()
                self.send_response(code)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def test_a_bill_that_does_not_add_up_fails_under_fail_on_mismatch(box) -> None:
    skewed = BillProxy(box, factor=1.1)
    try:
        words = ("plan", "--base-url", skewed.url, "--allow-insecure-http")
        loose = run(box, *words)
        strict = run(box, *words, "--fail-on", "mismatch", "-f", "json")
        wide = run(box, *words, "--fail-on", "mismatch", "--tolerance", "11")
    finally:
        skewed.server.shutdown()
    assert loose.returncode == 0, loose.stderr
    assert "DISAGREES" in loose.stdout
    assert strict.returncode == 1
    reconciliation = json.loads(strict.stdout)["reconciliation"]
    assert reconciliation["percent"] == pytest.approx(100 * (1 / 1.1 - 1), abs=0.01)
    assert wide.returncode == 0


def test_the_cli_default_tolerance_is_the_librarys() -> None:
    from anchor_history.cli import plan as command
    from anchor_history.insights import plan_check

    assert command.DEFAULT_TOLERANCE == plan_check.DEFAULT_TOLERANCE


def test_check_plan_budgets_the_included_credits_and_the_cost_limit(tmp_path) -> None:
    settings = PlanSettings(included_credits=300, cost_limit=600)
    with Sandbox(seed=12, sessions=6_000, days=70, plan=settings) as small:
        result = run(small, "check", "--plan", "-f", "json")
        config = tmp_path / "plan.toml"
        config.write_text("plan = true\n\n[budgets]\nsession_count = 1e9\n")
        from_file = run(small, "check", "--config", str(config), "-f", "json")
        forbidden = BillProxy(small, status=403)
        try:
            words = ("--base-url", forbidden.url, "--allow-insecure-http")
            fallback = run(small, "check", "--plan", "--budget", "session_count=1e9", *words)
            alone = run(small, "check", "--plan", *words)
        finally:
            forbidden.server.shutdown()
    assert result.returncode == 1, result.stderr  # 300 credits: long spent this month
    budgets = json.loads(result.stdout)["budgets"]
    assert [(b["metric"], b["name"], b["limit"]) for b in budgets] == [
        ("credits_used", "included", 300),
        ("credits_used", "cost limit", 600),
    ]
    assert all(len(b["alerts"]) == 3 for b in budgets)  # the default thresholds apply
    named = [(b["metric"], b["name"]) for b in json.loads(from_file.stdout)["budgets"]]
    assert named == [("session_count", None), ("credits_used", "included"),
                     ("credits_used", "cost limit")]  # fmt: skip
    assert fallback.returncode == 0, fallback.stderr
    assert (
        "note: GET /v1/billing: HTTP 403: Forbidden (this key cannot read the plan); "
        "checking the other budgets" in fallback.stderr
    )
    assert fallback.stderr.count("note:") == 1
    assert alone.returncode == 3  # nothing else to check: the plan's error, as an error
    assert "HTTP 403: Forbidden" in alone.stderr


def test_the_plan_in_money_with_included_credits_from_the_plan(box) -> None:
    from decimal import Decimal

    words = ("plan", "--credit-price", "0.01", "--included-credits", "plan")
    result = run(box, *words, "--overage-credit-price", "0.02", "-f", "json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    used = Decimal(repr(document["credits_used"]))
    included = Decimal(document["included_credits"])  # 800: the plan's own
    cost = document["cost"]
    assert Decimal(cost["used"]) == min(used, included) * Decimal("0.01") + max(
        used - included, Decimal(0)
    ) * Decimal("0.02")
    assert Decimal(cost["overage"]) == max(used - included, Decimal(0)) * Decimal("0.02")
    assert cost["pricing"].startswith("the first 800 credits of each billing month")
    assert Decimal(cost["forecast"]["low"]) <= Decimal(cost["forecast"]["value"])
