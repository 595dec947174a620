"""How a command's errors reach its user: exit codes, and one line in the CLI's
own words (flags, not the library's keywords), never a traceback.

Nothing heavy is imported here: ``--help`` must answer at once.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import sys
from collections.abc import Callable

__all__ = [
    "EXIT_API",
    "EXIT_AUTH",
    "EXIT_CODES",
    "EXIT_DATABASE",
    "EXIT_FORMAT",
    "EXIT_FOUND",
    "EXIT_NETWORK",
    "EXIT_NOTIFY",
    "EXIT_OK",
    "EXIT_PORT_IN_USE",
    "EXIT_STORE",
    "EXIT_USAGE",
    "FLAGS",
    "UsageError",
    "cli_message",
    "exit_code",
    "fail",
    "guarded",
]

EXIT_OK, EXIT_USAGE, EXIT_AUTH, EXIT_API, EXIT_NETWORK, EXIT_FORMAT = 0, 2, 3, 4, 5, 6
EXIT_FOUND, EXIT_NOTIFY, EXIT_PORT_IN_USE, EXIT_STORE, EXIT_DATABASE = 1, 7, 8, 9, 10
EXIT_CODES = f"""exit codes:
  {EXIT_OK}  ok
  {EXIT_FOUND}  (check) a budget is over or at risk; (anomalies) anomalies were found;
     (breakdown --fail-on mismatch, export --focus) the sessions do not add up to the history
  {EXIT_USAGE}  bad arguments (or a missing optional extra)
  {EXIT_AUTH}  authentication: no key, or the key was refused (401/403)
  {EXIT_API}  API error or rate limit, after retries
  {EXIT_NETWORK}  network failure or timeout, after retries
  {EXIT_FORMAT}  the response was not in the spec's shape
  {EXIT_NOTIFY}  (check, anomalies) the --notify webhook did not take the message
  {EXIT_PORT_IN_USE}  (sandbox, exporter) the port is already in use
  {EXIT_STORE}  (--store) not a store, or held by another sync for over a minute;
     (check) the alert state file cannot be read or written
  {EXIT_DATABASE} (postgresql://) the server is down, refused the login, has no such database,
     or dropped the connection
"""


class UsageError(Exception):
    """A command-line mistake found by the CLI itself (exit 2)."""


def fail(message: str, code: int) -> int:
    print(f"anchor-history: error: {message}", file=sys.stderr)
    return code


# The library names its parameters; a CLI user typed flags. Said once, here: an
# InvalidInputError carries the parameter, and the CLI words it with these.
FLAGS = {
    "from_date": "--from",
    "to_date": "--to",
    "api_key": "--api-key",
    "api_key=...": "--api-key",
    "base_url": "--base-url",
    "allow_insecure_http=True": "--allow-insecure-http",
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
    "min_impact": "--min-impact",
    "min_impact_percent": "--min-impact-percent",
    "as_of": "--as-of",
    "period": "--period",
    "fail_on": "--fail-on",
    "currency": "--currency",
    "credit_price": "--credit-price",
    "included_credits": "--included-credits",
    "overage_credit_price": "--overage-credit-price",
    "team": "--team",
    "against": "--against",
    "by": "--by",
    "where": "--where",
    "top": "--top",
}


def cli_message(error: BaseException) -> str:
    """An error's message in the CLI's words: a bad argument names the flag typed,
    not the library's keyword, and leaves out what only Python can pass.

    >>> from anchor_history.errors import InvalidInputError
    >>> cli_message(InvalidInputError("timeout", "-1 is not a number", python_forms="(or None)"))
    '--timeout: -1 is not a number'
    """
    from ..errors import InvalidInputError

    if isinstance(error, InvalidInputError):
        return error.describe(FLAGS, python=False)
    return str(error)


def exit_code(error: BaseException) -> int:
    from .. import errors as e

    table: list[tuple[type[BaseException], int]] = [
        (e.StoreError, EXIT_STORE),
        (e.AlertStateError, EXIT_STORE),
        (e.DatabaseError, EXIT_DATABASE),
        (e.AttributionMismatchError, EXIT_FOUND),
        (e.NotificationError, EXIT_NOTIFY),
        (e.MissingAPIKeyError, EXIT_AUTH),
        (e.PlanUnavailableError, EXIT_AUTH),
        (e.SessionsUnavailableError, EXIT_AUTH),
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
        return fail(cli_message(error) + hint, exit_code(error))
    except KeyboardInterrupt:
        return fail("interrupted", 130)
    except BrokenPipeError:  # the reader stopped early (`| head`): not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except OSError as error:  # an --output file that cannot be written
        return fail(f"{error.strerror or error}: {error.filename or ''}".rstrip(": "), EXIT_USAGE)
