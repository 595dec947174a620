"""A read from a local store sends nothing, so it loads nothing for sending: no
httpx, no generated client (a cold `history --store` paid 85 ms for them)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from anchor_history import GRANULARITIES, METRICS, HistoryClient
from anchor_history.metrics import normalize_granularity, normalize_metrics
from anchor_history.models import metric_names
from anchor_history.store import UsageStore
from anchor_history.testing.sandbox import Sandbox

PROBE = """
import json, sys
from anchor_history.cli import main
sys.argv = ["anchor-history", *json.loads(sys.argv[1])]
try:
    code = main()
except SystemExit as exit:
    code = exit.code
print(json.dumps({"code": code, "httpx": "httpx" in sys.modules,
                  "generated": "anchorbrowser_api" in sys.modules,
                  "metadata": "importlib.metadata" in sys.modules}), file=sys.stderr)
"""


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("read") / "usage.db"
    with Sandbox(seed=8, sessions=3_000, days=40) as box, UsageStore(str(path)) as s:
        with HistoryClient(box.api_key, box.base_url) as client:
            s.sync(client, team="web", from_date="35d")
        yield path


@pytest.mark.parametrize(
    "words",
    [
        ["history", "--from", "7d", "-m", "all"],
        ["history", "--from", "7d", "--by-team", "-m", "credits_used,session_count"],
        ["check", "--budget", "credits_used=1e9"],
        ["compare", "-m", "session_count"],
        ["anomalies", "--from", "20d", "-g", "hour"],
        ["export", "--parquet", "{tmp}/dataset"],
        ["report", "-o", "{tmp}/report.html", "--from", "10d"],
    ],
)
def test_reading_a_store_loads_neither_httpx_nor_the_generated_client(
    store: Path, tmp_path: Path, words: list[str]
) -> None:
    args = [w.replace("{tmp}", str(tmp_path)) for w in words] + ["--store", str(store)]
    result = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(args)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    probe = json.loads(result.stderr.strip().splitlines()[-1])
    assert probe["code"] in (0, 1), result.stderr
    assert probe == {"code": probe["code"], "httpx": False, "generated": False, "metadata": False}


def test_the_version_is_read_only_for_version() -> None:
    from anchor_history import __version__
    from test_cli import SCRIPT

    result = subprocess.run([SCRIPT, "--version"], capture_output=True, text=True)
    assert result.stdout == f"anchor-history {__version__}\n"
    assert result.returncode == 0


def test_the_hand_written_names_are_the_spec_enums() -> None:
    """What lets the read path check names without the generated client."""
    assert metric_names() == METRICS
    assert normalize_metrics("all") == METRICS
    assert set(GRANULARITIES) == {"hour", "day", "week", "month"}  # the Literal is alphabetical
    assert [normalize_granularity(g.upper()) for g in GRANULARITIES] == list(GRANULARITIES)


def test_reading_a_store_writes_nothing(store: Path, tmp_path: Path) -> None:
    """Opening to read ran BEGIN IMMEDIATE and recreated the views: a write."""
    import hashlib
    import sqlite3

    copy = tmp_path / "copy.db"
    with sqlite3.connect(store) as source, sqlite3.connect(copy) as target:
        source.backup(target)  # one file, no WAL beside it
    before = (copy.stat().st_mtime_ns, hashlib.sha256(copy.read_bytes()).hexdigest())
    with UsageStore(str(copy), create=False) as reader:
        assert reader.fetch("7d", None, "day", "all").points
    after = (copy.stat().st_mtime_ns, hashlib.sha256(copy.read_bytes()).hexdigest())
    assert after == before


def test_a_store_from_an_older_version_is_upgraded_on_first_open(store: Path, tmp_path) -> None:
    import sqlite3

    old = tmp_path / "old.db"
    with sqlite3.connect(store) as source, sqlite3.connect(old) as target:
        source.backup(target)
    with sqlite3.connect(old) as conn:
        conn.execute("DROP VIEW days")  # as a version before the views would have it
    with UsageStore(str(old), create=False) as reader:  # read: it upgrades, then reads
        assert reader.fetch("7d", None, "day", "session_count").points
    with sqlite3.connect(old) as conn:
        names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    assert "days" in names


def test_the_sync_client_loads_no_asyncio() -> None:
    """AsyncHistoryClient lives in its own module: a program that never awaits does
    not pay for asyncio (about 45 ms of a cold start)."""
    probe = (
        "import sys\n"
        "from anchor_history import HistoryClient\n"
        "HistoryClient(api_key='k').close()\n"
        "print('asyncio' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert result.stdout == "False\n", result.stderr
    from anchor_history import AsyncHistoryClient
    from anchor_history.core.client import AsyncHistoryClient as from_client

    assert from_client is AsyncHistoryClient  # still importable where it was
