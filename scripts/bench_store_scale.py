"""make bench, the store at a company's scale: 100 teams x 3 years of hours.

The store is built by the bench (not committed) in the shape the version
before the daily rollup wrote (hours and syncs, schema 0), so its first open
measures the upgrade too; it is cached in bench/.cache. Then, side by side:
a year by day of every team summed, through the rollup and the way the
store answered before (a GROUP BY over the hours, then a second scan for the
totals); the CLI's `history --store` for all teams and for one; and an
incremental `sync --all-teams` of the hundred against the sandbox.
"""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench_timing import fmt_s, timed

__all__ = ["SCALE_STORE", "bench_store_scale", "keys_env", "run_checked", "team_key", "teams_toml"]

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
TEAMS, YEARS = 100, 3
SCALE_STORE = ROOT / "bench" / ".cache" / f"store-{TEAMS}x{YEARS}.sqlite3"


def team_key(key: str, team: int) -> str:
    """The key team ``team`` of a store bench syncs with (the sandbox accepts each)."""
    return f"{key}-team-{team:03d}"


def teams_toml(teams: range) -> str:
    """A teams file for `sync --all-teams`: team-NNN, its key in BENCH_KEY_NNN."""
    return "".join(
        f'[[teams]]\nname = "team-{t:03d}"\nkey_env = "BENCH_KEY_{t:03d}"\n\n' for t in teams
    )


def keys_env(key: str) -> dict[str, str]:
    """The environment with every team's key (a store holds one account once)."""
    return {**os.environ, **{f"BENCH_KEY_{t:03d}": team_key(key, t) for t in range(TEAMS)}}


def run_checked(command: list[str]) -> None:
    """A command whose failure ends the bench, saying what it printed."""
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command[:3])} failed: {done.stderr[-2000:]}")


