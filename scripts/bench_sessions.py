"""make bench section 10: who spent it.

10a. A busy team's month from ``GET /v1/sessions``: 25,000 sessions, 500 pages of
    50, from a sandbox in its own process answering every request 20 ms late.
    ``HistoryClient.sessions`` at concurrency 8 against the ideal (the requests
    times the latency, over the concurrency) and against one page at a time,
    measured in the same run.
10b. A year's breakdown from a store: a year of that team (300,000 sessions),
    synced once with ``sync --sessions`` (kept in bench/.cache), then
    ``anchor-history breakdown --store`` from a cold start, interleaved with
    ``history --store`` over the same year as the baseline a store command costs.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench_timing import fmt_s, timed

__all__ = ["bench_sessions"]

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
KEY = "bench-sessions-key"


def _sandbox(sessions: int, days: int, latency_ms: float, db: Path) -> tuple[Any, str]:
    command = [
        str(BIN / "anchor-history"), "sandbox", "--port", "0", "--api-key", KEY,
        "--sessions", str(sessions), "--days", str(days), "--seed", "5", "--db", str(db),
        "--latency-ms", str(latency_ms),
    ]  # fmt: skip
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if "ANCHORBROWSER_BASE_URL=" not in line:
        proc.kill()
        raise SystemExit(f"the sandbox did not start: {line}")
    return proc, line.split("ANCHORBROWSER_BASE_URL=")[1].split()[0]


def _listing(report: Any, repeat: int, latency_ms: float) -> None:
    from anchor_history import HistoryClient

    cache = ROOT / "bench" / ".cache"
    proc, base_url = _sandbox(25_000, 30, latency_ms, cache / "sessions-month.sqlite3")
    try:
        end = datetime.now(UTC)
        start = end - timedelta(days=31)
        with HistoryClient(KEY, base_url, concurrency=8) as client:
            list(client.sessions(end - timedelta(hours=1), end))  # the sandbox's first listing
            pages: list[int] = []

            def count(done: int, total: int) -> None:
                pages.append(total)

            listed = list(client.sessions(start, end, progress=count))
            requests = pages[-1]
            concurrent = timed(lambda: list(client.sessions(start, end)), repeat)
            one_at_a_time = timed(lambda: list(client.sessions(start, end, concurrency=1)), 1)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    ideal = requests * latency_ms / 1000 / 8
    median = statistics.median(concurrent)
    report.say("## 10. Who spent it: the session listing and the breakdown")
    report.say(
        f"10a. a busy team's month from GET /v1/sessions: {len(listed):,} sessions, "
        f"{requests} requests, {latency_ms:g} ms a request"
    )
    report.say(f"  concurrency 8:  {fmt_s(concurrent)}")
    report.say(f"  one at a time:  {fmt_s(one_at_a_time)} (the baseline, one run)")
    report.say(f"  ideal at 8:     {ideal * 1000:8.1f} ms (requests x latency / 8)")
    report.say(
        f"  {median / ideal:.2f}x the ideal; {one_at_a_time[0] / median:.1f}x faster than "
        "one page at a time"
    )
    report.target(
        "a busy month of sessions in a few seconds (under 5 s)", median < 5, f"{median:.2f} s"
    )
    report.target("a busy month within 2x the ideal at concurrency 8", median / ideal <= 2.0,
                  f"{median / ideal:.2f}x")  # fmt: skip


def _year_store(report: Any) -> Path:
    cache = ROOT / "bench" / ".cache"
    path = cache / "sessions-year.db"
    if path.exists():
        return path
    proc, base_url = _sandbox(300_000, 365, 0.0, cache / "sessions-year.sqlite3")
    try:
        env = {"ANCHORBROWSER_BASE_URL": base_url, "ANCHORBROWSER_API_KEY": KEY, "PATH": ""}
        started = time.perf_counter()
        subprocess.run(
            [str(BIN / "anchor-history"), "sync", "--store", str(path), "--sessions",
             "--from", "365d", "--quiet"],
            env=env, check=True, capture_output=True, text=True,
        )  # fmt: skip
        report.say(
            f"  (made once: sync --sessions of a year took {time.perf_counter() - started:.0f} s)"
        )
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    return path


def _cold(args: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run([str(BIN / "anchor-history"), *args], check=True, capture_output=True)
    return time.perf_counter() - started


def _year_breakdown(report: Any, repeat: int) -> None:
    report.say("10b. a year's breakdown from a store, cold start to exit")
    path = str(_year_store(report))
    runs = max(7, repeat)
    cases = {
        "breakdown --by tag": ["breakdown", "--store", path, "--from", "365d", "--by", "tag"],
        "breakdown --by api_key, priced": [
            "breakdown", "--store", path, "--from", "365d", "--by", "api_key",
            "--credit-price", "0.01", "--included-credits", "20000",
            "--overage-credit-price", "0.02",
        ],
        "history (baseline)": ["history", "--store", path, "--from", "365d"],
    }  # fmt: skip
    times: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(runs):  # interleaved: a noisy moment falls on all alike
        for name, args in cases.items():
            times[name].append(_cold([*args, "-f", "json", "-q"]))
    base = statistics.median(times["history (baseline)"])
    for name, found in times.items():
        ratio = statistics.median(found) / base
        report.say(f"  {name:<32} {fmt_s(found)}  {ratio:.2f}x the baseline")
    median = statistics.median(times["breakdown --by tag"])
    report.target("a year's breakdown from the store under 0.3 s", median < 0.3, f"{median:.3f} s")


def bench_sessions(report: Any, repeat: int, latency_ms: float) -> None:
    _listing(report, min(repeat, 3), latency_ms)
    _year_breakdown(report, repeat)
    report.say()
