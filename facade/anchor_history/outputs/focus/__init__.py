"""FOCUS, the FinOps Foundation's open cost and usage format, 1.0: how
AnchorBrowser usage reaches a FinOps stack (Vantage, CloudZero, Azure Cost
Management, any warehouse).

- :mod:`.columns`: the columns FOCUS 1.0 requires, in order, and this
  provider's fixed values (provider, service, units), with why.
- :mod:`.rows`: one row per team, day and charge, from a team's daily
  :class:`~anchor_history.models.history.History` and a price list (pure).
- :mod:`.write`: the rows as CSV or Parquet (the I/O edge).
"""

from __future__ import annotations

from .columns import COLUMNS, EXTRA_COLUMNS
from .rows import focus_rows
from .write import write_focus

__all__ = ["COLUMNS", "EXTRA_COLUMNS", "focus_rows", "write_focus"]
