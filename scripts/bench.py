"""make bench: speed, parsing, cold start and memory, each against a baseline measured
in the same run, printed with the targets and written to bench/RESULTS.md.

The sandbox runs in its own process (as a real server would) with injected
latency per request, so concurrency is measured against a realistic round trip.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench_anomalies import bench_anomalies
from bench_cold_start import bench_clean_cold_start
from bench_sessions import bench_sessions
from bench_store_postgres import bench_store_postgres
from bench_store_scale import SCALE_STORE, bench_store_scale, team_key
from bench_timing import fmt_s, summary, timed
from bench_whole_call import bench_whole_call

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


class Report:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.targets: list[tuple[str, bool, str]] = []

    def say(self, text: str = "") -> None:
        print(text, flush=True)
        self.lines.append(text)

    def target(self, name: str, met: bool, detail: str) -> None:
        mark = "MET" if met else "NOT MET"
        self.say(f"  target {name}: {mark} ({detail})")
        self.targets.append((name, met, detail))


def start_sandbox(
    args: argparse.Namespace, latency_ms: float
) -> tuple[subprocess.Popen[str], str, str]:
    cache = ROOT / "bench" / ".cache"
    cache.mkdir(parents=True, exist_ok=True)
    key = "bench-key"
    # A key per team of the store benches: a store holds one account under one team.
    team_keys = [x for i in range(100) for x in ("--api-key", team_key(key, i))]
    cmd = [
        str(BIN / "anchor-history"),
        "sandbox",
        "--port",
        "0",
        "--api-key",
        key,
        *team_keys,
        "--sessions",
        str(args.sessions),
        "--days",
        "400",
        "--seed",
        "1",
        "--db",
        str(cache / f"sandbox-{args.sessions}.sqlite3"),
        "--latency-ms",
        str(latency_ms),
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if "ANCHORBROWSER_BASE_URL=" not in line:
        proc.kill()
        raise SystemExit(f"the sandbox did not start: {line}")
    base_url = line.split("ANCHORBROWSER_BASE_URL=")[1].split()[0]
    return proc, base_url, key


def start_stub(latency_ms: float) -> tuple[subprocess.Popen[str], str]:
    """The latency-only stub: answers cached, so the client's own cost shows."""
    proc = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "scripts" / "latency_stub.py"),
            "--latency-ms",
            str(latency_ms),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line.startswith("BASE_URL="):
        proc.kill()
        raise SystemExit(f"the latency stub did not start: {line}")
    return proc, line.split("=", 1)[1].strip()


def window() -> tuple[datetime, datetime]:
    """The last 365 whole days: 8,760 hours, fixed for the whole run."""
    end = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return end - timedelta(days=365), end


