"""The layers stay one-way: cli -> capabilities -> client core -> generated.

Read from the source (every import, at module level or inside a function), so a
shortcut across layers fails here, naming the module and what it imported. The
rules are per folder: what each folder of the package may import of the others.
Imports under ``TYPE_CHECKING`` are for annotations only and never run, so they
count for neither the rules nor the circles.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "facade" / "anchor_history"

# What each top-level unit of the package (a folder, or a module at the top) may
# import of the others, besides itself. Read bottom-up: the values and the
# calendar know nothing of the client; the client core knows nothing of what is
# asked of it; the capabilities use the core through its public types; only the
# CLI sees everything. The sandbox is the client's opposite number and imports
# nothing of ours.
_BASE = {"errors", "_optional"}
_VALUES = _BASE | {"calendar", "models", "metrics"}
ALLOWED: dict[str, set[str]] = {
    "errors": set(),
    "_optional": {"errors"},
    "_moved": set(),
    "calendar": {"errors"},
    "models": {"errors", "_optional", "calendar"},
    "metrics": {"errors", "models"},
    "postgres": _BASE,
    "core": _VALUES,
    "periods": _VALUES,
    "pricing": _VALUES,
    "insights": _VALUES | {"periods", "pricing"},
    "store": _VALUES | {"core", "periods", "postgres"},
    "outputs": _VALUES | {"periods", "pricing", "insights"},
    "alerts": _VALUES | {"insights", "outputs", "postgres"},
    "exporter": _VALUES | {"periods", "pricing", "insights"},
    "testing": set(),
    "cli": _VALUES | {"core", "periods", "pricing", "insights", "store", "outputs", "alerts",
                      "exporter", "testing", "postgres"},
    "": {"_moved", "errors", "metrics", "models", "core"},  # __init__: the public names
}  # fmt: skip
# The core's private machinery, which a capability may not reach into.
CORE_PRIVATE = ("core._api", "core._base", "core._config", "core._transport")
# At most this many modules at the package's top level; the rest live in folders.
TOP_LEVEL_MODULES = 8
MAX_LINES = 300


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _type_checking_blocks(tree: ast.Module) -> set[int]:
    """The ids of the import nodes inside ``if TYPE_CHECKING:`` blocks."""
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            inside.update(id(n) for stmt in node.body for n in ast.walk(stmt))
    return inside


def _imports(path: Path) -> tuple[set[str], set[str]]:
    """What this file imports when it runs: our own modules (package-relative
    names, ``core.client``; a name imported from a package counts as the package
    when it is no module of its own), and the top-level names of the rest."""
    name = _module_name(path)
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    package = [p for p in package if p]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = _type_checking_blocks(tree)
    ours: set[str] = set()
    other: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = [*package[: len(package) - (node.level - 1)], *filter(None, [node.module])]
                ours.update(".".join([*base, alias.name]) for alias in node.names)
            elif node.module and node.module.startswith("anchor_history"):
                base = node.module.split(".")[1:]
                ours.update(".".join([*base, alias.name]) for alias in node.names)
            elif node.module:
                other.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("anchor_history."):
                    ours.add(alias.name.removeprefix("anchor_history."))
                else:
                    other.add(alias.name.split(".")[0])
    return {_nearest_module(m) for m in ours} - {name}, other


def _nearest_module(dotted: str) -> str:
    while dotted not in MODULES and dotted:
        dotted = dotted.rpartition(".")[0]
    return dotted


MODULES = {_module_name(path) for path in PACKAGE.rglob("*.py")}
IMPORTS = {_module_name(path): _imports(path) for path in sorted(PACKAGE.rglob("*.py"))}
GRAPH = {module: ours for module, (ours, _) in IMPORTS.items()}
EXTERNAL = {module: other for module, (_, other) in IMPORTS.items()}


def _unit(module: str) -> str:
    return module.split(".")[0]


def test_the_graph_is_read() -> None:
    assert GRAPH["core.client"] >= {"core._api", "core._base", "core.pagination"}
    assert "anchorbrowser_api" in EXTERNAL["core._api.wire"]
    assert "store" in GRAPH["cli.sync"]
    assert set(ALLOWED) == {_unit(m) for m in GRAPH}, "every unit of the package has its rule"


@pytest.mark.parametrize("module", sorted(GRAPH))
def test_each_folder_imports_only_what_its_rule_allows(module: str) -> None:
    unit = _unit(module)
    outside = sorted(m for m in GRAPH[module] if _unit(m) not in ALLOWED[unit] | {unit})
    assert not outside, f"{module} ({unit}/) imports {outside}; {unit}/ may import {ALLOWED[unit]}"


@pytest.mark.parametrize("module", sorted(GRAPH))
def test_only_the_api_package_imports_the_generated_client(module: str) -> None:
    if not module.startswith("core._api"):
        assert "anchorbrowser_api" not in EXTERNAL[module]


@pytest.mark.parametrize("module", sorted(m for m in GRAPH if _unit(m) not in {"core", "", "cli"}))
def test_capabilities_use_the_core_through_its_public_types(module: str) -> None:
    private = sorted(m for m in GRAPH[module] if m.startswith(CORE_PRIVATE))
    assert not private, f"{module} reaches into {private}"


def test_no_module_imports_a_circle() -> None:
    """A circle hides which of two modules is the lower one; a lazy import inside a
    function hides it too, so those count (only TYPE_CHECKING imports do not)."""
    edges = {m: {t for t in GRAPH[m] if not m.startswith(t + ".")} for m in GRAPH}
    circles: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the path, 2: done
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for target in sorted(edges[node]):
            if state.get(target) == 1:
                circles.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target)
        path.pop()
        state[node] = 2

    for module in sorted(edges):
        if module not in state:
            visit(module)
    assert not circles, "import circles: " + "; ".join(" -> ".join(c) for c in circles)


def test_the_top_level_holds_few_modules() -> None:
    modules = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(modules) <= TOP_LEVEL_MODULES, modules


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: _module_name(p))
def test_no_module_is_past_the_size_that_splits_it(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.name}: {lines} lines; split it by what it holds"


# Decisions are pure functions over values: files, clocks, sockets and webhooks
# stay at the edges (alerts.state, alerts.notify, the cli), so a decision is
# tested without them.
DECISIONS = {
    "alerts.thresholds",
    "alerts.decide",
    "alerts.anomalies",
    "alerts.message",
    "outputs.chart_marks",
}
EDGES = {
    "os", "io", "socket", "fcntl", "time", "tempfile", "subprocess", "pathlib", "sqlite3",
    "httpx", "urllib", "threading", "asyncio", "core", "store", "alerts.state", "alerts.notify",
    "alerts.pg_state", "postgres", "psycopg",
}  # fmt: skip


def test_the_decisions_are_listed() -> None:
    assert set(GRAPH) >= DECISIONS


@pytest.mark.parametrize("module", sorted(DECISIONS))
def test_a_decision_does_no_io(module: str) -> None:
    reached = sorted(m for m in GRAPH[module] | EXTERNAL[module] if m in EDGES or _unit(m) in EDGES)
    assert not reached, f"{module} (a pure decision) imports {reached}"
