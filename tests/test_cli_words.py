"""Errors in the CLI's own words: one line, the flag, what was wrong, what is allowed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from anchor_history import InvalidInputError
from anchor_history.calendar.windows import PYTHON_FORMS, parse_when
from anchor_history.calendar.wire import format_api_datetime
from anchor_history.cli import errors
from anchor_history.metrics import normalize_metrics
from test_cli import run


@pytest.mark.parametrize(
    ("words", "says"),
    [
        (
            ["--from", "2026-13-01"],
            "--from: cannot read '2026-13-01' (month must be in 1..12); accepted: an ISO 8601",
        ),
        (["--from", "-5d"], "argument --from: expected one argument; a value starting with '-'"),
        (["--from=-5d"], "--from: '-5d' has a sign; a span before now is written without one"),
        (["-m", "sessions"], "unknown metric 'sessions'; did you mean 'session_count'?"),
        (["--to", "9999-12-31"], "--to: 9999-12-31 is outside the dates the API can be sent"),
        (["check", "--period", "monthly"], "argument --period: invalid choice: 'monthly'"),
    ],
)
def test_bad_input_is_one_line_in_the_clis_words(anchor_sandbox, words, says) -> None:
    result = run(anchor_sandbox, *words)
    assert result.returncode == 2
    assert result.stderr.startswith(f"anchor-history: error: {says}"), result.stderr
    assert result.stderr.count("\n") == 1  # no usage block, no traceback
    assert "datetime" not in result.stderr
    assert "timedelta" not in result.stderr


def test_the_cli_drops_exactly_the_librarys_python_forms() -> None:
    with pytest.raises(InvalidInputError) as raised:
        parse_when("2026-13-01", now=datetime.now(UTC), role="from")
    assert PYTHON_FORMS in str(raised.value)
    worded = errors.cli_message(raised.value)
    assert worded == str(raised.value).replace("from_date", "--from").replace(PYTHON_FORMS, "")
    assert raised.value.param == "from_date"
    assert raised.value.value == "2026-13-01"


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ('period = "monthly"', "period = 'monthly' is not one of day, week, month"),
        ('fail_on = "always"', "fail_on = 'always' is not one of forecast, over"),
        ("cycle_start = 31", "cycle_start = 31 is not one of 1 to 28"),
    ],
)
def test_a_config_files_bad_values_name_the_file_and_key(
    anchor_sandbox, tmp_path: Path, line: str, says: str
) -> None:
    """`period = "monthly"` in the file was reported as `--period`, a flag never typed."""
    config = tmp_path / "budgets.toml"
    config.write_text(f"{line}\n\n[budgets]\ncredits_used = 5\n")
    result = run(anchor_sandbox, "check", "--config", str(config))
    assert result.returncode == 2
    assert result.stderr == f"anchor-history: error: --config {config}: {says}\n"


def test_output_to_dev_null_is_allowed(anchor_sandbox) -> None:
    result = run(anchor_sandbox, "--from", "3d", "-o", "/dev/null")
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""


def test_years_before_1000_have_four_digits_on_the_wire(anchor_sandbox) -> None:
    """'999-01-02T...' made the server answer 400."""
    assert format_api_datetime(datetime(999, 1, 2, tzinfo=UTC)).startswith("0999-01-02T")
    result = run(anchor_sandbox, "--from", "0999-01-02", "--to", "0999-01-05", "-f", "csv")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1].startswith("0999-01-02T00:00:00.000Z,false,0")
    early = run(anchor_sandbox, "--from", "0001-01-01", "--to", "0001-01-02", "--tz", "Asia/Tokyo")
    assert early.returncode == 2
    assert "outside the dates the API can be sent: years 0001 to 9999" in early.stderr


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("sessions", "session_count"), ("credits", "credits_used"), ("credit_used", "credits_used")],
)
def test_metric_suggestions_match_words_then_spelling(typed: str, meant: str) -> None:
    with pytest.raises(InvalidInputError, match=f"did you mean '{meant}'"):
        normalize_metrics(typed)


@pytest.mark.parametrize(
    ("words", "says", "code"),
    [
        (["check", "--budget", "credits_used=5", "--as-of", "yesterdayy"],
         "--as-of: cannot read 'yesterdayy'", 2),
        (["check", "--budget", "credits_used=5", "--cycle-start", "0"],
         "--cycle-start: 0 is not a day from 1 to 28", 2),
        (["exporter", "--host", "999.1.1.1", "--port", "0"], "--host 999.1.1.1: ", 2),
        (["--from", "3d", "-o", "/proc/x.parquet"],
         "--output /proc/x.parquet: cannot be written (No such file or directory)", 2),
        (["plan", "--store", "usage.db"], "unrecognized arguments: --store usage.db", 2),
    ],
)  # fmt: skip
def test_an_error_names_the_flag_that_was_wrong(anchor_sandbox, words, says, code) -> None:
    """--as-of said --to, --host said --port 0, --cycle-start 0 was read as 1, a
    Parquet file that cannot be written showed pyarrow's text, plan offered --store."""
    result = run(anchor_sandbox, *words)
    assert result.returncode == code, result.stderr
    assert says in result.stderr
    assert "Traceback" not in result.stderr
    assert "Failed to open local file" not in result.stderr


def test_a_window_in_year_one_is_answered_not_a_traceback(anchor_sandbox) -> None:
    result = run(anchor_sandbox, "--from", "0001-01-01", "--to", "0001-01-02", "-f", "csv")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1].startswith("0001-01-01T00:00:00.000Z,false,0")


def test_a_failed_first_sync_leaves_no_store_file(anchor_sandbox, tmp_path) -> None:
    path = tmp_path / "usage.db"
    result = run(anchor_sandbox, "sync", "--store", str(path), key="not-the-key")
    assert result.returncode == 3
    assert not path.exists()
    assert not list(tmp_path.iterdir())