def bench_fetch(report: Report, base_url: str, key: str, repeat: int) -> None:
    import anchorbrowser
    import httpx
    from anchor_history import HistoryClient

    start, end = window()
    iso = {
        "from_date": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "to_date": end.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    metrics = ["session_count", "credits_used", "session_hours"]
    report.say(
        "## 1. Full history fetch: one year by hour, three metrics, against a stub that "
        "only waits 20 ms per request (scripts/latency_stub.py, its own process)"
    )
    sdk = anchorbrowser.Anchorbrowser(api_key=key, base_url=base_url, max_retries=0)
    plain = httpx.Client(base_url=base_url, headers={"anchor-api-key": key}, timeout=30)
    for limit in (100, 1000):
        params = {**iso, "granularity": "hour", "metrics": metrics, "limit": limit}

        def one_page(params: dict[str, Any] = params) -> Any:
            return plain.get("/v1/sessions/history", params={**params, "page": 1}).json()

        first = one_page()
        pages, points = first["pagination"]["total_pages"], first["pagination"]["total_records"]
        single = summary(timed(one_page, repeat * 3))[0]

        def sdk_loop(limit: int = limit) -> int:
            count, page = 0, 1
            while True:
                result = sdk.sessions.get_sessions_history(
                    from_date=iso["from_date"],
                    to_date=iso["to_date"],
                    granularity="hour",
                    metrics=metrics,
                    page=page,
                    limit=limit,  # type: ignore[arg-type]
                )
                count += len(result.data or [])
                if not (result.pagination and result.pagination.has_next):
                    return count
                page += 1

        def httpx_loop(params: dict[str, Any] = params) -> int:
            count, page = 0, 1
            while True:
                body = plain.get("/v1/sessions/history", params={**params, "page": page}).json()
                count += len(body["data"])
                if not body["pagination"]["has_next"]:
                    return count
                page += 1

        report.say(
            f"limit {limit}: {points} points in {pages} pages; "
            f"one page takes {single * 1000:.1f} ms"
        )
        sdk_times = timed(sdk_loop, repeat)
        httpx_times = timed(httpx_loop, repeat)
        report.say(f"  official SDK, page by page : {fmt_s(sdk_times)}")
        report.say(f"  plain httpx loop           : {fmt_s(httpx_times)}")
        results: dict[int, list[float]] = {}
        for concurrency in (1, 4, 8):
            with HistoryClient(key, base_url, concurrency=concurrency) as client:
                got = client.fetch(start, end, "hour", metrics, page_size=limit)
                assert len(got) == points, (len(got), points)
                results[concurrency] = timed(
                    lambda c=client, n=limit: c.fetch(start, end, "hour", metrics, page_size=n),
                    repeat,
                )
            ideal = single * (1 + math.ceil((pages - 1) / concurrency))
            med = summary(results[concurrency])[0]
            report.say(
                f"  HistoryClient.fetch c={concurrency}   : {fmt_s(results[concurrency])}; "
                f"{summary(sdk_times)[0] / med:.2f}x the SDK, "
                f"{med / ideal:.2f}x the ideal {ideal * 1000:.0f} ms"
            )
        med8 = summary(results[8])[0]
        ideal8 = single * (1 + math.ceil((pages - 1) / 8))
        if limit == 100:
            report.target(
                "c=8 >= 4x faster than the SDK at 88 pages",
                summary(sdk_times)[0] / med8 >= 4,
                f"{summary(sdk_times)[0] / med8:.2f}x",
            )
        bound = 1.3 if limit == 100 else 2.0
        report.target(
            f"c=8 within {bound}x of the ideal at limit {limit}",
            med8 / ideal8 <= bound,
            f"{med8 / ideal8:.2f}x",
        )
    plain.close()
    report.say()


def bench_parse(report: Report, repeat: int) -> None:
    import httpx
    from anchor_history.core import _api
    from anchor_history.core._api.fast_pages import fast_page
    from anchor_history.testing.sandbox import Sandbox
    from anchorbrowser._models import construct_type
    from anchorbrowser.types import models as sdk_models

    report.say("## 2. Parsing a 1000-point page of every metric, as the sandbox served it (CPU)")
    # A quiet night hour is not listed: 1,500 hours hold 1,000 busy ones on any day.
    with Sandbox(seed=2, sessions=60_000, days=90) as box:
        end = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
        raw = httpx.get(
            box.base_url + "/v1/sessions/history",
            headers={"anchor-api-key": box.api_key},
            params={
                "from_date": (end - timedelta(hours=1500)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "to_date": end.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "granularity": "hour",
                "metrics": list(_api.METRICS),
                "limit": 1000,
            },
        ).content
    response = httpx.Response(200, content=raw)
    from anchorbrowser_api.models.session_history_response import SessionHistoryResponse

    def ours() -> Any:  # the whole road: decode, checks, the facade's page
        return _api.to_page(_api.Exchange(response, fast_page(raw), None))

    def generated() -> Any:  # the road every page took before
        exchange = _api.Exchange(response, SessionHistoryResponse.from_dict(json.loads(raw)), None)
        return _api.to_page(exchange)

    assert len(ours().points) == 1000
    assert ours() == generated()

    def sdk() -> Any:
        return construct_type(type_=sdk_models.SessionHistoryResponse, value=json.loads(raw))

    def bare() -> Any:
        return json.loads(raw)

    # CPU timings: timeit's way (GC paused, best of several rounds) is the steadiest
    # figure, so the target is judged on it; medians are printed too.
    import timeit

    def rounds(fn: Callable[[], Any]) -> list[float]:
        return [t / 20 for t in timeit.repeat(fn, number=20, repeat=max(5, repeat * 2))]

    t_bare, t_sdk, t_ours, t_gen = rounds(bare), rounds(sdk), rounds(ours), rounds(generated)

    def line(name: str, times: list[float]) -> str:
        return (
            f"  {name}: best {min(times) * 1000:6.2f} ms, "
            f"median {statistics.median(times) * 1000:6.2f} ms"
        )

    ratio = min(t_ours) / min(t_sdk)
    report.say(f"  {len(raw):,} bytes")
    report.say(line("json.loads only               ", t_bare))
    report.say(line("official SDK models           ", t_sdk))
    report.say(
        line("anchor-history, generated road", t_gen)
        + f"  ({min(t_gen) / min(t_sdk):.2f}x the SDK; the fallback)"
    )
    report.say(line("anchor-history, fast road     ", t_ours) + f"  ({ratio:.2f}x the SDK)")
    report.say(
        "  (ours checks every value's type and range and parses every date to UTC; "
        "the SDK's construct_type validates nothing)"
    )
    report.target("parsing at most 0.8x the SDK's", ratio <= 0.8, f"{ratio:.2f}x")
    report.say()


def bench_cold_start(report: Report, repeat: int) -> None:
    report.say("## 3. Cold start (fresh interpreter each time)")
    py = sys.executable

    def command(args: list[str]) -> list[float]:
        return timed(lambda: subprocess.run(args, capture_output=True, check=True), repeat * 2)

    base = command([py, "-c", "pass"])
    ours = command([py, "-c", "import anchor_history"])
    ours_client = command([py, "-c", "from anchor_history import HistoryClient"])
    helps = command([str(BIN / "anchor-history"), "--help"])
    sdk = command([py, "-c", "import anchorbrowser"])
    report.say(f"  python -c pass                          : {fmt_s(base)}")
    report.say(f"  import anchor_history                   : {fmt_s(ours)}")
    report.say(f"  from anchor_history import HistoryClient: {fmt_s(ours_client)}")
    report.say(f"  anchor-history --help                   : {fmt_s(helps)}")
    report.say(f"  import anchorbrowser (official SDK)     : {fmt_s(sdk)}")
    # What a user pays is the client (httpx with it), not the lazy package module.
    ratio = summary(ours_client)[0] / summary(sdk)[0]
    report.target("client import at most 0.6x the SDK's", ratio <= 0.6, f"{ratio:.2f}x")
    report.target("--help under 0.3 s", summary(helps)[0] < 0.3, f"{summary(helps)[0]:.3f} s")
    report.say(
        "  (the package alone, names loaded lazily: "
        f"{summary(ours)[0] / summary(sdk)[0]:.2f}x the SDK's import)"
    )
    report.say()


# Peak RSS is read from VmHWM: ru_maxrss would carry the parent's peak across exec.
_MEMORY_CHILD = r"""
import sys, httpx
from datetime import datetime, timedelta, timezone
from anchor_history import HistoryClient
total = int(sys.argv[1]); start = datetime(1990, 1, 1, tzinfo=timezone.utc)
def page(request):
    n = int(request.url.params["page"]); limit = int(request.url.params["limit"])
    pages = -(-total // limit)
    data = [{"date": (start + timedelta(hours=i)).strftime("%Y-%m-%dT%H:%M:%SZ"),
             "session_count": 1} for i in range((n - 1) * limit, min(total, n * limit))]
    return httpx.Response(200, json={"data": data, "summary": {"total_sessions": total},
        "pagination": {"current_page": n, "total_pages": pages, "total_records": total,
                       "has_next": n < pages, "has_prev": n > 1}})
def peak_kb():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
client = HistoryClient("k", "https://mock.test", transport=httpx.MockTransport(page))
baseline = peak_kb()
end = start + timedelta(hours=total)
points = client.iter_points(start, end, "hour", page_size=1000)
if sys.argv[2] == "hold":  # the baseline: every point kept in a list
    count = len(list(points))
else:
    count = sum(1 for _ in points)
assert count == total, count
print(baseline, peak_kb())
"""


def bench_memory(report: Report) -> None:
    report.say("## 4. Memory: iter_points, peak RSS (VmHWM) of a child process")

    def peak(total: int, mode: str) -> tuple[float, float]:
        out = subprocess.run(
            [sys.executable, "-c", _MEMORY_CHILD, str(total), mode],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        return int(out[0]) / 1024, int(out[1]) / 1024

    peaks = {}
    for total in (100_000, 1_000_000):
        baseline, peaks[total] = peak(total, "stream")
        report.say(
            f"  streaming {total:>9,} points: peak {peaks[total]:.1f} MB "
            f"(after imports {baseline:.1f} MB)"
        )
    held_base, held = peak(100_000, "hold")
    per_point = (held - held_base) / 100_000
    report.say(
        f"  baseline, holding 100,000 points in a list: peak {held:.1f} MB "
        f"({per_point * 1024 * 1024:.0f} bytes a point)"
    )
    growth = peaks[1_000_000] - peaks[100_000]
    would_hold = per_point * 900_000
    report.target("peak under 100 MB", max(peaks.values()) < 100, f"{max(peaks.values()):.1f} MB")
    report.target(
        "flat: 900k more points add under 10% of what holding them would",
        growth < 0.1 * would_hold,
        f"+{growth:.1f} MB vs {would_hold:.0f} MB to hold them",
    )
    report.say()


_SANDBOX_CPU = r"""
import json, os, sys, httpx
from datetime import datetime, timedelta, timezone
url, key, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3]); pid = int(sys.argv[4])
def cpu():
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
metrics = ["session_count", "proxy_bytes", "ai_steps", "session_hours", "credits_used",
           "screenshots", "network_bytes_total"]
end = datetime.now(timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
client = httpx.Client(base_url=url, headers={"anchor-api-key": key}, timeout=120)
fresh, again = [], []
for r in range(rounds):
    start = end - timedelta(days=365, hours=r + 1)  # a window no earlier query asked for
    params = {"from_date": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
              "to_date": end.strftime("%Y-%m-%dT%H:%M:%SZ"), "granularity": "hour",
              "metrics": metrics, "limit": 1000}
    for out in (fresh, again):  # the query, then the same query again
        before, pages, page = cpu(), 0, 1
        while True:
            body = client.get("/v1/sessions/history", params={**params, "page": page}).json()
            pages += 1
            if not body["pagination"]["has_next"]:
                break
            page += 1
        out.append((cpu() - before) / pages)
print(json.dumps([fresh, again]))
"""


def bench_sandbox(report: Report, sessions: int, args: argparse.Namespace) -> None:
    from anchor_history.testing.sandbox.aggregate import _buckets, bucket_history
    from anchor_history.testing.sandbox.data import DataSpec, create_database

    report.say(f"## 5. Sandbox: a year of hourly buckets on {sessions:,} sessions")
    db = ROOT / "bench" / ".cache" / f"sandbox-{sessions}.sqlite3"
    started = time.perf_counter()
    # Ending at today's midnight (the window's end), so the file is reused all day.
    spec = DataSpec(seed=1, sessions=sessions, days=400, end=window()[1])
    conn = create_database(str(db), spec)
    report.say(
        f"  database ready in {time.perf_counter() - started:.1f} s (generated once, then cached)"
    )
    start, end = window()
    every = ["session_count", "proxy_bytes", "ai_steps", "session_hours", "credits_used",
             "screenshots", "network_bytes_total"]  # fmt: skip

    def answer() -> Any:
        return bucket_history(
            conn, start=start, end=end, granularity="hour", metrics=every, page=1, limit=1000
        )

    cold = []
    for _ in range(3):
        _buckets.cache_clear()
        cold += timed(answer, 1)
    report.say(f"  a query's first page, made cold (in-process): {fmt_s(cold)}")

    proc, base_url, key = start_sandbox(args, 0)
    try:
        out = subprocess.run(
            [sys.executable, "-c", _SANDBOX_CPU, base_url, key, "10", str(proc.pid)],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    per_page, again = json.loads(out)
    report.say(
        "  the sandbox process's CPU per 1000-point page, every metric, a year by hour, "
        "read from /proc (10 queries, each a new window, all 9 pages):"
    )
    report.say(f"    a query's pages, the query included: {fmt_s(per_page)}")
    report.say(f"    the same query asked again         : {fmt_s(again)}")
    report.target(
        "sandbox CPU per 1000-point page at most 8.5 ms (half of the 17 ms measured before)",
        summary(per_page)[0] <= 0.0085,
        f"{summary(per_page)[0] * 1000:.1f} ms",
    )
    report.say()


def machine() -> str:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{platform.platform()}, {os.cpu_count()} cores ({cpu}), {mem:.0f} GiB, "
        f"Python {platform.python_version()}"
    )


def bench_store(report: Report, base_url: str, key: str, repeat: int) -> None:
    """A year of hours for 10 teams synced into one store (as `sync --all-teams` does,
    concurrently), a second run right after, and a year by day from the store
    against the same question online."""
    import tempfile
    from concurrent.futures import ThreadPoolExecutor

    from anchor_history import HistoryClient
    from anchor_history.store import UsageStore

    report.say("## 7. Local store: 10 teams, a year of hours each, sandbox with 20 ms latency")
    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "usage.db")

        def sync(team: str) -> Any:
            own = team_key(key, int(team.removeprefix("team-")))
            with UsageStore(path) as store, HistoryClient(own, base_url) as client:
                return store.sync(client, team=team, from_date="365d")

        teams = [f"team-{i}" for i in range(10)]
        for label in ("first run (backfill)", "second run (incremental)"):
            started = time.perf_counter()
            with ThreadPoolExecutor(max_workers=8) as pool:
                results = list(pool.map(sync, teams))
            seconds = time.perf_counter() - started
            hours = sum(r.hours_added + r.hours_replaced for r in results)
            requests = sum(r.requests for r in results)
            report.say(
                f"  {label:<25}: {seconds * 1000:8.1f} ms, {requests} requests, "
                f"{hours:,} hours written"
            )
        report.say(f"  store file: {Path(path).stat().st_size / 1e6:.1f} MB")
        with UsageStore(path, team="team-0") as store, HistoryClient(key, base_url) as client:
            offline = timed(lambda: store.fetch("365d", None, "day", "all"), repeat)
            online = timed(lambda: client.fetch("365d", None, "day", "all"), repeat)
        ratio = summary(online)[0] / summary(offline)[0]
        report.say(f"  a year by day, all metrics, from the store: {fmt_s(offline)}")
        report.say(f"  the same, online                          : {fmt_s(online)}")
        report.target("the store answers faster than the API", ratio > 1, f"{ratio:.1f}x")
    report.say()


def bench_forecast(report: Report) -> None:
    """The month-end forecast backtested on the sandbox's steady data, against the
    run rate (used so far / time gone), measured in the same run."""
    from anchor_history import HistoryClient
    from anchor_history.calendar.boundaries import billing_period
    from anchor_history.insights.forecast import forecast
    from anchor_history.testing.sandbox import Sandbox

    report.say("## 6. Forecast backtest: month-end totals forecast within the month")
    end = datetime(2026, 11, 1, tzinfo=UTC)
    ours: dict[int, list[float]] = {}
    naive: dict[int, list[float]] = {}
    inside = total = 0
    for seed in (5, 6, 7):
        with (
            Sandbox(seed=seed, sessions=120_000, days=240, end=end) as box,
            HistoryClient(box.api_key, box.base_url) as client,
        ):
            history = client.fetch(
                datetime(2026, 4, 1, tzinfo=UTC), end, "hour", "session_count,credits_used"
            )
        for month in (6, 7, 8, 9, 10):
            for day in (8, 15, 22):
                as_of = datetime(2026, month, day, 9, tzinfo=UTC)
                period = billing_period(as_of, "month")
                gone = (as_of - period[0]) / (period[1] - period[0])
                for metric in ("session_count", "credits_used"):
                    f = forecast(history.points, metric, period=period, as_of=as_of)
                    actual = sum(
                        getattr(p, metric) or 0 for p in history if period[0] <= p.start < period[1]
                    )
                    ours.setdefault(day, []).append(abs(f.value - actual) / actual)
                    naive.setdefault(day, []).append(abs(f.used / gone - actual) / actual)
                    inside += f.low <= actual <= f.high
                    total += 1
    report.say("  3 seeds x 5 months x 2 metrics; mean absolute error of the month's total")
    for day in sorted(ours):
        mine, base = statistics.fmean(ours[day]), statistics.fmean(naive[day])
        nth = f"{day}{'nd' if day % 10 == 2 else 'th'}"
        report.say(
            f"  as of the {nth:>4}: forecast {100 * mine:5.2f}% (worst "
            f"{100 * max(ours[day]):.2f}%), run rate {100 * base:5.2f}%: "
            f"{base / mine:.1f}x less error"
        )
    mid = statistics.fmean(ours[15])
    report.target("mid-month forecast error under 5% on steady data", mid < 0.05, f"{mid:.2%}")
    report.say(f"  the nominal 90% range held the actual total {inside} times of {total}")
    report.say()


def only_stores(args: argparse.Namespace) -> int:
    report = Report()
    report.say(f"machine: {machine()}; repetitions: {args.repeat}; medians with the range")
    proc, base_url, key = start_sandbox(args, args.latency_ms)
    try:
        bench_store_scale(report, base_url, key, args.repeat)
        bench_store_postgres(report, SCALE_STORE, base_url, key, args.repeat)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--sessions", type=int, default=1_000_000)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--output", default=str(ROOT / "bench" / "RESULTS.md"))
    parser.add_argument("--only", choices=["stores"], default=None,
                        help="stores: sections 9 and 9b alone (the store at scale on SQLite "
                        "and PostgreSQL), printed and not written to --output")  # fmt: skip
    args = parser.parse_args()
    if args.only == "stores":
        return only_stores(args)
    (ROOT / "bench" / ".cache").mkdir(parents=True, exist_ok=True)
    report = Report()
    report.say(f"# anchor-history benchmarks, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    report.say(f"machine: {machine()}")
    report.say(f"repetitions: {args.repeat}; figures are medians with the range\n")
    bench_sandbox(report, args.sessions, args)
    stub, stub_url = start_stub(args.latency_ms)
    try:
        bench_fetch(report, stub_url, "bench-key", args.repeat)
    finally:
        stub.terminate()
        stub.wait(timeout=10)
    proc, base_url, key = start_sandbox(args, args.latency_ms)
    try:
        bench_store(report, base_url, key, args.repeat)
        bench_store_scale(report, base_url, key, args.repeat)
        bench_store_postgres(report, SCALE_STORE, base_url, key, args.repeat)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    bench_parse(report, args.repeat)
    bench_whole_call(report, args.repeat)
    bench_cold_start(report, args.repeat)
    bench_clean_cold_start(report, args.repeat)
    bench_memory(report)
    bench_forecast(report)
    bench_anomalies(report, args.repeat)
    bench_sessions(report, args.repeat, args.latency_ms)
    met = sum(1 for _, ok, _ in report.targets if ok)
    report.say(f"targets met: {met} of {len(report.targets)}")
    Path(args.output).write_text(
        "```text\n" + "\n".join(report.lines) + "\n```\n\nReproduce: `make bench`\n"
    )
    print(f"written to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
