"""The HTML report: self-contained, the right figures, and right in a real browser."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest
from anchor_history import HistoryClient
from anchor_history.insights.budgets import Budget
from anchor_history.outputs.report import gather_report, headlines, render_html
from anchor_history.testing.sandbox import Sandbox
from moments import settled_moment
from test_cli import run


class Outside(HTMLParser):
    """Collects every reference that would make the page load something."""

    def __init__(self) -> None:
        super().__init__()
        self.loads: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            named = name in ("src", "href", "xlink:href", "srcset", "data")
            if named and value and not value.startswith("#"):
                self.loads.append(f"{tag} {name}={value}")
        if tag in ("script", "link", "iframe", "object", "embed", "img"):
            self.loads.append(tag)


@pytest.fixture(scope="module")
def page(anchor_sandbox_session) -> tuple[str, object]:
    box = anchor_sandbox_session
    with HistoryClient(box.api_key, box.base_url) as client:
        data = gather_report(
            client, "60d", budgets=[Budget("credits_used", 100.0)], now=settled_moment()
        )
    return render_html(data), data


def test_the_report_loads_nothing_from_outside(page) -> None:
    text, _ = page
    parser = Outside()
    parser.feed(text)
    assert parser.loads == []
    assert re.findall(r"url\((?!#)", text) == []  # only in-page clip paths
    assert "@import" not in text
    assert parser.tags.count("svg") == 4  # a chart per metric, inline


def test_headlines_are_the_windows_totals_and_change(page) -> None:
    text, data = page
    history = data.history
    rows = {metric: (total, change) for metric, total, change in headlines(data)}
    assert list(rows) == ["session_count", "credits_used", "session_hours", "proxy_bytes"]
    assert rows["session_count"][0] == f"{history.totals()['session_count']:,}"
    percent = data.comparison.change["session_count"].percent
    before = data.comparison.previous
    span = f"{before.start:%Y-%m-%d} to {before.end - timedelta(milliseconds=1):%Y-%m-%d} (UTC)"
    assert rows["session_count"][1].endswith(f"{percent:+.1f}% on {span}")
    for metric, (total, _) in rows.items():
        assert f'<div class="value">{total}</div>' in text
        assert f">{metric}<" in text


def test_budgets_anomalies_and_the_table_of_periods_are_there(page) -> None:
    text, data = page
    assert "<h2>Budgets, " in text
    assert '<td class="over">over</td>' in text  # 100 credits: long spent
    (budget,) = data.budgets.budgets
    assert f"<td>{budget.pace:.2f}</td><td>{budget.exhausts_at:%b %d %H:%M}</td>" in text
    assert "<h2>Anomalies</h2>" in text
    assert text.count("<tr><td>") == len(data.history.points) + len(data.anomalies) + 1
    assert "* partial period" in text


def test_the_command_writes_html_and_png_and_refuses_other_files(anchor_sandbox, tmp_path) -> None:
    html_file = tmp_path / "usage.html"
    result = run(anchor_sandbox, "report", "-o", str(html_file), "--from", "30d")
    assert result.returncode == 0, result.stderr
    assert html_file.read_text().startswith("<!DOCTYPE html>")
    png_file = tmp_path / "usage.png"
    assert run(anchor_sandbox, "report", "-o", str(png_file), "--from", "30d").returncode == 0
    assert png_file.read_bytes()[:4] == b"\x89PNG"
    refused = run(anchor_sandbox, "report", "-o", str(tmp_path / "usage.pdf"))
    assert refused.returncode == 2
    assert "a report is .html or .png" in refused.stderr


def test_the_report_reads_a_store(anchor_sandbox, tmp_path) -> None:
    store = tmp_path / "usage.db"
    assert run(anchor_sandbox, "sync", "--store", str(store), "--from", "60d").returncode == 0
    out = tmp_path / "offline.html"
    result = run(None, "report", "--store", str(store), "-o", str(out), "--from", "30d")
    assert result.returncode == 0, result.stderr
    assert "<h2>Periods</h2>" in out.read_text()


@pytest.mark.browser
def test_the_report_renders_in_headless_chromium_with_its_charts(page, tmp_path) -> None:
    import numpy
    from PIL import Image

    chromium = shutil.which("chromium")
    assert chromium, "make e2e installs chromium (make browser)"
    text, _ = page
    source = tmp_path / "usage.html"
    source.write_text(text)
    shot = tmp_path / "shot.png"
    subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--hide-scrollbars",
            "--window-size=1100,2600",
            f"--screenshot={shot}",
            source.as_uri(),
        ],
        capture_output=True,
        timeout=120,
        check=True,
    )
    image = Image.open(shot).convert("RGB")
    assert image.size == (1100, 2600)
    # The charts' blue (#3182bd), drawn by the browser from the inline SVG.
    pixels = numpy.asarray(image).astype(int)
    blue = int((numpy.abs(pixels - numpy.array([49, 130, 189])).max(axis=2) < 25).sum())
    print(f"screenshot {image.size}, {blue} chart-blue pixels")
    assert blue > 2000


def test_a_young_accounts_report_is_not_compared_with_the_time_before_it() -> None:
    """60 days of an account 40 days old: the 60 days before hold nothing, then the
    first usage. Set against them, every metric rose by +164% or more."""
    with (
        Sandbox(seed=5, sessions=6_000, days=40) as box,
        HistoryClient(box.api_key, box.base_url) as client,
    ):
        young = gather_report(client, "20d")
        data = gather_report(client, "30d")
    rows = {metric: change for metric, _, change in headlines(data)}
    assert all(change.startswith("not comparable: ") for change in rows.values()), rows
    assert data.comparison.change["session_count"].percent is None
    # 20 days against the 20 before, all held: an ordinary comparison.
    assert young.comparison.change["session_count"].percent is not None


def test_a_months_report_compares_with_the_month_before_in_its_zone(
    anchor_sandbox_session, tmp_path
) -> None:
    box = anchor_sandbox_session
    moment = settled_moment()
    with HistoryClient(box.api_key, box.base_url) as client:
        data = gather_report(
            client, "last-month", to_date="last-month", tz="Europe/Berlin", now=moment
        )
    berlin = data.history.tz
    current, previous = data.comparison.current, data.comparison.previous
    assert current.start.astimezone(berlin).day == 1 == previous.start.astimezone(berlin).day
    assert previous.end == current.start
    assert (
        current.start.astimezone(berlin).month - previous.start.astimezone(berlin).month
    ) % 12 == 1
    assert current.values["session_count"] == data.history.totals()["session_count"]
    out = tmp_path / "october.html"
    result = run(
        box,
        "report",
        "-o",
        str(out),
        "--from",
        "2026-10",
        "--to",
        "2026-10",
        "--tz",
        "Europe/Berlin",
    )
    assert result.returncode == 0, result.stderr
    text = out.read_text()
    assert "2026-10-01 to 2026-10-31 (Europe/Berlin)" in text
    assert "on 2026-09-01 to 2026-09-30 (Europe/Berlin)" in text


def test_the_report_has_a_plan_section_when_asked(anchor_sandbox, tmp_path) -> None:
    out = tmp_path / "plan.html"
    result = run(anchor_sandbox, "report", "-o", str(out), "--from", "30d", "--plan")
    assert result.returncode == 0, result.stderr
    text = out.read_text()
    assert "<h2>Plan, " in text
    assert "<tr><td>tier</td><td>growth</td></tr>" in text
    assert "against the plan's" in text
    assert ", agrees.</p>" in text
    without = tmp_path / "plain.html"
    assert run(anchor_sandbox, "report", "-o", str(without), "--from", "30d").returncode == 0
    assert "<h2>Plan" not in without.read_text()


def test_the_budgets_and_the_plan_read_their_span_alike() -> None:
    """'Plan, 2026-12-01 to 2026-12-31' stood beside 'Budgets, 2026-12-01 to 2027-01-01'."""
    from anchor_history.insights.budgets import BudgetReport
    from anchor_history.outputs.report.html import _budget_section

    december = (datetime(2026, 12, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))
    html = "".join(_budget_section(BudgetReport(december[0], december, ())))
    assert "Budgets, 2026-12-01 to 2026-12-31 (UTC)" in html
