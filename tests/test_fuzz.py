"""Any input gives a result or the input error, and invalid input sends no request."""

from __future__ import annotations

import contextlib
import io
from datetime import date, datetime, timedelta
from typing import Any

from anchor_history import HistoryClient, InvalidInputError, MissingExtraError
from anchor_history.cli import main
from anchor_history.testing.sandbox import Sandbox
from conftest import Recorder, make_client, ok
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

texts = st.text(max_size=25)
date_likes = st.one_of(
    st.none(),
    texts,
    st.sampled_from(
        ["now", "today", "30d", "12h", "2w", "90m", "2026-11-01", "2026-11-01T10:00:00Z"]
    ),
    st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2040, 1, 1)),
    st.dates(min_value=date(1990, 1, 1), max_value=date(2040, 1, 1)),
    st.timedeltas(min_value=timedelta(days=-10), max_value=timedelta(days=4000)),
    st.integers(),
)
metric_likes = st.one_of(
    texts,
    st.sampled_from(["all", "session_count", "credits_used,ai_steps", "credit_used"]),
    st.lists(st.one_of(texts, st.sampled_from(["proxy_bytes", "screenshots"])), max_size=4),
)
ints = st.one_of(st.integers(-5, 2000), st.booleans(), st.none(), texts)


@settings(max_examples=300, deadline=None)
@given(
    from_date=date_likes,
    to_date=date_likes,
    granularity=st.one_of(texts, st.sampled_from(["hour", "DAY", "week", "month"])),
    metrics=metric_likes,
    page=ints,
    limit=ints,
)
def test_library_inputs_give_a_page_or_the_input_error(**kwargs: Any) -> None:
    seen = Recorder(lambda r: ok())
    with make_client(seen) as client:
        try:
            page = client.get_page(**kwargs)
        except InvalidInputError:
            assert seen.requests == []
            return
    assert len(seen.requests) == 1
    assert len(page.points) == 1


@settings(max_examples=200, deadline=None)
@given(
    url=st.one_of(texts, st.sampled_from(["https://a.test", "http://127.0.0.1:9", "http://x.test"]))
)
def test_any_base_url_is_accepted_or_an_input_error(url: str) -> None:
    try:
        client = HistoryClient("k", url)
    except InvalidInputError:
        return
    assert client.base_url.startswith(("https://", "http://"))


def run_cli(args: list[str]) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            code = main(args)
        except SystemExit as exit_:  # argparse's own usage errors
            code = int(exit_.code or 0)
    return code, err.getvalue()


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    frm=st.one_of(texts, st.sampled_from(["30d", "2026-10-01", "now"])),
    granularity=st.one_of(texts, st.sampled_from(["hour", "week"])),
    metrics=st.one_of(texts, st.sampled_from(["all", "session_count"])),
    page_size=st.one_of(st.integers(-3, 1200).map(str), texts),
)
def test_cli_inputs_exit_0_or_2_without_a_request_when_invalid(
    anchor_sandbox: Sandbox, frm: str, granularity: str, metrics: str, page_size: str
) -> None:
    before = anchor_sandbox.faults.requests
    args = ["history", "--base-url", anchor_sandbox.base_url, "--api-key", anchor_sandbox.api_key]
    args += [f"--from={frm}", "--to=2026-10-31", f"--granularity={granularity}"]
    args += [f"--metrics={metrics}", f"--page-size={page_size}", "--format=csv", "--quiet"]
    code, stderr = run_cli(args)
    assert code in (0, 2), stderr
    assert "Traceback" not in stderr
    if code == 2:
        assert anchor_sandbox.faults.requests == before
    else:
        assert anchor_sandbox.faults.requests > before


def test_a_missing_extra_names_the_extra(monkeypatch) -> None:
    import sys

    import pytest
    from anchor_history._optional import require

    monkeypatch.setitem(sys.modules, "pyarrow", None)  # makes `import pyarrow` fail
    with pytest.raises(MissingExtraError, match=r"pip install 'anchor-history\[parquet\]'"):
        require("pyarrow", "parquet")
