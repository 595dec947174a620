"""make bench, cold start: our client against the official SDK, each installed alone
in its own clean venv (bench/.cache/venv-*), as a user's program would meet them.

Both venvs are made by uv from the lock (our runtime dependencies, no extras;
the SDK pinned as in the lock's bench group), with bytecode compiled, so
neither pays for compiling. Each figure is the median of fresh interpreters
running the import and the construction of a client.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

__all__ = ["bench_clean_cold_start"]

ROOT = Path(__file__).resolve().parent.parent
UV = ROOT / ".tools" / "bin" / "uv"
OURS = "from anchor_history import HistoryClient; HistoryClient(api_key='k').close()"
SDK = "from anchorbrowser import Anchorbrowser; Anchorbrowser(api_key='k').close()"


def _venv(name: str, requirements: list[str]) -> Path:
    """A venv holding ``requirements`` only, remade when they change."""
    folder = ROOT / "bench" / ".cache" / f"venv-{name}"
    stamp = folder / "requirements.txt"
    wanted = "\n".join(requirements) + "\n"
    if stamp.exists() and stamp.read_text() == wanted:
        return folder / "bin" / "python"
    shutil.rmtree(folder, ignore_errors=True)
    subprocess.run(
        [str(UV), "venv", "--quiet", "--python", sys.executable, str(folder)], check=True
    )
    listed = folder / "wanted.txt"
    listed.write_text(wanted)
    subprocess.run(
        [str(UV), "pip", "install", "--quiet", "--compile-bytecode",
         "--python", str(folder / "bin" / "python"), "-r", str(listed)],
        check=True, cwd=ROOT,
    )  # fmt: skip
    stamp.write_text(wanted)
    return folder / "bin" / "python"


def _locked(*args: str) -> list[str]:
    """Pinned requirements from uv.lock (no hashes: installed into a scratch venv)."""
    out = subprocess.run(
        [str(UV), "export", "--frozen", "--no-hashes", "--no-header", "--no-annotate", *args],
        capture_output=True, text=True, check=True, cwd=ROOT,
    ).stdout  # fmt: skip
    return [line for line in out.splitlines() if line and not line.startswith(("#", "-e", "."))]


def bench_clean_cold_start(report: Any, repeat: int) -> None:
    report.say("## 3b. Cold start in clean venvs: import and construct a client")
    ours_requirements = [*_locked("--no-dev"), str(ROOT)]
    sdk_requirements = _locked("--only-group", "bench")
    ours = _venv("ours", ours_requirements)
    # This tree as it is now (the requirements above do not change with the code).
    subprocess.run(
        [str(UV), "pip", "install", "--quiet", "--compile-bytecode", "--no-deps", "--reinstall",
         "--python", str(ours), str(ROOT)],
        check=True, cwd=ROOT,
    )  # fmt: skip
    sdk = _venv("sdk", sdk_requirements)
    runs = max(7, repeat * 2)

    def once(python: Path, code: str) -> float:
        started = time.perf_counter()
        subprocess.run([str(python), "-c", code], check=True)
        return time.perf_counter() - started

    def side_by_side(code: str, other: str) -> tuple[list[float], list[float]]:
        """Ours and theirs in turn, run after run, so that a noisy moment on this
        shared machine falls on both alike."""
        once(ours, code)  # warm the page cache
        once(sdk, other)
        pairs = [(once(ours, code), once(sdk, other)) for _ in range(runs * 2)]
        return [a for a, _ in pairs], [b for _, b in pairs]

    bare = [once(ours, "pass") for _ in range(runs)]
    mine, theirs = side_by_side(OURS, SDK)
    ratio = statistics.median(mine) / statistics.median(theirs)
    report.say(f"  python -c pass                              : {_fmt(bare)}")
    report.say(f"  anchor-history: import HistoryClient, make one: {_fmt(mine)}")
    report.say(f"  official SDK: import Anchorbrowser, make one  : {_fmt(theirs)}")
    report.target(
        "cold start at most 0.33x the SDK's (clean venvs)", ratio <= 0.33, f"{ratio:.2f}x"
    )
    # Ours makes its connection pool and SSL context at the first request, so the
    # same with one request sent (to the latency stub, no latency) says what a
    # program that fetches pays.
    stub = subprocess.Popen(
        [sys.executable, str(ROOT / "scripts" / "latency_stub.py"), "--latency-ms", "0"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert stub.stdout is not None
        url = stub.stdout.readline().split("=", 1)[1].strip()
        window = "from_date='2026-11-01', to_date='2026-11-08'"
        mine_sent, theirs_sent = side_by_side(
            f"from anchor_history import HistoryClient\n"
            f"with HistoryClient('k', {url!r}) as c: c.fetch({window})",
            f"from anchorbrowser import Anchorbrowser\n"
            f"c = Anchorbrowser(api_key='k', base_url={url!r}, max_retries=0)\n"
            f"c.sessions.get_sessions_history({window}, granularity='day', "
            f"metrics=['session_count'])\nc.close()",
        )
    finally:
        stub.terminate()
        stub.wait(timeout=10)
    sent = statistics.median(mine_sent) / statistics.median(theirs_sent)
    report.say(f"  the same, and one request sent: anchor-history {_fmt(mine_sent)}")
    report.say(f"  the same, and one request sent: official SDK   {_fmt(theirs_sent)}; {sent:.2f}x")
    report.say()


def _fmt(times: list[float]) -> str:
    return (
        f"{statistics.median(times) * 1000:7.1f} ms "
        f"(range {min(times) * 1000:.1f}-{max(times) * 1000:.1f}, {len(times)} runs)"
    )
