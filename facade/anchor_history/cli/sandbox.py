"""``anchor-history sandbox``: the local API over seeded data, in the foreground."""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from typing import Any

from .common import port_number
from .errors import EXIT_OK, EXIT_PORT_IN_USE, EXIT_USAGE, fail

__all__ = ["add_parser", "run"]


def _at_least(minimum: float, kind: type = int) -> Any:
    """An argparse type: a number of ``kind`` no smaller than ``minimum``."""

    def parse(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a {kind.__name__}") from None
        if value < minimum or value != value:  # NaN too
            raise argparse.ArgumentTypeError(
                f"{text} is below {minimum:g}; allowed: >= {minimum:g}"
            )
        return value

    parse.__name__ = kind.__name__
    return parse


def _spike(text: str) -> tuple[Any, float]:
    """``2026-11-10:8`` or ``5d:8`` (5 days before today, UTC): that day's usage x8."""
    from datetime import UTC, date, datetime, timedelta

    day_text, sep, factor_text = text.rpartition(":")
    try:
        factor = float(factor_text)
        if day_text.endswith("d") and day_text[:-1].isdigit():
            day = datetime.now(UTC).date() - timedelta(days=int(day_text[:-1]))
        else:
            day = date.fromisoformat(day_text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not DAY:FACTOR (a date like 2026-11-10, or Nd for N days ago)"
        ) from None
    if not sep or not factor >= 0 or factor == float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r}: the factor must be a number >= 0")
    return day, factor


