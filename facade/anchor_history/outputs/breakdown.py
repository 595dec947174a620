"""A breakdown as a person reads it (a table) and as a program does (CSV, NDJSON,
Parquet; JSON is the value's own ``to_dict``).

The table names its window in its zone, says when groups overlap and what the
total counts, puts the running sessions apart and ends with the reconciliation.
Files hold one row per group (per period with ``-g``), every digit kept: credits
and money as decimals, hours to 6 places.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from .._optional import require
from ..insights.breakdown_values import Breakdown, Group
from .table import align, format_bytes, format_money, format_period

__all__ = ["breakdown_records", "render_breakdown", "write_breakdown"]

_LABEL = {
    "tag": "tag",
    "api_key": "API key",
    "domain": "domain",
    "proxy_type": "proxy",
    "status": "status",
    "task": "started by",
}


def _label(by: str) -> str:
    return f"{by[4:]} (tag)" if by.startswith("tag:") else _LABEL.get(by, by)


def _cell(metric: str, value: Any) -> str:
    if metric == "proxy_bytes":
        return format_bytes(value)
    if metric == "credits_used":
        return f"{value:,.2f}"
    if metric == "session_hours":
        return f"{value:,.1f}"
    return f"{value:,}"


def render_breakdown(result: Breakdown) -> str:
    """The table: a line per group (and per period with -g), the total once."""
    metrics = result.metrics
    first = "period" if result.periods is not None else _label(result.by)
    header = [first, *([_label(result.by)] if result.periods is not None else []), *metrics]
    header.append(f"share of {result.share_of.replace('_', ' ')}")
    priced = result.currency is not None
    if priced:
        header.append(f"cost ({result.currency})")

    def row(label: list[str], group: Group, *, share: bool = True) -> list[str]:
        cells = [*label, *(_cell(m, group.value(m)) for m in metrics)]
        cells.append(f"{group.share * 100:.1f}%" if share and group.share is not None else "")
        if priced and group.cost is not None and result.currency is not None:
            cells.append(format_money(group.cost, result.currency))
        return cells

    rows = [header]
    if result.periods is None:
        rows += [row([g.key], g) for g in result.groups]
        rows.append(row(["total"], result.total, share=False))
    else:
        for period in result.periods:
            name = format_period(period.local_start, result.granularity or "day")
            rows += [row([name, g.key], g) for g in period.groups]
            rows.append(row([name, "total"], period.total, share=False))
        rows.append(row(["all", "total"], result.total, share=False))
    lefts = 2 if result.periods is not None else 1
    lines = align(rows, left=lefts)
    rule = "  ".join("-" * max(len(r[i]) for r in rows) for i in range(len(header)))
    start = result.start.astimezone(_zone(result.tz))
    end = result.end.astimezone(_zone(result.tz))
    title = (
        f"Who spent it, by {_label(result.by)}: {start:%Y-%m-%d %H:%M} to "
        f"{end:%Y-%m-%d %H:%M} ({result.tz})"
    )
    out = [title, "", lines[0], rule, *lines[1:]]
    if not result.groups:
        out.append("(no sessions in this window)")
    out.extend(notes(result))
    return "\n".join(out) + "\n"


def notes(result: Breakdown) -> list[str]:
    """What a reader must know about the figures above."""
    found: list[str] = []
    if result.overlapping:
        found.append(
            f"note: groups overlap: a session with several {_label(result.by)} values counts "
            "under each, so the groups add up to more than the total, which counts each "
            "session once"
        )
    if result.running:
        found.append(
            f"note: {result.running:,} session(s) still running are not counted: their "
            "credits are not known yet"
        )
    if result.reconciliation is not None:
        found.append("reconciliation: " + result.reconciliation.sentence())
    return found


def _zone(name: str) -> Any:
    from ..calendar.zones import zone

    return zone(name)


def breakdown_records(result: Breakdown) -> Iterator[dict[str, Any]]:
    """One flat record per group (per period with -g), then the total."""
    periods = (
        [(p.local_start.isoformat(), p.groups, p.total) for p in result.periods]
        if result.periods is not None
        else [(None, result.groups, result.total)]
    )
    for period, groups, total in periods:
        for group in (*groups, total):
            record: dict[str, Any] = {"by": result.by}
            if period is not None:
                record["period"] = period
            record["key"] = group.key if group is not total else "(total)"
            for metric in result.metrics:
                record[metric] = group.value(metric)
            record["share"] = group.share
            if result.currency is not None:
                record["cost"] = group.cost
                record["currency"] = result.currency
            record["running_sessions"] = group.running
            yield record


def write_breakdown(result: Breakdown, fmt: str, path: str | None) -> None:
    """``json``, ``csv``, ``ndjson`` or ``parquet`` (which needs a path)."""
    if fmt == "parquet":
        assert path is not None
        _write_parquet(result, path)
        return
    if fmt == "json":
        text = json.dumps(result.to_dict(), indent=2) + "\n"
    elif fmt == "ndjson":
        text = "".join(
            json.dumps({k: _plain(v) for k, v in r.items()}) + "\n"
            for r in breakdown_records(result)
        )
    elif fmt == "csv":
        buffer = io.StringIO()
        records = list(breakdown_records(result))
        writer = csv.DictWriter(buffer, fieldnames=list(records[0]), lineterminator="\n")
        writer.writeheader()
        for record in records:
            writer.writerow({k: "" if v is None else v for k, v in record.items()})
        text = buffer.getvalue()
    else:
        text = render_breakdown(result)
    if path is None:
        import sys

        sys.stdout.write(text)
    else:
        with open(path, "w", encoding="utf-8") as stream:
            stream.write(text)


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


def _write_parquet(result: Breakdown, path: str) -> None:
    pa = require("pyarrow", "parquet")
    parquet = require("pyarrow.parquet", "parquet")
    records = list(breakdown_records(result))
    kinds = {
        "by": pa.string(),
        "period": pa.string(),
        "key": pa.string(),
        "session_count": pa.int64(),
        "credits_used": pa.decimal128(38, 9),
        "session_hours": pa.decimal128(38, 6),
        "proxy_bytes": pa.int64(),
        "ai_steps": pa.int64(),
        "share": pa.decimal128(9, 4),
        "cost": pa.decimal128(38, 18),
        "currency": pa.string(),
        "running_sessions": pa.int64(),
    }
    columns = list(records[0])
    scale = {"credits_used": 9, "session_hours": 6, "share": 4, "cost": 18}

    def value(name: str, v: Any) -> Any:
        if v is None or name not in scale:
            return v
        return Decimal(v).quantize(Decimal(1).scaleb(-scale[name]))

    table = pa.table(
        {name: pa.array([value(name, r[name]) for r in records], kinds[name]) for name in columns}
    )
    parquet.write_table(table, os.fspath(path))
