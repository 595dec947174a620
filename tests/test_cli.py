"""The installed anchor-history command, end to end against the sandbox."""

from __future__ import annotations

import csv
import io
import json
import os
import pty
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from anchor_history import HistoryClient
from anchor_history.periods import fetch_periods
from anchor_history.testing.sandbox import Sandbox

SCRIPT = str(Path(sys.executable).parent / "anchor-history")
WINDOW = ["--from", "2026-08-01", "--to", "2026-10-31"]
METRICS = "session_count,credits_used,proxy_bytes"


def environment(box: Sandbox | None, key: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANCHORBROWSER_")}
    # Each run its own alert state (check --notify), never the user's own: a test
    # that needs the state kept between runs passes --state.
    env["XDG_STATE_HOME"] = tempfile.mkdtemp(prefix="anchor-state-")
    if box is not None:
        env["ANCHORBROWSER_BASE_URL"] = box.base_url
        env["ANCHORBROWSER_API_KEY"] = key or box.api_key
    return env


def run(box: Sandbox | None, *args: str, key: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [SCRIPT, *args], env=environment(box, key), capture_output=True, text=True, timeout=60
    )


def library_result(box: Sandbox):
    """What the CLI shows: whole periods, quiet ones filled (fetch_periods)."""
    with HistoryClient(box.api_key, box.base_url) as client:
        return fetch_periods(client, "2026-08-01", "2026-10-31", "day", METRICS)


def test_csv_matches_the_library(anchor_sandbox: Sandbox) -> None:
    result = run(anchor_sandbox, *WINDOW, "--metrics", METRICS, "--format", "csv")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    expected = library_result(anchor_sandbox).to_dicts()
    assert list(rows[0]) == ["start", "partial", "session_count", "credits_used", "proxy_bytes"]
    assert [r["start"] for r in rows] == [e["start"] for e in expected]
    assert len(rows) == 92  # every day of August to October, quiet ones as zeros
    assert [int(r["session_count"]) for r in rows] == [e["session_count"] for e in expected]
    assert [float(r["credits_used"]) for r in rows] == [e["credits_used"] for e in expected]


def test_json_holds_query_points_and_summary(anchor_sandbox: Sandbox) -> None:
    result = run(anchor_sandbox, *WINDOW, "--metrics", METRICS, "--format", "json")
    document = json.loads(result.stdout)
    expected = library_result(anchor_sandbox)
    assert document["query"] == {
        "from": "2026-08-01T00:00:00.000Z",
        "to": "2026-10-31T23:59:59.999Z",
        "granularity": "day",
        "metrics": ["session_count", "credits_used", "proxy_bytes"],
        "tz": "UTC",
    }
    assert document["points"] == expected.to_dicts()
    assert document["points"][0]["start"].endswith("Z")
    assert document["summary"]["session_count"] == expected.summary.session_count


def test_ndjson_is_one_point_per_line(anchor_sandbox: Sandbox) -> None:
    result = run(anchor_sandbox, *WINDOW, "--format", "ndjson")
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == len(library_result(anchor_sandbox).points)
    assert set(lines[0]) == {"start", "partial", "session_count"}


def test_parquet_file_round_trips(anchor_sandbox: Sandbox, tmp_path: Path) -> None:
    import pyarrow.parquet as pq  # the parquet extra: installed by make setup

    out = tmp_path / "usage.parquet"
    result = run(anchor_sandbox, *WINDOW, "--metrics", METRICS, "-f", "parquet", "-o", str(out))
    assert result.returncode == 0, result.stderr
    table = pq.read_table(out).to_pydict()
    assert table["session_count"] == [p.session_count for p in library_result(anchor_sandbox)]


def test_parquet_needs_an_output_file(anchor_sandbox: Sandbox) -> None:
    result = run(anchor_sandbox, *WINDOW, "--format", "parquet")
    assert result.returncode == 2
    assert "--output" in result.stderr


def test_table_formats_periods_bytes_and_totals(anchor_sandbox: Sandbox) -> None:
    result = run(
        anchor_sandbox,
        "--from",
        "2026-08-01",
        "--to",
        "2026-10-31",
        "-g",
        "week",
        "--metrics",
        METRICS,
        "--format",
        "table",
    )
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["period", "(UTC)", "session_count", "credits_used", "proxy_bytes"]
    assert lines[2].startswith("2026-W31 *")  # Saturday Aug 1: its week cut by --from
    assert "GiB" in result.stdout or "MiB" in result.stdout
    with HistoryClient(anchor_sandbox.api_key, anchor_sandbox.base_url) as client:
        weeks = fetch_periods(client, "2026-08-01", "2026-10-31", "week", METRICS)
    assert weeks.query.from_date.isoformat() == "2026-08-01T00:00:00+00:00"  # a date: exact
    total = weeks.summary.session_count
    assert lines[-2].startswith("total")
    assert f"{total:,}" in lines[-2]
    # The last week (Oct 26 - Nov 1) is cut by --to: marked, with the footnote.
    assert lines[-4].startswith("2026-W44 *")
    assert lines[-1].startswith("* partial period")
    assert "warning" not in result.stdout


def test_png_chart_is_written(anchor_sandbox: Sandbox, tmp_path: Path) -> None:
    out = tmp_path / "chart.png"
    result = run(anchor_sandbox, *WINDOW, "--output", str(out))
    assert result.returncode == 0, result.stderr
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert result.stdout == ""  # the chart, and nothing on stdout


def test_terminal_chart_fits_80_columns(anchor_sandbox: Sandbox) -> None:
    result = run(anchor_sandbox, *WINDOW, "-f", "table", "--chart")
    chart = result.stdout.split("total", 1)[1]
    assert "session_count" in chart
    assert "┤" in chart
    assert max(len(line) for line in chart.splitlines()) <= 100


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--metrics", "credit_used"], 2, "did you mean 'credits_used'"),
        (["--granularity", "yearly"], 2, "unknown granularity"),
        (["--from", "whenever"], 2, "cannot read 'whenever'"),
        (["--page-size", "5000"], 2, "--page-size: 5000"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(anchor_sandbox: Sandbox, args, code, message) -> None:
    result = run(anchor_sandbox, *args)
    assert result.returncode == code
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_wrong_key_exits_3_and_never_prints_it(anchor_sandbox: Sandbox) -> None:
    result = run(anchor_sandbox, key="secret-wrong-key-123")
    assert result.returncode == 3
    assert "HTTP 401" in result.stderr
    assert "secret-wrong-key-123" not in result.stdout + result.stderr


def test_missing_key_exits_3() -> None:
    result = run(None, "--base-url", "http://127.0.0.1:9")
    assert result.returncode == 3
    assert "ANCHORBROWSER_API_KEY" in result.stderr


def test_server_errors_after_retries_exit_4(anchor_sandbox: Sandbox) -> None:
    anchor_sandbox.set_faults("500@1+")
    result = run(anchor_sandbox, "--max-retries", "1")
    assert result.returncode == 4
    assert "HTTP 500" in result.stderr
    assert anchor_sandbox.faults.requests == 2


def test_network_failure_exits_5(anchor_sandbox: Sandbox) -> None:
    result = run(anchor_sandbox, "--base-url", "http://127.0.0.1:1", "--max-retries", "0")
    assert result.returncode == 5
    assert "ConnectError" in result.stderr


def test_malformed_response_exits_6(anchor_sandbox: Sandbox) -> None:
    anchor_sandbox.set_faults("wrong-type@1")
    result = run(anchor_sandbox, *WINDOW)
    assert result.returncode == 6
    assert "expected a number, got str" in result.stderr


def test_verbose_logs_requests_without_the_key(anchor_sandbox: Sandbox) -> None:
    result = run(anchor_sandbox, *WINDOW, "--verbose", "--format", "csv")
    assert "GET /v1/sessions/history?" in result.stderr
    assert anchor_sandbox.api_key not in result.stdout + result.stderr


def run_on_a_terminal(box: Sandbox, *args: str) -> str:
    """The command with stderr on a pseudo-terminal; what the terminal showed."""
    leader, follower = pty.openpty()
    try:
        process = subprocess.run(
            [SCRIPT, *args],
            env=environment(box),
            stdout=subprocess.PIPE,
            stderr=follower,
            timeout=60,
        )
        os.close(follower)
        seen = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
    finally:
        os.close(leader)
    assert process.returncode == 0
    return seen.decode()


def test_progress_is_shown_only_on_a_terminal(anchor_sandbox: Sandbox) -> None:
    args = [
        "--from",
        "2025-11-01",
        "--to",
        "2026-10-31",
        "-g",
        "hour",
        "--page-size",
        "500",
        "-f",
        "csv",
    ]
    piped = run(anchor_sandbox, *args)
    assert piped.returncode == 0
    assert "fetching pages" not in piped.stderr
    assert "fetching pages" in run_on_a_terminal(anchor_sandbox, *args)


def test_help_lists_exit_codes_and_fault_kinds() -> None:
    top = run(None, "--help")
    assert "6  the response was not in the spec's shape" in top.stdout
    sandbox = run(None, "sandbox", "--help")
    for kind in ("429", "502", "reset", "slow", "truncated", "endless", "shifting", "duplicate"):
        assert kind in sandbox.stdout


def run_in_process(box: Sandbox, *args: str) -> int:
    """main() in this process, so a test can patch modules; requests counted by the sandbox."""
    from anchor_history.cli import main

    return main(["history", "--base-url", box.base_url, "--api-key", box.api_key, *args])


def test_parquet_to_a_png_path_is_refused_before_any_request(anchor_sandbox: Sandbox) -> None:
    before = anchor_sandbox.faults.requests
    assert run_in_process(anchor_sandbox, "--format", "parquet", "--output", "x.png") == 2
    assert run_in_process(anchor_sandbox, "--format", "parquet") == 2
    assert anchor_sandbox.faults.requests == before


def test_a_missing_extra_fails_before_any_request(
    anchor_sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "plotext", None)  # as if the chart extra were missing
    before = anchor_sandbox.faults.requests
    assert run_in_process(anchor_sandbox, "--chart") == 2
    assert "pip install 'anchor-history[chart]'" in capsys.readouterr().err
    assert anchor_sandbox.faults.requests == before


def test_a_reader_that_stops_early_is_not_an_error(anchor_sandbox: Sandbox) -> None:
    args = [SCRIPT, "--from", "2025-11-01", "--to", "2026-10-31", "-g", "hour", "-f", "ndjson"]
    pipeline = subprocess.run(
        " ".join(args) + " | head -n 1",
        shell=True,
        env=environment(anchor_sandbox),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert len(pipeline.stdout.splitlines()) == 1
    assert pipeline.stderr == ""


def test_an_unwritable_output_folder_fails_before_any_request(anchor_sandbox: Sandbox) -> None:
    before = anchor_sandbox.faults.requests
    result = run(anchor_sandbox, *WINDOW, "--format", "csv", "--output", "/nonexistent/dir/out.csv")
    assert result.returncode == 2
    assert result.stderr == (
        "anchor-history: error: --output /nonexistent/dir/out.csv: "
        "/nonexistent/dir is not a writable folder\n"
    )
    assert anchor_sandbox.faults.requests == before