def add_parser(subs: Any) -> None:
    from ..testing.sandbox.aggregate import DATE_FORMATS
    from ..testing.sandbox.faults import FAULT_KINDS

    kinds = "\n".join(f"  {k:<14} {v}" for k, v in FAULT_KINDS.items())
    styles = "\n".join(f"  {k:<8} {v}" for k, v in DATE_FORMATS.items())
    p = subs.add_parser(
        "sandbox",
        help="run a local AnchorBrowser history API over seeded data (sandbox extra)",
        description="A local server that speaks GET /v1/sessions/history, GET /v1/sessions "
        "and GET /v1/billing over a SQLite database of generated sessions, up to now. The "
        "sessions an hour lists add up to that hour's history; one still running lists "
        "its credits as N/A. Prints its base URL and key, then serves until Ctrl-C or "
        "SIGTERM.",
        epilog=f"fault kinds (--faults KIND@N, KIND@N-M, KIND@N+ or KIND=RATE, comma-separated):\n"
        f"{kinds}\n\nbucket date formats (--date-format):\n{styles}\n\n"
        "exit codes: 0 stopped, 2 bad arguments, 8 the port is in use\n\n"
        "example, in another shell:\n"
        "  anchor-history sandbox --print-env > sandbox.env &\n"
        '  sleep 2; eval "$(cat sandbox.env)"; anchor-history --from 7d',
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument(
        "--port", type=port_number, default=8765, help="port; 0 picks a free one (default 8765)"
    )
    p.add_argument(
        "--db", default=":memory:", help="SQLite file to keep the data in (default in memory)"
    )
    p.add_argument("--seed", type=int, default=7, help="seed of the generated data (default 7)")
    p.add_argument(
        "--sessions", type=_at_least(0), default=20_000, help="sessions to generate (default 20000)"
    )
    p.add_argument(
        "--days", type=_at_least(1), default=90, help="days of history, ending now (default 90)"
    )
    p.add_argument(
        "--api-key",
        action="append",
        default=[],
        help="the key clients must send (default: a random one); repeatable: more keys of "
        "the one account, as teams of a store each sync with their own",
    )
    p.add_argument(
        "--latency-ms",
        type=_at_least(0, float),
        default=0.0,
        help="added to every answer (default 0)",
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
        "--retry-after",
        type=_at_least(0, float),
        default=1.0,
        help="Retry-After of a 429 fault, seconds",
    )
    p.add_argument(
        "--slow-seconds",
        type=_at_least(0, float),
        default=3.0,
        help="delay of a slow fault, seconds",
    )
    p.add_argument(
        "--spike",
        type=_spike,
        action="append",
        default=[],
        metavar="DAY:FACTOR",
        help="multiply one UTC day's usage, e.g. 2026-11-10:8 or 5d:8 (5 days ago); repeatable",
    )
    who = p.add_argument_group(
        "who ran the sessions GET /v1/sessions lists (default: a production scraper, a "
        "nightly pipeline, CI tests and a laptop, each with its tags; a spike day's extra "
        "sessions from backfill-job)"
    )
    who.add_argument(
        "--key-names",
        default="",
        metavar="A,B,...",
        help="API key names to spread the sessions over (the first most often)",
    )
    who.add_argument(
        "--session-tags",
        default="",
        metavar="T1,T2,...",
        help="tags to draw 1-3 of for each tagged session (team:search, nightly, ...)",
    )
    who.add_argument(
        "--untagged",
        type=_share,
        default=0.12,
        metavar="SHARE",
        help="share of sessions without tags, null or empty (default 0.12)",
    )
    plan = p.add_argument_group("the plan GET /v1/billing answers")
    plan.add_argument(
        "--plan-included",
        type=_at_least(0, float),
        default=30_000,
        metavar="CREDITS",
        help="credits included in the tier (default 30000)",
    )
    plan.add_argument("--tier", default="growth", help="the billing tier (default growth)")
    plan.add_argument(
        "--cost-limit",
        type=_optional_number,
        default=45_000,
        metavar="CREDITS",
        help="the configured credit spend limit, or 'none' (default 45000)",
    )
    plan.add_argument(
        "--max-concurrent",
        type=_optional_number,
        default=50,
        metavar="N",
        help="concurrent browsers allowed, -1 unlimited, or 'none' (default 50)",
    )
    plan.add_argument(
        "--gifts",
        type=_optional_number,
        default=0,
        metavar="CREDITS",
        help="gift or prepaid balance, or 'none' (default 0)",
    )
    p.add_argument(
        "--print-env",
        action="store_true",
        help="print `export ANCHORBROWSER_...` lines for eval on stdout "
        "(the notice goes to stderr)",
    )


def _share(text: str) -> float:
    """An argparse type: a share from 0 to 1."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a share; allowed: 0 to 1")
    return value


def _optional_number(text: str) -> float | None:
    """A number, or ``none`` for a field the plan does not have (sent as null)."""
    if text.strip().lower() in ("none", "null"):
        return None
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number or 'none'") from None


def run(args: argparse.Namespace) -> int:
    import signal
    import sqlite3

    from .._optional import require
    from ..errors import MissingExtraError

    try:
        require("uvicorn", "sandbox")
        require("starlette", "sandbox")
        from ..testing.sandbox import Sandbox
        from ..testing.sandbox.billing import PlanSettings
        from ..testing.sandbox.people import parse_shape
        from ..testing.sandbox.server import PortInUseError

        box = Sandbox(
            host=args.host,
            port=args.port,
            db=args.db,
            seed=args.seed,
            sessions=args.sessions,
            days=args.days,
            api_key=(args.api_key[:1] or [os.environ.get("ANCHOR_SANDBOX_API_KEY")])[0],
            other_keys=tuple(args.api_key[1:]),
            latency_ms=args.latency_ms,
            faults=args.faults,
            fault_seed=args.fault_seed,
            date_style=args.date_format,
            retry_after=args.retry_after,
            slow_seconds=args.slow_seconds,
            spikes=tuple(args.spike),
            shape=parse_shape(args.key_names, args.session_tags, args.untagged),
            plan=PlanSettings(
                included_credits=args.plan_included,
                tier=args.tier,
                cost_limit=args.cost_limit,
                max_concurrent_browsers=args.max_concurrent,
                gifts_balance=args.gifts,
            ),
        )
    except (ValueError, MissingExtraError) as error:  # a bad --faults spec, or a missing extra
        return fail(str(error), EXIT_USAGE)
    except sqlite3.Error as error:
        return fail(f"--db {args.db}: {error}", EXIT_USAGE)

    def ready(server: Any) -> None:
        if args.print_env:
            print(f"export ANCHORBROWSER_BASE_URL={shlex.quote(server.base_url)}", flush=True)
            print(f"export ANCHORBROWSER_API_KEY={shlex.quote(server.api_key)}", flush=True)
            print(f"sandbox ready at {server.base_url}", file=sys.stderr, flush=True)
            return
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
    except PortInUseError as error:
        return fail(str(error), EXIT_PORT_IN_USE)
    except (_Stopped, KeyboardInterrupt):
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
    print("sandbox stopped", file=sys.stderr)
    return EXIT_OK


class _Stopped(Exception):
    """SIGTERM reached the sandbox command after the server had shut down."""
