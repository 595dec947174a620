import datetime
from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_response import ErrorResponse
from ...models.get_v1_sessions_history_granularity import (
    GetV1SessionsHistoryGranularity,
)
from ...models.get_v1_sessions_history_metrics_type_1_item import (
    GetV1SessionsHistoryMetricsType1Item,
)
from ...models.session_history_response import SessionHistoryResponse
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    from_date: datetime.datetime | Unset = UNSET,
    to_date: datetime.datetime | Unset = UNSET,
    granularity: GetV1SessionsHistoryGranularity | Unset = "day",
    metrics: list[GetV1SessionsHistoryMetricsType1Item]
    | str
    | Unset = "['session_count']",
    page: int | Unset = 1,
    limit: int | Unset = 100,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_from_date: str | Unset = UNSET
    if not isinstance(from_date, Unset):
        json_from_date = from_date.isoformat()
    params["from_date"] = json_from_date

    json_to_date: str | Unset = UNSET
    if not isinstance(to_date, Unset):
        json_to_date = to_date.isoformat()
    params["to_date"] = json_to_date

    json_granularity: str | Unset = UNSET
    if not isinstance(granularity, Unset):
        json_granularity = granularity

    params["granularity"] = json_granularity

    json_metrics: list[str] | str | Unset
    if isinstance(metrics, Unset):
        json_metrics = UNSET
    elif isinstance(metrics, list):
        json_metrics = []
        for metrics_type_1_item_data in metrics:
            metrics_type_1_item: str = metrics_type_1_item_data
            json_metrics.append(metrics_type_1_item)

    else:
        json_metrics = metrics
    params["metrics"] = json_metrics

    params["page"] = page

    params["limit"] = limit

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/sessions/history",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorResponse | SessionHistoryResponse | None:
    if response.status_code == 200:
        response_200 = SessionHistoryResponse.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = ErrorResponse.from_dict(response.json())

        return response_400

    if response.status_code == 500:
        response_500 = ErrorResponse.from_dict(response.json())

        return response_500

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ErrorResponse | SessionHistoryResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    from_date: datetime.datetime | Unset = UNSET,
    to_date: datetime.datetime | Unset = UNSET,
    granularity: GetV1SessionsHistoryGranularity | Unset = "day",
    metrics: list[GetV1SessionsHistoryMetricsType1Item]
    | str
    | Unset = "['session_count']",
    page: int | Unset = 1,
    limit: int | Unset = 100,
) -> Response[ErrorResponse | SessionHistoryResponse]:
    """Get Sessions History

     Retrieves session usage analytics for the authenticated team.

    Args:
        from_date (datetime.datetime | Unset):
        to_date (datetime.datetime | Unset):
        granularity (GetV1SessionsHistoryGranularity | Unset):  Default: 'day'.
        metrics (list[GetV1SessionsHistoryMetricsType1Item] | str | Unset):  Default:
            "['session_count']".
        page (int | Unset):  Default: 1.
        limit (int | Unset):  Default: 100.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | SessionHistoryResponse]
    """

    kwargs = _get_kwargs(
        from_date=from_date,
        to_date=to_date,
        granularity=granularity,
        metrics=metrics,
        page=page,
        limit=limit,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    from_date: datetime.datetime | Unset = UNSET,
    to_date: datetime.datetime | Unset = UNSET,
    granularity: GetV1SessionsHistoryGranularity | Unset = "day",
    metrics: list[GetV1SessionsHistoryMetricsType1Item]
    | str
    | Unset = "['session_count']",
    page: int | Unset = 1,
    limit: int | Unset = 100,
) -> ErrorResponse | SessionHistoryResponse | None:
    """Get Sessions History

     Retrieves session usage analytics for the authenticated team.

    Args:
        from_date (datetime.datetime | Unset):
        to_date (datetime.datetime | Unset):
        granularity (GetV1SessionsHistoryGranularity | Unset):  Default: 'day'.
        metrics (list[GetV1SessionsHistoryMetricsType1Item] | str | Unset):  Default:
            "['session_count']".
        page (int | Unset):  Default: 1.
        limit (int | Unset):  Default: 100.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | SessionHistoryResponse
    """

    return sync_detailed(
        client=client,
        from_date=from_date,
        to_date=to_date,
        granularity=granularity,
        metrics=metrics,
        page=page,
        limit=limit,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    from_date: datetime.datetime | Unset = UNSET,
    to_date: datetime.datetime | Unset = UNSET,
    granularity: GetV1SessionsHistoryGranularity | Unset = "day",
    metrics: list[GetV1SessionsHistoryMetricsType1Item]
    | str
    | Unset = "['session_count']",
    page: int | Unset = 1,
    limit: int | Unset = 100,
) -> Response[ErrorResponse | SessionHistoryResponse]:
    """Get Sessions History

     Retrieves session usage analytics for the authenticated team.

    Args:
        from_date (datetime.datetime | Unset):
        to_date (datetime.datetime | Unset):
        granularity (GetV1SessionsHistoryGranularity | Unset):  Default: 'day'.
        metrics (list[GetV1SessionsHistoryMetricsType1Item] | str | Unset):  Default:
            "['session_count']".
        page (int | Unset):  Default: 1.
        limit (int | Unset):  Default: 100.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | SessionHistoryResponse]
    """

    kwargs = _get_kwargs(
        from_date=from_date,
        to_date=to_date,
        granularity=granularity,
        metrics=metrics,
        page=page,
        limit=limit,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    from_date: datetime.datetime | Unset = UNSET,
    to_date: datetime.datetime | Unset = UNSET,
    granularity: GetV1SessionsHistoryGranularity | Unset = "day",
    metrics: list[GetV1SessionsHistoryMetricsType1Item]
    | str
    | Unset = "['session_count']",
    page: int | Unset = 1,
    limit: int | Unset = 100,
) -> ErrorResponse | SessionHistoryResponse | None:
    """Get Sessions History

     Retrieves session usage analytics for the authenticated team.

    Args:
        from_date (datetime.datetime | Unset):
        to_date (datetime.datetime | Unset):
        granularity (GetV1SessionsHistoryGranularity | Unset):  Default: 'day'.
        metrics (list[GetV1SessionsHistoryMetricsType1Item] | str | Unset):  Default:
            "['session_count']".
        page (int | Unset):  Default: 1.
        limit (int | Unset):  Default: 100.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | SessionHistoryResponse
    """

    return (
        await asyncio_detailed(
            client=client,
            from_date=from_date,
            to_date=to_date,
            granularity=granularity,
            metrics=metrics,
            page=page,
            limit=limit,
        )
    ).parsed
