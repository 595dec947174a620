"""Alerts that fire once per crossing: the decision (pure), the state file (locks,
atomic writes, a broken file), and check replayed hour by hour through a month."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from anchor_history import InvalidInputError
from anchor_history.alerts import (
    DEFAULT_THRESHOLDS,
    Record,
    StateFile,
    Threshold,
    alert_message,
    apply,
    decide,
    default_state_path,
    parse_duration,
    parse_threshold,
)
from anchor_history.alerts.state import AlertStateError
from anchor_history.insights.budgets import BudgetReport, BudgetResult
from anchor_history.insights.forecast import Forecast

NOV = (datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC))


def at(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=UTC)


def report(used: float, forecast: float, as_of: datetime, period=NOV) -> BudgetReport:
    outlook = Forecast(used, forecast, forecast * 0.95, forecast * 1.05, "test")
    status = "over" if used > 100 else ("at_risk" if forecast > 100 else "ok")
    return BudgetReport(
        as_of, period, (BudgetResult("credits_used", 100.0, outlook, status, None, None),)
    )


THRESHOLDS = {"credits_used": DEFAULT_THRESHOLDS}


def step(state: dict, rep: BudgetReport, channels=("a",), remind=None, delivered=None):
    decision = decide(rep, THRESHOLDS, state, channels=list(channels), remind=remind)
    sent = {c: [(e.what, e.status.threshold.label) for e in decision.outgoing[c]] for c in channels}
    return sent, apply(state, decision, list(channels) if delivered is None else delivered)


def test_thresholds_parse_and_refuse() -> None:
    assert parse_threshold("actual:80") == Threshold("actual", 80.0)
    assert parse_threshold(" Forecast:100% ") == Threshold("forecast", 100.0)
    for bad in ("actual", "spend:80", "actual:-5", "forecast:x", "actual:inf"):
        with pytest.raises(InvalidInputError, match="alert: "):
            parse_threshold(bad)
    assert parse_duration("90m") == timedelta(minutes=90)
    with pytest.raises(InvalidInputError, match="remind: '24' is not a duration"):
        parse_duration("24")


def test_each_crossing_is_sent_once_then_quiet_and_a_new_period_starts_clean() -> None:
    state: dict = {}
    sent, state = step(state, report(50, 90, at(10)))
    assert sent == {"a": []}
    sent, state = step(state, report(85, 99, at(20)))
    assert sent == {"a": [("crossed", "actual:80")]}
    sent, state = step(state, report(86, 99, at(20, 13)))
    assert sent == {"a": []}  # the same crossing: quiet
    sent, state = step(state, report(95, 110, at(25)))
    assert sent == {"a": [("crossed", "forecast:100")]}
    sent, state = step(state, report(101, 120, at(28)))
    assert sent == {"a": [("crossed", "actual:100")]}
    assert len(state) == 3
    december = (NOV[1], datetime(2027, 1, 1, tzinfo=UTC))
    sent, state = step(state, report(10, 60, NOV[1] + timedelta(hours=5), december))
    assert sent == {"a": []}
    assert len(state) == 3  # November's records kept through the period after it
    sent, state = step(state, report(85, 90, datetime(2026, 12, 20, tzinfo=UTC), december))
    assert sent == {"a": [("crossed", "actual:80")]}  # December's own crossing
    january = (december[1], datetime(2027, 2, 1, tzinfo=UTC))
    sent, state = step(state, report(1, 50, datetime(2027, 1, 2, tzinfo=UTC), january))
    assert sent == {"a": []}
    assert len(state) == 1  # November's forgotten; December's kept through January


def test_looking_back_at_last_period_never_posts_again() -> None:
    """check --as-of March 28 posted; a run on April 1 forgot March; March 28
    again re-posted it. Now March is kept through April, and once a run after
    March's end is recorded, a look back at March is quiet for good."""
    march = (datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC))
    april = (march[1], datetime(2026, 5, 1, tzinfo=UTC))
    may = (april[1], datetime(2026, 6, 1, tzinfo=UTC))
    hour = datetime(2026, 3, 28, 14, tzinfo=UTC)
    state: dict = {}
    sent, state = step(state, report(101, 120, hour, march))
    assert sent == {"a": [("crossed", "actual:80"), ("crossed", "actual:100"),
                          ("crossed", "forecast:100")]}  # fmt: skip
    sent, state = step(state, report(85, 90, datetime(2026, 4, 1, 1, tzinfo=UTC), april))
    assert sent == {"a": [("crossed", "actual:80")]}
    sent, state = step(state, report(101, 120, hour, march))
    assert sent == {"a": []}
    sent, state = step(state, report(1, 10, datetime(2026, 5, 3, tzinfo=UTC), may))
    assert not [key for key in state if "2026-03" in key]  # March forgotten in May
    sent, state = step(state, report(101, 120, hour, march))
    assert sent == {"a": []}  # still quiet: a later run was recorded


