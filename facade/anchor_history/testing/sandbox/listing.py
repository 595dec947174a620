"""``GET /v1/sessions`` in the sandbox: the query checked as the spec says, and a
page of sessions read from the same rows the history adds up.

The sessions created in an hour are exactly the ones that hour's history counts:
their ``used_credits``, ``duration``, ``proxy_bytes`` and ``steps`` add up to its
``credits_used``, ``session_hours`` (x 3600), ``proxy_bytes`` and ``ai_steps``. A
session whose end is still ahead of the clock is ``running``: its credits are
``"N/A"`` and its duration null, as the real API's are until it ends.

Assumptions where the spec is silent (documented in ``sandbox --help``): a
``limit`` other than 10, 20 or 50 is a 400; ``sort_by`` is one of
``created_at``, ``session_id``, ``used_credits``, ``api_key_name``; ties are
broken by creation order, so pages never overlap; ``search`` matches a session
when any of its tags contains any term; a page past the end is empty.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from typing import Any

from attrs import frozen

from .requests import BadParam, _parse_instant, _parse_int

__all__ = ["ListParams", "list_body", "parse_list_params"]

LIMITS = (10, 20, 50)
SORTS = {
    "created_at": "p.created_at_ms",
    "session_id": "p.session_id",
    "used_credits": "credits_known",
    "api_key_name": "p.api_key_name",
}
_TEXT = ("search", "status", "tags", "domains", "batch_id", "profile_name")
_FLAGS = ("task_initiated", "playground", "proxy", "extra_stealth")
KNOWN = ("page", "limit", "sort_by", "sort_order", "created_from", "created_to", *_TEXT, *_FLAGS)
_STATUS = (
    "CASE WHEN s.created_at_ms + s.duration_s * 1000 > :now THEN 'running' "
    "WHEN p.failed THEN 'failed' ELSE 'completed' END"
)


@frozen
class ListParams:
    page: int
    limit: int
    sort_by: str
    descending: bool
    first_ms: int | None
    last_ms: int | None
    text: dict[str, str]
    flags: dict[str, bool]


def parse_list_params(query: list[tuple[str, str]]) -> ListParams:
    single: dict[str, str] = {}
    for key, value in query:
        if key not in KNOWN:
            raise BadParam(
                key or "(empty name)", f"unknown query parameter; valid: {', '.join(KNOWN)}"
            )
        if key in single:
            raise BadParam(key, "is given twice")
        single[key] = value
    limit = _parse_int("limit", single.get("limit", "10"), 1, None)
    if limit not in LIMITS:
        raise BadParam("limit", f"{limit} is not supported; allowed: 10, 20, 50")
    sort_by = single.get("sort_by", "created_at")
    if sort_by not in SORTS:
        raise BadParam("sort_by", f"{sort_by!r} is not supported; allowed: {', '.join(SORTS)}")
    order = single.get("sort_order", "asc")
    if order not in ("asc", "desc"):
        raise BadParam("sort_order", f"{order!r} is not asc or desc")
    flags: dict[str, bool] = {}
    for name in _FLAGS:
        if name in single:
            if single[name] not in ("true", "false"):
                raise BadParam(name, f"{single[name]!r} is not true or false")
            flags[name] = single[name] == "true"

    def instant(name: str) -> int | None:
        if name not in single:
            return None
        text = single[name].strip()
        if len(text) == 10:  # a plain date: the spec asks for a date-time
            raise BadParam(name, f"{text!r} is not an ISO 8601 date-time")
        moment = _parse_instant(name, text, end=False)
        return int(moment.timestamp() * 1000)

    first, last = instant("created_from"), instant("created_to")
    if first is not None and last is not None and first > last:
        raise BadParam("created_from", "is after created_to")
    return ListParams(
        page=_parse_int("page", single.get("page", "1"), 1, None),
        limit=limit,
        sort_by=sort_by,
        descending=order == "desc",
        first_ms=first,
        last_ms=last,
        text={k: single[k] for k in _TEXT if k in single},
        flags=flags,
    )


def _where(params: ListParams, now_ms: int) -> tuple[str, dict[str, Any]]:
    parts = ["1"]
    args: dict[str, Any] = {"now": now_ms}
    if params.first_ms is not None:
        parts.append("p.created_at_ms >= :first")
        args["first"] = params.first_ms
    if params.last_ms is not None:
        parts.append("p.created_at_ms <= :last")
        args["last"] = params.last_ms
    text = params.text
    for column in ("tags", "domains"):
        wanted = [t.strip() for t in text.get(column, "").split(",") if t.strip()]
        for i, value in enumerate(wanted):
            parts.append(f"EXISTS (SELECT 1 FROM json_each(p.{column}) WHERE value = :{column}{i})")
            args[f"{column}{i}"] = value
    terms = [t.strip().lower() for t in text.get("search", "").split(",") if t.strip()]
    if terms:
        likes = " OR ".join(f"instr(lower(value), :term{i}) > 0" for i in range(len(terms)))
        parts.append(f"EXISTS (SELECT 1 FROM json_each(p.tags) WHERE {likes})")
        args.update({f"term{i}": t for i, t in enumerate(terms)})
    if "status" in text:
        parts.append(f"({_STATUS}) = :status")
        args["status"] = text["status"]
    if "batch_id" in text:
        parts.append("p.batch_id = :batch")
        args["batch"] = text["batch_id"]
    if "profile_name" in text:
        parts.append("instr(lower(p.profile_name), :profile) > 0")
        args["profile"] = text["profile_name"].lower()
    for name, column in (
        ("task_initiated", "p.task_initiated"),
        ("playground", "p.playground"),
        ("extra_stealth", "p.extra_stealth"),
        ("proxy", "(p.proxy_type IS NOT NULL)"),
    ):
        if name in params.flags:
            parts.append(f"{column} = :{name}")
            args[name] = int(params.flags[name])
    return " AND ".join(parts), args


def list_body(conn: sqlite3.Connection, params: ListParams, now: datetime) -> dict[str, Any]:
    now_ms = int(now.timestamp() * 1000)
    where, args = _where(params, now_ms)
    direction = "DESC" if params.descending else "ASC"
    order = f"{SORTS[params.sort_by]} {direction}, p.id {direction}"
    # The page is chosen from ``people`` alone where no filter or order needs the
    # session's figures (its index holds the creation time): then only the 50 rows
    # shown are joined, not every row an offset skips.
    alone = "status" not in params.text and params.sort_by != "used_credits"
    source = "people p" if alone else "people p JOIN sessions s ON s.rowid = p.id"
    (total,) = conn.execute(f"SELECT count(*) FROM {source} WHERE {where}", args).fetchone()
    chosen = f"SELECT p.id FROM {source} WHERE {where} ORDER BY {order} LIMIT :limit OFFSET :skip"
    rows = conn.execute(
        f"SELECT p.*, s.duration_s, s.proxy_bytes, s.ai_steps, s.credits, {_STATUS} AS status, "
        f"CASE WHEN s.created_at_ms + s.duration_s * 1000 > :now THEN NULL ELSE s.credits END "
        f"AS credits_known FROM people p JOIN sessions s ON s.rowid = p.id "
        f"WHERE p.id IN ({chosen}) ORDER BY {order}",
        {**args, "limit": params.limit, "skip": (params.page - 1) * params.limit},
    ).fetchall()
    names = _PEOPLE_COLUMNS or _people_columns(conn)
    return {
        "data": {
            "sessions": [_item(dict(zip(names, row, strict=False)), row) for row in rows],
            "total": total,
            "page": params.page,
            "total_pages": -(-total // params.limit),
        }
    }


_PEOPLE_COLUMNS: list[str] = []


def _people_columns(conn: sqlite3.Connection) -> list[str]:
    _PEOPLE_COLUMNS[:] = [row[1] for row in conn.execute("PRAGMA table_info(people)")]
    return _PEOPLE_COLUMNS


def _item(person: dict[str, Any], row: tuple[Any, ...]) -> dict[str, Any]:
    duration, proxy_bytes, steps, credits, status, _ = row[-6:]
    running = status == "running"
    if running:
        used: Any = "N/A"
    elif person["credits_as_text"]:
        used = f"{credits:.4f}"
    else:
        used = credits
    created = datetime.fromtimestamp(person["created_at_ms"] / 1000, UTC)
    return {
        "id": person["session_id"],
        "status": status,
        "tags": None if person["tags"] is None else json.loads(person["tags"]),
        "headless": bool(person["headless"]),
        "recording": bool(person["recording"]),
        "used_credits": used,
        "proxy_bytes": proxy_bytes if person["proxy_type"] is not None else None,
        "proxy_type": person["proxy_type"],
        "steps": steps,
        "duration": None if running else duration,
        "created_at": created.isoformat(timespec="milliseconds")[:-6] + "Z",
        "user_configuration": {
            "session": {"idle_timeout": 300},
            "browser": {"headless": {"active": bool(person["headless"])}},
        },
        "task_initiated": bool(person["task_initiated"]),
        "task_executions_count": person["task_executions"],
        "api_key_name": person["api_key_name"],
        "browser_ip": person["browser_ip"],
        "domains": None if person["domains"] is None else json.loads(person["domains"]),
    }
