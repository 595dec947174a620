"""The price flags every command that shows money shares, and the price list
they make: flags over the config file's ``[pricing]`` table.

::

    [pricing]
    currency = "USD"            # ISO 4217
    credit_price = "0.01"       # per credit, a decimal string
    included_credits = 30000    # optional, per billing month; or "plan"
    overage_credit_price = "0.012"
"""

from __future__ import annotations

import argparse
from typing import Any

from .errors import UsageError

__all__ = ["add_price_args", "price_list"]

_KEYS = ("currency", "credit_price", "included_credits", "overage_credit_price")


def add_price_args(p: argparse.ArgumentParser, *, config: bool = True) -> None:
    group = p.add_argument_group("money (a price list: the API has none)")
    group.add_argument(
        "--credit-price", default=None, metavar="DECIMAL", help="price of one credit, e.g. 0.01"
    )
    group.add_argument("--currency", default=None, help="ISO 4217 code (default USD)")
    group.add_argument(
        "--included-credits",
        default=None,
        metavar="N|plan",
        help="credits per billing month at the credit price, the rest at --overage-credit-price; "
        "'plan' reads them from GET /v1/billing (a number given wins over the plan)",
    )
    group.add_argument(
        "--overage-credit-price",
        default=None,
        metavar="DECIMAL",
        help="price of a credit past the included ones",
    )
    if config:
        group.add_argument(
            "--pricing",
            default=None,
            metavar="FILE",
            help="a TOML file with a [pricing] table (flags win over it)",
        )


def price_list(args: argparse.Namespace, client: Any = None) -> Any:
    """The price list from the flags and the file, or None when no price is given.
    ``included_credits = "plan"`` asks ``client`` for the plan's."""
    from ..pricing import parse_price_list

    table: dict[str, Any] = {}
    flag, path = next(
        ((f, p) for f, p in (("--pricing", getattr(args, "pricing", None)),
                             ("--config", getattr(args, "config", None))) if p),
        ("", None),
    )  # fmt: skip
    if path:
        from .config import load_config

        table = dict(load_config(path, flag=flag).get("pricing", {}))
        unknown = sorted(set(table) - set(_KEYS))
        if unknown:
            raise UsageError(f"{flag} {path}: [pricing] has unknown keys {unknown}")
    given = {
        "currency": args.currency,
        "credit_price": args.credit_price,
        "included_credits": args.included_credits,
        "overage_credit_price": args.overage_credit_price,
    }
    merged = {k: given[k] if given[k] is not None else table.get(k) for k in _KEYS}
    if merged["credit_price"] is None:
        if any(merged[k] is not None for k in _KEYS):
            raise UsageError("a price list needs --credit-price (or credit_price in [pricing])")
        return None
    if str(merged["included_credits"]).strip().lower() == "plan":
        if client is None or not callable(getattr(client, "plan", None)):
            raise UsageError("--included-credits plan reads GET /v1/billing: it needs the API")
        merged["included_credits"] = str(client.plan().included_credits)
    from ..errors import InvalidInputError

    try:
        return parse_price_list(
            merged["currency"] or "USD",
            merged["credit_price"],
            merged["included_credits"],
            merged["overage_credit_price"],
        )
    except InvalidInputError as error:
        if error.param in table and given.get(error.param) is None:  # the file's value
            raise UsageError(
                f"{flag} {path}: [pricing] {error.param} = {table[error.param]!r}: "
                + error.describe({}, python=False).removeprefix(f"{error.param}: ")
            ) from None
        raise
