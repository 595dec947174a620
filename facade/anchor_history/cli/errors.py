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
    "EXIT_FORMAT",
    "EXIT_FOUND",
    "EXIT_NETWORK",
    "EXIT_NOTIFY",
    "EXIT_OK",
    "EXIT_PORT_IN_USE",
    "EXIT_STORE",
    "EXIT_USAGE",
    "UsageError",
    "cli_words",
    "exit_code",
    "fail",
    "guarded",
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
  {EXIT_PORT_IN_USE}  (sandbox, exporter) the port is already in use
  {EXIT_STORE}  (--store) not a store, or held by another sync for over a minute;
     (check) the alert state file cannot be read or written
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
}
_PHRASES = {
    # dates.PYTHON_FORMS (a test checks they agree): a person typing a flag gives text.
    "a datetime (naive is taken as UTC), a date, a timedelta (that long before now), ": "",
    "pass api_key=... or set": "pass --api-key or set",
    "needs a price list (credit_price, currency)": "needs a price: --credit-price (and "
    "--currency), or a [pricing] table",
    "included_credits and overage_credit_price go together": "--included-credits and "
    "--overage-credit-price go together",
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
    from ..alerts.state import AlertStateError
    from ..store import StoreError

    table: list[tuple[type[BaseException], int]] = [
        (StoreError, EXIT_STORE),
        (AlertStateError, EXIT_STORE),
        (e.NotificationError, EXIT_NOTIFY),
        (e.MissingAPIKeyError, EXIT_AUTH),
        (e.PlanUnavailableError, EXIT_AUTH),
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
