"""Loading and walking an OpenAPI document: shared by the drift tool, update-spec
and the contract tests. Pure except for :func:`load_spec`, which reads a file or URL."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

__all__ = ["SpecError", "load_spec", "operations", "parse_spec", "read_spec_text", "resolve_refs"]

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


class SpecError(Exception):
    """The spec could not be loaded or is not an OpenAPI document."""


def load_spec(source: str, timeout: float = 30.0) -> dict[str, Any]:
    """An OpenAPI document from a path or an http(s) URL, as a dict."""
    return parse_spec(read_spec_text(source, timeout), source)


def read_spec_text(source: str, timeout: float = 30.0) -> str:
    """The text of a spec from a path or an http(s) URL (SpecError when unreachable)."""
    if source.startswith(("http://", "https://")):
        import httpx

        try:
            response = httpx.get(source, timeout=timeout, follow_redirects=True)
            response.raise_for_status()
        except httpx.HTTPError as exc:
            raise SpecError(f"cannot fetch {source}: {exc}") from None
        text = response.text
    else:
        try:
            text = Path(source).read_text(encoding="utf-8")
        except OSError as exc:
            raise SpecError(f"cannot read {source}: {exc.strerror}") from None
    return text


def parse_spec(text: str, source: str) -> dict[str, Any]:
    """The document in ``text``, checked to be OpenAPI."""
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise SpecError(f"{source} is not YAML or JSON: {exc}") from None
    if not isinstance(document, dict) or "openapi" not in document or "paths" not in document:
        raise SpecError(f"{source} is not an OpenAPI document (no 'openapi' and 'paths' keys)")
    return document


def _pointer(document: dict[str, Any], ref: str) -> Any:
    if not ref.startswith("#/"):
        raise SpecError(f"only local $refs are supported, not {ref!r}")
    node: Any = document
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, dict) or part not in node:
            raise SpecError(f"$ref {ref!r} points nowhere")
        node = node[part]
    return node


def resolve_refs(document: dict[str, Any]) -> dict[str, Any]:
    """A copy with every local ``$ref`` replaced by what it points to (cycles refused)."""

    def walk(node: Any, seen: tuple[str, ...]) -> Any:
        if isinstance(node, dict):
            if "$ref" in node and isinstance(node["$ref"], str):
                ref = node["$ref"]
                if ref in seen:
                    raise SpecError(f"$ref cycle through {ref!r}")
                target = walk(copy.deepcopy(_pointer(document, ref)), (*seen, ref))
                siblings = {k: walk(v, seen) for k, v in node.items() if k != "$ref"}
                return {**target, **siblings} if isinstance(target, dict) else target
            return {k: walk(v, seen) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(item, seen) for item in node]
        return node

    return walk(document, ())  # type: ignore[no-any-return]


def operations(document: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """``{(METHOD, path): operation}``, with path-level parameters merged in."""
    found = {}
    for path, item in (document.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        shared = item.get("parameters", [])
        for method in HTTP_METHODS:
            if isinstance(item.get(method), dict):
                op = dict(item[method])
                own = {(p.get("in"), p.get("name")) for p in op.get("parameters", [])}
                op["parameters"] = [
                    *op.get("parameters", []),
                    *(p for p in shared if (p.get("in"), p.get("name")) not in own),
                ]
                found[(method.upper(), path)] = op
    return found
