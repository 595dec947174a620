"""The layers stay one-way: cli -> capabilities -> client core -> generated.

Read from the source (every import, at module level or inside a function), so
a shortcut across layers fails here, naming the module and what it imported.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "facade" / "anchor_history"

# The client core: what HistoryClient needs to fetch, check and hand back a History.
CORE = {
    "core",
    "_optional",
    "calendar",
    "errors",
    "metrics",
    "models",
}
# Modules a capability may not reach into: the core's private machinery.
CORE_PRIVATE = {"_api", "_client_base", "_config", "_transport"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every module this file imports: package-relative names (``client``,
    ``store.sync``) for our own, the top-level name for anything else."""
    name = _module_name(path)
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                if node.module:
                    found.add(".".join([*base, node.module]))
                else:
                    found.update(".".join([*base, alias.name]) for alias in node.names)
            elif node.module:
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    ours = {m.removeprefix("anchor_history.") for m in found if m.startswith("anchor_history.")}
    return ours | {m.split(".")[0] for m in found if not m.startswith("anchor_history")} - {""}


GRAPH = {_module_name(path): _imports(path) for path in sorted(PACKAGE.rglob("*.py"))}


def _top(module: str) -> str:
    return module.split(".")[0]


def test_the_graph_is_read() -> None:
    assert GRAPH["client"] >= {"_api", "_client_base", "pagination"}
    assert "anchorbrowser_api" in GRAPH["_api.wire"]
    assert "store" in GRAPH["cli.sync"]


@pytest.mark.parametrize("module", sorted(GRAPH))
def test_only_the_api_package_imports_the_generated_client(module: str) -> None:
    if _top(module) != "_api":
        assert "anchorbrowser_api" not in GRAPH[module]


@pytest.mark.parametrize("module", sorted(m for m in GRAPH if _top(m) in CORE))
def test_the_client_core_imports_only_itself(module: str) -> None:
    ours = {m for m in GRAPH[module] if _top(m) in {_top(k) for k in GRAPH}}
    outside = sorted(m for m in ours if _top(m) not in CORE)
    assert not outside, f"{module} (client core) imports {outside}"


@pytest.mark.parametrize("module", sorted(m for m in GRAPH if _top(m) != "cli"))
def test_nothing_below_the_cli_imports_it(module: str) -> None:
    assert not [m for m in GRAPH[module] if _top(m) == "cli"]


@pytest.mark.parametrize(
    "module", sorted(m for m in GRAPH if _top(m) not in CORE | {"cli", "", "testing"})
)
def test_capabilities_use_the_core_through_its_public_types(module: str) -> None:
    private = sorted(m for m in GRAPH[module] if _top(m) in CORE_PRIVATE)
    assert not private, f"{module} reaches into {private}"


@pytest.mark.parametrize("module", sorted(m for m in GRAPH if _top(m) == "sandbox"))
def test_the_sandbox_shares_no_code_with_the_client(module: str) -> None:
    """The sandbox is the client's opposite number: code shared between them
    would let one bug hide itself on both sides."""
    ours = {m for m in GRAPH[module] if _top(m) in {_top(k) for k in GRAPH}}
    assert {_top(m) for m in ours} <= {"sandbox"}, f"{module} imports {sorted(ours)}"


# Decisions are pure functions over values: files, clocks, sockets and webhooks
# stay at the edges (alerts.state, notify, the cli), so a decision is tested without them.
DECISIONS = {"alerts.thresholds", "alerts.decide", "alerts.message", "chart_marks"}
EDGES = {
    "os", "io", "socket", "fcntl", "time", "tempfile", "subprocess", "pathlib", "sqlite3",
    "httpx", "urllib", "threading", "asyncio", "client", "notify", "store", "alerts.state",
}  # fmt: skip


def test_the_decisions_are_listed() -> None:
    assert set(GRAPH) >= DECISIONS


@pytest.mark.parametrize("module", sorted(DECISIONS))
def test_a_decision_does_no_io(module: str) -> None:
    reached = sorted(m for m in GRAPH[module] if m in EDGES or _top(m) in EDGES)
    assert not reached, f"{module} (a pure decision) imports {reached}"
