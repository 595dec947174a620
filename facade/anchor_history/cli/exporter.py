"""``anchor-history exporter``: usage for Prometheus, refreshed in the background."""

from __future__ import annotations

import argparse
import errno
import logging
import signal
import sys
from typing import Any

from .common import add_connection_args, open_client, port_number
from .errors import EXIT_CODES, EXIT_OK, EXIT_PORT_IN_USE, fail
from .prices import add_price_args, price_list

__all__ = ["add_parser", "run"]

logger = logging.getLogger("anchor_history.exporter")

# The exporter's default port (the library's, a test checks they agree): past
# 9100-9999, which Prometheus' list of exporters' ports filled; 9464 is
# OpenTelemetry's Prometheus exporter's.
DEFAULT_PORT = 10464


def add_parser(subs: Any) -> None:
    p = subs.add_parser(
        "exporter",
        help="serve usage and budgets on /metrics for Prometheus (exporter extra)",
        description="Serve the usage so far this day, week and month (and, with budgets, "
        "the month's limit, forecast and ratio) in the Prometheus text format. Refreshes "
        "from the API (or --store) every --interval seconds in the background, never per "
        "scrape; on failure it keeps the last good values. / answers with a status line.",
        epilog="prometheus.yml:\n  scrape_configs:\n    - job_name: anchorbrowser\n"
        "      static_configs:\n        - targets: ['localhost:10464']\n\n" + EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument(
        "--port",
        type=port_number,
        default=DEFAULT_PORT,
        help=f"port; 0 picks a free one (default {DEFAULT_PORT})",
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
    p.add_argument(
        "--by",
        action="append",
        choices=("tag", "api_key"),
        default=[],
        help="also export who spent it so far this day, week and month: "
        "anchorbrowser_tag_credits_used{tag=...} (tag groups overlap: never sum them) or "
        "anchorbrowser_api_key_credits_used{api_key=...}, and _sessions; repeatable; from "
        "GET /v1/sessions, or a store synced with --sessions",
    )
    p.add_argument(
        "--top", type=int, default=20, help="with --by: the N largest groups, the rest as (other)"
    )
    p.add_argument(
        "--where",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="the --budget flags are over the sessions that match only (as check --where); "
        'their series carry budget="where KEY=VALUE"; repeatable, all must hold',
    )
    add_price_args(p)
    add_connection_args(
        p,
        team_help="the team label; with --store, the store's team to serve (default: each of "
        "its teams as its own series, labelled with its name; from the API: 'default')",
    )


def run(args: argparse.Namespace) -> int:
    from ..exporter import Exporter
    from ..insights.filtered import parse_where
    from .check_settings import budgets_and_thresholds
    from .errors import UsageError

    budgets, _, wheres = budgets_and_thresholds({}, args.budget, [], parse_where(args.where))
    if args.plan and args.store:
        raise UsageError("--plan reads GET /v1/billing: it needs the API, not a --store")
    if not args.interval >= 1:
        raise UsageError(f"--interval: {args.interval:g} is under a second")
    if args.top < 1:
        raise UsageError(f"--top: {args.top} is not a whole number >= 1")
    with open_client(args, reading=True) as source:
        prices = price_list(args, None if args.store else source)
        # A store without --team: each of its teams, by name (never a sum). Its
        # figures are as of the last sync all teams share, read again at each refresh.
        teams = source.teams() if args.store and not args.team else None
        try:
            exporter = Exporter(
                source,
                team=args.team or "default",
                teams=teams,
                budgets=budgets,
                plan=args.plan,
                prices=prices,
                interval=args.interval,
                host=args.host,
                port=args.port,
                clock=_store_clock(source, teams) if args.store else None,
                origin=f"the store {args.store}" if args.store else "the API",
                by=tuple(dict.fromkeys(args.by)),
                top=args.top,
                wheres=wheres,
            )
        except OSError as error:
            import socket

            if error.errno == errno.EADDRINUSE:
                return fail(f"--port {args.port}: {error.strerror}", EXIT_PORT_IN_USE)
            if isinstance(error, socket.gaierror) or error.errno == errno.EADDRNOTAVAIL:
                raise UsageError(  # an address this machine does not have, or no address
                    f"--host {args.host}: {error.strerror or error}; give an address of this "
                    "machine, e.g. 127.0.0.1 or 0.0.0.0"
                ) from None
            raise UsageError(f"--port {args.port}: {error.strerror or error}") from None
        _log_with_timestamps()
        # SIGTERM and SIGINT only set the stop flag (taking no lock): the main thread
        # sees it within 0.2 s and leaves; the refresher is a daemon thread, so a
        # refresh hung in a request does not keep the process (Kubernetes' grace
        # period is 30 s).
        stop = lambda signum, frame: exporter.request_stop()  # noqa: E731
        previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            exporter.start()
            print(  # on stdout, first: where it serves (port 0 picks one)
                f"exporter serving http://{args.host}:{exporter.port}/metrics "
                f"(refresh every {args.interval:g} s from {exporter.origin}); Ctrl-C or "
                "SIGTERM stops it",
                flush=True,
            )
            exporter.wait()
        finally:
            exporter.stop()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        logger.info("exporter stopped")
    return EXIT_OK


def _store_clock(store: Any, teams: list[str] | None) -> Any:
    if not teams:
        return lambda: store.held()[1]
    return lambda: min(store.held(team)[1] for team in teams)


def _log_with_timestamps() -> None:
    """The exporter's own lines on stderr, each with its time (a long-running
    service's log is read by time)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s anchor-history exporter: %(message)s")
    )
    log = logging.getLogger("anchor_history.exporter")
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False
