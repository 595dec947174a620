"""The sandbox's database: individual sessions in SQLite, generated from a seed.

The same (seed, sessions, days, end) always gives the same rows. The shape is
realistic enough to chart: a weekday and time-of-day cycle, a growth trend,
bursts, and quiet days with no sessions at all. An hourly roll-up table keeps a
year of hourly buckets over a million sessions well under a second.
"""

from __future__ import annotations

import math
import random
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from attrs import frozen

__all__ = ["COLUMNS", "DataSpec", "connect", "create_database", "session_rows"]

HOUR_MS = 3_600_000
# Each metric's aggregate over the sessions table (hourly table: the same names).
COLUMNS = (
    "sessions",
    "duration_s",
    "proxy_bytes",
    "ai_steps",
    "credits",
    "screenshots",
    "net_bytes",
)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    created_at_ms INTEGER NOT NULL,
    duration_s REAL NOT NULL,
    proxy_bytes INTEGER NOT NULL,
    ai_steps INTEGER NOT NULL,
    credits REAL NOT NULL,
    screenshots INTEGER NOT NULL,
    net_bytes INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS hourly (
    hour INTEGER PRIMARY KEY,
    sessions INTEGER NOT NULL,
    duration_s REAL NOT NULL,
    proxy_bytes INTEGER NOT NULL,
    ai_steps INTEGER NOT NULL,
    credits REAL NOT NULL,
    screenshots INTEGER NOT NULL,
    net_bytes INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


@frozen
class DataSpec:
    seed: int = 7
    sessions: int = 20_000
    days: int = 90
    end: datetime | None = None  # None: now (to the second), so data runs up to the present

    def resolved_end(self) -> datetime:
        if self.end is not None:
            return self.end.astimezone(UTC)
        return _now()

    def key(self) -> str:
        return f"{self.seed}:{self.sessions}:{self.days}:{self.resolved_end().isoformat()}"


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _hour_weights(rng: random.Random, start: datetime, end: datetime) -> list[float]:
    """One weight per hour from ``start`` (a whole UTC hour) to ``end``, by the clock:
    busiest mid-afternoon UTC, quieter at weekends, growing over the window, with
    quiet days and bursts. The last hour, cut by ``end``, weighs its share."""
    total_days = max((end - start).days, 1)
    weights: list[float] = []
    factors: dict[object, float] = {}
    when = start
    while when < end:
        day = when.date()
        if day not in factors:
            roll = rng.random()
            factors[day] = 0.0 if roll < 0.03 else (4.0 if roll > 0.96 else 1.0)  # quiet / burst
        trend = 1.0 + 1.5 * (when - start).days / max(total_days - 1, 1)
        weekday = 0.35 if when.weekday() >= 5 else 1.0
        cycle = 0.25 + math.exp(-((when.hour - 14) ** 2) / 18.0)
        share = min(1.0, (end - when) / timedelta(hours=1))
        weights.append(trend * weekday * factors[day] * cycle * share)
        when += timedelta(hours=1)
    return weights


def session_rows(spec: DataSpec) -> Iterator[tuple[int, float, int, int, float, int, int]]:
    """The sessions of ``spec``, in no particular order, all created before its end."""
    rng = random.Random(spec.seed)
    end = spec.resolved_end()
    start = (end - timedelta(days=spec.days)).replace(minute=0, second=0, microsecond=0)
    start_ms = int(start.timestamp() * 1000)
    end_ms = int(end.timestamp() * 1000)
    weights = _hour_weights(rng, start, end)
    hours = rng.choices(range(len(weights)), weights=weights, k=spec.sessions) if weights else []
    lognorm, rand, randint = rng.lognormvariate, rng.random, rng.randint
    for hour in hours:
        hour_ms = start_ms + hour * HOUR_MS
        created = hour_ms + int(rand() * min(HOUR_MS, end_ms - hour_ms))
        duration = round(min(lognorm(5.8, 0.9), 6 * 3600.0), 3)
        uses_proxy = rand() < 0.4
        proxy = int(lognorm(15.0, 1.2)) if uses_proxy else 0
        ai = randint(1, 60) if rand() < 0.5 else 0
        credits = round(duration / 600 + ai * 0.05 + (proxy / 1e8), 4)
        shots = randint(0, 12)
        net = proxy + int(lognorm(14.0, 1.0))
        yield created, duration, proxy, ai, credits, shots, net


def connect(path: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    conn.execute("PRAGMA journal_mode = OFF" if path == ":memory:" else "PRAGMA journal_mode = WAL")
    conn.executescript(_SCHEMA)
    return conn


def create_database(path: str, spec: DataSpec) -> sqlite3.Connection:
    """Open ``path``, generating the data unless it already holds exactly ``spec``'s."""
    conn = connect(path)
    row = conn.execute("SELECT value FROM meta WHERE key = 'spec'").fetchone()
    if row is not None and row[0] == spec.key():
        return conn
    conn.execute("BEGIN")
    conn.execute("DELETE FROM sessions")
    conn.execute("DELETE FROM hourly")
    conn.executemany("INSERT INTO sessions VALUES (?, ?, ?, ?, ?, ?, ?)", session_rows(spec))
    conn.execute(
        f"INSERT INTO hourly SELECT created_at_ms / {HOUR_MS}, count(*), sum(duration_s), "
        "sum(proxy_bytes), sum(ai_steps), sum(credits), sum(screenshots), sum(net_bytes) "
        "FROM sessions GROUP BY 1"
    )
    # The index is built after the bulk insert: several times faster than keeping it up.
    conn.execute("CREATE INDEX IF NOT EXISTS sessions_created ON sessions (created_at_ms)")
    conn.execute("INSERT OR REPLACE INTO meta VALUES ('spec', ?)", (spec.key(),))
    conn.execute("COMMIT")
    return conn
