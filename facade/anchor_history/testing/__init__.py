"""Testing against the sandbox: the local API server (``sandbox/``) and the pytest
plugin that runs one for a test session (``plugin.py``).

The plugin is registered as ``anchor_history.testing.plugin`` (entry point
``pytest11``); its fixtures are also reachable here, so ``pytest_plugins =
["anchor_history.testing"]`` keeps working. Nothing is imported until asked for:
``anchor-history sandbox`` loads the server without pytest.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__all__ = ["anchor_sandbox", "anchor_sandbox_session"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        return getattr(import_module(".plugin", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
