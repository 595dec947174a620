"""A local AnchorBrowser history API over SQLite, for demos, tests and benchmarks.

Needs the ``sandbox`` extra (Starlette, uvicorn). See ``anchor-history sandbox --help``.
"""

from __future__ import annotations

from .faults import FAULT_KINDS
from .server import Sandbox

__all__ = ["FAULT_KINDS", "Sandbox"]
