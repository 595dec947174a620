"""The ``anchor-history`` command: usage history as a table, a chart or files; and the sandbox.

Kept light to start: the client, tables, plots and pyarrow are imported only by
the sub-command that uses them, so ``--help`` and ``--version`` answer at once.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from typing import IO, Any

__all__ = ["EXIT_CODES", "main"]

EXIT_OK, EXIT_USAGE, EXIT_AUTH, EXIT_API, EXIT_NETWORK, EXIT_FORMAT = 0, 2, 3, 4, 5, 6
EXIT_CODES = f"""exit codes:
  {EXIT_OK}  ok
  {EXIT_USAGE}  bad arguments (or a missing optional extra)
  {EXIT_AUTH}  authentication: no key, or the key was refused (401/403)
  {EXIT_API}  API error or rate limit, after retries
  {EXIT_NETWORK}  network failure or timeout, after retries
  {EXIT_FORMAT}  the response was not in the spec's shape
"""

FORMATS = ("table", "csv", "json", "ndjson", "parquet")
_SUBCOMMANDS = ("history", "sandbox")


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("anchor-history")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "unknown"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="anchor-history",
        description="Pull, check and chart your AnchorBrowser usage history "
        "(GET /v1/sessions/history). With no sub-command, runs `history`.",
        epilog=EXIT_CODES
        + "\nexample:\n  anchor-history --from 30d --metrics session_count,credits_used --chart",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"anchor-history {_version()}")
    subs = parser.add_subparsers(dest="command", metavar="{history,sandbox}")
    _history_parser(subs)
    _sandbox_parser(subs)
    return parser


def _history_parser(subs: Any) -> None:
    p = subs.add_parser(
        "history",
        help="usage history as a table, chart, CSV, JSON, NDJSON or Parquet (the default)",
        description="Usage history for a window, by hour, day, week or month.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--from",
        dest="from_date",
        default="30d",
        help="start: 30d, 12h, 2w, 90m, today, 2026-11-01, an ISO date-time (default 30d)",
    )
    p.add_argument("--to", dest="to_date", default="now", help="end, same forms (default now)")
    p.add_argument(
        "--granularity", "-g", default="day", help="hour, day, week or month (default day)"
    )
    p.add_argument(
        "--metrics",
        "-m",
        default="session_count",
        help="comma list of metrics, or 'all' (default session_count)",
    )
    p.add_argument(
        "--format",
        "-f",
        choices=FORMATS,
        default=None,
        help="output format (default: table on a terminal, csv otherwise)",
    )
    p.add_argument(
        "--output",
        "-o",
        default=None,
        help="write to FILE instead of stdout; a .png FILE gets a chart (png extra)",
    )
    p.add_argument(
        "--chart", action="store_true", help="also draw a chart in the terminal (chart extra)"
    )
    p.add_argument(
        "--page-size", type=int, default=1000, help="points per request, 1-1000 (default 1000)"
    )
    p.add_argument("--concurrency", type=int, default=4, help="pages fetched at once (default 4)")
    p.add_argument("--api-key", default=None, help="API key (default: $ANCHORBROWSER_API_KEY)")
    p.add_argument(
        "--base-url",
        default=None,
        help="API base URL (default: $ANCHORBROWSER_BASE_URL, else https://api.anchorbrowser.io)",
    )
    p.add_argument("--timeout", type=float, default=30.0, help="seconds per request (default 30)")
    p.add_argument("--max-retries", type=int, default=2, help="retries per request (default 2)")
    p.add_argument(
        "--allow-insecure-http",
        action="store_true",
        help="allow plain http:// to a host that is not loopback",
    )
    noise = p.add_mutually_exclusive_group()
    noise.add_argument(
        "--verbose", "-v", action="store_true", help="log requests; tracebacks on errors"
    )
    noise.add_argument("--quiet", "-q", action="store_true", help="no progress bar, no warnings")


def _sandbox_parser(subs: Any) -> None:
    from .sandbox.aggregate import DATE_FORMATS
    from .sandbox.faults import FAULT_KINDS

    kinds = "\n".join(f"  {k:<14} {v}" for k, v in FAULT_KINDS.items())
    styles = "\n".join(f"  {k:<8} {v}" for k, v in DATE_FORMATS.items())
    p = subs.add_parser(
        "sandbox",
        help="run a local AnchorBrowser history API over seeded data (sandbox extra)",
        description="A local server that speaks GET /v1/sessions/history over a SQLite "
        "database of generated sessions. Prints its base URL and key, then serves "
        "until Ctrl-C or SIGTERM.",
        epilog=f"fault kinds (--faults KIND@N, KIND@N-M, KIND@N+ or KIND=RATE, comma-separated):\n"
        f"{kinds}\n\nbucket date formats (--date-format):\n{styles}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8765, help="port; 0 picks a free one (default 8765)")
    p.add_argument(
        "--db", default=":memory:", help="SQLite file to keep the data in (default in memory)"
    )
    p.add_argument("--seed", type=int, default=7, help="seed of the generated data (default 7)")
    p.add_argument(
        "--sessions", type=int, default=20_000, help="sessions to generate (default 20000)"
    )
    p.add_argument(
        "--days", type=int, default=90, help="days of history, ending today (default 90)"
    )
    p.add_argument(
        "--api-key", default=None, help="the key clients must send (default: a random one)"
    )
    p.add_argument(
        "--latency-ms", type=float, default=0.0, help="added to every answer (default 0)"
    )
    p.add_argument("--faults", default="", help="faults to inject, see below")
    p.add_argument("--fault-seed", type=int, default=0, help="seed for KIND=RATE faults")
    p.add_argument(
        "--date-format",
        choices=sorted(DATE_FORMATS),
        default="iso-ms",
        help="how bucket dates are written (default iso-ms)",
    )
    p.add_argument(
        "--retry-after", type=float, default=1.0, help="Retry-After of a 429 fault, seconds"
    )
    p.add_argument("--slow-seconds", type=float, default=3.0, help="delay of a slow fault, seconds")


def _with_default_command(argv: list[str]) -> list[str]:
    if argv and (argv[0] in _SUBCOMMANDS or argv[0] in ("-h", "--help", "--version")):
        return argv
    return ["history", *argv]


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(_with_default_command(list(sys.argv[1:] if argv is None else argv)))
    if args.command == "sandbox":
        return _run_sandbox(args)
    return _run_history(args)


def _fail(message: str, code: int) -> int:
    print(f"anchor-history: error: {message}", file=sys.stderr)
    return code


def _exit_code(error: BaseException) -> int:
    from . import errors as e

    table: list[tuple[type[BaseException], int]] = [
        (e.MissingAPIKeyError, EXIT_AUTH),
        (e.InvalidInputError, EXIT_USAGE),
        (e.MissingExtraError, EXIT_USAGE),
        (e.AuthenticationError, EXIT_AUTH),
        (e.APIError, EXIT_API),
        (e.TransportError, EXIT_NETWORK),
        (e.ResponseFormatError, EXIT_FORMAT),
    ]
    return next((code for kind, code in table if isinstance(error, kind)), EXIT_API)


def _run_history(args: argparse.Namespace) -> int:
    from .errors import AnchorHistoryError

    if args.verbose:
        logging.basicConfig(level=logging.WARNING, format="%(name)s: %(message)s")
        logging.getLogger("anchor_history").setLevel(logging.DEBUG)
    try:
        return _history(args)
    except AnchorHistoryError as error:
        if args.verbose:
            import traceback

            traceback.print_exc()
        return _fail(str(error), _exit_code(error))
    except KeyboardInterrupt:
        return _fail("interrupted", 130)
    except BrokenPipeError:  # the reader stopped early (`| head`): not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except OSError as error:  # an --output file that cannot be written
        return _fail(f"{error.strerror or error}: {error.filename or ''}".rstrip(": "), EXIT_USAGE)


def _history(args: argparse.Namespace) -> int:
    from .client import HistoryClient

    to_png = bool(args.output and args.output.lower().endswith(".png"))
    fmt = args.format or (
        "table" if (to_png or args.output is None) and sys.stdout.isatty() else "csv"
    )
    if fmt == "parquet" and (args.output is None or to_png):
        return _fail("--format parquet needs --output FILE (not a .png)", EXIT_USAGE)
    _require_extras(fmt == "parquet", to_png, args.chart)  # before any request is made
    if args.output:
        folder = os.path.dirname(os.path.abspath(args.output))
        if not os.path.isdir(folder) or not os.access(folder, os.W_OK):
            return _fail(f"--output {args.output}: {folder} is not a writable folder", EXIT_USAGE)
    progress = None if args.quiet or not sys.stderr.isatty() else _progress_bar(sys.stderr)
    with HistoryClient(
        api_key=args.api_key,
        base_url=args.base_url,
        timeout=args.timeout,
        max_retries=args.max_retries,
        concurrency=args.concurrency,
        allow_insecure_http=args.allow_insecure_http,
    ) as client:
        history = client.fetch(
            from_date=args.from_date,
            to_date=args.to_date,
            granularity=args.granularity,
            metrics=args.metrics,
            page_size=args.page_size,
            progress=progress,
        )
    if to_png:
        from .chart import write_png

        write_png(history, args.output)
        _write(history, fmt, None, args.quiet)
        print(f"chart written to {args.output}", file=sys.stderr)
    else:
        _write(history, fmt, args.output, args.quiet)
    if args.chart:
        from .chart import terminal_chart

        sys.stdout.write(terminal_chart(history, width=min(100, _columns())))
    return EXIT_OK


def _require_extras(parquet: bool, png: bool, chart: bool) -> None:
    from ._optional import require

    for wanted, module, extra in (
        (parquet, "pyarrow", "parquet"),
        (png, "matplotlib", "png"),
        (chart, "plotext", "chart"),
    ):
        if wanted:
            require(module, extra)


def _columns() -> int:
    import shutil

    return shutil.get_terminal_size((80, 24)).columns


def _write(history: Any, fmt: str, output: str | None, quiet: bool) -> None:
    if fmt == "parquet":
        history.write_parquet(output or "")
        return
    out: IO[str] = open(output, "w", newline="", encoding="utf-8") if output else sys.stdout  # noqa: SIM115
    try:
        if fmt == "table":
            from .render import render_table

            text = render_table(history)
            if quiet:
                text = "".join(
                    line for line in text.splitlines(True) if not line.startswith("warning:")
                )
            out.write(text)
        elif fmt == "json":
            history.write_json(out)
        elif fmt == "ndjson":
            history.write_ndjson(out)
        else:
            history.write_csv(out)
        if fmt != "table" and not quiet:
            for miss in history.mismatches():
                print(
                    f"anchor-history: warning: {miss.metric} adds up to {miss.points_total} "
                    f"but the server's total is {miss.summary_total}",
                    file=sys.stderr,
                )
    finally:
        if output:
            out.close()


def _progress_bar(stream: IO[str]) -> Any:
    def show(done: int, total: int) -> None:
        if total <= 1:
            return
        width = 30
        filled = width * done // total
        stream.write(f"\rfetching pages [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        if done >= total:
            stream.write("\r" + " " * (width + 40) + "\r")
        stream.flush()

    return show


def _run_sandbox(args: argparse.Namespace) -> int:
    import signal
    import sqlite3

    from ._optional import require

    try:
        require("uvicorn", "sandbox")
        require("starlette", "sandbox")
        from .sandbox import Sandbox

        box = Sandbox(
            host=args.host,
            port=args.port,
            db=args.db,
            seed=args.seed,
            sessions=args.sessions,
            days=args.days,
            api_key=args.api_key or os.environ.get("ANCHOR_SANDBOX_API_KEY"),
            latency_ms=args.latency_ms,
            faults=args.faults,
            fault_seed=args.fault_seed,
            date_style=args.date_format,
            retry_after=args.retry_after,
            slow_seconds=args.slow_seconds,
        )
    except (ValueError, ImportError) as error:  # a bad --faults spec, or a missing extra
        return _fail(str(error), EXIT_USAGE)
    except sqlite3.Error as error:
        return _fail(f"--db {args.db}: {error}", EXIT_USAGE)

    def ready(server: Any) -> None:
        print(
            f"sandbox ready: ANCHORBROWSER_BASE_URL={server.base_url} "
            f"ANCHORBROWSER_API_KEY={server.api_key}",
            flush=True,
        )

    # uvicorn shuts down gracefully on SIGINT/SIGTERM, then re-raises the signal to
    # the handler that was there before it; these turn that into a normal exit.
    def stop(signum: int, frame: object) -> None:
        raise _Stopped

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        box.serve_forever(on_ready=ready)
    except (_Stopped, KeyboardInterrupt):
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
    print("sandbox stopped", file=sys.stderr)
    return EXIT_OK


class _Stopped(Exception):
    """SIGTERM reached the sandbox command after the server had shut down."""


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
