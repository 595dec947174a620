"""Running the sandbox: in a background thread (tests, benchmarks) or in the foreground (CLI)."""

from __future__ import annotations

import errno
import secrets
import socket
import threading
import time
from datetime import UTC, date, datetime
from types import TracebackType
from typing import Any, Self

from .billing import PlanSettings
from .data import DataSpec, create_database
from .faults import FaultPlan, parse_faults
from .people import SessionShape

__all__ = ["PortInUseError", "Sandbox"]


class PortInUseError(OSError):
    """The sandbox's port is taken (another sandbox, most likely)."""


def _listen(host: str, port: int) -> socket.socket:
    """A bound socket for uvicorn, so a port in use is one clear error, not a log dump."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY on accepted connections only
    # for sockets that say they are TCP; without it every answer on a kept-alive
    # connection waited ~40 ms for a delayed ACK (measured: 44 ms against 2 ms).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise PortInUseError(
                f"port {port} on {host} is already in use (another sandbox?); "
                "pick another with --port, or --port 0 for a free one",
            ) from None
        raise
    return sock


class Sandbox:
    """A sandbox server on loopback, started by ``start()`` or ``with``.

    >>> # with Sandbox(sessions=5000) as box:
    >>> #     HistoryClient(box.api_key, box.base_url).fetch(...)
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        db: str = ":memory:",
        seed: int = 7,
        sessions: int = 20_000,
        days: int = 90,
        end: datetime | None = None,
        api_key: str | None = None,
        other_keys: tuple[str, ...] = (),
        latency_ms: float = 0.0,
        faults: str = "",
        fault_seed: int = 0,
        date_style: str = "iso-ms",
        retry_after: float = 1.0,
        slow_seconds: float = 3.0,
        spikes: tuple[tuple[date, float], ...] = (),
        plan: PlanSettings | None = None,
        shape: SessionShape | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.api_key = api_key or "sandbox-" + secrets.token_hex(12)
        # Resolved once: the data runs up to the moment the sandbox was made.
        end = end if end is not None else datetime.now(UTC).replace(microsecond=0)
        self.data = DataSpec(seed=seed, sessions=sessions, days=days, end=end, spikes=spikes)
        self.conn = create_database(db, self.data)
        self.faults = FaultPlan(parse_faults(faults), fault_seed)
        from .requests import SandboxSettings

        self.settings = SandboxSettings(
            api_key=self.api_key,
            other_keys=tuple(other_keys),
            latency_ms=latency_ms,
            date_style=date_style,
            retry_after=retry_after,
            slow_seconds=slow_seconds,
            plan=plan or PlanSettings(),
            shape=shape or SessionShape(),
            seed=seed,
            spikes=tuple(spikes),
        )
        self._server: Any = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def set_faults(self, spec: str = "", seed: int = 0) -> None:
        """Replace the fault schedule and restart the request count at 1, once requests
        still on the wire from an earlier client have arrived (so they are not counted
        as this schedule's first)."""
        rules = parse_faults(spec)
        if rules:
            self.faults.wait_quiet()
        self.faults.reset(rules, seed)

    def _config(self) -> Any:
        import uvicorn

        from .app import create_app

        app = create_app(self.conn, self.settings, self.faults)
        return uvicorn.Config(
            app,
            host=self.host,
            port=self.port,
            log_level="warning",
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=2,
        )

    def start(self) -> Self:
        import uvicorn

        sock = _listen(self.host, self.port)
        self._server = uvicorn.Server(self._config())
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, name="anchor-sandbox", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the sandbox did not start on {self.host}:{self.port}")
            time.sleep(0.01)
        self.port = self._server.servers[0].sockets[0].getsockname()[1]
        return self

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)
        self._server = self._thread = None

    def serve_forever(self, on_ready: Any = None) -> None:
        """Run in the foreground until Ctrl-C or SIGTERM (uvicorn handles both)."""
        import uvicorn

        sock = _listen(self.host, self.port)
        server = uvicorn.Server(self._config())
        original_startup = server.startup

        async def startup(sockets: Any = None) -> None:
            await original_startup(sockets=sockets)
            if server.servers:
                self.port = server.servers[0].sockets[0].getsockname()[1]
            if on_ready is not None:
                on_ready(self)

        server.startup = startup  # type: ignore[method-assign]
        server.run(sockets=[sock])

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
