"""Who spent it, for the exporter: credits and sessions so far this day, week and
month by tag or API key (``exporter --by tag``), the top N and ``(other)``.

:func:`who_samples` is pure (breakdowns in, samples out); :func:`gather_who`
reads the sessions once a refresh (a store's rollups, or the month's listing from
the API) and breaks them down for each period.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from ..calendar.boundaries import billing_period
from ..insights.breakdown import breakdown, rows_wanted
from ..insights.breakdown_values import Breakdown
from ..insights.budgets import Budget
from ..insights.filtered import Where
from ..models.session_rows import epoch_hour, session_rows
from ..pricing import PriceList
from .samples import PERIODS, Sample, budget_samples

__all__ = ["BY", "filtered_budget_samples", "gather_who", "who_samples"]

BY = ("tag", "api_key")
_HELP = {
    ("tag", "credits"): "Credits used so far in the period by the sessions with this tag",
    ("tag", "sessions"): "Sessions started so far in the period with this tag (a count)",
    ("api_key", "credits"): "Credits used so far in the period by this API key's sessions",
    ("api_key", "sessions"): "Sessions this API key started so far in the period (a count)",
}
_AFTER = {
    "tag": "; a session with several tags counts under each, so tag groups overlap: never "
    "sum over tag; the top N, the rest as (other)",
    "api_key": "; the top N keys, the rest as (other)",
}


def who_samples(breakdowns: Mapping[tuple[str, str], Breakdown], team: str) -> list[Sample]:
    """``anchorbrowser_tag_credits_used{tag, period, team}`` and its ``_sessions``
    twin, and the same by ``api_key``."""
    out: list[Sample] = []
    for (by, period), result in breakdowns.items():
        for group in result.groups:
            labels = ((by, group.key), ("period", period), ("team", team))
            out.append(Sample(f"anchorbrowser_{by}_credits_used",
                              _HELP[(by, "credits")] + " (ended sessions)" + _AFTER[by],
                              labels, float(group.credits_used)))  # fmt: skip
            out.append(Sample(f"anchorbrowser_{by}_sessions",
                              _HELP[(by, "sessions")] + _AFTER[by], labels,
                              float(group.session_count + group.running)))  # fmt: skip
    return out


def gather_who(
    source: Any, by: Sequence[str], *, top: int, now: datetime, store: bool
) -> dict[tuple[str, str], Breakdown]:
    """Each (dimension, period)'s breakdown of the sessions so far this period (UTC),
    read once: the month's listing from the API, or a store's rows cut at the
    periods' starts. A period a store holds only in part is left out, as its usage
    is (:func:`~.samples.take_snapshot`): absent, not too low."""
    starts = {period: billing_period(now, period)[0] for period in PERIODS}
    if store:
        held = source.sessions_held()[0]
        starts = {period: start for period, start in starts.items() if held <= start}
        if not starts:
            return {}
        dims = tuple(dict.fromkeys(d for b in by for d in rows_wanted(b)))
        cuts = tuple(epoch_hour(start) for start in starts.values())
        rows = source.session_rows(dims, min(starts.values()), now, cuts=cuts)
    else:
        rows = session_rows(source.sessions(min(starts.values()), now), by)
    out: dict[tuple[str, str], Breakdown] = {}
    for period, start in starts.items():
        hour = epoch_hour(start)
        found = [r for r in rows if r[0] >= hour]
        for dim in by:
            wanted = rows_wanted(dim)
            out[(dim, period)] = breakdown(
                [r for r in found if r[1] in wanted], by=dim, window=(start, now), tz=UTC,
                top=top, metrics=("session_count", "credits_used"),
            )  # fmt: skip
    return out


def filtered_budget_samples(
    source: Any,
    budgets: Sequence[Budget],
    wheres: Mapping[str, Where],
    *,
    team: str,
    now: datetime,
    start: datetime,
    prices: PriceList | None,
) -> list[Sample]:
    """The samples of budgets over the sessions a filter matches (``--where``), each
    judged from those sessions' history as :func:`take_snapshot` judges the team's;
    the filter is in the ``budget`` label (``where tag=production``)."""
    from ..insights.budgets import evaluate
    from ..insights.filtered import FilteredUsage

    groups: dict[Where, list[Budget]] = {}
    for budget in budgets:
        groups.setdefault(wheres[budget.key], []).append(budget)
    month = billing_period(now, "month")
    out: list[Sample] = []
    for where, members in groups.items():
        metrics = list(dict.fromkeys("credits_used" if b.metric == "cost" else b.metric
                                     for b in members))  # fmt: skip
        history = FilteredUsage(source, where).fetch(start, now, "hour", metrics, now=now)
        report = evaluate(history, members, period=month, as_of=now, prices=prices)
        for result in report.budgets:
            out += budget_samples(result, team)
    return out
