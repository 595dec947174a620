"""Whole periods: what a user means by "a day", "a week", "a month", in their own zone.

The API answers in UTC buckets, lists no bucket where nothing happened, and
cuts the first and last bucket at the window's edges. People read usage by
whole days, weeks and billing months, in their own time zone, with quiet days
as zeros and the unfinished period marked as such. This module turns the one
into the other, as pure functions over :class:`~anchor_history.models.history.History`
(no I/O), plus :func:`fetch_periods`, the one call that plans the request.

>>> # from anchor_history.periods import fetch_periods
>>> # history = fetch_periods(client, "30d", granularity="day", tz="Europe/Berlin")
>>> # [(p.start, p.session_count, p.partial) for p in history]
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, tzinfo
from typing import Any, Protocol

from attrs import evolve

from .calendar.boundaries import LAST_MS, period_after, period_floor, period_starts
from .calendar.windows import DateLike, is_relative, resolve_window
from .calendar.zones import check_whole_hour_zone, zone, zone_name
from .errors import ResponseFormatError
from .metrics import MetricsArg, normalize_granularity
from .models.history import History, HistoryPoint, Number, exact_sum

__all__ = ["HistorySource", "fetch_periods", "is_partial", "period_window", "whole_periods"]


class HistorySource(Protocol):
    """What answers ``fetch`` like ``HistoryClient.fetch``: the client, or a
    :class:`~anchor_history.store.UsageStore` (offline)."""

    def fetch(
        self,
        from_date: DateLike | None = ...,
        to_date: DateLike | None = ...,
        granularity: str = ...,
        metrics: MetricsArg = ...,
        **options: Any,
    ) -> History: ...


def is_partial(
    start: datetime, granularity: str, *, window: tuple[datetime, datetime], now: datetime
) -> bool:
    """True when the period starting at ``start`` is not wholly inside the window so far.

    A window ending at a period's last millisecond covers it (the API's dates go
    down to milliseconds, and ``--to 2026-11-24`` ends at 23:59:59.999).
    """
    return _partial(start, period_after(start, granularity), window[0], min(window[1], now))


def _partial(start: datetime, end: datetime, window_start: datetime, covered: datetime) -> bool:
    return start < window_start or end - covered > LAST_MS


def whole_periods(
    history: History,
    *,
    granularity: str | None = None,
    tz: str | tzinfo | None = None,
    now: datetime,
    fill: bool = True,
) -> History:
    """``history`` as whole periods of ``granularity`` in ``tz``.

    - Hourly points are summed into days, weeks or months of the zone (exactly,
      as a database would add them); points already at ``granularity`` are kept,
      and must start on its boundaries in ``tz``.
    - With ``fill``, every period from the window's start up to now (or the
      window's end) is listed, with zeros where the server listed nothing.
    - A period still in progress, or cut by the window, is marked ``partial``.

    The server's summary is kept: it covers the same window.
    """
    target = normalize_granularity(granularity or history.query.granularity)
    zone_info = zone(tz)
    source = history.query.granularity
    if source != target and source != "hour" and not (source == "day" and zone_info is UTC):
        raise ValueError(f"cannot re-bucket {source} points into {target}s; fetch hours")
    window_start, window_end = history.query.from_date, history.query.to_date
    covered = min(window_end, now)
    sums = _bucket(history.points, source, target, zone_info)
    if fill:
        for start in period_starts(window_start, covered, target, zone_info):
            sums.setdefault(start, None)
    metrics = history.query.metrics
    missing = set(history.missing_metrics())  # unknown, so never filled as zero
    quiet = {name: None if name in missing else 0 for name in metrics}
    points = []
    for start in sorted(sums):
        end = period_after(start, target, zone_info)
        grouped = sums[start]
        values: dict[str, Number | None] = dict(quiet) if grouped is None else grouped[1]
        points.append(
            HistoryPoint(
                **values,
                start=start,
                date="" if grouped is None else grouped[0],
                partial=_partial(start, end, window_start, covered),
                local_start=start.astimezone(zone_info),
            )
        )
    return evolve(
        history,
        points=tuple(points),
        query=evolve(history.query, granularity=target),
        tz=zone_info,
    )


_Grouped = tuple[str, dict[str, Number | None]]


def _bucket(
    points: Iterable[HistoryPoint], source: str, target: str, tz: tzinfo
) -> dict[datetime, _Grouped | None]:
    """Each period's raw date (of a point kept as sent) and metric values."""
    groups: dict[datetime, list[HistoryPoint]] = {}
    for point in points:
        start = period_floor(point.start, target, tz)
        if source == target and start != point.start:
            raise ResponseFormatError(
                f"period {point.date!r} does not start on a {target} boundary in "
                f"{zone_name(tz)} (expected {start.isoformat()}); the server's buckets differ "
                "from calendar periods, so they cannot be shown as whole periods"
            )
        groups.setdefault(start, []).append(point)
    result: dict[datetime, _Grouped | None] = {}
    for start, members in groups.items():
        names = members[0].as_dict().keys()
        values = {name: exact_sum(getattr(p, name) for p in members) for name in names}
        raw = members[0].date if len(members) == 1 and source == target else ""
        result[start] = (raw, values)
    return result


