"""The ``anchor-history`` command: one module per sub-command, this one dispatches.

Kept light to start: the client, tables, plots and pyarrow are imported only by
the sub-command that uses them, so ``--help`` and ``--version`` answer at once.
"""

from __future__ import annotations

import argparse
import difflib
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from . import (
    alerts,
    anomalies,
    breakdown,
    check,
    compare,
    export,
    exporter,
    history,
    plan,
    report,
    sandbox,
    store,
    sync,
)
from .errors import EXIT_CODES, EXIT_USAGE, fail, guarded

__all__ = ["EXIT_CODES", "main"]

# The commands, in the order --help lists them: each module has add_parser(subs)
# and run(args), and main() dispatches through this table alone.
_COMMANDS = {
    "history": history,
    "check": check,
    "alerts": alerts,
    "compare": compare,
    "anomalies": anomalies,
    "breakdown": breakdown,
    "plan": plan,
    "report": report,
    "sync": sync,
    "store": store,
    "export": export,
    "exporter": exporter,
    "sandbox": sandbox,
}
DEFAULT_COMMAND = "history"


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("anchor-history")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "unknown"


class _Version(argparse.Action):
    """--version, its number read only when asked (importlib.metadata costs about
    37 ms, which every command paid when argparse's own action formatted it)."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        kwargs.pop("nargs", None)
        super().__init__(option_strings, argparse.SUPPRESS, nargs=0, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *args: Any) -> None:
        print(f"anchor-history {_version()}")
        parser.exit()


class _Parser(argparse.ArgumentParser):
    """argparse, with its errors as one line in the CLI's words, not the whole usage."""

    def error(self, message: str) -> NoReturn:
        hint = ""
        if message.endswith("expected one argument"):
            hint = (
                "; a value starting with '-' is written with '=' (--from=-5d), and a span "
                "before now needs no sign (--from 5d)"
            )
        fail(f"{message}{hint} (`{self.prog} --help` lists the flags)", EXIT_USAGE)
        sys.exit(EXIT_USAGE)


def _parser() -> argparse.ArgumentParser:
    from ..models.history import metric_names  # attrs only: no httpx, so --help stays fast

    metrics = metric_names()
    parser = _Parser(
        prog="anchor-history",
        description="Pull, check and chart your AnchorBrowser usage history "
        "(GET /v1/sessions/history). With no sub-command, runs `history`.",
        epilog=f"metrics: {', '.join(metrics)}\n\n"
        + EXIT_CODES
        + "\nexample:\n  anchor-history --from 30d --metrics session_count,credits_used --chart",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action=_Version, help="show the version and exit")
    subs = parser.add_subparsers(dest="command", metavar="{" + ",".join(_COMMANDS) + "}")
    for command in _COMMANDS.values():
        command.add_parser(subs)
    return parser


def _unknown_command(word: str) -> str:
    close = difflib.get_close_matches(word, list(_COMMANDS), n=1, cutoff=0.5)
    hint = f"; did you mean {close[0]!r}?" if close else ";"
    return f"unknown command {word!r}{hint} commands: {', '.join(_COMMANDS)} (default history)"


def main(argv: Sequence[str] | None = None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    if words and not words[0].startswith("-") and words[0] not in _COMMANDS:
        return fail(_unknown_command(words[0]), EXIT_USAGE)
    if not words or (words[0] not in _COMMANDS and words[0] not in ("-h", "--help", "--version")):
        words = [DEFAULT_COMMAND, *words]
    args = _parser().parse_args(words)
    return guarded(_COMMANDS[args.command].run, args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
