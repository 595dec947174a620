"""Import heavy optional libraries only where a feature needs them."""

from __future__ import annotations

import importlib
from typing import Any

from .errors import MissingExtraError


def require(module: str, extra: str) -> Any:
    """Import ``module`` or say which extra installs it."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingExtraError(
            f"this needs {module!r}, which is not installed: pip install 'anchor-history[{extra}]'"
        ) from exc
