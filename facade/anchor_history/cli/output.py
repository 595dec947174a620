"""Where the history command's result goes, decided before any request is made.

``-o FILE`` honours the file's extension; ``-o -`` (or no ``-o``) is stdout, as a
table on a terminal and CSV otherwise. A drawing (``--chart``) is never mixed
into a data stream on stdout: it goes to stderr then.
"""

from __future__ import annotations

import os
import sys
from typing import IO, Any

from attrs import frozen

from .errors import UsageError

__all__ = ["FORMATS", "SUFFIXES", "Target", "check_output_folder", "plan_output", "write_output"]

FORMATS = ("table", "csv", "json", "ndjson", "parquet")
SUFFIXES = {
    ".csv": "csv",
    ".json": "json",
    ".ndjson": "ndjson",
    ".jsonl": "ndjson",
    ".parquet": "parquet",
    ".txt": "table",
    ".png": "image",
    ".svg": "image",
}


@frozen
class Target:
    """``format`` is one of FORMATS or ``image``; ``path`` None means stdout.

    ``chart_stream`` is where ``--chart`` draws: stdout, unless stdout carries data.
    """

    format: str
    path: str | None
    chart_to_stderr: bool


def plan_output(output: str | None, fmt: str | None, *, chart: bool, stdout_is_tty: bool) -> Target:
    """The output target of one run, or a UsageError that says what is allowed."""
    path = None if output in (None, "-") else output
    if path is None:
        chosen = fmt or ("table" if stdout_is_tty else "csv")
        if chosen == "parquet":
            raise UsageError("--format parquet needs --output FILE.parquet (it is binary)")
        return Target(chosen, None, chart_to_stderr=chart and chosen != "table")
    if _is_device(path):  # -o /dev/null: a run for its side effects, or a pipe
        chosen = fmt or "csv"
        if chosen == "parquet":
            raise UsageError(f"--format parquet needs --output FILE.parquet, not {path}")
        return Target(chosen, path, chart_to_stderr=chart)
    suffix = os.path.splitext(path)[1].lower()
    if suffix not in SUFFIXES:
        known = ", ".join(SUFFIXES)
        raise UsageError(
            f"--output {path}: unknown extension {suffix or '(none)'!r}; known: {known} "
            "(or - for stdout)"
        )
    by_suffix = SUFFIXES[suffix]
    if fmt is not None and fmt != by_suffix:
        raise UsageError(
            f"--output {path} is a {suffix} file but --format is {fmt}; "
            "drop --format, or give a matching file name"
        )
    check_output_folder(path)
    return Target(by_suffix, path, chart_to_stderr=False)


def _is_device(path: str) -> bool:
    """``/dev/null``, a named pipe, ``/dev/stdout``: written to, whatever its name."""
    import stat

    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)


def check_output_folder(path: str) -> None:
    """Refuse, before any request, an output whose folder cannot be written."""
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder) or not os.access(folder, os.W_OK):
        raise UsageError(f"--output {path}: {folder} is not a writable folder")


def required_extras(target: Target, chart: bool) -> list[tuple[str, str]]:
    """(module, extra) pairs the run needs, to check before any request."""
    needs = []
    if target.format == "parquet":
        needs.append(("pyarrow", "parquet"))
    if target.format == "image":
        needs.append(("matplotlib", "png"))
    if chart:
        needs.append(("plotext", "chart"))
    return needs


def write_output(history: Any, target: Target, *, raw_dates: bool, quiet: bool) -> None:
    """Write ``history`` where ``target`` says."""
    if target.format == "image":
        from ..outputs.chart import write_image

        write_image(history, target.path or "")
        if not quiet:
            print(f"chart written to {target.path}", file=sys.stderr)
        return
    if target.format == "parquet":
        try:
            history.write_parquet(target.path or "", raw_dates=raw_dates)
        except OSError as error:  # pyarrow's own words name its internals: say it in ours
            raise UsageError(
                f"--output {target.path}: cannot be written ({_reason(error)})"
            ) from None
        return
    out: IO[str] = sys.stdout if target.path is None else _open(target.path)
    try:
        if target.format == "table":
            from ..outputs.table import render_table

            text = render_table(history)
            if quiet:
                text = "".join(
                    line for line in text.splitlines(True) if not line.startswith("warning:")
                )
            out.write(text)
        else:
            writer = getattr(history, f"write_{target.format}")
            writer(out, raw_dates=raw_dates)
    finally:
        if target.path is not None:
            out.close()


def _reason(error: OSError) -> str:
    """The reason in a file error: pyarrow puts its whole text in ``strerror``
    ("Failed to open local file ... [errno 2] ..."), so its errno is read first."""
    import re

    found = re.search(r"\[errno (\d+)\]", str(error))
    if found:
        return os.strerror(int(found.group(1)))
    return error.strerror or "the folder refused it"


def _open(path: str) -> IO[str]:
    return open(path, "w", newline="", encoding="utf-8")
