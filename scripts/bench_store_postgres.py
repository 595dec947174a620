"""make bench, the store at a company's scale on PostgreSQL beside SQLite.

Section 9's store (100 teams x 3 years of hours, cached in bench/.cache) is
copied into a throwaway PostgreSQL 15 cluster (tests/postgres_cluster.py, with
PostgreSQL's default durability: fsync and synchronous commits on) by
`anchor-history store copy`, then the same questions are timed on both engines
in this run, one after the other: a year by day of every team summed and of one
team, in-process and from the shell, an incremental `sync --all-teams` of the
hundred against the sandbox, and four such syncs at once, a quarter of the
teams each, as four hosts would run them. Where PostgreSQL is not installed, the section
says so and measures nothing.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from bench_store_scale import keys_env, run_checked, teams_toml
from bench_timing import fmt_s, timed

__all__ = ["bench_store_postgres"]

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
TEAMS = 100
ONE = "team-042"
HOSTS = 4


def bench_store_postgres(report: Any, cache: Path, base_url: str, key: str, repeat: int) -> None:
    report.say(f"## 9b. The same store on PostgreSQL 15 beside SQLite ({TEAMS} teams x 3 years)")
    sys.path.insert(0, str(ROOT / "tests"))
    import postgres_cluster

    why = postgres_cluster.available()
    if why is not None or not cache.exists():
        report.say(f"  SKIPPED, nothing measured: {why or 'section 9 made no store'}")
        report.say()
        return
    with postgres_cluster.cluster(durable=True) as server:
        url = postgres_cluster.fresh_database(server, "bench")
        started = time.perf_counter()
        run_checked([str(BIN / "anchor-history"), "store", "copy", str(cache), url, "--quiet"])
        took = time.perf_counter() - started
        report.say(f"  store copy SQLite -> PostgreSQL, verified: {took:.1f} s"
                   f" (once; {_size(url) / 1e6:.0f} MB in PostgreSQL, "
                   f"{cache.stat().st_size / 1e6:.0f} MB as a SQLite file)")  # fmt: skip
        engines = {"SQLite": str(cache), "PostgreSQL": url}
        _reads(report, engines, repeat)
        _syncs(report, cache, url, base_url, key, repeat)
    report.say()


def _reads(report: Any, engines: dict[str, str], repeat: int) -> None:
    from anchor_history.store import UsageStore

    medians: dict[tuple[str, str], float] = {}
    for engine, where in engines.items():
        with UsageStore(where, create=False) as store:
            end: datetime = store.held()[1]
            store.fetch("365d", None, "day", "all", now=end)  # warm: caches and buffers
            every = timed(partial(store.fetch, "365d", None, "day", "all", now=end), repeat)
            one = timed(partial(store.fetch, "365d", None, "day", "all", team=ONE, now=end), repeat)
        cli = [str(BIN / "anchor-history"), "history", "--store", where, "--from", "365d",
               "-g", "day", "-m", "all", "--format", "json"]  # fmt: skip
        shell_every = timed(partial(run_checked, cli), repeat)
        shell_one = timed(partial(run_checked, [*cli, "--team", ONE]), repeat)
        for name, times in (("in-process, all teams", every), ("in-process, one team", one),
                            ("CLI history --store, all teams", shell_every),
                            ("CLI history --store, one team", shell_one)):  # fmt: skip
            report.say(f"  {engine:<10} a year by day, {name:<31}: {fmt_s(times)}")
            medians[(engine, name)] = statistics.median(times)
    for name in ("in-process, all teams", "in-process, one team",
                 "CLI history --store, all teams", "CLI history --store, one team"):  # fmt: skip
        report.say(f"  {name}: {_winner(medians[('SQLite', name)], medians[('PostgreSQL', name)])}")
    report.target("PostgreSQL: all teams' year by day under 100 ms in-process (analyzed)",
                  medians[("PostgreSQL", "in-process, all teams")] < 0.1,
                  f"{medians[('PostgreSQL', 'in-process, all teams')] * 1000:.0f} ms")  # fmt: skip


def _syncs(report: Any, cache: Path, url: str, base_url: str, key: str, repeat: int) -> None:
    """The incremental sync of every team, into a copy of the SQLite store and into
    the PostgreSQL one, alternately (the sandbox's latency and load alike)."""
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "usage.db"
        shutil.copyfile(cache, copy)
        config = Path(folder) / "teams.toml"
        config.write_text(teams_toml(range(TEAMS)))
        for part in range(HOSTS):  # as HOSTS machines would split the teams
            (Path(folder) / f"part-{part}.toml").write_text(teams_toml(range(part, TEAMS, HOSTS)))
        env = keys_env(key)
        runs: dict[str, list[float]] = {"SQLite": [], "PostgreSQL": []}
        apart: dict[str, list[float]] = {"SQLite": [], "PostgreSQL": []}
        for _ in range(max(3, repeat // 2)):
            for engine, where in (("SQLite", str(copy)), ("PostgreSQL", url)):
                sync = [str(BIN / "anchor-history"), "sync", "--all-teams", "--config",
                        str(config), "--store", where, "--base-url", base_url]  # fmt: skip
                started = time.perf_counter()
                done = subprocess.run(sync, capture_output=True, text=True, env=env)
                runs[engine].append(time.perf_counter() - started)
                if done.returncode != 0:
                    raise SystemExit(f"sync --all-teams into {engine}: {done.stderr[-2000:]}")
                teams = len(done.stdout.strip().splitlines())
                if teams != TEAMS:
                    raise SystemExit(f"sync --all-teams into {engine}: {teams} teams, not {TEAMS}")
                apart[engine].append(_at_once(sync, Path(folder), env, engine))
    for engine, times in runs.items():
        report.say(f"  {engine:<10} CLI sync --all-teams, {TEAMS} teams incremental "
                   f"(20 ms latency): {fmt_s(times)}")  # fmt: skip
    for engine, times in apart.items():
        report.say(f"  {engine:<10} {HOSTS} syncs at once, {TEAMS // HOSTS} teams each "
                   f"(as {HOSTS} hosts would): {fmt_s(times)}")  # fmt: skip
    report.say(f"  {HOSTS} syncs at once: {_winner(*map(statistics.median, apart.values()))}")
    report.say(f"  sync --all-teams: {_winner(*map(statistics.median, runs.values()))}")
    report.target("PostgreSQL: 100 teams incremental under 10 s",
                  statistics.median(runs["PostgreSQL"]) < 10,
                  f"{statistics.median(runs['PostgreSQL']):.2f} s")  # fmt: skip


def _at_once(sync: list[str], folder: Path, env: dict[str, str], engine: str) -> float:
    """HOSTS processes, each syncing its part of the teams, started together: the
    time until the last is done."""
    config = sync.index("--config") + 1
    started = time.perf_counter()
    words = [[*sync[:config], str(folder / f"part-{part}.toml"), *sync[config + 1 :]]
             for part in range(HOSTS)]  # fmt: skip
    running = [subprocess.Popen(w, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                text=True) for w in words]  # fmt: skip
    failed = [p.communicate()[1] for p in running if p.wait() != 0]
    if failed:
        raise SystemExit(f"{HOSTS} syncs at once into {engine}: {failed[0][-2000:]}")
    return time.perf_counter() - started


def _winner(sqlite: float, postgres: float) -> str:
    if sqlite <= postgres:
        return f"SQLite wins, {postgres / sqlite:.1f}x faster"
    return f"PostgreSQL wins, {sqlite / postgres:.1f}x faster"


def _size(url: str) -> int:
    import psycopg

    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT pg_database_size(current_database())").fetchone()
    return int(row[0]) if row else 0
