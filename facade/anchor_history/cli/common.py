"""What every sub-command shares: exit codes, one-line errors in the CLI's own words.

Nothing heavy is imported here: ``--help`` must answer at once.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO, Any

__all__ = [
    "EXIT_API",
    "EXIT_AUTH",
    "EXIT_CODES",
    "EXIT_FORMAT",
    "EXIT_FOUND",
    "EXIT_NETWORK",
    "EXIT_NOTIFY",
    "EXIT_OK",
    "EXIT_PORT_IN_USE",
    "EXIT_STORE",
    "EXIT_USAGE",
    "UsageError",
    "add_connection_args",
    "cli_words",
    "exit_code",
    "fail",
    "guarded",
    "notify",
    "open_client",
    "port_number",
    "print_result",
    "show_waits",
]

EXIT_OK, EXIT_USAGE, EXIT_AUTH, EXIT_API, EXIT_NETWORK, EXIT_FORMAT = 0, 2, 3, 4, 5, 6
EXIT_FOUND, EXIT_NOTIFY, EXIT_PORT_IN_USE, EXIT_STORE = 1, 7, 8, 9
EXIT_CODES = f"""exit codes:
  {EXIT_OK}  ok
  {EXIT_FOUND}  (check) a budget is over or at risk; (anomalies) anomalies were found
  {EXIT_USAGE}  bad arguments (or a missing optional extra)
  {EXIT_AUTH}  authentication: no key, or the key was refused (401/403)
  {EXIT_API}  API error or rate limit, after retries
  {EXIT_NETWORK}  network failure or timeout, after retries
  {EXIT_FORMAT}  the response was not in the spec's shape
  {EXIT_NOTIFY}  (check, anomalies) the --notify webhook did not take the message
  {EXIT_PORT_IN_USE}  (sandbox) the port is already in use
  {EXIT_STORE}  (--store) not a store, or held by another sync for over a minute
"""


class UsageError(Exception):
    """A command-line mistake found by the CLI itself (exit 2)."""


def fail(message: str, code: int) -> int:
    print(f"anchor-history: error: {message}", file=sys.stderr)
    return code


# The library names its parameters; a CLI user typed flags. Said once, here.
_ANYWHERE = {"from_date": "--from", "to_date": "--to"}
_LEADING = {
    "api_key": "--api-key",
    "base_url": "--base-url",
    "page_size": "--page-size",
    "max_retries": "--max-retries",
    "concurrency": "--concurrency",
    "timeout": "--timeout",
    "granularity": "--granularity",
    "metrics": "--metrics",
    "tz": "--tz",
    "max_response_bytes": "--max-response-mb",
    "deadline": "--deadline",
    "cycle_start": "--cycle-start",
    "sensitivity": "--sensitivity",
    "as_of": "--as-of",
    "period": "--period",
    "team": "--team",
}
_PHRASES = {
    "pass api_key=... or set": "pass --api-key or set",
    "pass allow_insecure_http=True": "pass --allow-insecure-http",
}


def cli_words(message: str) -> str:
    """A library message with its keyword names swapped for the CLI's flags.

    >>> cli_words("timeout: -1 is not a number of seconds > 0 (or None)")
    '--timeout: -1 is not a number of seconds > 0'
    """
    for phrase, flag_phrase in _PHRASES.items():
        message = message.replace(phrase, flag_phrase)
    leading = re.match(r"^(\w+)(?=:)", message)
    if leading and leading.group(1) in _LEADING:
        message = _LEADING[leading.group(1)] + message[leading.end() :]
    return re.sub(r"\b(from_date|to_date)\b", lambda m: _ANYWHERE[m.group(1)], message).replace(
        " (or None)", ""
    )


def exit_code(error: BaseException) -> int:
    from .. import errors as e
    from ..store import StoreError

    table: list[tuple[type[BaseException], int]] = [
        (StoreError, EXIT_STORE),
        (e.NotificationError, EXIT_NOTIFY),
        (e.MissingAPIKeyError, EXIT_AUTH),
        (e.InvalidInputError, EXIT_USAGE),
        (e.MissingExtraError, EXIT_USAGE),
        (e.AuthenticationError, EXIT_AUTH),
        (e.APIError, EXIT_API),
        (e.TransportError, EXIT_NETWORK),
        (e.ResponseFormatError, EXIT_FORMAT),
    ]
    return next((code for kind, code in table if isinstance(error, kind)), EXIT_API)


def _network_hint(error: BaseException, base_url: str | None) -> str:
    """For a refused connection to this machine: is the sandbox running?"""
    from ..errors import RequestTimeoutError, TransportError

    if not isinstance(error, TransportError) or isinstance(error, RequestTimeoutError):
        return ""
    url = base_url or os.environ.get("ANCHORBROWSER_BASE_URL") or ""
    if re.match(r"^https?://(localhost|127\.[\d.]+|\[::1\])(:\d+)?$", url.rstrip("/")):
        return (
            "; is the sandbox running? Start it with `anchor-history sandbox` (port 8765) "
            "or `make sandbox`, and use the base URL and key it prints"
        )
    return ""


def guarded(run: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    """Run a sub-command: library errors become one line and an exit code, never a traceback."""
    from ..errors import AnchorHistoryError

    verbose = getattr(args, "verbose", False)
    if verbose:
        logging.basicConfig(level=logging.WARNING, format="%(name)s: %(message)s")
        logging.getLogger("anchor_history").setLevel(logging.DEBUG)
    try:
        return run(args)
    except UsageError as error:
        return fail(str(error), EXIT_USAGE)
    except AnchorHistoryError as error:
        if verbose:
            import traceback

            traceback.print_exc()
        hint = _network_hint(error, getattr(args, "base_url", None))
        return fail(cli_words(str(error)) + hint, exit_code(error))
    except KeyboardInterrupt:
        return fail("interrupted", 130)
    except BrokenPipeError:  # the reader stopped early (`| head`): not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except OSError as error:  # an --output file that cannot be written
        return fail(f"{error.strerror or error}: {error.filename or ''}".rstrip(": "), EXIT_USAGE)


class _WaitFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return f"\r\033[Kanchor-history: {record.getMessage()}"


def show_waits(stream: IO[str]) -> Callable[[], None]:
    """Print the client's retry and Retry-After waits on ``stream``; returns the undo."""
    handler = logging.StreamHandler(stream)
    handler.setLevel(logging.INFO)
    handler.setFormatter(_WaitFormatter())
    handler.addFilter(lambda record: record.levelno == logging.INFO)
    log = logging.getLogger("anchor_history")
    previous = log.level
    if log.getEffectiveLevel() > logging.INFO:
        log.setLevel(logging.INFO)
    log.addHandler(handler)

    def undo() -> None:
        log.removeHandler(handler)
        log.setLevel(previous)

    return undo


