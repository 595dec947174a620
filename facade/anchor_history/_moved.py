"""Old import paths of modules that moved into the package's folders, for one release.

``import anchor_history.insights.budgets`` still works, warns with a ``DeprecationWarning``
naming the new home (``anchor_history.insights.budgets``), and gives the very
module object of the new home, so there is one copy of each module's state.
A finder rather than a stub file per old name, so the top level of the package
holds only what lives there. The finder and loader are plain classes with the
protocol's methods: importlib.abc would cost every import of the package 13 ms.
"""

from __future__ import annotations

import importlib
import sys
import warnings
from collections.abc import Sequence
from importlib.machinery import ModuleSpec
from types import ModuleType
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from importlib.abc import Loader

__all__ = ["MOVED", "install"]

# old name -> new name, both below ``anchor_history``; a package's submodules follow it.
MOVED: dict[str, str] = {
    "dates": "calendar",
    "zones": "calendar",
    "client": "core.client",
    "async_client": "core.async_client",
    "retry": "core.retry",
    "pagination": "core.pagination",
    "plan": "models.plan",
    "writers": "models.writers",
    "forecast": "insights.forecast",
    "budgets": "insights.budgets",
    "compare": "insights.compare",
    "anomalies": "insights.anomalies",
    "plan_check": "insights.plan_check",
    "render": "outputs.table",
    "chart": "outputs.chart",
    "chart_marks": "outputs.chart_marks",
    "report": "outputs.report",
    "focus": "outputs.focus",
    "notify": "alerts.notify",
    "sandbox": "testing.sandbox",
}


def _new_name(fullname: str) -> str | None:
    prefix = __package__ + "."
    if not fullname.startswith(prefix):
        return None
    name = fullname[len(prefix) :]
    head = name.partition(".")[0]
    for old in (name, head):
        if old in MOVED:
            new = MOVED[old] + name[len(old) :]
            return prefix + new
    return None


class _Alias:
    def __init__(self, new: str) -> None:
        self.new = new
        self.spec: ModuleSpec | None = None

    def create_module(self, spec: ModuleSpec) -> ModuleType:
        warnings.warn(
            f"{spec.name} moved to {self.new}; import it from there "
            "(the old path goes in the next release)",
            DeprecationWarning,
            stacklevel=2,
        )
        module = importlib.import_module(self.new)
        self.spec = module.__spec__
        return module

    def exec_module(self, module: ModuleType) -> None:
        """The module ran under its new name; only its own spec is put back (the
        import system set the old name's on it), so it still knows its home."""
        module.__spec__ = self.spec


class _Finder:
    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        new = _new_name(fullname)
        if new is None:
            return None
        return ModuleSpec(fullname, cast("Loader", _Alias(new)))


def install() -> None:
    """Put the finder first, before the path finder would find a stale copy."""
    if not any(isinstance(finder, _Finder) for finder in sys.meta_path):
        sys.meta_path.insert(0, _Finder())
