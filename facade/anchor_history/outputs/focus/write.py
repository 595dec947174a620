"""FOCUS rows as a file: CSV (nulls as empty cells), or Parquet with each column
in its FOCUS type: money, prices and quantities as decimals (every digit kept, to
18 decimal places; session hours to 9), dates as UTC timestamps, counts as
integers, the rest text (``Tags`` and ``SkuPriceDetails`` as the JSON text of
FOCUS's key/value form). DuckDB then sums ``BilledCost`` as it is, and the
validator's type rules hold."""

from __future__ import annotations

import csv
import os
from collections.abc import Sequence
from datetime import datetime
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from ..._optional import require
from .columns import COLUMNS, EXTRA_COLUMNS, KEY_COLUMN

__all__ = ["DATES", "DECIMALS", "write_focus"]

HEADER = (*COLUMNS, KEY_COLUMN, *EXTRA_COLUMNS.values())
DECIMALS = (
    "BilledCost", "ConsumedQuantity", "ContractedCost", "ContractedUnitPrice", "EffectiveCost",
    "ListCost", "ListUnitPrice", "PricingCurrencyContractedUnitPrice",
    "PricingCurrencyEffectiveCost", "PricingCurrencyListUnitPrice", "PricingQuantity",
)  # fmt: skip
DATES = ("BillingPeriodEnd", "BillingPeriodStart", "ChargePeriodEnd", "ChargePeriodStart")
_SCALE = Decimal(1).scaleb(-18)  # decimal(38, 18): 20 digits before the point, 18 after


def write_focus(rows: Sequence[dict[str, Any]], path: str | os.PathLike[str]) -> None:
    """``.csv`` or ``.parquet``, by the path's suffix."""
    target = os.fspath(path)
    if target.lower().endswith(".parquet"):
        _write_parquet(rows, target)
        return
    with open(target, "w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=HEADER, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: "" if v is None else v for k, v in row.items()})


def _write_parquet(rows: Sequence[dict[str, Any]], target: str) -> None:
    pa = require("pyarrow", "parquet")
    parquet = require("pyarrow.parquet", "parquet")
    money = pa.decimal128(38, 18)
    when = pa.timestamp("s", tz="UTC")

    def column(name: str) -> Any:
        values = [row[name] for row in rows]
        if name in DECIMALS:
            return pa.array([_decimal(v) for v in values], money)
        if name in DATES:
            return pa.array([_instant(v) for v in values], when)
        if name == EXTRA_COLUMNS["session_hours"]:
            return pa.array(values, pa.decimal128(38, 9))
        if name in EXTRA_COLUMNS.values():
            return pa.array([None if v is None else int(v) for v in values], pa.int64())
        return pa.array(values, pa.string())

    parquet.write_table(pa.table({name: column(name) for name in HEADER}), target)


def _decimal(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text).quantize(_SCALE, ROUND_HALF_EVEN)


def _instant(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text.replace("Z", "+00:00"))
