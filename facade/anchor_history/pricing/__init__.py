"""Money: credits as currency, exactly.

- :mod:`.prices`: a price list the user gives (the API has none): a currency
  (ISO 4217), a price per credit, and optionally included credits per billing
  month with an overage price past them.
- :mod:`.charges`: credits over periods, priced in order within each billing
  month (the UTC calendar month, as the plan's), split where the included
  credits run out. Pure.

Every amount is a :class:`decimal.Decimal`; a float never touches a price, and
nothing is rounded until it is shown (to the currency's minor unit).
"""

from __future__ import annotations

from .charges import Charge, billing_month, cost_by_period, price_credits, price_history
from .prices import PriceList, parse_price_list

__all__ = [
    "Charge",
    "PriceList",
    "billing_month",
    "cost_by_period",
    "parse_price_list",
    "price_credits",
    "price_history",
]
