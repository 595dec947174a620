"""``GET /v1/billing`` through the generated operation, and its 200 judged and
converted into the facade's :class:`~anchor_history.models.plan.Plan`: every field's
type checked (the generated model keeps a string where a number belongs), the
optional ones None when absent or null, unknown extras tolerated (the contract
tests flag them as drift)."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

import httpx
from anchorbrowser_api.api.billing import get_v1_billing as _operation
from anchorbrowser_api.client import AuthenticatedClient
from anchorbrowser_api.models.billing_info import BillingInfo
from anchorbrowser_api.models.billing_info_response import BillingInfoResponse
from anchorbrowser_api.types import Unset

from ...errors import PlanUnavailableError, ResponseFormatError, excerpt
from ...models.history import Number
from ...models.plan import Plan, billing_period_span
from .error_bodies import raise_for_status
from .pages import why_unreadable
from .wire import Exchange, capture

__all__ = ["send_billing", "send_billing_async", "to_plan"]

_INT_LIMIT = 2**63


def send_billing(client: AuthenticatedClient) -> Exchange:
    with capture() as got:
        got.parsed = _operation.sync_detailed(client=client).parsed
    return got.exchange()


async def send_billing_async(client: AuthenticatedClient) -> Exchange:
    with capture() as got:
        got.parsed = (await _operation.asyncio_detailed(client=client)).parsed
    return got.exchange()


def to_plan(exchange: Exchange, *, now: datetime | None = None) -> Plan:
    """The plan in an exchange, or the typed error its status or body calls for.
    A 403 or 404 is :class:`PlanUnavailableError`: the key cannot read the plan."""
    response = exchange.response
    status = response.status_code
    raise_for_status(response, now=now, unavailable=PlanUnavailableError)
    parsed = exchange.parsed
    if exchange.parse_error is not None or not isinstance(parsed, BillingInfoResponse):
        reason, retryable = why_unreadable(exchange.parse_error, response.content)
        if isinstance(exchange.parse_error, KeyError):
            reason = f"data.{exchange.parse_error.args[0]}: missing"
        raise ResponseFormatError(
            f"the body is not the spec's BillingInfoResponse: {reason}",
            status=status,
            body=excerpt(response.content),
            retryable=retryable,
        )
    if not isinstance(parsed.data, BillingInfo):
        raise ResponseFormatError("data: missing", status=status, body=excerpt(response.content))
    return _convert(parsed.data, response)


def _convert(info: BillingInfo, response: httpx.Response) -> Plan:
    def number(name: str, value: object, *, optional: bool = False) -> Any:
        if optional and (value is None or isinstance(value, Unset)):
            return None
        if type(value) is int and -_INT_LIMIT < value < _INT_LIMIT:
            return value
        if type(value) is float and math.isfinite(value):
            return value
        raise ResponseFormatError(
            f"data.{name}: expected a number, got {type(value).__name__} "
            f"{excerpt(repr(value), 40)}",
            status=response.status_code,
        )

    def text(name: str, value: object) -> str:
        if type(value) is not str:
            raise ResponseFormatError(
                f"data.{name}: expected a string, got {type(value).__name__} "
                f"{excerpt(repr(value), 40)}",
                status=response.status_code,
            )
        return value

    try:
        period = billing_period_span(text("billing_period", info.billing_period))
    except ValueError as exc:
        raise ResponseFormatError(
            f"data.billing_period: {exc}", status=response.status_code
        ) from exc
    used: Number = number("credits_used", info.credits_used)
    return Plan(
        tier=text("tier", info.tier),
        billing_period=period,
        included_credits=number("included_credits", info.included_credits),
        credits_used=used,
        credits=number("credits", info.credits_),
        gifts_balance=number("gifts_balance", info.gifts_balance, optional=True),
        max_concurrent_browsers=number(
            "max_concurrent_browsers", info.max_concurrent_browsers, optional=True
        ),
        cost_limit=number("cost_limit", info.cost_limit, optional=True),
    )
