"""Diff two OpenAPI documents and classify each change for a client of this API.

    python scripts/spec_drift.py OLD NEW [--json]        (OLD/NEW: paths or URLs)

Classes follow oasdiff's checks as summarised in shared/notes/contract-testing.md:
breaking (the client breaks), possibly breaking, additive. Exit status 1 when
anything breaking was found, 0 otherwise, 2 when a spec cannot be loaded.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import asdict, dataclass
from typing import Any

from spec_tools import SpecError, load_spec, operations, resolve_refs

BREAKING, POSSIBLY, ADDITIVE = "breaking", "possibly breaking", "additive"
LEVELS = (BREAKING, POSSIBLY, ADDITIVE)

# Response properties the facade reads (a `*` stands for any one key). Removing
# one of these breaks it; removing another declared property only possibly does.
CLIENT_READS = (
    "data",
    "data[].*",
    "summary",
    "summary.*",
    "pagination",
    "pagination.*",
    "error",
    "error.code",
    "error.message",
    # GET /v1/sessions: the page, and every field of a session but the configuration
    "data.sessions",
    "data.sessions[].*",
    "data.total",
    "data.page",
    "data.total_pages",
)
_DEFAULT_STYLE = {"query": "form", "cookie": "form", "path": "simple", "header": "simple"}


def _style(param: dict[str, Any]) -> tuple[str, bool]:
    """A parameter's (style, explode), with OpenAPI's defaults filled in."""
    style = param.get("style", _DEFAULT_STYLE.get(param.get("in", "query"), "form"))
    return style, param.get("explode", style == "form")


@dataclass(frozen=True)
class Change:
    level: str
    where: str
    what: str


_READ_PATTERNS = [
    re.compile("^" + re.escape(p).replace(r"\*", r"[^.\[]+") + "$") for p in CLIENT_READS
]


def _reads(path: str) -> bool:
    return any(pattern.match(path) for pattern in _READ_PATTERNS)


def _types(schema: dict[str, Any]) -> set[str]:
    kind = schema.get("type")
    found = set(kind) if isinstance(kind, list) else ({kind} if kind else set())
    if schema.get("nullable"):
        found.add("null")
    return found


class _Differ:
    def __init__(self) -> None:
        self.changes: list[Change] = []

    def add(self, level: str, where: str, what: str) -> None:
        self.changes.append(Change(level, where, what))

    # -- whole documents ---------------------------------------------------------
    def documents(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        old_urls = [s.get("url") for s in old.get("servers", [])]
        new_urls = [s.get("url") for s in new.get("servers", [])]
        if old_urls != new_urls:
            self.add(BREAKING, "servers", f"server URL changed from {old_urls} to {new_urls}")
        self.security_schemes(old, new)
        old_ops, new_ops = operations(old), operations(new)
        for key in sorted(old_ops.keys() - new_ops.keys()):
            self.add(BREAKING, f"{key[0]} {key[1]}", "operation removed (path removed)")
        for key in sorted(new_ops.keys() - old_ops.keys()):
            self.add(ADDITIVE, f"{key[0]} {key[1]}", "operation added")
        for key in sorted(old_ops.keys() & new_ops.keys()):
            self.operation(f"{key[0]} {key[1]}", old_ops[key], new_ops[key])

    def security_schemes(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        before = (old.get("components") or {}).get("securitySchemes") or {}
        after = (new.get("components") or {}).get("securitySchemes") or {}
        for name, scheme in before.items():
            where = f"security scheme {name!r}"
            if name not in after:
                self.add(BREAKING, where, "security scheme removed")
                continue
            for field in ("type", "in", "name", "scheme"):
                if scheme.get(field) != after[name].get(field):
                    what = "header name changed" if field == "name" else f"{field} changed"
                    self.add(
                        BREAKING,
                        where,
                        f"{what}: {scheme.get(field)!r} -> {after[name].get(field)!r}",
                    )

    # -- one operation -----------------------------------------------------------
    def operation(self, where: str, old: dict[str, Any], new: dict[str, Any]) -> None:
        if not old.get("deprecated") and new.get("deprecated"):
            self.add(ADDITIVE, where, "operation deprecated")
        if old.get("security") != new.get("security"):
            self.add(
                BREAKING, where, f"security changed: {old.get('security')} -> {new.get('security')}"
            )
        self.parameters(where, old.get("parameters", []), new.get("parameters", []))
        self.responses(where, old.get("responses", {}), new.get("responses", {}))

    def parameters(self, where: str, old: list[Any], new: list[Any]) -> None:
        before = {(p.get("in"), p.get("name")): p for p in old}
        after = {(p.get("in"), p.get("name")): p for p in new}
        for key in before.keys() - after.keys():
            self.add(POSSIBLY, f"{where} parameter {key[1]!r}", "parameter removed")
        for key in after.keys() - before.keys():
            required = after[key].get("required", False)
            self.add(
                BREAKING if required else ADDITIVE,
                f"{where} parameter {key[1]!r}",
                "new required parameter" if required else "new optional parameter",
            )
        for key in before.keys() & after.keys():
            self.parameter(f"{where} parameter {key[1]!r}", before[key], after[key])

    def parameter(self, where: str, old: dict[str, Any], new: dict[str, Any]) -> None:
        if not old.get("required") and new.get("required"):
            self.add(BREAKING, where, "parameter became required")
        elif old.get("required") and not new.get("required"):
            self.add(ADDITIVE, where, "parameter became optional")
        old_style, new_style = _style(old), _style(new)
        if old_style != new_style:
            self.add(BREAKING, where, f"style/explode changed: {old_style} -> {new_style}")
        if not old.get("deprecated") and new.get("deprecated"):
            self.add(ADDITIVE, where, "parameter deprecated")
        self.request_schema(where, old.get("schema") or {}, new.get("schema") or {})

    def request_schema(self, where: str, old: dict[str, Any], new: dict[str, Any]) -> None:
        """A value the client sends: narrowing breaks, widening is additive."""
        if _types(old) != _types(new):
            self.add(
                BREAKING, where, f"type changed: {sorted(_types(old))} -> {sorted(_types(new))}"
            )
        if old.get("format") != new.get("format"):
            self.add(BREAKING, where, f"format changed: {old.get('format')} -> {new.get('format')}")
        old_enum, new_enum = old.get("enum"), new.get("enum")
        if old_enum is not None or new_enum is not None:
            if old_enum is None:
                self.add(BREAKING, where, f"enum added: {new_enum}")
            elif new_enum is not None:
                for value in [v for v in old_enum if v not in new_enum]:
                    self.add(BREAKING, where, f"enum value {value!r} removed")
                for value in [v for v in new_enum if v not in old_enum]:
                    self.add(
                        ADDITIVE,
                        where,
                        f"enum value {value!r} added (the generated client lacks it "
                        "until regenerated)",
                    )
            else:
                self.add(ADDITIVE, where, "enum removed (any value accepted)")
        self.bounds(where, old, new)
        if old.get("pattern") != new.get("pattern"):
            level = BREAKING if new.get("pattern") else ADDITIVE
            self.add(
                level, where, f"pattern {'added or changed' if new.get('pattern') else 'removed'}"
            )
        if old.get("default") != new.get("default"):
            self.add(
                BREAKING,
                where,
                f"default changed: {old.get('default')!r} -> {new.get('default')!r}",
            )
        for branch in ("oneOf", "anyOf"):
            if len(old.get(branch, [])) != len(new.get(branch, [])):
                self.add(BREAKING, where, f"{branch} branches changed")
            for i, (a, b) in enumerate(zip(old.get(branch, []), new.get(branch, []), strict=False)):
                self.request_schema(f"{where} ({branch}[{i}])", a, b)
        if "items" in old or "items" in new:
            self.request_schema(f"{where} items", old.get("items") or {}, new.get("items") or {})

    def bounds(self, where: str, old: dict[str, Any], new: dict[str, Any]) -> None:
        for name, tighter in (("minimum", lambda a, b: b > a), ("maximum", lambda a, b: b < a)):
            a, b = old.get(name), new.get(name)
            if a == b:
                continue
            if a is None:
                self.add(BREAKING, where, f"{name} {b} added")
            elif b is None:
                self.add(ADDITIVE, where, f"{name} {a} removed")
            elif tighter(a, b):
                verb = "increased" if name == "minimum" else "decreased"
                self.add(BREAKING, where, f"{name} {verb}: {a} -> {b}")
            else:
                verb = "decreased" if name == "minimum" else "increased"
                self.add(ADDITIVE, where, f"{name} {verb}: {a} -> {b}")

    # -- responses ---------------------------------------------------------------
    def responses(self, where: str, old: dict[str, Any], new: dict[str, Any]) -> None:
        for status in sorted(old.keys() - new.keys()):
            level = BREAKING if str(status).startswith("2") else POSSIBLY
            self.add(level, f"{where} response {status}", "response status removed")
        for status in sorted(new.keys() - old.keys()):
            self.add(ADDITIVE, f"{where} response {status}", "response status added")
        for status in sorted(old.keys() & new.keys()):
            here = f"{where} response {status}"
            before = (old[status] or {}).get("content") or {}
            after = (new[status] or {}).get("content") or {}
            for media in sorted(before.keys() - after.keys()):
                self.add(BREAKING, here, f"media type {media} removed")
            for media in sorted(after.keys() - before.keys()):
                self.add(ADDITIVE, here, f"media type {media} added")
            for media in sorted(before.keys() & after.keys()):
                self.response_schema(
                    here, "", before[media].get("schema") or {}, after[media].get("schema") or {}
                )

    def response_schema(
        self, where: str, path: str, old: dict[str, Any], new: dict[str, Any]
    ) -> None:
        """A value the client reads: removals and type changes break it, additions do not."""
        at = f"{where} {path or '(body)'}"
        old_types, new_types = _types(old), _types(new)
        if "null" in new_types and "null" not in old_types:
            self.add(BREAKING, at, "became nullable")
        if old_types - {"null"} != new_types - {"null"} and old_types and new_types:
            self.add(BREAKING, at, f"type changed: {sorted(old_types)} -> {sorted(new_types)}")
        old_enum, new_enum = old.get("enum"), new.get("enum")
        if old_enum is not None and new_enum is not None:
            for value in [v for v in new_enum if v not in old_enum]:
                self.add(POSSIBLY, at, f"response enum value {value!r} added")
        old_props, new_props = old.get("properties") or {}, new.get("properties") or {}
        for name in sorted(old_props.keys() - new_props.keys()):
            child = f"{path}.{name}" if path else name
            if _reads(child):
                self.add(BREAKING, f"{where} {child}", "property removed (the facade reads it)")
            else:
                self.add(POSSIBLY, f"{where} {child}", "property removed (not read by the facade)")
        for name in sorted(new_props.keys() - old_props.keys()):
            child = f"{path}.{name}" if path else name
            self.add(ADDITIVE, f"{where} {child}", "property added")
        for name in sorted(old_props.keys() & new_props.keys()):
            child = f"{path}.{name}" if path else name
            self.response_schema(where, child, old_props[name], new_props[name])
        if "items" in old and "items" in new:
            self.response_schema(where, f"{path}[]", old["items"], new["items"])


def diff_specs(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """Every change from ``old`` to ``new`` (both with or without $refs)."""
    differ = _Differ()
    differ.documents(resolve_refs(old), resolve_refs(new))
    return differ.changes


def report(changes: list[Change], old: str, new: str) -> str:
    lines = [f"spec drift: {old} -> {new}"]
    for level in LEVELS:
        found = [c for c in changes if c.level == level]
        lines.append(f"{level.upper()} ({len(found)})")
        lines += [f"  {c.where}: {c.what}" for c in found]
    verdict = "breaking" if any(c.level == BREAKING for c in changes) else "no breaking change"
    lines.append(f"verdict: {verdict}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("old", help="the spec before (path or URL)")
    parser.add_argument("new", help="the spec after (path or URL)")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    args = parser.parse_args(argv)
    try:
        old, new = load_spec(args.old), load_spec(args.new)
        changes = diff_specs(old, new)
    except SpecError as error:
        print(f"spec_drift: error: {error}", file=sys.stderr)
        return 2
    if args.json:
        breaking = any(c.level == BREAKING for c in changes)
        print(json.dumps({"breaking": breaking, "changes": [asdict(c) for c in changes]}, indent=2))
    else:
        sys.stdout.write(report(changes, args.old, args.new))
    return 1 if any(c.level == BREAKING for c in changes) else 0


if __name__ == "__main__":
    sys.exit(main())
