"""The README's examples run as written."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def python_block_after(heading: str) -> str:
    text = README.read_text(encoding="utf-8")
    section = text[text.index(heading) :]
    match = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert match, f"no python block after {heading!r}"
    return match.group(1)


def test_the_readme_fixture_example_passes_as_a_test_file(tmp_path: Path) -> None:
    test_file = tmp_path / "test_usage.py"
    test_file.write_text(python_block_after("### Testing your own code against the sandbox"))
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(test_file)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout


def test_the_readme_duckdb_query_runs_over_an_export(anchor_sandbox, tmp_path, monkeypatch) -> None:
    from anchor_history import HistoryClient
    from anchor_history.store import UsageStore

    with UsageStore(str(tmp_path / "usage.db")) as store, HistoryClient() as client:
        store.sync(client, team="web", from_date="60d")
        store.export_parquet(str(tmp_path / "usage-parquet"))
    block = python_block_after("## A local store of every team's usage")
    assert "duckdb" in block
    monkeypatch.chdir(tmp_path)
    shown = subprocess.run(
        [sys.executable, "-c", block], capture_output=True, text=True, timeout=60
    )
    assert shown.returncode == 0, shown.stderr
    assert "credits" in shown.stdout
    assert "web" in shown.stdout
