"""A throwaway PostgreSQL cluster for the tests: made in a temp folder, started on a
free loopback port, stopped and removed after.

``initdb`` refuses to run as root, and CI runs as root: there the cluster belongs
to the ``postgres`` user the Debian package made (``runuser``), as a platform
team's would. Password authentication (SCRAM) on TCP, so a wrong password is
refused as on a real server. Where PostgreSQL is not installed the tests that
need it are skipped, saying so.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

USER, PASSWORD = "anchor", "s3cret-pw"
_ROOT = os.geteuid() == 0


def available() -> str | None:
    """Why no cluster can be made here, or None when one can."""
    for tool in ("initdb", "pg_ctl"):
        if shutil.which(tool) is None:
            return f"PostgreSQL's {tool} is not on PATH"
    if _ROOT:
        try:
            import pwd

            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root, and no `postgres` user to run initdb as"
    return None


def _as_owner(words: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *words] if _ROOT else words


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def cluster(*, durable: bool = False) -> Iterator[str]:
    """A running cluster; yields its URL (``postgresql://anchor:...@127.0.0.1:PORT/postgres``).

    The tests' cluster skips flushing to disk (nothing of it outlives the run);
    ``durable=True`` keeps PostgreSQL's defaults, as make bench measures it."""
    folder = Path(tempfile.mkdtemp(prefix="anchor-pg-"))
    data, secret = folder / "data", folder / "pw"
    secret.write_text(PASSWORD + "\n")
    if _ROOT:
        shutil.chown(folder, "postgres")
        shutil.chown(secret, "postgres")
    port = _free_port()
    try:
        subprocess.run(
            _as_owner(["initdb", "-D", str(data), "-U", USER, f"--pwfile={secret}",
                       "--auth=scram-sha-256", "--no-sync", "-E", "UTF8", "--locale=C"]),
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        options = f"-p {port} -c listen_addresses=127.0.0.1 -k {folder}"
        if not durable:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        subprocess.run(
            _as_owner(["pg_ctl", "-D", str(data), "-o", options, "-l", str(folder / "log"),
                       "-w", "-t", "60", "start"]),
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        yield f"postgresql://{USER}:{PASSWORD}@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(_as_owner(["pg_ctl", "-D", str(data), "-m", "immediate", "stop"]),
                       capture_output=True, timeout=60)  # fmt: skip
        shutil.rmtree(folder, ignore_errors=True)


def fresh_database(url: str, name: str) -> str:
    """A new empty database on the cluster of ``url``; its URL."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return url.rsplit("/", 1)[0] + "/" + name
