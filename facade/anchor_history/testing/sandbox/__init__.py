"""A local AnchorBrowser history API over SQLite, for demos, tests and benchmarks.

Needs the ``sandbox`` extra (Starlette, uvicorn), imported only when a server is
built, so the CLI can list fault kinds without it. See ``anchor-history sandbox --help``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .faults import FAULT_KINDS

if TYPE_CHECKING:
    from .server import Sandbox

__all__ = ["FAULT_KINDS", "Sandbox"]


def __getattr__(name: str) -> Any:
    if name == "Sandbox":
        from .server import Sandbox

        return Sandbox
    raise AttributeError(name)
