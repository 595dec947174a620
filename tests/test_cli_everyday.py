"""The everyday command as a careful user finds it: whole periods, honest outputs,
errors in the CLI's own words. Each test runs the installed command."""

from __future__ import annotations

import csv
import io
import json
import re
import signal
import socket
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from anchor_history import HistoryClient
from anchor_history.models import metric_names
from anchor_history.testing.sandbox import Sandbox
from test_cli import SCRIPT, run, run_on_a_terminal


@pytest.fixture(scope="module")
def sparse() -> Iterator[Sandbox]:
    """A sandbox with a few sessions over 60 days ending 2026-10-01: most days are quiet."""
    with Sandbox(seed=3, sessions=40, days=60, end=datetime(2026, 10, 1, tzinfo=UTC)) as box:
        yield box


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_the_demo_window_is_whole_days_with_the_current_one_marked(anchor_sandbox) -> None:
    before = datetime.now(UTC).strftime("%Y-%m-%d")
    result = run(anchor_sandbox, "--from", "30d", "-f", "table")
    today = {before, datetime.now(UTC).strftime("%Y-%m-%d")}  # the run may cross midnight
    lines = result.stdout.splitlines()
    assert lines[0].startswith("period (UTC)")
    body = lines[2:-3]
    assert len(body) == 31  # 30 whole days and today
    assert body[0].split()[1] != "*"
    assert body[-1].split()[0] in today
    assert body[-1].split()[1] == "*"
    assert lines[-1].startswith("* partial period")


def test_exact_keeps_the_precise_start_and_marks_the_cut_day(anchor_sandbox) -> None:
    result = run(anchor_sandbox, "--from", "30d", "--exact", "-f", "csv")
    rows = rows_of(result.stdout)
    assert rows[0]["partial"] == "true"
    assert rows[-1]["partial"] == "true"
    assert {r["partial"] for r in rows[1:-1]} == {"false"}


def test_quiet_days_are_zeros_unless_no_fill(sparse: Sandbox) -> None:
    window = ["--from", "2026-09-01", "--to", "2026-09-30"]
    filled = rows_of(run(sparse, *window, "-f", "csv").stdout)
    assert [r["start"][:10] for r in filled][:3] == ["2026-09-01", "2026-09-02", "2026-09-03"]
    assert len(filled) == 30
    assert "0" in {r["session_count"] for r in filled}
    sent = rows_of(run(sparse, *window, "-f", "csv", "--no-fill").stdout)
    assert 0 < len(sent) < 30
    assert "0" not in {r["session_count"] for r in sent}
    assert sum(int(r["session_count"]) for r in sent) == sum(
        int(r["session_count"]) for r in filled
    )


def test_a_month_and_named_periods_are_windows(anchor_sandbox) -> None:
    march = rows_of(run(anchor_sandbox, "--from", "2026-03", "--to", "2026-03", "-f", "csv").stdout)
    assert len(march) == 31
    assert march[-1]["start"] == "2026-03-31T00:00:00.000Z"
    assert march[-1]["partial"] == "false"
    months = rows_of(run(anchor_sandbox, "--from", "1y", "-g", "month", "-f", "csv").stdout)
    assert len(months) == 13
    assert months[0]["partial"] == "false"  # snapped to the first of the month
    assert months[-1]["partial"] == "true"  # this month is not over


def test_tz_rebuckets_days_and_labels_the_table(anchor_sandbox) -> None:
    args = ["--from", "2026-10-01", "--to", "2026-10-07", "--tz", "America/New_York"]
    table = run(anchor_sandbox, *args, "-f", "table").stdout.splitlines()
    assert table[0].startswith("period (America/New_York)")
    rows = rows_of(run(anchor_sandbox, *args, "-f", "csv").stdout)
    assert rows[0]["start"] == "2026-10-01T00:00:00.000-04:00"
    with HistoryClient(anchor_sandbox.api_key, anchor_sandbox.base_url) as client:
        hours = client.fetch("2026-10-01T04:00:00Z", "2026-10-02T04:00:00Z", "hour")
    assert int(rows[0]["session_count"]) == hours.summary.session_count


