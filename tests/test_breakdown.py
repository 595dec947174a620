"""The breakdown as a pure function: sessions in, groups out (no server, no store)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from anchor_history import InvalidInputError, Session
from anchor_history.insights.breakdown import (
    breakdown,
    check_by,
    check_metrics,
    hour_unit_prices,
    rows_wanted,
)
from anchor_history.insights.breakdown_values import Reconciliation
from anchor_history.models.session_rows import credits_of_nanos, session_rows
from anchor_history.pricing import parse_price_list

START = datetime(2026, 11, 2, tzinfo=UTC)
WINDOW = (START, START + timedelta(days=7))


def s(
    n: int,
    credits: str | None = "1",
    *,
    tags: tuple[str, ...] = (),
    key: str = "k",
    hours: float = 0,
    duration: float = 60.0,
    domains: tuple[str, ...] = (),
) -> Session:
    return Session(
        id=f"s{n}",
        created_at=START + timedelta(hours=hours, seconds=n),
        status="completed" if credits is not None else "running",
        credits=None if credits is None else Decimal(credits),
        api_key_name=key,
        tags=tags,
        domains=domains,
        proxy_bytes=100,
        steps=2,
        duration=None if credits is None else duration,
    )


def of(sessions: list[Session], by: str, **options):
    rows = [r for r in session_rows(sessions, [by]) if r[1] in rows_wanted(by)]
    return breakdown(rows, by=by, window=WINDOW, tz=UTC, **options)


def groups(result) -> dict[str, tuple[int, Decimal]]:
    return {g.key: (g.session_count, g.credits_used) for g in result.groups}


def test_by_api_key_each_session_once_largest_first_with_shares() -> None:
    sessions = [s(1, "2.5", key="ci"), s(2, "7.5", key="prod"), s(3, "0.5", key="ci")]
    result = of(sessions, "api_key")
    assert [(g.key, g.session_count, g.credits_used, g.share) for g in result.groups] == [
        ("prod", 1, Decimal("7.5"), Decimal("0.7143")),
        ("ci", 2, Decimal("3"), Decimal("0.2857")),
    ]
    assert result.total.credits_used == Decimal("10.5")
    assert result.total.session_count == 3
    assert not result.overlapping


def test_a_session_with_several_tags_counts_under_each_and_the_total_once() -> None:
    sessions = [s(1, "4", tags=("a", "b")), s(2, "1", tags=("a",)), s(3, "2")]
    result = of(sessions, "tag")
    assert groups(result) == {
        "a": (2, Decimal(5)),
        "b": (1, Decimal(4)),
        "(untagged)": (1, Decimal(2)),
    }
    assert result.total.credits_used == Decimal(7)
    assert result.overlapping
    assert result.to_dict()["overlapping"] is True


def test_tag_key_groups_by_value_and_the_rest_is_untagged() -> None:
    sessions = [
        s(1, "3", tags=("team:search", "env:prod")),
        s(2, "1", tags=("team:web",)),
        s(3, "2", tags=("nightly",)),
        s(4, "5"),
    ]
    result = of(sessions, "tag:team")
    assert groups(result) == {
        "(untagged)": (2, Decimal(7)),
        "search": (1, Decimal(3)),
        "web": (1, Decimal(1)),
    }
    assert not result.overlapping  # no session holds two team: tags


def test_two_values_of_one_key_overlap_and_say_so() -> None:
    result = of([s(1, "3", tags=("team:a", "team:b")), s(2, "1")], "tag:team")
    assert groups(result) == {"a": (1, Decimal(3)), "b": (1, Decimal(3)), "(untagged)": (1, 1)}
    assert result.overlapping


def test_running_sessions_are_counted_apart_never_as_zero_credits() -> None:
    result = of([s(1, "2", key="a"), s(2, None, key="a"), s(3, None, key="b")], "api_key")
    assert groups(result) == {"a": (1, Decimal(2))}
    assert result.running == 2
    assert result.groups[0].running == 1
    assert result.to_dict()["running"] == {"session_count": 2}


def test_top_keeps_the_largest_and_sums_the_rest_as_other() -> None:
    sessions = [s(i, str(i), key=f"k{i}") for i in range(1, 6)]
    result = of(sessions, "api_key", top=2)
    assert [(g.key, g.credits_used) for g in result.groups] == [
        ("k5", Decimal(5)),
        ("k4", Decimal(4)),
        ("(other)", Decimal(6)),
    ]


def test_hours_bytes_steps_and_metrics_chosen() -> None:
    result = of([s(1, duration=5400.0), s(2, duration=1800.0)], "api_key")
    group = result.groups[0]
    assert group.session_hours == Decimal("2.000000")
    assert (group.proxy_bytes, group.ai_steps) == (200, 4)
    shown = of([s(1)], "api_key", metrics=("session_count", "ai_steps")).to_dict()
    assert shown["groups"][0] == {"key": "k", "session_count": 1, "ai_steps": 2, "share": "1.0000"}
    assert shown["share_of"] == "session_count"


def test_groups_over_time_in_the_users_zone() -> None:
    # 23:30 UTC on Nov 2 is 00:30 on Nov 3 in Berlin.
    sessions = [s(1, "1", key="a", hours=1), s(2, "2", key="a", hours=23.5)]
    rows = session_rows(sessions, ["api_key"])
    result = breakdown(
        rows, by="api_key", window=WINDOW, tz=ZoneInfo("Europe/Berlin"), granularity="day"
    )
    days = [(p.local_start.date().isoformat(), p.total.credits_used) for p in result.periods]
    assert days == [("2026-11-02", Decimal(1)), ("2026-11-03", Decimal(2))]
    assert result.to_dict()["periods"][1]["start"] == "2026-11-03T00:00:00+01:00"


def test_cost_by_hour_included_credits_first_then_overage() -> None:
    prices = parse_price_list("USD", "0.01", "10", "0.02")
    # hour 0: 8 credits (included); hour 1: 4 credits, 2 included and 2 overage
    sessions = [s(1, "8", key="a"), s(2, "4", key="b", hours=1)]
    rows = session_rows(sessions, ["api_key"])
    whole = {h: credits_of_nanos(f[2]) for h, d, _, f in rows if d == ""}
    unit = hour_unit_prices(whole, prices)
    result = breakdown(rows, by="api_key", window=WINDOW, tz=UTC, unit_prices=unit, currency="USD")
    costs = {g.key: g.cost for g in result.groups}
    assert costs == {"a": Decimal("0.08"), "b": Decimal("0.06")}
    assert result.total.cost == Decimal("0.14")


def test_credits_spent_before_the_window_count_against_the_included_ones() -> None:
    prices = parse_price_list("USD", "0.01", "10", "0.02")
    rows = session_rows([s(1, "4")], ["api_key"])
    whole = {h: credits_of_nanos(f[2]) for h, d, _, f in rows if d == ""}
    month = datetime(2026, 11, 1, tzinfo=UTC)
    unit = hour_unit_prices(whole, prices, {month: Decimal(9)})
    result = breakdown(rows, by="api_key", window=WINDOW, tz=UTC, unit_prices=unit, currency="USD")
    assert result.total.cost == Decimal("0.07")  # 1 at 0.01, 3 at 0.02


@pytest.mark.parametrize(
    ("history", "sessions", "running", "agrees"),
    [
        ("100", "100", 0, True),
        ("100.005", "100", 0, True),  # within a hundredth of a credit
        ("100", "99", 0, False),
        ("100", "101", 0, False),
        ("100", "99", 1, None),  # a running session may be the difference
        ("100", "101", 1, False),  # running sessions cannot make the history smaller
        ("1000000", "999950", 0, True),  # 0.005%: within 1 in 10,000
    ],
)
def test_reconciliation(history: str, sessions: str, running: int, agrees) -> None:
    result = of(
        [s(1, sessions)] + [s(9, None)] * running, "api_key", history_credits=Decimal(history)
    )
    check = result.reconciliation
    assert check.agrees is agrees
    assert check.difference == Decimal(history) - Decimal(sessions)
    document = check.to_dict()
    assert document["history_credits"] == history
    assert document["agrees"] is agrees


def test_reconciliation_says_what_it_compared() -> None:
    check = Reconciliation(Decimal(100), Decimal(90), Decimal("0.01"), 0)
    assert check.percent == Decimal("10.00")
    assert "differ by 10 (10.00%)" in check.sentence()


@pytest.mark.parametrize("by", ["colour", "", "tag:", 3, "Tag"])
def test_an_unknown_dimension_lists_what_is_allowed(by) -> None:
    with pytest.raises(InvalidInputError) as caught:
        check_by(by)
    assert caught.value.param == "by"
    assert "tag, api_key, domain, proxy_type, status, task, tag:KEY" in str(caught.value)


def test_metrics_are_checked_against_the_five_a_session_carries() -> None:
    assert check_metrics("all") == (
        "session_count", "credits_used", "session_hours", "proxy_bytes", "ai_steps",
    )  # fmt: skip
    assert check_metrics("credits_used, ai_steps") == ("credits_used", "ai_steps")
    with pytest.raises(InvalidInputError, match="screenshots"):
        check_metrics("screenshots")


def test_domains_overlap_and_sessions_without_any_are_none() -> None:
    result = of([s(1, "1", domains=("a.com", "b.com")), s(2, "2")], "domain")
    assert groups(result) == {"(none)": (1, 2), "a.com": (1, 1), "b.com": (1, 1)}
    assert result.overlapping
