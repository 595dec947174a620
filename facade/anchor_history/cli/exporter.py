"""``anchor-history exporter``: usage for Prometheus, refreshed in the background."""

from __future__ import annotations

import argparse
import errno
import signal
import sys
from typing import Any

from .common import add_connection_args, open_client, port_number
from .errors import EXIT_CODES, EXIT_OK, EXIT_PORT_IN_USE, fail
from .prices import add_price_args, price_list

__all__ = ["add_parser", "run"]


def add_parser(subs: Any) -> None:
    p = subs.add_parser(
        "exporter",
        help="serve usage and budgets on /metrics for Prometheus (exporter extra)",
        description="Serve the usage so far this day, week and month (and, with budgets, "
        "the month's limit, forecast and ratio) in the Prometheus text format. Refreshes "
        "from the API (or --store) every --interval seconds in the background, never per "
        "scrape; on failure it keeps the last good values. / answers with a status line.",
        epilog="prometheus.yml:\n  scrape_configs:\n    - job_name: anchorbrowser\n"
        "      static_configs:\n        - targets: ['localhost:9464']\n\n" + EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument(
        "--port", type=port_number, default=9464, help="port; 0 picks a free one (default 9464)"
    )
    p.add_argument(
        "--interval", type=float, default=300.0, help="seconds between refreshes (default 300)"
    )
    p.add_argument(
        "--budget",
        action="append",
        default=[],
        metavar="METRIC=LIMIT",
        help="a monthly budget to export with its forecast; repeatable",
    )
    p.add_argument(
        "--plan",
        action="store_true",
        help="also export the plan from GET /v1/billing (anchorbrowser_plan_*), at each "
        "refresh; with the API only",
    )
    add_price_args(p)
    add_connection_args(p)


def run(args: argparse.Namespace) -> int:
    from ..budgets import parse_budget
    from ..exporter import Exporter
    from .errors import UsageError

    budgets = [parse_budget(text) for text in args.budget]
    if args.plan and args.store:
        raise UsageError("--plan reads GET /v1/billing: it needs the API, not a --store")
    if not args.interval >= 1:
        raise UsageError(f"--interval: {args.interval:g} is under a second")
    with open_client(args, reading=True) as source:
        prices = price_list(args, None if args.store else source)
        try:
            exporter = Exporter(
                source,
                team=args.team or "default",
                budgets=budgets,
                plan=args.plan,
                prices=prices,
                interval=args.interval,
                host=args.host,
                port=args.port,
                # A store's figures are as of its last sync, read again at each refresh.
                clock=(lambda: source.held()[1]) if args.store else None,
            )
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                return fail(f"--port {args.port}: {error.strerror}", EXIT_PORT_IN_USE)
            raise UsageError(f"--port {args.port}: {error.strerror or error}") from None
        previous = signal.signal(signal.SIGTERM, lambda signum, frame: exporter._stop.set())
        try:
            exporter.start()
            print(
                f"exporter serving http://{args.host}:{exporter.port}/metrics "
                f"(refresh every {args.interval:g} s); Ctrl-C or SIGTERM stops it",
                flush=True,
            )
            exporter.wait()
        except KeyboardInterrupt:
            pass
        finally:
            exporter.stop()
            signal.signal(signal.SIGTERM, previous)
    print("exporter stopped", file=sys.stderr)
    return EXIT_OK
