"""What one request to the sandbox asks for: its query, validated (``parse_params``),
the settings it is served under, and the two kinds of response body (an error in
the spec's ``{"error": {...}}`` shape, and a history body encoded by msgspec).

Apart from ``app`` so that the fault injector answers in the same shapes without
importing the app that calls it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from attrs import field, frozen
from starlette.responses import JSONResponse

from .aggregate import METRIC_SOURCES
from .billing import PlanSettings
from .people import SessionShape

__all__ = [
    "BadParam",
    "BodyResponse",
    "Params",
    "SandboxSettings",
    "error_body",
    "error_response",
    "parse_params",
]

GRANULARITIES = ("hour", "day", "week", "month")
MAX_LIMIT = 1000
KNOWN_PARAMS = ("from_date", "to_date", "granularity", "metrics", "page", "limit")


@frozen
class SandboxSettings:
    api_key: str
    other_keys: tuple[str, ...] = ()  # more keys of the same account, as a real one has
    latency_ms: float = 0.0
    date_style: str = "iso-ms"
    retry_after: float = 1.0
    slow_seconds: float = 3.0
    plan: PlanSettings = field(factory=PlanSettings)
    # Who ran the sessions (GET /v1/sessions): the shape, and the data's seed and spikes.
    shape: SessionShape = field(factory=SessionShape)
    seed: int = 7
    spikes: tuple[tuple[date, float], ...] = ()


class BadParam(Exception):
    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"{name}: {message}")


@frozen
class Params:
    start: datetime
    end: datetime
    granularity: str
    metrics: tuple[str, ...]
    page: int
    limit: int


def error_body(code: int, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


class BodyResponse(JSONResponse):
    """A history body, encoded by msgspec: the same values in compact JSON as
    Starlette's json.dumps (floats in their shortest form, an exponent without its
    "+"), in a fifth of the time."""

    def render(self, content: Any) -> bytes:
        import msgspec

        return msgspec.json.encode(content)


def error_response(code: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(error_body(code, message), status_code=code, headers=headers)


def _parse_instant(name: str, text: str, *, end: bool) -> datetime:
    text = text.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return datetime.combine(day + timedelta(days=1) if end else day, time(0), UTC)
        value = datetime.fromisoformat(text)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    except ValueError:
        raise BadParam(name, f"{text!r} is not an ISO 8601 date or date-time") from None
    except OverflowError:  # 0001-01-01T00:00+01:00 is before year 1 in UTC
        raise BadParam(name, f"{text!r} is outside years 0001 to 9999 in UTC") from None


def _parse_int(name: str, text: str, low: int, high: int | None) -> int:
    try:
        value = int(text)
    except ValueError:
        raise BadParam(name, f"{text!r} is not an integer") from None
    if value < low or (high is not None and value > high):
        allowed = f"from {low} to {high}" if high is not None else f">= {low}"
        raise BadParam(name, f"{value} is out of range; allowed: {allowed}")
    return value


def parse_params(query: list[tuple[str, str]], now: datetime) -> Params:
    """The query of one request, validated; BadParam names the parameter."""
    single: dict[str, str] = {}
    metrics: list[str] = []
    for key, value in query:
        if key not in KNOWN_PARAMS:
            raise BadParam(
                key or "(empty name)", f"unknown query parameter; valid: {', '.join(KNOWN_PARAMS)}"
            )
        if key == "metrics":
            metrics.extend(part.strip() for part in value.split(","))
        else:
            single[key] = value
    end = _parse_instant("to_date", single["to_date"], end=True) if "to_date" in single else now
    if "from_date" in single:
        start = _parse_instant("from_date", single["from_date"], end=False)
    elif end - datetime.min.replace(tzinfo=UTC) < timedelta(days=30):
        raise BadParam("to_date", "is too early for the default 30-day window; give from_date")
    else:
        start = end - timedelta(days=30)
    if start > end:
        raise BadParam("from_date", "is after to_date")
    granularity = single.get("granularity", "day")
    if granularity not in GRANULARITIES:
        raise BadParam("granularity", f"{granularity!r} is not one of {', '.join(GRANULARITIES)}")
    names = [m for m in metrics if m] if metrics else ["session_count"]
    if not names:
        raise BadParam("metrics", "is empty")
    for name in names:
        if name not in METRIC_SOURCES:
            raise BadParam(
                "metrics", f"unknown metric {name!r}; valid: {', '.join(METRIC_SOURCES)}"
            )
    return Params(
        start=start,
        end=end,
        granularity=granularity,
        metrics=tuple(dict.fromkeys(names)),
        page=_parse_int("page", single.get("page", "1"), 1, None),
        limit=_parse_int("limit", single.get("limit", "100"), 1, MAX_LIMIT),
    )