def add_connection_args(p: argparse.ArgumentParser, *, store_required: bool = False) -> None:
    """The flags of every command that reads usage: the API's, and a store's instead."""
    p.add_argument(
        "--store",
        default=None,
        required=store_required,
        metavar="PATH",
        help="the local store (SQLite) to "
        + ("sync into" if store_required else "read from, offline, instead of the API"),
    )
    p.add_argument(
        "--team",
        default=None,
        help="the store's team (default: "
        + ("'default')" if store_required else "all teams summed)"),
    )
    p.add_argument("--api-key", default=None, help="API key (default: $ANCHORBROWSER_API_KEY)")
    p.add_argument(
        "--base-url",
        default=None,
        help="API base URL (default: $ANCHORBROWSER_BASE_URL, else https://api.anchorbrowser.io)",
    )
    p.add_argument("--timeout", type=float, default=30.0, help="seconds per request (default 30)")
    p.add_argument("--max-retries", type=int, default=2, help="retries per request (default 2)")
    p.add_argument(
        "--deadline",
        type=float,
        default=None,
        help="seconds for the whole fetch, retries and waits included (default none)",
    )
    p.add_argument(
        "--max-response-mb",
        type=float,
        default=32.0,
        help="refuse a response body larger than this, after decompression (default 32)",
    )
    p.add_argument(
        "--allow-insecure-http",
        action="store_true",
        help="allow plain http:// to a host that is not loopback",
    )
    noise = p.add_mutually_exclusive_group()
    noise.add_argument(
        "--verbose", "-v", action="store_true", help="log requests; tracebacks on errors"
    )
    noise.add_argument("--quiet", "-q", action="store_true", help="no progress, waits or warnings")


def port_number(text: str) -> int:
    """An argparse type: a TCP port, 0 (any free one) to 65535."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port; allowed: 0-65535")
    return value


def _megabytes(value: float) -> int:
    if not value > 0 or value != value or value == float("inf"):
        raise UsageError(f"--max-response-mb: {value:g} is not a size in MB > 0")
    return max(1, int(value * 1024 * 1024))


@contextmanager
def open_client(args: argparse.Namespace, *, reading: bool = False) -> Iterator[Any]:
    """A HistoryClient from the connection flags (on a terminal, waits are shown),
    or, ``reading`` with ``--store``, the store, which answers ``fetch`` alike."""
    from ..client import HistoryClient

    if reading and args.store:
        from ..store import UsageStore

        with UsageStore(args.store, team=args.team, create=False) as store:
            yield store
        return

    undo = show_waits(sys.stderr) if not args.quiet and sys.stderr.isatty() else None
    try:
        with HistoryClient(
            api_key=args.api_key,
            base_url=args.base_url,
            timeout=args.timeout,
            max_retries=args.max_retries,
            concurrency=getattr(args, "concurrency", 4),
            allow_insecure_http=args.allow_insecure_http,
            max_response_bytes=_megabytes(args.max_response_mb),
        ) as client:
            yield client
    finally:
        if undo is not None:
            undo()


def print_result(document: dict[str, Any], text: str, fmt: str) -> None:
    """A command's result on stdout: its JSON document, or its text."""
    if fmt == "json":
        import json

        json.dump(document, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(text)


def notify(url: str, message: dict[str, Any], code: int) -> int:
    """POST ``message``; ``code`` when the webhook took it, else the error and exit 7
    (the result was printed already: a failed notification never hides it)."""
    from ..errors import NotificationError
    from ..notify import post_json

    try:
        post_json(url, message)
    except NotificationError as error:
        return fail(str(error), EXIT_NOTIFY)
    return code
