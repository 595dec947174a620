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


def readme_command_lines(*, postgres: bool = False) -> list[str]:
    """Every `anchor-history ...` line of the README's sh blocks, as printed
    (continuations joined, trailing comments dropped); those naming a PostgreSQL
    store only with ``postgres`` (test_postgres_copy runs them against a cluster)."""
    text = README.read_text(encoding="utf-8")
    lines: list[str] = []
    for block in re.findall(r"```sh\n(.*?)```", text, re.DOTALL):
        joined = block.replace("\\\n", " ")
        for line in joined.splitlines():
            command = re.sub(r"\s+#.*$", "", line).strip()
            if command.startswith("anchor-history ") and (
                postgres or "postgresql://" not in command
            ):
                lines.append(" ".join(command.split()))
    return lines


def toml_block_starting(marker: str) -> str:
    text = README.read_text(encoding="utf-8")
    for block in re.findall(r"```toml\n(.*?)```", text, re.DOTALL):
        if block.startswith(marker):
            return block
    raise AssertionError(f"no toml block starting {marker!r}")


def run_as_printed(command: str, folder: Path, env: dict[str, str]) -> None:
    import shlex

    words = shlex.split(command)
    if words[1] == "exporter":  # a server: it must start serving, then it is stopped
        with subprocess.Popen([*words, "--port", "0"], cwd=folder, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) as server:  # fmt: skip
            assert server.stdout is not None
            first = server.stdout.readline()
            server.terminate()
            try:  # a server that ignores SIGTERM fails here, never hangs the suite
                _, err = server.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                raise AssertionError(f"{command}: still running 30 s after SIGTERM") from None
            assert "http://127.0.0.1:" in first, (command, first, err)
        return
    done = subprocess.run(words, cwd=folder, env=env, capture_output=True, text=True, timeout=120)
    # 0, or 1 where the command found something (a budget at risk, anomalies).
    assert done.returncode in (0, 1), (command, done.stderr)
    assert "Traceback" not in done.stderr, (command, done.stderr)


def test_every_readme_command_runs_as_printed(tmp_path: Path) -> None:
    """`export --focus ... --pricing pricing.toml` was refused: export took the price
    list as --config. Each line runs in a folder holding the README's own files."""
    import os
    from concurrent.futures import ThreadPoolExecutor

    from anchor_history.testing.sandbox import Sandbox

    commands = readme_command_lines()
    assert len(commands) >= 18, commands
    (tmp_path / "teams.toml").write_text(toml_block_starting("[[teams]]"))
    (tmp_path / "pricing.toml").write_text(toml_block_starting("[pricing]"))
    scrapers = "sandbox-key-of-the-scrapers"
    with Sandbox(seed=6, sessions=8_000, days=400, other_keys=(scrapers,)) as box:
        env = {k: v for k, v in os.environ.items() if not k.startswith("ANCHORBROWSER_")}
        env.update(
            PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
            ANCHORBROWSER_BASE_URL=box.base_url,
            ANCHORBROWSER_API_KEY=box.api_key,
            ANCHOR_KEY_WEB=box.api_key,
            ANCHOR_KEY_SCRAPERS=scrapers,
            XDG_STATE_HOME=str(tmp_path / "state"),
        )

        def run_lane(lane: list[str]) -> None:
            for command in lane:
                run_as_printed(command, tmp_path, env)

        # Two lanes, each in the README's order: what reads or writes the store, and
        # what asks the API (independent of each other), run side by side.
        store_lane = [c for c in commands if "--store" in c or " sync " in f"{c} "]
        api_lane = [c for c in commands if c not in store_lane]
        with ThreadPoolExecutor(max_workers=2) as lanes:
            for done in [lanes.submit(run_lane, store_lane), lanes.submit(run_lane, api_lane)]:
                done.result()
    assert (tmp_path / "usage-focus.parquet").exists()
    assert (tmp_path / "usage.html").exists()
