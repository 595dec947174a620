"""Metric and granularity validation, against the names the generated client holds."""

from __future__ import annotations

import pytest
from anchor_history import METRICS, HistoryPoint, HistorySummary, InvalidInputError
from anchor_history.core._api import SUMMARY_FIELDS
from anchor_history.metrics import normalize_granularity, normalize_metrics
from anchor_history.models import metric_names
from anchorbrowser_api.models.session_history_summary import SessionHistorySummary
from attrs import fields


def test_metric_names_come_from_the_spec_enum() -> None:
    import yaml

    with open("openapi.yaml") as f:
        spec = yaml.safe_load(f)
    (param,) = [
        p
        for p in spec["paths"]["/v1/sessions/history"]["get"]["parameters"]
        if p["name"] == "metrics"
    ]
    enum = param["schema"]["oneOf"][1]["items"]["enum"]
    assert sorted(METRICS) == sorted(enum)


def test_result_types_have_one_attribute_per_metric() -> None:
    assert set(metric_names()) == set(METRICS)
    assert {a.name for a in fields(HistoryPoint)} >= set(METRICS)
    assert {a.name for a in fields(HistorySummary)} == set(METRICS)


def test_every_metric_maps_to_a_summary_field_of_the_generated_model() -> None:
    model_fields = {a.name for a in fields(SessionHistorySummary)}
    assert set(SUMMARY_FIELDS.values()) <= model_fields
    assert SUMMARY_FIELDS["session_count"] == "total_sessions"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("session_count", ("session_count",)),
        ("credits_used, session_count", ("credits_used", "session_count")),
        (["ai_steps", "ai_steps", "proxy_bytes"], ("ai_steps", "proxy_bytes")),
        (("screenshots",), ("screenshots",)),
        ("all", METRICS),
        ("ALL", METRICS),
    ],
)
def test_metrics_accept_lists_names_comma_strings_and_all(given, expected) -> None:
    assert normalize_metrics(given) == expected


def test_unknown_metric_suggests_closest_name_and_lists_valid_ones() -> None:
    with pytest.raises(InvalidInputError) as caught:
        normalize_metrics(["session_count", "credit_used"])
    message = str(caught.value)
    assert "unknown metric 'credit_used'; did you mean 'credits_used'?" in message
    assert all(name in message for name in METRICS)


def test_unknown_metric_without_a_close_match_still_lists_valid_ones() -> None:
    with pytest.raises(InvalidInputError, match=r"unknown metric 'zzz'; valid: all, "):
        normalize_metrics("zzz")


@pytest.mark.parametrize("empty", ["", " , ", []])
def test_empty_metrics_are_an_error(empty) -> None:
    with pytest.raises(InvalidInputError, match="none given"):
        normalize_metrics(empty)


@pytest.mark.parametrize("bad", [[1], 42, None])
def test_non_string_metrics_are_an_error(bad) -> None:
    with pytest.raises(InvalidInputError, match="metrics"):
        normalize_metrics(bad)


@pytest.mark.parametrize("value", ["hour", "Day", " WEEK ", "month"])
def test_granularity_is_case_insensitive(value) -> None:
    assert normalize_granularity(value) == value.strip().lower()


def test_unknown_granularity_lists_the_valid_ones() -> None:
    with pytest.raises(
        InvalidInputError, match=r"unknown granularity 'days'; did you mean 'day'\? valid: "
    ):
        normalize_granularity("days")
