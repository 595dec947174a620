"""The sandbox speaks the spec over real data: invariants, errors, conformance."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from anchor_history import HistoryClient
from anchor_history.testing.sandbox import Sandbox
from anchor_history.testing.sandbox.data import DataSpec, session_rows
from anchor_history.testing.sandbox.faults import FaultPlan, parse_faults
from anchor_history.testing.sandbox.requests import BadParam, parse_params

PATH = "/v1/sessions/history"


def get(box: Sandbox, key: str | None = "box", **params: object) -> httpx.Response:
    headers = {"anchor-api-key": box.api_key if key == "box" else key} if key else {}
    return httpx.get(box.base_url + PATH, params=params, headers=headers)  # type: ignore[arg-type]


def direct_totals(box: Sandbox, start: datetime, end: datetime) -> tuple[int, float]:
    row = box.conn.execute(
        "SELECT count(*), coalesce(sum(credits), 0) FROM sessions "
        "WHERE created_at_ms >= ? AND created_at_ms < ?",
        (int(start.timestamp() * 1000), int(end.timestamp() * 1000)),
    ).fetchone()
    return row[0], row[1]


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (datetime(2025, 11, 1, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC)),
        (datetime(2026, 3, 14, 15, 9, 26, tzinfo=UTC), datetime(2026, 5, 2, 7, 45, tzinfo=UTC)),
        (datetime(2026, 6, 1, 10, 15, tzinfo=UTC), datetime(2026, 6, 1, 10, 45, tzinfo=UTC)),
    ],
)
def test_every_granularity_agrees_with_the_summary_and_a_direct_count(
    anchor_sandbox: Sandbox, start, end
) -> None:
    count, credits = direct_totals(anchor_sandbox, start, end)
    with HistoryClient(anchor_sandbox.api_key, anchor_sandbox.base_url) as client:
        for granularity in ("hour", "day", "week", "month"):
            history = client.fetch(start, end, granularity, ["session_count", "credits_used"])
            assert history.totals_match(), (granularity, history.mismatches())
            assert history.summary.session_count == count
            assert history.summary.credits_used == pytest.approx(credits)
            assert sum(p.session_count for p in history) == count
            assert all(p.session_count > 0 for p in history)  # empty buckets are not listed


def test_buckets_are_utc_periods(anchor_sandbox: Sandbox) -> None:
    with HistoryClient(anchor_sandbox.api_key, anchor_sandbox.base_url) as client:
        weeks = client.fetch("2026-01-01", "2026-03-01", "week")
        months = client.fetch("2026-01-01", "2026-06-30", "month")
    assert all(p.start.weekday() == 0 and p.start.hour == 0 for p in weeks)
    assert [p.start.month for p in months] == [1, 2, 3, 4, 5, 6]
    assert [p.date for p in months][:1] == ["2026-01-01T00:00:00.000Z"]


def test_same_seed_gives_same_data() -> None:
    spec = DataSpec(seed=3, sessions=500, days=10, end=datetime(2026, 1, 1, tzinfo=UTC))
    assert list(session_rows(spec)) == list(session_rows(spec))
    assert list(session_rows(spec)) != list(
        session_rows(DataSpec(seed=4, sessions=500, days=10, end=spec.end))
    )


def test_data_has_quiet_days_and_a_weekday_cycle(anchor_sandbox: Sandbox) -> None:
    with HistoryClient(anchor_sandbox.api_key, anchor_sandbox.base_url) as client:
        days = client.fetch("2025-10-01", "2026-10-31", "day")
    assert len(days) < 396  # some days had no sessions at all
    weekday = [p.session_count for p in days if p.start.weekday() < 5]
    weekend = [p.session_count for p in days if p.start.weekday() >= 5]
    assert sum(weekday) / len(weekday) > 1.5 * sum(weekend) / len(weekend)


def test_metrics_as_repeated_keys_comma_list_or_single_value(anchor_sandbox: Sandbox) -> None:
    window = {"from_date": "2026-10-01", "to_date": "2026-10-05"}
    repeated = get(anchor_sandbox, **window, metrics=["ai_steps", "screenshots"]).json()
    comma = get(anchor_sandbox, **window, metrics="ai_steps,screenshots").json()
    single = get(anchor_sandbox, **window, metrics="ai_steps").json()
    assert repeated == comma
    assert set(repeated["summary"]) == {"total_ai_steps", "total_screenshots"}
    assert set(single["data"][0]) == {"date", "ai_steps"}


def test_defaults_and_page_past_the_end(anchor_sandbox: Sandbox) -> None:
    first = get(anchor_sandbox, from_date="2026-01-01", to_date="2026-12-01").json()
    assert set(first["data"][0]) == {"date", "session_count"}
    assert first["pagination"]["current_page"] == 1
    assert len(first["data"]) == 100
    past = get(anchor_sandbox, from_date="2026-01-01", to_date="2026-12-01", page=99).json()
    assert past["data"] == []
    assert past["pagination"]["has_next"] is False


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"granularity": "year"}, "granularity"),
        ({"metrics": "credit_used"}, "metrics"),
        ({"metrics": "['session_count']"}, "metrics"),  # the generated default, not a metric
        ({"from_date": "yesterday"}, "from_date"),
        ({"from_date": "2026-02-01", "to_date": "2026-01-01"}, "from_date"),
        ({"page": 0}, "page"),
        ({"limit": 1001}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"granularty": "day"}, "granularty"),
    ],
)
def test_bad_input_is_a_400_naming_the_parameter(anchor_sandbox: Sandbox, params, name) -> None:
    response = get(anchor_sandbox, **params)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == 400
    assert response.json()["error"]["message"].startswith(name + ":")


@pytest.mark.parametrize("key", [None, "wrong-key"])
def test_missing_or_wrong_key_is_401_in_the_error_shape(anchor_sandbox: Sandbox, key) -> None:
    response = get(anchor_sandbox, key=key)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == 401


def test_unknown_path_and_method_answer_in_the_error_shape(anchor_sandbox: Sandbox) -> None:
    missing = httpx.get(anchor_sandbox.base_url + "/v1/nothing")
    wrong = httpx.post(anchor_sandbox.base_url + PATH)
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, 404)
    assert (wrong.status_code, wrong.json()["error"]["code"]) == (405, 405)
    assert wrong.headers["allow"] == "GET, HEAD"


def test_date_formats_are_configurable() -> None:
    end = datetime(2026, 1, 10, tzinfo=UTC)
    box = Sandbox(sessions=300, days=5, end=end, date_style="date")
    with box, HistoryClient(box.api_key, box.base_url) as client:
        days = client.fetch("2026-01-05", "2026-01-09", "day")
        hours = client.fetch("2026-01-05", "2026-01-06", "hour")
    assert days.points[0].date == "2026-01-05"
    assert hours.points[0].date.endswith(":00:00Z")


def test_parse_params_defaults_are_documented_ones() -> None:
    now = datetime(2026, 11, 24, tzinfo=UTC)
    params = parse_params([], now)
    assert (params.granularity, params.metrics, params.page, params.limit) == (
        "day",
        ("session_count",),
        1,
        100,
    )
    assert (now - params.start).days == 30
    assert params.end == now
    with pytest.raises(BadParam):
        parse_params([("metrics", ",")], now)


def test_fault_specs_parse_and_reject_unknown_kinds() -> None:
    rules = parse_faults("429@1,503@2-3,reset@5+,truncated=0.5")
    assert [(r.kind, r.first, r.last, r.rate) for r in rules] == [
        ("429", 1, 1, None),
        ("503", 2, 3, None),
        ("reset", 5, None, None),
        ("truncated", 1, None, 0.5),
    ]
    with pytest.raises(ValueError, match="KIND one of 429"):
        parse_faults("explode@1")


def test_a_new_fault_schedule_waits_for_a_request_still_arriving() -> None:
    """A cancelled async fetch can leave a request on the wire; counted after the
    reset it took the new schedule's first fault (a flake seen in CI)."""
    plan = FaultPlan()
    arrived, release = threading.Event(), threading.Event()
    stray_got: list[str | None] = []

    def stray() -> None:
        with plan.arrival():
            arrived.set()
            release.wait()
            stray_got.append(plan.next_fault())

    threading.Thread(target=stray).start()
    arrived.wait()
    threading.Timer(0.1, release.set).start()
    plan.wait_quiet()
    assert stray_got == [None]  # counted under the old (empty) schedule
    plan.reset(parse_faults("shifting@1"))
    assert plan.next_fault() == "shifting"