def _source(target: str, tz: tzinfo, start: datetime) -> str:
    """The granularity to ask the API for: the API's buckets are UTC, and how it
    labels a bucket the window's start cuts is unknown, so such a bucket is
    summed from days (or hours) whose labels are whole."""
    if target == "hour":
        return "hour"
    if tz is not UTC:
        return "hour"
    if start == period_floor(start, target):
        return target
    return "day" if start == period_floor(start, "day") else "hour"


def period_window(
    from_date: DateLike | None,
    to_date: DateLike | None,
    granularity: str,
    *,
    tz: tzinfo,
    exact: bool,
    now: datetime,
) -> tuple[datetime, datetime]:
    """The UTC window the window flags mean (see :func:`fetch_periods`): dates and
    named periods in ``tz``, a relative start snapped down to ``granularity``'s
    boundary unless ``exact``; a zone whose offset is not whole hours refused."""
    start, end = resolve_window(from_date, to_date, now=now, tz=tz)
    if not exact and is_relative(from_date):
        start = period_floor(start, granularity, tz)
    check_whole_hour_zone(tz, start, end)
    return start, end


def fetch_periods(
    client: HistorySource,
    from_date: DateLike | None = None,
    to_date: DateLike | None = None,
    granularity: str = "day",
    metrics: MetricsArg = ("session_count",),
    *,
    tz: str | tzinfo | None = None,
    exact: bool = False,
    fill: bool = True,
    now: datetime | None = None,
    **fetch_options: Any,
) -> History:
    """Fetch whole periods: quiet periods as zeros (unless not ``fill``), the
    unfinished period, or one the window cuts, marked partial, days/weeks/months
    in ``tz``.

    A window given explicitly (a date, a month, a named period such as
    ``last-month``, a date-time) is honoured exactly at both ends, so one
    window's totals are the same at every granularity; only a relative start
    (``30d``, ``12h``, the default) snaps down to a period boundary, unless
    ``exact``.

    Dates and named periods (``today``, ``last-month``, ``2026-03``) are read in
    ``tz``. Outside UTC, days, weeks and months are summed from hourly buckets,
    since the API's buckets are UTC; a zone whose offset is not whole hours is
    refused. ``fetch_options`` go to :meth:`HistoryClient.fetch`.
    """
    zone_info = zone(tz)
    target = normalize_granularity(granularity)
    moment = now or datetime.now(UTC)
    start, end = period_window(from_date, to_date, target, tz=zone_info, exact=exact, now=moment)
    source = _source(target, zone_info, start)
    history = client.fetch(start, end, source, metrics, **fetch_options)
    return whole_periods(history, granularity=target, tz=zone_info, now=moment, fill=fill)
