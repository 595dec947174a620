"""What ``check`` runs with: the flags over the config file over the defaults,
read once into one typed value (the budgets, their alert thresholds, the period,
where alerts go and where their state is kept)."""

from __future__ import annotations

import argparse
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from attrs import evolve, frozen

from .errors import UsageError

if TYPE_CHECKING:
    from ..alerts import Threshold
    from ..insights.budgets import Budget
    from ..insights.filtered import Where

__all__ = ["CheckSettings", "budgets_and_thresholds", "read_settings"]


@frozen
class CheckSettings:
    budgets: tuple[Budget, ...]
    thresholds: dict[str, tuple[Threshold, ...]]  # by Budget.key
    wheres: dict[str, Where]  # by Budget.key: the filter of a budget over some sessions
    plan: bool  # add the plan's budgets (GET /v1/billing)
    alerts: tuple[str, ...]  # the --alert flags as typed, for the plan's budgets
    period: str
    cycle_start: int
    fail_on: Literal["forecast", "over"]
    notify: tuple[str, ...]  # webhook URLs, one message per run that crosses a threshold
    remind: timedelta | None
    state: Path | str


def read_settings(args: argparse.Namespace) -> CheckSettings:
    """Flags over the config file over the defaults."""
    from ..alerts import default_state_path, parse_duration
    from ..insights.filtered import parse_where
    from .config import load_config

    config = load_config(args.config) if args.config else {}
    if not args.store and config.get("store"):  # the file's store, where no flag gives one
        args.store = config["store"]
    where = parse_where(getattr(args, "where", []))
    budgets, thresholds, wheres = budgets_and_thresholds(config, args.budget, args.alert, where)
    from_plan = bool(args.plan or config.get("plan", False))
    if not budgets and not from_plan:
        raise UsageError(
            "no budget: give --budget METRIC=LIMIT (repeatable), --plan, or --config FILE"
        )
    if from_plan and where:
        raise UsageError("--plan budgets are the whole account's; give --where with --budget")
    if from_plan and args.store:
        raise UsageError("--plan reads GET /v1/billing: it needs the API, not a --store")
    fail_on = args.fail_on or config.get("fail_on", "forecast")
    if fail_on not in ("forecast", "over"):
        raise UsageError(f"fail_on: {fail_on!r} is not forecast or over")
    notify = args.notify or config.get("notify") or []
    remind = args.remind or config.get("remind")
    return CheckSettings(
        budgets=tuple(budgets),
        thresholds=thresholds,
        wheres=wheres,
        plan=from_plan,
        alerts=tuple(args.alert),
        period=args.period or config.get("period", "month"),
        cycle_start=config.get("cycle_start", 1) if args.cycle_start is None else args.cycle_start,
        fail_on=fail_on,
        notify=(notify,) if isinstance(notify, str) else tuple(notify),
        remind=None if remind is None else parse_duration(remind),
        state=args.state
        or config.get("state")
        or _shared_state(args.store)
        or default_state_path(),
    )


def _shared_state(store: str | None) -> str | None:
    """A PostgreSQL store keeps the alert state too, where none is named: runners
    that share the store then share what was notified."""
    from ..postgres.url import is_postgres_url

    return store if is_postgres_url(store) else None


def budgets_and_thresholds(
    config: dict[str, Any], flags: list[str], alerts: list[str], where: Any = ()
) -> tuple[list[Any], dict[str, tuple[Any, ...]], dict[str, Any]]:
    """The budgets (a flag replaces the file's), each one's thresholds (the file's
    ``alerts`` for that budget, else ``--alert`` flags, else the defaults) and each
    filtered one's filter: the file's ``where = { tag = "production" }``, else
    ``--where``. A filter is part of the budget's name (``credits_used (where
    tag=production)``), so its alerts and their state are its own."""
    from ..alerts import DEFAULT_THRESHOLDS, parse_threshold
    from ..insights.budgets import make_budget, parse_budget
    from ..insights.filtered import parse_where, where_text

    given = tuple(parse_threshold(text) for text in alerts) or DEFAULT_THRESHOLDS
    budgets, thresholds, wheres = {}, {}, {}

    def add(budget: Any, own: Any, filters: Any) -> None:
        if filters:
            budget = evolve(budget, name=f"where {where_text(filters)}")
            wheres[budget.key] = filters
        budgets[budget.key] = budget
        thresholds[budget.key] = own

    for metric, value in config.get("budgets", {}).items():
        if isinstance(value, dict):
            unknown = set(value) - {"limit", "alerts", "where"}
            if unknown or "limit" not in value:
                raise UsageError(
                    f"--config: [budgets.{metric}] takes limit, alerts and where, not "
                    f"{sorted(unknown)}"
                    if unknown
                    else f"--config: [budgets.{metric}] has no limit"
                )
            own = value.get("alerts")
            if own is not None and not isinstance(own, list):
                raise UsageError(f"--config: [budgets.{metric}] alerts must be a list")
            filters = value.get("where")
            if filters is not None and not isinstance(filters, dict):
                raise UsageError(
                    f'--config: [budgets.{metric}] where must be a table, e.g. {{ tag = "prod" }}'
                )
            parsed = parse_where(f"{k}={v}" for k, v in (filters or {}).items()) or where
            add(
                make_budget(metric, value["limit"]),
                tuple(parse_threshold(t) for t in own) if own is not None and not alerts else given,
                parsed,
            )
        else:
            add(make_budget(metric, value), given, where)
    for text in flags:
        add(parse_budget(text), given, where)
    return list(budgets.values()), thresholds, wheres
