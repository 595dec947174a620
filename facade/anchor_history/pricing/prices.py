"""A price list: what a credit costs, in which currency, and the overage rule."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from attrs import frozen

from ..errors import InvalidInputError

__all__ = ["PriceList", "minor_unit", "parse_price_list", "to_decimal"]


def minor_unit(currency: str) -> int:
    """The currency's decimal places (USD 2, JPY 0, BHD 3), from ISO 4217."""
    from iso4217 import Currency

    return int(Currency(currency).exponent or 0)


def to_decimal(name: str, value: object) -> Decimal:
    """A price or a count as a Decimal, from a decimal string (or an int). A float
    is refused: 0.1 is not 0.1 in binary, and a price must be exact."""
    if isinstance(value, bool):
        raise InvalidInputError(name, f'{value!r} is not a decimal number, e.g. "0.01"')
    if isinstance(value, float):
        raise InvalidInputError(
            name, f'{value!r} is a float; give it as a decimal string, e.g. "0.01"'
        )
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int | str):
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise InvalidInputError(
                name, f'{value!r} is not a decimal number, e.g. "0.01"'
            ) from None
    else:
        raise InvalidInputError(name, f'{value!r} is not a decimal number, e.g. "0.01"')
    if not number.is_finite() or number < 0:
        raise InvalidInputError(name, f"{value!r} is not a number >= 0")
    return number


@frozen
class PriceList:
    currency: str  # ISO 4217, upper case
    credit_price: Decimal  # per credit
    included_credits: Decimal | None = None  # per billing month, at credit_price
    overage_credit_price: Decimal | None = None  # per credit past the included ones

    @property
    def tiered(self) -> bool:
        return self.included_credits is not None

    @property
    def minor_unit(self) -> int:
        return minor_unit(self.currency)

    def shown(self, amount: Decimal) -> str:
        """``1,234.57 USD``: rounded to the currency's minor unit, half even, for people."""
        places = self.minor_unit
        rounded = amount.quantize(Decimal(1).scaleb(-places))
        return f"{rounded:,.{places}f} {self.currency}"

    def rule(self) -> str:
        """What the output says of how it priced the credits."""
        each = f"{self.credit_price} {self.currency}"
        if not self.tiered:
            return f"every credit at {each}"
        return (
            f"the first {self.included_credits:,} credits of each billing month (UTC) at {each} "
            f"each, the rest at the overage price of {self.overage_credit_price} {self.currency}"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "currency": self.currency,
            "credit_price": str(self.credit_price),
            "included_credits": None
            if self.included_credits is None
            else str(self.included_credits),
            "overage_credit_price": None
            if self.overage_credit_price is None
            else str(self.overage_credit_price),
            "rule": self.rule(),
        }


def parse_price_list(
    currency: object,
    credit_price: object,
    included_credits: object = None,
    overage_credit_price: object = None,
) -> PriceList:
    """A checked price list: a known ISO 4217 code, decimal prices >= 0, and the
    included credits and their overage price given together or not at all.

    >>> parse_price_list("usd", "0.01").rule()
    'every credit at 0.01 USD'
    """
    code = str(currency or "").strip().upper()
    try:
        minor_unit(code)
    except (ValueError, KeyError):
        raise InvalidInputError(
            "currency", f"{currency!r} is not an ISO 4217 code, e.g. USD, EUR or JPY"
        ) from None
    price = to_decimal("credit_price", credit_price)
    if (included_credits is None) != (overage_credit_price is None):
        raise InvalidInputError(
            "included_credits",
            "included_credits and overage_credit_price go together: the credits past the "
            "included ones are priced at the overage price (give both, or neither)",
            named=False,
            mentions=("included_credits", "overage_credit_price"),
        )
    if included_credits is None:
        return PriceList(code, price)
    return PriceList(
        code,
        price,
        to_decimal("included_credits", included_credits),
        to_decimal("overage_credit_price", overage_credit_price),
    )