def test_a_forecast_that_clears_is_resolved_once_and_may_fire_again() -> None:
    _, state = step({}, report(50, 120, at(10)))
    sent, state = step(state, report(52, 95, at(11)))
    assert sent == {"a": [("resolved", "forecast:100")]}
    sent, state = step(state, report(53, 96, at(11, 13)))
    assert sent == {"a": []}
    sent, state = step(state, report(70, 130, at(15)))
    assert sent == {"a": [("crossed", "forecast:100")]}


def test_reminders_after_the_interval_only() -> None:
    day = timedelta(hours=24)
    _, state = step({}, report(85, 90, at(10)), remind=day)
    sent, state = step(state, report(86, 90, at(10, 23)), remind=day)
    assert sent == {"a": []}
    sent, state = step(state, report(87, 90, at(11, 12)), remind=day)
    assert sent == {"a": [("reminder", "actual:80")]}
    (record,) = state.values()
    assert record.notified_at == at(10)  # first notified stays
    assert record.sent_at == at(11, 12)


def test_a_failed_channel_keeps_its_old_state_and_the_other_does_not_repeat() -> None:
    sent, state = step({}, report(85, 90, at(10)), channels=("a", "b"), delivered=["a"])
    assert sent == {"a": [("crossed", "actual:80")], "b": [("crossed", "actual:80")]}
    sent, state = step(state, report(85, 90, at(10, 13)), channels=("a", "b"))
    assert sent == {"a": [], "b": [("crossed", "actual:80")]}  # b tries again, a is quiet
    sent, _ = step(state, report(85, 90, at(10, 14)), channels=("a", "b"))
    assert sent == {"a": [], "b": []}


def test_a_budget_is_its_metric_limit_period_and_team() -> None:
    _, state = step({}, report(85, 90, at(10)))
    other_team = decide(report(85, 90, at(11)), THRESHOLDS, state, team="api", channels=["a"])
    assert [e.what for e in other_team.outgoing["a"]] == ["crossed"]
    same = decide(report(85, 90, at(11)), THRESHOLDS, state, channels=["a"])
    assert same.outgoing["a"] == ()
    assert [s.notified_at for s in same.statuses if s.crossed] == [at(10)]


def test_the_message_holds_every_event_and_never_a_key() -> None:
    rep = report(101, 120, at(28))
    decision = decide(rep, THRESHOLDS, {}, channels=["a"])
    message = alert_message(decision.outgoing["a"], rep, "web")
    assert message["text"].count("\n- ") == 3
    assert (
        "credits_used 80% of the limit (used) crossed; used 101 of 100 (101%)" in (message["text"])
    )
    sections = [b for b in message["blocks"] if b["type"] == "section"]
    assert len(sections) == 3
    events = message["anchor_history"]["events"]
    assert [e["event"] for e in events] == ["crossed"] * 3
    assert message["anchor_history"]["team"] == "web"


def test_the_default_state_path_follows_xdg() -> None:
    assert default_state_path({"XDG_STATE_HOME": "/s"}) == Path("/s/anchor-history/alerts.json")
    home = default_state_path({"HOME": "/h"})
    assert home.parts[-3:] == ("state", "anchor-history", "alerts.json")


def test_a_broken_state_file_is_an_error_naming_it_never_a_reset(tmp_path: Path) -> None:
    path = tmp_path / "alerts.json"
    store = StateFile(path)
    assert store.load() == {}
    record = Record(at(10), at(10), NOV[1])
    store.save({"a|k": record})
    assert store.load() == {"a|k": record}
    for text in ("{not json", '{"version": 2, "alerts": {}}', '{"version": 1}', "[]"):
        path.write_text(text)
        with pytest.raises(AlertStateError, match=f"alert state {path} is not a state file"):
            store.load()


def _save_forever(path: str) -> None:
    store = StateFile(path)
    n = 0
    while True:
        n += 1
        moment = at(1) + timedelta(minutes=n)
        store.save({f"a|k{i}": Record(moment, moment, NOV[1]) for i in range(200)})


def test_a_kill_during_the_write_leaves_the_old_state_or_the_new(tmp_path: Path) -> None:
    path = tmp_path / "alerts.json"
    StateFile(path).save({})
    context = multiprocessing.get_context("fork")
    for delay in (0.05, 0.11, 0.17, 0.23, 0.29):
        child = context.Process(target=_save_forever, args=(str(path),))
        child.start()
        time.sleep(delay)
        os.kill(child.pid, signal.SIGKILL)
        child.join()
        loaded = StateFile(path).load()  # never half a file
        assert len(loaded) in (0, 200)
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert len(leftovers) <= 5  # a killed writer's temporary file, never the state itself
    assert json.loads(path.read_text())["version"] == 1


def test_a_budget_already_spent_ran_out_in_the_message() -> None:
    """The Slack line said 'runs out' for a moment already past."""
    outlook = Forecast(120.0, 150.0, 140.0, 160.0, "test")
    spent = BudgetResult("credits_used", 100.0, outlook, "over", at(20), 1.5)
    rep = BudgetReport(at(25), NOV, (spent,))
    decision = decide(rep, THRESHOLDS, {}, channels=["a"])
    text = alert_message(decision.outgoing["a"], rep)["text"]
    assert "ran out Nov 20 12:00 UTC" in text
    assert "runs out" not in text
