"""Contract checks for one recorded interaction against openapi.yaml.

Each problem is one line naming the JSON path (or parameter) and the kind of
change, in the words of the drift catalog (shared/notes/contract-testing.md):
an undeclared status is "status added", an unknown key "property added", a
missing key the facade reads "property removed", a wrong JSON type "type
changed", a null "became nullable".
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from openapi_schema_validator import OAS31Validator
from spec_tools import operations

# Statuses the spec leaves out but the service is known to send (shared/spec/README.md).
KNOWN_UNDECLARED = {401: "a missing or wrong key; every keyed endpoint answers it"}
SUMMARY_KEY = {"session_count": "total_sessions"}
# What the facade reads of a plan (the optional fields may be absent: not drift).
PLAN_READS = ("credits", "credits_used", "included_credits", "billing_period", "tier")
# What the facade reads of every listed session (the spec's required ones it uses).
SESSION_READS = (
    "id", "status", "used_credits", "created_at", "api_key_name", "task_initiated",
    "headless", "recording",
)  # fmt: skip


def _summary_key(metric: str) -> str:
    return SUMMARY_KEY.get(metric, f"total_{metric}")


def _path(parts: Any) -> str:
    text = "$"
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


def check_request(spec: dict[str, Any], request: dict[str, Any]) -> list[str]:
    """Path, method, every query parameter and the key header against the spec."""
    url = urlsplit(request["uri"])
    op = operations(spec).get((request["method"].upper(), url.path))
    if op is None:
        return [f"request: {request['method']} {url.path} is not an operation of the spec"]
    problems = []
    params = {p["name"]: p for p in op.get("parameters", []) if p.get("in") == "query"}
    pairs = parse_qsl(url.query, keep_blank_values=True)
    repeated = {n for n in {k for k, _ in pairs} if sum(1 for k, _ in pairs if k == n) > 1}
    for name, value in pairs:
        if name not in params:
            problems.append(f"request: query parameter {name!r} is not declared")
            continue
        schema = params[name]["schema"]
        if "oneOf" in schema:
            # metrics: `string | array of enum`. Repeated keys can only be the array, so
            # each must be in the enum; one value may be the (unconstrained) string branch.
            items = next(s["items"] for s in schema["oneOf"] if s.get("type") == "array")
            if name in repeated and value not in items.get("enum", [value]):
                problems.append(f"request: {name} value {value!r} is not in the enum")
            continue
        problems += [f"request: {name}={value!r}: {e}" for e in _scalar_problems(schema, value)]
    scheme = next(iter(spec["components"]["securitySchemes"].values()))
    headers = {k.lower(): v for k, v in request.get("headers", {}).items()}
    if scheme["name"].lower() not in headers:
        problems.append(f"request: the key header {scheme['name']!r} is missing")
    return problems


def _scalar_problems(schema: dict[str, Any], value: str) -> list[str]:
    kind = schema.get("type")
    if kind == "integer":
        try:
            number = int(value)
        except ValueError:
            return ["not an integer"]
        out = []
        if "minimum" in schema and number < schema["minimum"]:
            out.append(f"below the minimum {schema['minimum']}")
        if "maximum" in schema and number > schema["maximum"]:
            out.append(f"above the maximum {schema['maximum']}")
        if "enum" in schema and number not in schema["enum"]:
            out.append(f"not one of {schema['enum']}")
        return out
    if kind == "boolean" and value not in ("true", "false"):
        return ["not true or false"]
    if "enum" in schema and value not in schema["enum"]:
        return [f"not one of {schema['enum']}"]
    if schema.get("format") == "date-time":
        try:
            datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return ["not an ISO 8601 date-time"]
    return []


def check_response(
    spec: dict[str, Any], request: dict[str, Any], status: int, headers: dict[str, Any], body: str
) -> list[str]:
    """Status, media type, schema, and observed keys against declared properties."""
    url = urlsplit(request["uri"])
    op = operations(spec)[(request["method"].upper(), url.path)]
    declared = op.get("responses", {})
    response_spec = declared.get(str(status))
    if response_spec is None:
        if status in KNOWN_UNDECLARED:
            response_spec = declared.get("400")  # same ErrorResponse shape as the documented ones
        else:
            return [f"response: status {status} is not declared (status added)"]
    content_type = _header(headers, "content-type").split(";")[0].strip()
    media = (response_spec or {}).get("content", {})
    if content_type not in media:
        return [f"response: media type {content_type!r} is not declared for {status}"]
    try:
        document = json.loads(body)
    except ValueError:
        return [f"response: the body is not JSON: {body[:80]!r}"]
    schema = nullable_as_31(media[content_type]["schema"])
    problems = []
    for error in OAS31Validator(schema).iter_errors(document):
        kind = "became nullable" if error.instance is None else "type changed"
        problems.append(f"response: {_path(error.absolute_path)}: {kind}: {error.message}")
    problems += _unknown_keys(schema, document, [])
    if status == 200 and url.path == "/v1/billing":
        problems += _missing(document, [["data"], *(["data", k] for k in PLAN_READS)])
    elif status == 200 and url.path == "/v1/sessions":
        problems += _missing_session_reads(document)
    elif status == 200:
        metrics = [v for k, v in parse_qsl(url.query) if k == "metrics"]
        problems += _missing_reads(document, metrics)
    return problems


def nullable_as_31(schema: Any) -> Any:
    """``nullable: true`` (OpenAPI 3.0's word, which the vendor's ``/v1/sessions``
    text uses inside its 3.1 document) as 3.1 says it: ``null`` among the types.
    The spec's author means it, the generated client honours it, and a 3.1
    validator alone would call every null there drift."""
    if isinstance(schema, list):
        return [nullable_as_31(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: nullable_as_31(v) for k, v in schema.items() if k != "nullable"}
    if schema.get("nullable") is True and "type" in out:
        kinds = out["type"] if isinstance(out["type"], list) else [out["type"]]
        out["type"] = [*kinds, "null"]
    return out


def _header(headers: dict[str, Any], name: str) -> str:
    for key, value in headers.items():
        if key.lower() == name:
            return value[0] if isinstance(value, list) else str(value)
    return ""


def _unknown_keys(schema: dict[str, Any], value: Any, at: list[Any]) -> list[str]:
    if isinstance(value, dict) and "properties" in schema:
        out = []
        for key, item in value.items():
            if key not in schema["properties"]:
                out.append(f"response: {_path([*at, key])}: property added (not in the spec)")
            else:
                out += _unknown_keys(schema["properties"][key], item, [*at, key])
        return out
    if isinstance(value, list) and "items" in schema:
        return [
            p
            for i, item in enumerate(value)
            for p in _unknown_keys(schema["items"], item, [*at, i])
        ]
    return []


def _missing_reads(document: Any, metrics: list[str]) -> list[str]:
    """Keys the facade reads on a 200: missing ones are 'property removed'."""
    if not isinstance(document, dict):
        return []
    needed: list[list[Any]] = [["data"], ["summary"], ["pagination"]]
    needed += [
        ["pagination", k]
        for k in ("current_page", "total_pages", "total_records", "has_next", "has_prev")
    ]
    needed += [["summary", _summary_key(m)] for m in metrics]
    for i, _ in enumerate(document.get("data") or []):
        needed += [["data", i, "date"], *(["data", i, m] for m in metrics)]
    return _missing(document, needed)


def _missing_session_reads(document: Any) -> list[str]:
    """What the facade needs of a sessions page (the rest may be null or absent)."""
    if not isinstance(document, dict):
        return []
    needed: list[list[Any]] = [["data", k] for k in ("sessions", "total", "page", "total_pages")]
    sessions = (document.get("data") or {}).get("sessions") or []
    for i, _ in enumerate(sessions):
        needed += [["data", "sessions", i, k] for k in SESSION_READS]
    return _missing(document, needed)


def _missing(document: Any, needed: list[list[Any]]) -> list[str]:
    out = []
    for path in needed:
        node: Any = document
        for part in path:
            in_dict = isinstance(node, dict) and part in node
            in_list = isinstance(node, list) and isinstance(part, int) and part < len(node)
            if in_dict or in_list:
                node = node[part]
            else:
                out.append(f"response: {_path(path)}: property removed (the facade reads it)")
                break
    return out
