"""A read from a local store sends nothing, so it loads nothing for sending: no
httpx, no generated client (a cold `history --store` paid 85 ms for them), and
nothing for PostgreSQL (psycopg is loaded only for a postgresql:// store)."""

from __future__ import annotations

import json
import os
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
                  "metadata": "importlib.metadata" in sys.modules,
                  "psycopg": "psycopg" in sys.modules}), file=sys.stderr)
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
    assert probe == {"code": probe["code"], "httpx": False, "generated": False, "metadata": False,
                     "psycopg": False}  # fmt: skip


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


# A user who may read the store but not write beside it. The interpreter lives
# under /root (mode 0700), where `runuser -u nobody` cannot reach it, so the
# command runs as root with the capabilities that let root ignore file modes
# dropped: the kernel then checks the modes as for any other user.
_AS_A_READER = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search,-fowner", "--"]


def _listing(folder: Path) -> dict[str, tuple[int, int, str]]:
    import hashlib

    return {
        p.name: (p.stat().st_size, p.stat().st_mtime_ns, hashlib.sha256(p.read_bytes()).hexdigest())
        for p in sorted(folder.iterdir())
    }


@pytest.fixture
def read_only_store(store: Path, tmp_path: Path) -> Iterator[Path]:
    """A copy of the store in WAL mode, the file 0444 in a folder 0555."""
    import shutil
    import sqlite3

    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root and setpriv to read as a user without write rights")
    folder = tmp_path / "shared"
    folder.mkdir()
    copy = folder / "usage.db"
    with sqlite3.connect(store) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    with sqlite3.connect(copy) as conn:
        assert conn.execute("PRAGMA journal_mode = WAL").fetchone() == ("wal",)
    for extra in folder.glob("usage.db-*"):
        extra.unlink()
    copy.chmod(0o444)
    folder.chmod(0o555)
    yield copy
    folder.chmod(0o755)


def test_a_store_in_a_read_only_folder_is_read_and_left_as_it_was(read_only_store: Path) -> None:
    """It failed with 'attempt to write a readonly database' (exit 9)."""
    from test_cli import SCRIPT

    folder = read_only_store.parent
    before = _listing(folder)
    words = [SCRIPT, "history", "--store", str(read_only_store), "--from", "7d", "-f", "json"]
    result = subprocess.run([*_AS_A_READER, *words, "-v"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["points"]
    assert "read as an immutable file" in result.stderr
    assert _listing(folder) == before  # no -wal, no -shm, not a byte or an mtime changed


def test_a_read_only_store_with_changes_in_its_log_is_refused(read_only_store: Path) -> None:
    """Read past a non-empty -wal, the figures would lack what it holds."""
    from test_cli import SCRIPT

    folder = read_only_store.parent
    folder.chmod(0o755)
    (folder / "usage.db-wal").write_bytes(b"\0" * 4096)
    folder.chmod(0o555)
    words = [SCRIPT, "history", "--store", str(read_only_store), "--from", "7d"]
    result = subprocess.run([*_AS_A_READER, *words], capture_output=True, text=True)
    assert result.returncode == 9
    assert "write-ahead log" in result.stderr
    assert "Traceback" not in result.stderr