def test_the_official_sdk_gets_valid_responses(anchor_sandbox: Sandbox) -> None:
    import anchorbrowser  # the official SDK, in the `bench` group that make setup installs

    sdk = anchorbrowser.Anchorbrowser(
        api_key=anchor_sandbox.api_key, base_url=anchor_sandbox.base_url
    )
    result = sdk.sessions.get_sessions_history(
        from_date="2026-10-01T00:00:00Z",
        to_date="2026-10-08T00:00:00Z",
        granularity="day",
        metrics=["session_count", "credits_used"],
        limit=5,
    )
    assert len(result.data) == 5
    assert result.pagination.total_records == 7
    assert result.summary.total_sessions == sum(
        p.session_count
        for p in HistoryClient(anchor_sandbox.api_key, anchor_sandbox.base_url).fetch(
            "2026-10-01T00:00:00Z", "2026-10-08T00:00:00Z"
        )
    )


@pytest.mark.parametrize("signal_name", ["SIGTERM", "SIGINT"])
def test_the_sandbox_command_serves_then_stops_cleanly(signal_name: str) -> None:
    import signal
    import subprocess
    import sys
    from pathlib import Path

    script = str(Path(sys.executable).parent / "anchor-history")
    proc = subprocess.Popen(
        [script, "sandbox", "--port", "0", "--sessions", "500", "--days", "5", "--api-key", "k-1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline()  # type: ignore[union-attr]
        assert line.startswith("sandbox ready: ANCHORBROWSER_BASE_URL=http://127.0.0.1:")
        assert line.rstrip().endswith("ANCHORBROWSER_API_KEY=k-1")
        base_url = line.split("ANCHORBROWSER_BASE_URL=")[1].split()[0]
        assert HistoryClient("k-1", base_url).get_page().pagination is not None
        proc.send_signal(getattr(signal, signal_name))
        assert proc.wait(timeout=15) == 0
        assert "Traceback" not in proc.stderr.read()  # type: ignore[union-attr]
    finally:
        proc.kill()


def test_the_sandbox_socket_is_tcp_so_answers_are_not_held_for_delayed_acks() -> None:
    """asyncio sets TCP_NODELAY on accepted connections only for a listening socket
    created as IPPROTO_TCP; without it each kept-alive answer waited ~40 ms."""
    import socket

    from anchor_history.testing.sandbox.server import _listen

    sock = _listen("127.0.0.1", 0)
    try:
        assert sock.proto == socket.IPPROTO_TCP
    finally:
        sock.close()


def test_a_to_date_too_early_for_the_default_window_is_a_400() -> None:
    """schemathesis found it: to_date=0001-01-01 without from_date overflowed (500)."""
    from anchor_history.testing.sandbox.requests import BadParam, parse_params

    with pytest.raises(BadParam, match="to_date: is too early for the default 30-day window"):
        parse_params([("to_date", "0001-01-01T00:00:00Z")], datetime.now(UTC))


def test_an_hour_is_spelled_from_its_epoch_hour_as_from_its_datetime() -> None:
    """The fast spelling of hour buckets agrees with format_bucket in every style."""
    from anchor_history.testing.sandbox.aggregate import EPOCH, format_bucket, hour_text

    for hour in [*range(-50, 50), *range(490_000, 490_100), 8_000_000 - 1]:
        start = EPOCH + timedelta(hours=hour)
        for style in ("iso-ms", "date", "naive"):
            assert hour_text(hour, style) == format_bucket(start, "hour", style), (hour, style)


@pytest.mark.parametrize("text", ["0001-01-01T00:00:00+01:00", "9999-12-31"])
def test_a_date_past_the_calendars_edge_is_a_400_not_a_500(text: str) -> None:
    """Schemathesis sent 0001-01-01T00:00+01:00: converting it to UTC overflowed."""
    from anchor_history.testing.sandbox.requests import BadParam, parse_params

    with pytest.raises(BadParam, match="outside years 0001 to 9999"):
        parse_params([("from_date", "2026-01-01"), ("to_date", text)], datetime.now(UTC))
