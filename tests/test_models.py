"""Result types: totals, writers, dataframes, the table, and the public surface."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import anchor_history
import pytest
from anchor_history.models import History, HistoryPoint, HistoryQuery, HistorySummary
from anchor_history.outputs.table import format_bytes, format_period, format_value, render_table


def history(
    summary_sessions: int = 3, metrics: tuple[str, ...] = ("session_count", "proxy_bytes")
) -> History:
    start = datetime(2026, 11, 23, tzinfo=UTC)
    points = tuple(
        HistoryPoint(
            session_count=n,
            proxy_bytes=n * 1536,
            start=start + timedelta(days=i),
            date=(start + timedelta(days=i)).strftime("%Y-%m-%d"),
        )
        for i, n in enumerate([1, 2])
    )
    query = HistoryQuery(start, start + timedelta(days=2), "day", metrics)
    return History(points, HistorySummary(session_count=summary_sessions, proxy_bytes=4608), query)


def test_totals_and_mismatches() -> None:
    assert history().totals() == {"session_count": 3, "proxy_bytes": 4608}
    assert history().totals_match()
    (miss,) = history(summary_sessions=4).mismatches()
    assert (miss.metric, miss.points_total, miss.summary_total) == ("session_count", 3, 4)


def test_json_csv_and_ndjson_writers() -> None:
    out = io.StringIO()
    history().write_json(out)
    document = json.loads(out.getvalue())
    assert document["query"]["metrics"] == ["session_count", "proxy_bytes"]
    assert document["points"][0] == {
        "start": "2026-11-23T00:00:00.000Z",
        "partial": False,
        "session_count": 1,
        "proxy_bytes": 1536,
    }
    csv_out = io.StringIO()
    history().write_csv(csv_out)
    assert csv_out.getvalue().splitlines()[0:2] == [
        "start,partial,session_count,proxy_bytes",
        "2026-11-23T00:00:00.000Z,false,1,1536",
    ]
    raw = io.StringIO()
    history().write_csv(raw, raw_dates=True)
    assert raw.getvalue().splitlines()[1] == "2026-11-23T00:00:00.000Z,2026-11-23,false,1,1536"
    nd = io.StringIO()
    history().write_ndjson(nd)
    assert [json.loads(line)["session_count"] for line in nd.getvalue().splitlines()] == [1, 2]


def test_dataframes_and_parquet(tmp_path: Path) -> None:
    pandas_frame = history().to_pandas()
    # No 'date' column: it was empty for every period the client filled or summed.
    assert list(pandas_frame.columns) == ["partial", "session_count", "proxy_bytes"]
    assert str(pandas_frame.index.tz) == "UTC"
    assert pandas_frame.index.name == "start"
    assert pandas_frame["session_count"].tolist() == [1, 2]
    polars_frame = history().to_polars()
    assert polars_frame["proxy_bytes"].to_list() == [1536, 3072]
    import pyarrow.parquet as pq

    history().write_parquet(str(tmp_path / "h.parquet"))
    table = pq.read_table(tmp_path / "h.parquet")
    assert str(table.schema.field("start").type) == "timestamp[ms, tz=UTC]"
    assert table.column("session_count").to_pylist() == [1, 2]


@pytest.mark.parametrize(
    ("granularity", "expected"),
    [
        ("hour", "2026-11-24 13:00"),
        ("day", "2026-11-24"),
        ("week", "2026-W48"),
        ("month", "2026-11"),
    ],
)
def test_periods_are_formatted_for_their_granularity(granularity: str, expected: str) -> None:
    assert format_period(datetime(2026, 11, 24, 13, tzinfo=UTC), granularity) == expected


def test_numbers_bytes_and_hours_are_formatted() -> None:
    assert format_bytes(512) == "512 B"
    assert format_bytes(5 * 1024**3) == "5.0 GiB"
    assert format_value("session_count", 1234567) == "1,234,567"
    assert format_value("session_hours", 12.345) == "12.3"
    assert format_value("credits_used", 1234.5) == "1,234.50"
    assert format_value("proxy_bytes", None) == "-"


def test_table_has_totals_and_warns_when_points_do_not_add_up() -> None:
    text = render_table(history(summary_sessions=4))
    lines = text.splitlines()
    assert lines[0].split() == ["period", "(UTC)", "session_count", "proxy_bytes"]
    assert lines[2].split() == ["2026-11-23", "1", "1.5", "KiB"]
    assert lines[-2].split()[:2] == ["total", "4"]
    assert (
        lines[-1]
        == "warning: session_count adds up to 3 over the periods, but the server's total is 4"
    )
    assert "warning" not in render_table(history())


def test_public_surface_is_listed_in_one_place() -> None:
    exported = {name for name in dir(anchor_history) if not name.startswith("_")}
    assert exported == set(anchor_history.__all__) - {"__version__"}
    for name in anchor_history.__all__:
        assert getattr(anchor_history, name) is not None
    with pytest.raises(AttributeError):
        anchor_history.NoSuchThing  # noqa: B018


def test_writers_take_a_path_or_a_stream_alike(tmp_path: Path) -> None:
    for name in ("write_csv", "write_json", "write_ndjson"):
        stream = io.StringIO()
        getattr(history(), name)(stream)
        path = tmp_path / f"out.{name}"
        getattr(history(), name)(path)
        getattr(history(), name)(str(path) + ".str")
        assert path.read_text() == stream.getvalue()
        assert Path(str(path) + ".str").read_text() == stream.getvalue()


def test_polars_frame_is_sorted_by_start() -> None:
    backwards = history()
    reversed_history = History(
        tuple(reversed(backwards.points)), backwards.summary, backwards.query
    )
    frame = reversed_history.to_polars()
    assert frame["session_count"].to_list() == [1, 2]
    assert reversed_history.to_pandas()["session_count"].tolist() == [1, 2]


def test_a_partial_period_is_marked_in_the_table_and_the_files() -> None:
    whole = history()
    last = whole.points[-1]
    marked = History(
        (
            whole.points[0],
            type(last)(
                **{**last.as_dict(), "start": last.start, "date": last.date, "partial": True}
            ),
        ),
        whole.summary,
        whole.query,
    )
    lines = render_table(marked).splitlines()
    assert lines[3].split()[:2] == ["2026-11-24", "*"]
    assert lines[-1].startswith("* partial period")
    assert [row["partial"] for row in marked.to_dicts()] == [False, True]


def test_chart_axes_carry_units_and_partial_periods_show() -> None:
    from anchor_history.outputs.chart import axis_unit, terminal_chart

    assert axis_unit("network_bytes_total", 5 * 1024**3) == (1024**3, "GiB")
    assert axis_unit("proxy_bytes", 100) == (1, "B")
    assert axis_unit("session_hours", 3.5) == (1, "hours")
    text = terminal_chart(history())
    assert "proxy_bytes (KiB)" in text
    assert "session_count (sessions)" in text
    assert "0┤" in text  # y starts at zero
    assert "period (UTC)" in text


def test_a_single_period_chart_shows_it(tmp_path: Path) -> None:
    from anchor_history.outputs.chart import terminal_chart, write_image

    one = History(history().points[:1], history().summary, history().query)
    drawn = terminal_chart(one)
    assert "█" in drawn  # a bar, not an invisible one-point line
    widest = max(line.count("█") for line in drawn.splitlines())
    assert widest < 40  # a bar, not a wall across the whole chart
    write_image(one, str(tmp_path / "one.png"))
    assert (tmp_path / "one.png").read_bytes()[:4] == b"\x89PNG"


def test_periods_in_a_zone_carry_their_local_start() -> None:
    """fetch_periods(..., tz="Europe/Berlin"): November's `start` is the UTC instant
    2026-10-31 23:00, which surprises; `local_start` is 2026-11-01 00:00+01:00."""
    from anchor_history.periods import whole_periods

    first = datetime(2026, 10, 31, 23, tzinfo=UTC)
    hours = tuple(
        HistoryPoint(session_count=1, start=first + timedelta(hours=i), date="") for i in range(72)
    )
    query = HistoryQuery(first, first + timedelta(hours=72), "hour", ("session_count",))
    raw = History(hours, HistorySummary(), query)
    assert raw.points[0].local_start == raw.points[0].start  # no zone asked: the same
    months = whole_periods(raw, granularity="month", tz="Europe/Berlin", now=first)
    (november,) = months.points
    assert november.start == first
    assert november.local_start.isoformat() == "2026-11-01T00:00:00+01:00"
    frame = months.to_pandas()
    assert list(frame.columns) == ["local_start", "partial", "session_count"]
    assert str(frame["local_start"].dt.tz) == "Europe/Berlin"
    assert months.to_polars()["local_start"].dtype.time_zone == "Europe/Berlin"
