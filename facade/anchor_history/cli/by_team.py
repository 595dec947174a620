"""``history --store PATH --by-team``: every team of a store side by side.

It speaks like every other output: the zone in the table's header, a total row,
``start`` as ISO in CSV and JSON, and JSON with ``query``, ``points`` and
``summary``. :func:`side_by_side` is pure (teams' histories in, rows out); the
command only reads the store and writes.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from typing import Any

from .errors import EXIT_OK, UsageError
from .stored import store_moment
from .window import periods_of

__all__ = ["run_by_team", "side_by_side"]


def side_by_side(histories: dict[str, Any]) -> dict[str, Any]:
    """Teams' whole periods as one table: ``starts`` (sorted), ``partial`` (the
    starts partial for any team), ``columns`` (``team:metric`` -> {start: value})
    and ``totals`` (``team:metric`` -> the exact sum)."""
    from ..models.history import exact_sum

    columns: dict[str, dict[datetime, Any]] = {}
    partial: set[datetime] = set()
    starts: set[datetime] = set()
    for team, history in histories.items():
        for metric in history.query.metrics:
            columns[f"{team}:{metric}"] = {p.start: getattr(p, metric) for p in history}
        starts.update(p.start for p in history)
        partial.update(p.start for p in history if p.partial)
    totals = {name: exact_sum(values.values()) for name, values in columns.items()}
    return {"starts": sorted(starts), "partial": partial, "columns": columns, "totals": totals}


def run_by_team(args: argparse.Namespace, target: Any) -> int:
    from ..store import UsageStore

    if not args.store or args.team:
        raise UsageError("--by-team reads every team of a --store (without --team)")
    if target.format not in ("table", "csv", "json"):
        raise UsageError("--by-team writes a table, csv or json")
    histories = {}
    with UsageStore(args.store, create=False) as store:
        moment = store_moment(store, args)
        for team in store.teams():
            store.team = team
            histories[team] = periods_of(store, args, moment)
    table = side_by_side(histories)
    any_history = next(iter(histories.values()))
    out = sys.stdout if target.path is None else open(target.path, "w", encoding="utf-8")  # noqa: SIM115
    try:
        out.write(_render(target.format, table, any_history, list(histories)))
    finally:
        if target.path is not None:
            out.close()
    return EXIT_OK


def _render(fmt: str, table: dict[str, Any], history: Any, teams: list[str]) -> str:
    from ..calendar.zones import zone_name
    from ..models.writers import format_start
    from ..outputs.table import PARTIAL_NOTE, align, format_value, period_label

    tz, granularity = history.tz, history.query.granularity
    names = list(table["columns"])
    starts, partial, columns = table["starts"], table["partial"], table["columns"]
    if fmt == "json":
        import json

        document = {
            "query": history.query.to_dict() | {"tz": zone_name(tz), "teams": teams},
            "points": [
                {
                    "start": format_start(s, tz),
                    "partial": s in partial,
                    **{n: columns[n].get(s) for n in names},
                }
                for s in starts
            ],
            "summary": table["totals"],
        }
        return json.dumps(document, indent=2) + "\n"
    if fmt == "csv":
        import csv
        import io

        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["start", "partial", *names])
        for s in starts:
            values = ("" if columns[n].get(s) is None else columns[n].get(s) for n in names)
            writer.writerow([format_start(s, tz), "true" if s in partial else "false", *values])
        return buffer.getvalue()
    metric_of = {n: n.split(":", 1)[1] for n in names}
    rows = [
        [
            period_label(s, granularity, tz) + (" *" if s in partial else ""),
            *(format_value(metric_of[n], columns[n].get(s)) for n in names),
        ]
        for s in starts
    ]
    total = ["total", *(format_value(metric_of[n], table["totals"][n]) for n in names)]
    header = [f"period ({zone_name(tz)})", *names]
    everything = [header, *rows, total]
    rule = "  ".join("-" * max(len(r[i]) for r in everything) for i in range(len(header)))
    lines = align(everything)
    body = [lines[0], rule, *lines[1:-1], rule, lines[-1]]
    return "\n".join(body) + "\n" + (PARTIAL_NOTE + "\n" if partial else "")
