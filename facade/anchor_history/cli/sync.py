"""``anchor-history sync``: keep a local store of every team's hourly history (and,
with ``--sessions``, its sessions)."""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from .common import add_connection_args, open_client
from .errors import EXIT_CODES, EXIT_OK, UsageError, exit_code, fail

__all__ = ["add_parser", "run"]

_SPAN = re.compile(r"^\s*(\d+)\s*(m|h|d)\s*$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}


def _lookback(text: str) -> timedelta:
    match = _SPAN.match(text)
    if not match:
        raise argparse.ArgumentTypeError(f"{text!r} is not a duration like 48h, 2d or 90m")
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


def add_parser(subs: Any) -> None:
    p = subs.add_parser(
        "sync",
        help="fetch new hourly usage into a local store (SQLite), incrementally",
        description="Fetch a team's hourly history into a store: the first run backfills "
        "from --from, later runs only what is new (from the last stored hour minus "
        "--lookback, which is fetched again and replaced). One run is one transaction.",
        epilog="teams file for --all-teams (TOML):\n"
        '  [[teams]]\n  name = "web"\n  key_env = "ANCHOR_KEY_WEB"   # the variable '
        "holding its key\n\n" + EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--from",
        dest="from_date",
        default=None,
        help="where the first run starts (default 365d); for a team already held, an "
        "earlier start backfills from there, a later one is ignored (and said so)",
    )
    p.add_argument(
        "--lookback",
        type=_lookback,
        default=timedelta(hours=48),
        help="fetch again this far before the last stored hour (default 48h)",
    )
    p.add_argument(
        "--sessions",
        action="store_true",
        help="also keep each session (GET /v1/sessions: tags, API key, credits) for "
        "`anchor-history breakdown`; running ones are fetched again until their credits "
        "are known",
    )
    p.add_argument(
        "--all-teams",
        action="store_true",
        help="sync every team of --config concurrently, each with its own key",
    )
    p.add_argument("--config", default=None, metavar="FILE", help="the teams file (TOML)")
    add_connection_args(p, store_required=True)


class SharedTransport:
    """One httpx transport lent to several clients: closing a client leaves it open;
    it closes when the ``with`` block that made it ends."""

    def __init__(self) -> None:
        import httpx

        self._inner = httpx.HTTPTransport(limits=httpx.Limits(max_connections=32))

    def handle_request(self, request: Any) -> Any:
        return self._inner.handle_request(request)

    def close(self) -> None:  # a client's close: not the pool's
        pass

    def __enter__(self) -> SharedTransport:
        return self

    def __exit__(self, *exc: object) -> None:
        self._inner.close()


class _StorePerThread:
    """A PostgreSQL store opened once per worker thread and lent to each team that
    thread syncs (a team's sync is still its own transaction under its own lock):
    a connection and login per team cost more than the sync itself (make bench 9b).
    A SQLite store is opened per team as before (its connection is bound to the
    thread that made it, and opening a file costs nothing)."""

    def __init__(self, path: str) -> None:
        from ..postgres.url import is_postgres_url

        self._path, self._shared = path, is_postgres_url(path)
        self._local = threading.local()
        self._opened: list[Any] = []
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def lend(self) -> Iterator[Any]:
        from ..store import UsageStore

        if not self._shared:
            with UsageStore(self._path) as own:
                yield own
            return
        held: UsageStore | None = getattr(self._local, "store", None)
        if held is None:
            held = self._local.store = UsageStore(self._path)
            with self._lock:
                self._opened.append(held)
        yield held

    def __enter__(self) -> _StorePerThread:
        return self

    def __exit__(self, *exc: object) -> None:
        for store in self._opened:
            store.close()


def _sync_one(
    args: argparse.Namespace,
    team: str | None,
    store_path: str,
    transport: Any = None,
    stores: _StorePerThread | None = None,
) -> str:
    from ..store import UsageStore

    opened = stores.lend() if stores is not None else UsageStore(store_path)
    # The client first: a missing key is reported before a store file is made.
    with open_client(args, transport=transport) as client, opened as store:
        progress = None
        if not args.quiet and sys.stderr.isatty() and not args.all_teams:
            from .history import _progress_bar

            progress = _progress_bar(sys.stderr)
        result = store.sync(
            client,
            team=team,
            from_date=args.from_date,
            lookback=args.lookback,
            progress=progress,
            deadline=args.deadline,
            sessions=args.sessions,
        )
    return result.line()


def _remove_store(path: str) -> None:
    for name in (path, f"{path}-wal", f"{path}-shm"):
        with contextlib.suppress(FileNotFoundError):
            os.remove(name)


@contextlib.contextmanager
def _without_a_new_empty_store(path: str) -> Iterator[None]:
    """A failed sync leaves no store file that it made itself (a failed first sync
    left an empty one, which later reads took for a store)."""
    from ..postgres.url import is_postgres_url

    existed = is_postgres_url(path) or os.path.exists(path)
    try:
        yield
    except BaseException:
        if not existed:
            _remove_store(path)
        raise


def run(args: argparse.Namespace) -> int:
    if not args.all_teams:
        with _without_a_new_empty_store(args.store):
            print(_sync_one(args, args.team, args.store))
        return EXIT_OK
    if not args.config:
        raise UsageError("--all-teams needs --config FILE listing the teams")
    from .config import load_teams

    teams = load_teams(args.config)
    missing = [t["key_env"] for t in teams if not os.environ.get(t["key_env"])]
    if missing:
        raise UsageError(f"--config {args.config}: no key in {', '.join(missing)}")

    def one(team: dict[str, str]) -> tuple[str, str | BaseException]:
        mine = argparse.Namespace(
            **{
                **vars(args),
                "api_key": os.environ[team["key_env"]],
                "base_url": team.get("base_url") or args.base_url,
            }
        )
        try:
            return team["name"], _sync_one(mine, team["name"], args.store, shared, stores)
        except Exception as error:  # reported per team; the others go on
            return team["name"], error

    from ..postgres.url import is_postgres_url

    worst, synced, existed = EXIT_OK, 0, os.path.exists(args.store)
    # One connection pool and one SSL context for every team (each client made its
    # own: about 30 ms of CPU for certifi's context, per team); each team's key
    # still travels only in its own client's header.
    shared, stores = SharedTransport(), _StorePerThread(args.store)
    with shared, stores, ThreadPoolExecutor(max_workers=min(8, len(teams))) as pool:
        for name, outcome in pool.map(one, teams):
            if isinstance(outcome, BaseException):
                code = exit_code(outcome) if not isinstance(outcome, UsageError) else 2
                fail(f"team {name}: {outcome}", code)
                worst = max(worst, code)
            else:
                print(outcome, flush=True)
                synced += 1
    if not synced and not existed and not is_postgres_url(args.store):
        _remove_store(args.store)  # no team synced: no empty store left behind
    return worst