def test_a_half_hour_zone_is_refused_before_any_request(anchor_sandbox) -> None:
    before = anchor_sandbox.faults.requests
    result = run(anchor_sandbox, "--tz", "Asia/Kolkata")
    assert result.returncode == 2
    assert "--tz: Asia/Kolkata is UTC+05:30" in result.stderr
    assert anchor_sandbox.faults.requests == before


def test_numbers_have_no_float_noise_and_all_follows_the_spec_order(anchor_sandbox) -> None:
    result = run(anchor_sandbox, "--from", "90d", "-m", "all", "-f", "csv")
    rows = rows_of(result.stdout)
    assert list(rows[0]) == ["start", "partial", *metric_names()]
    assert list(rows[0])[2] == "session_count"
    for row in rows:
        assert re.fullmatch(r"\d+(\.\d{1,4})?", row["credits_used"]), row["credits_used"]


def test_raw_dates_keeps_the_servers_date_column(anchor_sandbox) -> None:
    rows = rows_of(run(anchor_sandbox, "--from", "3d", "-f", "csv", "--raw-dates").stdout)
    assert list(rows[0])[:3] == ["start", "date", "partial"]
    assert rows[0]["date"] == rows[0]["start"]


@pytest.mark.parametrize(
    ("name", "check"),
    [
        ("out.json", lambda text: json.loads(text)["points"]),
        ("out.ndjson", lambda text: [json.loads(line) for line in text.splitlines()]),
        ("out.csv", lambda text: rows_of(text)),
        ("out.svg", lambda text: "<svg" in text and "sessions" in text),
    ],
)
def test_output_honours_the_extension(anchor_sandbox, tmp_path: Path, name, check) -> None:
    out = tmp_path / name
    result = run(anchor_sandbox, "--from", "7d", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert check(out.read_text())


def test_an_unknown_extension_or_a_clashing_format_is_refused(anchor_sandbox) -> None:
    unknown = run(anchor_sandbox, "-o", "usage.xlsx")
    assert unknown.returncode == 2
    assert "unknown extension '.xlsx'; known: .csv, .json" in unknown.stderr
    clash = run(anchor_sandbox, "-o", "usage.json", "-f", "csv")
    assert clash.returncode == 2
    assert "--format is csv" in clash.stderr


def test_dash_is_stdout_and_a_chart_never_enters_a_data_stream(anchor_sandbox) -> None:
    result = run(anchor_sandbox, "--from", "7d", "-o", "-", "-f", "json", "--chart")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["points"]  # stdout is nothing but the JSON
    assert "session_count (sessions)" in result.stderr


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--timeout", "-1"], "--timeout: -1.0 is not a number of seconds > 0"),
        (["--base-url", "http://example.com"], "pass --allow-insecure-http"),
        (["--base-url", "https://api.anchorbrowser.io/v1"], "the client adds /v1/sessions/history"),
        (["--concurrency", "0"], "--concurrency: 0"),
    ],
)
def test_errors_speak_cli(anchor_sandbox, args, expected) -> None:
    result = run(anchor_sandbox, *args)
    assert result.returncode == 2
    assert expected in result.stderr
    assert "_" not in result.stderr.split(":")[2].split()[0]  # no keyword names


def test_a_missing_key_names_the_flag() -> None:
    result = run(None, "--base-url", "http://127.0.0.1:9")
    assert "pass --api-key or set ANCHORBROWSER_API_KEY" in result.stderr


def test_a_network_error_names_the_url_attempts_and_the_sandbox(anchor_sandbox) -> None:
    result = run(anchor_sandbox, "--base-url", "http://127.0.0.1:1", "--max-retries", "1")
    assert result.returncode == 5
    assert "cannot reach http://127.0.0.1:1" in result.stderr
    assert "(after 2 attempts)" in result.stderr
    assert "is the sandbox running?" in result.stderr


