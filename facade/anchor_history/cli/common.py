"""What every sub-command shares: the connection flags, the client (or store) they
open, and how a result is printed or sent.

Nothing heavy is imported here: ``--help`` must answer at once.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO, Any

from .errors import UsageError

__all__ = [
    "add_alert_state_args",
    "add_as_of_arg",
    "add_connection_args",
    "add_format_arg",
    "add_notify_arg",
    "open_client",
    "port_number",
    "print_result",
    "say_dry_run",
    "show_waits",
]


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


AS_OF_HELP = (
    "judge as of this moment (default now): a date, month or named period is the moment "
    "it is complete (2026-11-15: the end of that day; today: now), a date-time that "
    "instant, a span (2d) that long before now"
)


def add_as_of_arg(p: argparse.ArgumentParser) -> None:
    """``--as-of``: one meaning in every command that has it (``parse_as_of``)."""
    p.add_argument("--as-of", default=None, metavar="WHEN", help=AS_OF_HELP)


def add_format_arg(
    p: argparse.ArgumentParser,
    choices: tuple[str, ...] = ("table", "json"),
    default: str | None = "table",
    help: str = "table or json (default table)",
) -> None:
    """``--format``/``-f``: how a command prints its result."""
    p.add_argument("--format", "-f", choices=choices, default=default, help=help)


def add_notify_arg(p: argparse.ArgumentParser, when: str) -> None:
    """``--notify URL``, repeatable in every command that posts: one message to each
    webhook (Slack-compatible) ``when`` something is worth saying."""
    p.add_argument(
        "--notify",
        action="append",
        default=[],
        metavar="URL",
        help=f"POST one message to this webhook (Slack-compatible) {when}; repeatable, "
        "one message per webhook",
    )


def add_alert_state_args(p: argparse.ArgumentParser, what: str) -> None:
    """``--state``, ``--remind`` and ``--dry-run``: where what was posted is kept, so
    each alert is posted once (the same file and lock for check and anomalies)."""
    p.add_argument(
        "--state",
        default=None,
        metavar="PATH|URL",
        help="where the alerts notified are kept: a file (default "
        "$XDG_STATE_HOME/anchor-history/alerts.json, else ~/.local/state/anchor-history/...), "
        "or postgresql://user:pass@host/db, shared by every runner (CI jobs, CronJobs)",
    )
    p.add_argument(
        "--remind",
        default=None,
        metavar="DURATION",
        help=f"post {what} again after this long, e.g. 24h (default never)",
    )
    p.add_argument(
        "--dry-run",
        action="store_true",
        help="decide and print what would be posted (to stderr), but post nothing and "
        "record nothing (`anchor-history alerts` lists and resets the state)",
    )


def say_dry_run(url: str, text: str | None) -> None:
    """What a --dry-run would post to ``url`` (``None``: nothing), on stderr, naming
    the webhook by its host only: the rest of a webhook URL is its secret."""
    from urllib.parse import urlsplit

    host = urlsplit(url).hostname or "the webhook"
    said = f"would post to {host}:\n{text}" if text is not None else f"nothing to post to {host}"
    print(f"anchor-history: dry run: {said}", file=sys.stderr)


def add_connection_args(
    p: argparse.ArgumentParser,
    *,
    store_required: bool = False,
    team_help: str | None = None,
    store: bool = True,
) -> None:
    """The flags of every command that reads usage: the API's, and a store's instead
    (``store=False`` for a command that only the API can answer: no --store offered)."""
    if store:
        _add_store_args(p, store_required, team_help)
    p.add_argument("--api-key", default=None, help="API key (default: $ANCHORBROWSER_API_KEY)")
    _add_client_args(p)


def _add_store_args(
    p: argparse.ArgumentParser, store_required: bool, team_help: str | None
) -> None:
    shared = os.environ.get("ANCHOR_HISTORY_STORE") or None
    p.add_argument(
        "--store",
        default=shared,
        required=store_required and shared is None,
        metavar="PATH|URL",
        help="the store to "
        + ("sync into" if store_required else "read from, offline, instead of the API")
        + ": a SQLite file, or postgresql://user:pass@host:port/db shared by every machine "
        "(default $ANCHOR_HISTORY_STORE)",
    )
    p.add_argument(
        "--team",
        default=None,
        help=team_help
        or "the store's team (default: "
        + (
            "its only team, or 'default' in a new store)" if store_required else "all teams summed)"
        ),
    )


def _add_client_args(p: argparse.ArgumentParser) -> None:
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
def open_client(
    args: argparse.Namespace, *, reading: bool = False, transport: Any = None
) -> Iterator[Any]:
    """A HistoryClient from the connection flags (on a terminal, waits are shown),
    or, ``reading`` with ``--store``, the store, which answers ``fetch`` alike
    (and loads nothing for sending: no httpx, no generated client)."""
    if reading and getattr(args, "store", None):
        from ..store import UsageStore

        with UsageStore(args.store, team=args.team, create=False) as store:
            yield store
        return
    from ..core.client import HistoryClient

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
            transport=transport,
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
