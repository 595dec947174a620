"""``anchor-history breakdown`` and ``sync --sessions``, as a user runs them against
the sandbox: the API and a store give the same answer, and it adds up to the bill."""

from __future__ import annotations

import contextlib
import http.server
import io
import json
import os
import sqlite3
import subprocess
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from anchor_history import HistoryClient
from anchor_history.cli import main
from anchor_history.store import UsageStore
from anchor_history.store.sessions import sessions_window
from anchor_history.testing.sandbox import Sandbox
from test_cli import run

END = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
WINDOW = ["--from", "2026-11-01", "--to", "2026-11-14"]


@pytest.fixture(scope="module")
def box() -> Iterator[Sandbox]:
    with Sandbox(seed=41, sessions=5_000, days=40, end=END, retry_after=0.01) as sandbox:
        yield sandbox


@pytest.fixture(scope="module")
def store(box: Sandbox, tmp_path_factory: pytest.TempPathFactory) -> str:
    path = str(tmp_path_factory.mktemp("breakdown") / "usage.db")
    synced = cli(box, "sync", "--store", path, "--sessions", "--from", "2026-10-15")
    assert synced.returncode == 0, synced.stderr
    assert "sessions" in synced.stdout
    return path


def cli(box: Sandbox, *args: str) -> subprocess.CompletedProcess:
    """The command as ``run`` gives it, in this process (no interpreter to start):
    the same ``main``, environment and exit code, its output captured."""
    out, err = io.StringIO(), io.StringIO()
    saved = {k: os.environ.get(k) for k in ("ANCHORBROWSER_BASE_URL", "ANCHORBROWSER_API_KEY")}
    os.environ.update(ANCHORBROWSER_BASE_URL=box.base_url, ANCHORBROWSER_API_KEY=box.api_key)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(list(args))
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    return subprocess.CompletedProcess(args, code, out.getvalue(), err.getvalue())


def copy_of(store: str, path: Path) -> Path:
    """A copy of the module's store, for a test that changes it."""
    with sqlite3.connect(store) as source, sqlite3.connect(path) as target:
        source.backup(target)
    return path


def as_json(box: Sandbox, *args: str) -> dict:
    result = cli(box, "breakdown", *args, "-f", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_groups_add_up_to_the_total_and_the_total_to_the_bill(box: Sandbox) -> None:
    document = as_json(box, "--by", "api_key", *WINDOW)
    credits = sum(Decimal(g["credits_used"]) for g in document["groups"])
    assert credits == Decimal(document["total"]["credits_used"])
    assert sum(g["session_count"] for g in document["groups"]) == document["total"]["session_count"]
    check = document["reconciliation"]
    assert check["agrees"] is True
    assert Decimal(check["history_credits"]) == credits
    with HistoryClient(box.api_key, box.base_url) as client:
        history = client.fetch("2026-11-01", "2026-11-14", "day", ["credits_used", "session_count"])
    assert Decimal(repr(history.summary.credits_used)) == credits
    assert history.summary.session_count == document["total"]["session_count"]
    assert document["window"] == {
        "start": "2026-11-01T00:00:00.000Z",
        "end": "2026-11-14T23:59:59.999Z",
        "tz": "UTC",
    }


@pytest.mark.parametrize(
    "args",
    [
        ["--by", "tag"],
        ["--by", "tag:team", "--top", "2", "-m", "credits_used,session_hours"],
        ["--by", "api_key", "-g", "week", "--tz", "Europe/Berlin"],
        ["--by", "domain", "-g", "day", "--credit-price", "0.01", "--included-credits", "5000",
         "--overage-credit-price", "0.02"],
    ],
)  # fmt: skip
def test_a_store_synced_with_sessions_answers_as_the_api_does(
    box: Sandbox, store: str, args: list[str]
) -> None:
    from_api = as_json(box, *args, *WINDOW)
    from_store = as_json(box, *args, *WINDOW, "--store", store)
    assert from_store == from_api
    assert from_api["groups"]


def test_tag_groups_overlap_and_the_table_says_so(box: Sandbox) -> None:
    document = as_json(box, "--by", "tag", *WINDOW)
    assert document["overlapping"] is True
    groups = sum(g["session_count"] for g in document["groups"])
    assert groups > document["total"]["session_count"]
    assert "(untagged)" in [g["key"] for g in document["groups"]]
    table = cli(box, "breakdown", "--by", "tag", *WINDOW, "-f", "table")
    assert "groups overlap" in table.stdout
    assert "Who spent it, by tag: 2026-11-01 00:00 to 2026-11-14 23:59 (UTC)" in table.stdout
    assert "reconciliation:" in table.stdout
    assert "they agree" in table.stdout


def test_csv_ndjson_and_typed_parquet(box: Sandbox, tmp_path: Path) -> None:
    csv_text = cli(box, "breakdown", "--by", "api_key", *WINDOW, "-f", "csv").stdout
    assert csv_text.splitlines()[0].startswith("by,key,session_count,credits_used")
    lines = cli(box, "breakdown", "--by", "api_key", *WINDOW, "-f", "ndjson").stdout.splitlines()
    assert json.loads(lines[-1])["key"] == "(total)"
    target = tmp_path / "who.parquet"
    made = cli(box, "breakdown", "--by", "api_key", *WINDOW, "-o", str(target))
    assert made.returncode == 0, made.stderr
    import pyarrow.parquet as pq

    table = pq.read_table(target)
    assert str(table.schema.field("credits_used").type) == "decimal128(38, 9)"
    assert str(table.schema.field("session_count").type) == "int64"
    rows = table.to_pylist()
    total = next(r for r in rows if r["key"] == "(total)")
    assert sum(r["credits_used"] for r in rows if r["key"] != "(total)") == total["credits_used"]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--by", "colour"], "--by: 'colour' is not a way to group sessions; accepted: tag, "
         "api_key, domain, proxy_type, status, task, tag:KEY"),
        (["-m", "screenshots"], "--metrics: 'screenshots' is not a metric a session carries"),
        (["--top", "0"], "--top: 0 is not a whole number >= 1"),
        (["-f", "parquet"], "--format parquet needs --output FILE.parquet"),
    ],
)  # fmt: skip
def test_bad_input_gets_one_line_and_exit_2(box: Sandbox, args: list[str], words: str) -> None:
    result = run(box, "breakdown", *args)
    assert result.returncode == 2
    assert words in result.stderr
    assert "Traceback" not in result.stderr