def test_waits_are_shown_on_a_terminal_only(anchor_sandbox) -> None:
    anchor_sandbox.set_faults("429@1")
    shown = run_on_a_terminal(anchor_sandbox, "--from", "3d", "-f", "csv")
    assert "HTTP 429: Too many requests; waiting 0.1 s (as the server asked) before retry 1" in (
        shown
    )
    anchor_sandbox.set_faults("429@1")
    piped = run(anchor_sandbox, "--from", "3d", "-f", "csv")
    assert piped.returncode == 0
    assert "waiting" not in piped.stderr


def test_help_lists_metrics_and_a_typo_gets_a_suggestion() -> None:
    assert "metrics: session_count, proxy_bytes, ai_steps" in run(None, "--help").stdout
    assert "network_bytes_total" in run(None, "history", "--help").stdout
    typo = run(None, "histroy")
    assert typo.returncode == 2
    from anchor_history.cli import _COMMANDS

    assert typo.stderr == (
        "anchor-history: error: unknown command 'histroy'; did you mean 'history'? "
        f"commands: {', '.join(_COMMANDS)} (default history)\n"
    )
    assert "sandbox" in _COMMANDS


def test_the_sandbox_refuses_a_busy_port_and_negative_counts() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [SCRIPT, "sandbox", "--port", str(port)], capture_output=True, text=True, timeout=30
        )
    assert result.returncode == 8
    assert result.stderr == (
        f"anchor-history: error: port {port} on 127.0.0.1 is already in use (another "
        "sandbox?); pick another with --port, or --port 0 for a free one\n"
    )
    negative = subprocess.run(
        [SCRIPT, "sandbox", "--sessions", "-5"], capture_output=True, text=True, timeout=30
    )
    assert negative.returncode == 2
    assert "-5 is below 0" in negative.stderr


def test_the_sandbox_prints_export_lines_for_eval(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [SCRIPT, "sandbox", "--port", "0", "--sessions", "100", "--print-env"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline(), process.stdout.readline()]
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=10)
    assert lines[0].startswith("export ANCHORBROWSER_BASE_URL=http://127.0.0.1:")
    assert lines[1].startswith("export ANCHORBROWSER_API_KEY=sandbox-")
    script = tmp_path / "env.sh"
    script.write_text("".join(lines) + 'echo "$ANCHORBROWSER_BASE_URL"\n')
    shell = subprocess.run(["bash", str(script)], capture_output=True, text=True, timeout=10)
    assert shell.stdout.startswith("http://127.0.0.1:")


def test_the_fixture_points_a_bare_client_at_data_up_to_now(anchor_sandbox) -> None:
    with HistoryClient() as client:
        history = client.fetch(from_date="7d", granularity="hour")
    assert history.summary.session_count > 0
    assert abs(anchor_sandbox.data.end - datetime.now(UTC)) < timedelta(hours=1)
    assert history.points[-1].start <= datetime.now(UTC)


def test_help_answers_without_loading_the_http_stack() -> None:
    """--help must answer at once: no httpx (which pulls in rich and click)."""
    import sys

    probe = (
        "import sys\nfrom anchor_history.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "for name in ('check', 'compare', 'anomalies', 'sandbox'):\n"
        "    try:\n        main([name, '--help'])\n    except SystemExit:\n        pass\n"
        "print('httpx' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=30
    )
    assert result.stdout.strip().splitlines()[-1] == "False"


def test_an_hour_table_names_the_repeated_hour_of_a_dst_change(anchor_sandbox) -> None:
    """Berlin's clocks went back on 2026-10-25: 02:00 came twice, and looked the same."""
    result = run(
        anchor_sandbox,
        *("--from", "2026-10-25", "--to", "2026-10-25", "-g", "hour"),
        *("--tz", "Europe/Berlin", "-f", "table"),
    )
    assert result.returncode == 0, result.stderr
    labels = [line[:22].strip() for line in result.stdout.splitlines()[2:27]]
    assert len(labels) == len(set(labels)) == 25  # a 25-hour day
    assert "2026-10-25 02:00 CEST" in labels
    assert "2026-10-25 02:00 CET" in labels
    assert "2026-10-25 03:00" in labels  # only the repeated hour carries its zone
