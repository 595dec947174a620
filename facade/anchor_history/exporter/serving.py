"""The exporter's HTTP side: ``/metrics`` in the Prometheus text format, ``/`` a
status line (200 while up, 503 else, for a probe), anything else a 404."""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler
from typing import Any, Protocol

__all__ = ["Served", "handler", "version"]


class Served(Protocol):
    """What the handler needs of the exporter (server.py), named here so that this
    module imports nothing of it."""

    registry: Any

    @property
    def up(self) -> bool: ...

    def status(self) -> str: ...


def version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("anchor-history")
    except PackageNotFoundError:  # pragma: no cover - a source tree
        return "unknown"


def handler(exporter: Served) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _answer(self, with_body: bool) -> None:
            from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest

            status = 200
            if self.path.split("?")[0] == "/metrics":
                body, kind = generate_latest(exporter.registry), CONTENT_TYPE_LATEST
            elif self.path.split("?")[0] == "/":
                body, kind = (exporter.status() + "\n").encode(), "text/plain; charset=utf-8"
                status = 200 if exporter.up else 503  # for a load balancer or a probe
            else:
                body, kind = b"not found: try /metrics\n", "text/plain; charset=utf-8"
                status = 404
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if with_body:
                self.wfile.write(body)

        def do_GET(self) -> None:
            self._answer(with_body=True)

        def do_HEAD(self) -> None:
            self._answer(with_body=False)

        def log_message(self, *args: object) -> None:  # scrapes are not news
            pass

    return Handler