def _build_old_store(path: Path, end: datetime) -> None:
    """Hours of every team for three years, written as a schema-0 store would be."""
    from anchor_history.calendar.wire import format_api_datetime
    from anchor_history.models.history import metric_names
    from anchor_history.store import UsageStore

    with UsageStore(str(path)):
        pass
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("DROP TABLE day_sums")
    conn.execute("DROP TABLE held")
    conn.execute("PRAGMA user_version = 0")
    metrics = metric_names()
    last = int(end.timestamp()) // 3600
    first = last - YEARS * 365 * 24
    rng = random.Random(7)
    marks = ", ".join("?" * (2 + len(metrics)))
    conn.execute("BEGIN")
    for t in range(TEAMS):
        team = f"team-{t:03d}"
        scale = rng.uniform(0.2, 3.0)
        rows = []
        for hour in range(first, last):
            n = int(rng.random() * 20 * scale)
            if n == 0:
                continue
            rows.append(
                (team, hour, n, n * 1_048_576, n * 3, round(n * 0.07, 4), round(n * 0.35, 4),
                 n * 2, n * 2_097_152)
            )  # fmt: skip
        conn.executemany(
            f"INSERT INTO hours (team, hour, {', '.join(metrics)}) VALUES ({marks})", rows
        )
        start = datetime.fromtimestamp(first * 3600, UTC)
        conn.execute(
            "INSERT INTO syncs (team, window_start, window_end, finished_at, hours_added, "
            "hours_replaced, hours_removed, requests, summary) "
            "VALUES (?, ?, ?, ?, ?, 0, 0, ?, '{}')",
            (team, format_api_datetime(start), format_api_datetime(end),
             format_api_datetime(end), len(rows), -(-len(rows) // 1000)),
        )  # fmt: skip
    conn.execute("COMMIT")
    conn.close()


def _old_answer(conn: sqlite3.Connection, first: int, last: int, names: tuple[str, ...]) -> Any:
    """How the store answered before the rollup: every hour grouped, then the totals."""
    from anchor_history.store.dialect import metric_sum, period_sql

    sums = ", ".join(metric_sum(conn, m) for m in names)
    where = "hour >= ? AND hour < ?"
    rows = conn.execute(
        f"SELECT {period_sql(conn, 'day')} AS p, {sums} FROM hours WHERE {where} "
        "GROUP BY p ORDER BY p",
        (first, last),
    ).fetchall()
    totals = conn.execute(f"SELECT {sums} FROM hours WHERE {where}", (first, last)).fetchone()
    return rows, totals


def bench_store_scale(report: Any, base_url: str, key: str, repeat: int) -> None:
    from anchor_history.models.history import metric_names
    from anchor_history.store import UsageStore

    report.say(f"## 9. The store at scale: {TEAMS} teams x {YEARS} years of hours")
    cache = SCALE_STORE
    end = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)
    if not cache.exists():
        built = cache.with_suffix(".building")
        for leftover in cache.parent.glob(built.name + "*"):
            leftover.unlink()
        started = time.perf_counter()
        _build_old_store(built, end)
        report.say(f"  built a schema-0 store in {time.perf_counter() - started:.1f} s (cached)")
        started = time.perf_counter()
        with UsageStore(str(built)):  # the first open upgrades it: the rollup is made
            pass
        report.say(
            f"  first open of that old store (upgrade: rollup and spans) "
            f"{time.perf_counter() - started:.1f} s (once)"
        )
        built.rename(cache)
    with sqlite3.connect(cache) as conn:
        (hours,) = conn.execute("SELECT count(*) FROM hours").fetchone()
    report.say(f"  {hours:,} hours, {cache.stat().st_size / 1e6:.0f} MB")

    names = metric_names()
    with UsageStore(str(cache), create=False) as store:
        held_end = store.held()[1]
        store.fetch("365d", None, "day", "all", now=held_end)  # warm the page cache
        rollup = timed(lambda: store.fetch("365d", None, "day", "all", now=held_end), repeat)
        one = timed(
            lambda: store.fetch("365d", None, "day", "all", team="team-042", now=held_end), repeat
        )
        last = int(held_end.timestamp()) // 3600
        plain = timed(lambda: _old_answer(store._conn, last - 365 * 24, last, names), repeat)
    ratio = statistics.median(plain) / statistics.median(rollup)
    report.say(f"  a year by day, all teams, all metrics, in-process (warm): {fmt_s(rollup)}")
    report.say(
        f"    the same over the hours, as before the rollup      : {fmt_s(plain)}; "
        f"{ratio:.0f}x slower"
    )
    report.say(f"  one team's year by day, in-process                     : {fmt_s(one)}")
    report.target("all teams' year by day under 100 ms warm", statistics.median(rollup) < 0.1,
                  f"{statistics.median(rollup) * 1000:.0f} ms")  # fmt: skip

    cli = [str(BIN / "anchor-history"), "history", "--store", str(cache), "--from", "365d",
           "-g", "day", "-m", "all", "--format", "json"]  # fmt: skip
    everyone = timed(lambda: run_checked(cli), repeat)
    alone = timed(lambda: run_checked([*cli, "--team", "team-042"]), repeat)
    report.say(f"  CLI history --store, a year by day, all teams: {fmt_s(everyone)}")
    report.say(f"  CLI history --store, one team                : {fmt_s(alone)}")
    report.target("CLI all teams under 0.4 s", statistics.median(everyone) < 0.4,
                  f"{statistics.median(everyone):.3f} s")  # fmt: skip
    report.target("CLI one team under 0.25 s", statistics.median(alone) < 0.25,
                  f"{statistics.median(alone):.3f} s")  # fmt: skip

    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "usage.db"
        shutil.copyfile(cache, copy)
        config = Path(folder) / "teams.toml"
        config.write_text(teams_toml(range(TEAMS)))
        sync = [str(BIN / "anchor-history"), "sync", "--all-teams", "--config", str(config),
                "--store", str(copy), "--base-url", base_url]  # fmt: skip
        env = keys_env(key)
        runs = []
        for _ in range(max(3, repeat // 2)):
            started = time.perf_counter()
            done = subprocess.run(sync, capture_output=True, text=True, env=env)
            runs.append(time.perf_counter() - started)
            if done.returncode != 0:
                raise SystemExit(f"sync --all-teams failed: {done.stderr[-2000:]}")
        lines = done.stdout.strip().splitlines()
    report.say(
        f"  CLI sync --all-teams, {len(lines)} teams incremental (20 ms latency): {fmt_s(runs)}"
    )
    report.target("100 teams incremental under 5 s", statistics.median(runs) < 5,
                  f"{statistics.median(runs):.2f} s")  # fmt: skip
    report.say()