def test_a_breakdown_that_does_not_add_up_is_said_and_fails_on_request(
    box: Sandbox, store: str, tmp_path: Path
) -> None:
    broken = copy_of(store, tmp_path / "broken.db")
    with sqlite3.connect(broken) as conn:  # a day whose sessions lost 5 credits
        day = int(datetime(2026, 11, 5, tzinfo=UTC).timestamp()) // 3600
        conn.execute(
            "UPDATE session_days SET credits_nano = credits_nano - 5000000000 "
            "WHERE dim = '' AND hour = ?",
            (day,),
        )
    args = ["breakdown", "--by", "api_key", *WINDOW, "--store", str(broken), "-f", "table"]
    said = cli(box, *args)
    assert said.returncode == 0
    assert "they differ by 5" in said.stderr
    failed = cli(box, *args, "--fail-on", "mismatch")
    assert failed.returncode == 1
    assert "does not add up to the history" in failed.stderr


def test_a_second_sync_is_incremental_and_changes_nothing(box: Sandbox, store: str) -> None:
    before = as_json(box, "--by", "tag", *WINDOW, "--store", store)
    again = cli(box, "sync", "--store", store, "--sessions")
    assert again.returncode == 0, again.stderr
    assert "0 hours added" in again.stdout
    assert as_json(box, "--by", "tag", *WINDOW, "--store", store) == before
    with sqlite3.connect(store) as conn:
        (count,) = conn.execute("SELECT count(*) FROM sessions").fetchone()
        (distinct,) = conn.execute("SELECT count(DISTINCT id) FROM sessions").fetchone()
    assert count == distinct > 3_000


def test_a_failed_sessions_listing_leaves_the_store_as_it_was(box: Sandbox, store: str) -> None:
    with sqlite3.connect(store) as conn:
        before = conn.execute("SELECT count(*), max(id) FROM syncs").fetchone()
    box.set_faults("500@2+")
    try:
        failed = run(box, "sync", "--store", store, "--sessions", "--max-retries", "0")
    finally:
        box.set_faults("")
    assert failed.returncode == 4
    with sqlite3.connect(store) as conn:
        assert conn.execute("SELECT count(*), max(id) FROM syncs").fetchone() == before


def test_a_store_without_sessions_says_how_to_get_them(box: Sandbox, tmp_path: Path) -> None:
    path = str(tmp_path / "hours-only.db")
    assert cli(box, "sync", "--store", path, "--from", "2026-11-01").returncode == 0
    result = cli(box, "breakdown", "--store", path, *WINDOW)
    assert result.returncode == 9
    assert "sync --sessions" in result.stderr


