"""The alert state file: which alerts each channel was told, kept between runs.

The I/O edge of :mod:`anchor_history.alerts`. Two rules make a cron job
trustworthy:

- **Nothing doubled.** A run holds an exclusive lock (``flock`` on a file beside
  the state) from reading the state to writing it back, webhook posts
  included, so two runs at the same moment send one message, not two.
- **Nothing lost, nothing broken.** The new state is written to a temporary
  file in the same folder, flushed to disk and renamed over the old one: a kill
  at any moment leaves the old state or the new, never half of one. A state
  file that cannot be read is an error naming it, never a silent reset that
  would send every alert again.
"""

from __future__ import annotations

import fcntl
import json
import os
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from ..errors import AlertStateError
from .decide import Record

__all__ = ["AlertStateError", "StateFile", "default_state_path", "open_state"]

VERSION = 1


def default_state_path(environ: Mapping[str, str] | None = None) -> Path:
    """``$XDG_STATE_HOME/anchor-history/alerts.json``, else ``~/.local/state/...``."""
    env = os.environ if environ is None else environ
    base = env.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return Path(base) / "anchor-history" / "alerts.json"


def open_state(where: str | os.PathLike[str]) -> Any:
    """The alert state at ``where``: a ``postgresql://`` address (shared by every
    runner: :class:`~.pg_state.PostgresState`) or a file path (:class:`StateFile`)."""
    from ..postgres.url import is_postgres_url

    if is_postgres_url(where):
        from .pg_state import PostgresState

        return PostgresState(str(where))
    return StateFile(where)


class StateFile:
    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    @contextmanager
    def locked(self) -> Iterator[StateFile]:
        """Hold the state for one run: nobody else reads or writes it meanwhile."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            lock = open(self.path.with_name(self.path.name + ".lock"), "a")  # noqa: SIM115
        except OSError as error:
            raise AlertStateError(
                f"alert state {self.path}: cannot be written ({error.strerror or error})"
            ) from None
        try:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield self
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
            lock.close()

    def load(self) -> dict[str, Record]:
        """The records, or none for a file not made yet; a broken one is an error."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        except (OSError, UnicodeDecodeError) as error:
            raise AlertStateError(f"alert state {self.path}: cannot be read ({error})") from None
        try:
            document = json.loads(text)
            if document.get("version") != VERSION:
                raise ValueError(f"version {document.get('version')!r}, expected {VERSION}")
            return {key: _record(value) for key, value in document["alerts"].items()}
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise AlertStateError(
                f"alert state {self.path} is not a state file anchor-history wrote ({error}); "
                "move it away to start afresh (every crossed alert is then sent again)"
            ) from None

    def save(self, records: Mapping[str, Record]) -> None:
        """Replace the state whole: a temporary file, flushed, renamed over it."""
        document = {
            "version": VERSION,
            "alerts": {key: _plain(record) for key, record in sorted(records.items())},
        }
        try:
            handle, temporary = tempfile.mkstemp(
                prefix=self.path.name + ".", suffix=".tmp", dir=self.path.parent
            )
            try:
                with os.fdopen(handle, "w", encoding="utf-8") as stream:
                    json.dump(document, stream, indent=2)
                    stream.write("\n")
                    stream.flush()
                    os.fsync(stream.fileno())
                os.replace(temporary, self.path)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
            folder = os.open(self.path.parent, os.O_RDONLY)
            try:
                os.fsync(folder)
            finally:
                os.close(folder)
        except OSError as error:
            raise AlertStateError(
                f"alert state {self.path}: cannot be written ({error.strerror or error})"
            ) from None


def _plain(record: Record) -> dict[str, str]:
    return {
        "notified_at": record.notified_at.isoformat(),
        "sent_at": record.sent_at.isoformat(),
        "period_end": record.period_end.isoformat(),
    }


def _record(value: Any) -> Record:
    def instant(name: str) -> datetime:
        moment = datetime.fromisoformat(value[name])
        if moment.tzinfo is None:
            raise ValueError(f"{name} {value[name]!r} has no UTC offset")
        return moment

    return Record(instant("notified_at"), instant("sent_at"), instant("period_end"))