def test_running_sessions_are_fetched_again_until_their_credits_are_known(tmp_path: Path) -> None:
    path = str(tmp_path / "window.db")
    with UsageStore(path) as store:
        conn = store._conn
        base = int(datetime(2026, 11, 20, tzinfo=UTC).timestamp() * 1000)
        row = "INSERT INTO sessions VALUES ('t', ?, ?, ?, ?, 'k', '[]', '[]', NULL, 0, 0, 1, 0)"
        conn.execute(row, ("old", base, "running", None))  # still running
        conn.execute(row, ("new", base + 86_400_000 * 5, "completed", "1"))
        now = datetime(2026, 11, 25, 12, tzinfo=UTC)
        start, end = sessions_window(
            conn, "t", backfill_from=now, lookback=timedelta(hours=48), now=now
        )
    assert start == datetime(2026, 11, 20, tzinfo=UTC)  # from the running one, not 48 h back
    assert end == now


class _Forbidden(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        """The history answers (empty); the session listing is forbidden."""
        forbidden = self.path.split("?")[0] == "/v1/sessions"
        body = (
            b'{"error": {"code": 403, "message": "This key cannot list sessions"}}'
            if forbidden
            else b'{"data": [], "summary": {"total_credits_used": 0}, "pagination": '
            b'{"current_page": 1, "total_pages": 0, "total_records": 0, "has_next": false, '
            b'"has_prev": false}}'
        )
        self.send_response(403 if forbidden else 200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def test_a_key_without_the_listing_gets_a_clear_error_and_exit_3() -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Forbidden)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:

        class Box:
            base_url = f"http://localhost:{server.server_address[1]}"
            api_key = "secret-key-123456"

        result = run(Box, "breakdown", "--by", "api_key")  # type: ignore[arg-type]
    finally:
        server.shutdown()
    assert result.returncode == 3
    assert "GET /v1/sessions: HTTP 403" in result.stderr
    assert "cannot list sessions" in result.stderr
    assert "secret-key-123456" not in result.stderr


def test_every_team_summed_needs_every_teams_sessions(
    box: Sandbox, store: str, tmp_path: Path
) -> None:
    two = copy_of(store, tmp_path / "two-teams.db")
    with sqlite3.connect(two) as conn:  # a second team, synced without --sessions
        conn.execute("INSERT INTO held SELECT 'scrapers', held_from, held_to FROM held")
    result = cli(box, "breakdown", "--store", str(two), *WINDOW)
    assert result.returncode == 9
    assert "no sessions of team scrapers" in result.stderr
    assert "--team" in result.stderr
    alone = cli(box, "breakdown", "--store", str(two), "--team", "default", *WINDOW)
    assert alone.returncode == 0, alone.stderr


def test_the_sandbox_flags_shape_who_ran_the_sessions() -> None:
    bad = run(None, "sandbox", "--untagged", "2")
    assert bad.returncode == 2
    assert "--untagged: '2' is not a share; allowed: 0 to 1" in bad.stderr


def test_history_from_the_api_and_from_the_store_print_the_same_digits(
    box: Sandbox, store: str
) -> None:
    """session_hours printed 17 digits from the API and 9 from the store."""
    args = ["history", "-m", "session_hours,credits_used", *WINDOW, "-g", "day"]
    for fmt in ("csv", "json"):
        from_api = cli(box, *args, "-f", fmt)
        from_store = cli(box, *args, "-f", fmt, "--store", store)
        assert from_api.returncode == from_store.returncode == 0, from_store.stderr
        assert from_api.stdout == from_store.stdout
    hours = [json.loads(from_api.stdout)["points"][0]["session_hours"]]
    assert len(repr(hours[0]).split(".")[1]) <= 9  # the store's scale, not 17 digits


def test_included_credits_spent_before_what_a_store_holds_are_said_to_be_unknown(
    box: Sandbox, store: str
) -> None:
    """The store holds October from the 15th: a priced breakdown from the 20th cannot
    know all of the month's credits before it, and says so rather than guess."""
    priced = ["--credit-price", "0.01", "--included-credits", "1000", "--overage-credit-price",
              "0.02", "--from", "2026-10-20", "--to", "2026-10-25"]  # fmt: skip
    result = cli(box, "breakdown", "--store", store, *priced, "-f", "json")
    assert result.returncode == 0, result.stderr
    assert "the store does not hold all of 2026-10 before 2026-10-20 00:00 UTC" in result.stderr
    from_api = cli(box, "breakdown", *priced, "-f", "json")
    assert "does not hold" not in from_api.stderr
