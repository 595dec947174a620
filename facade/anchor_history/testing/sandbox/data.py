"""The sandbox's database: individual sessions in SQLite, generated from a seed.

The same (seed, sessions, days, end, spikes) always gives the same rows. The
shape is what a steady team looks like, so forecasts and anomalies can be shown
on it: a weekly rhythm (quiet weekends), a time-of-day cycle (busiest
mid-afternoon UTC), a gentle growth trend (+30% over the window), and the
random noise of individual sessions. ``spikes`` multiply chosen days' weight
(an 8x day, to be found as an anomaly). An hourly roll-up table keeps a year of
hourly buckets over a million sessions well under a second.
"""

from __future__ import annotations

import math
import random
import sqlite3
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

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
    spikes: tuple[tuple[date, float], ...] = ()  # (UTC day, factor on its usage)

    def resolved_end(self) -> datetime:
        if self.end is not None:
            return self.end.astimezone(UTC)
        return _now()

    def key(self) -> str:
        spikes = ",".join(f"{d.isoformat()}x{f:g}" for d, f in self.spikes)
        return f"{self.seed}:{self.sessions}:{self.days}:{self.resolved_end().isoformat()}:{spikes}"


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


# Monday to Sunday: a working week with a slow Friday and quiet weekends.
_WEEKDAY = (1.0, 1.05, 1.05, 1.0, 0.9, 0.4, 0.35)


def _hour_weights(start: datetime, end: datetime, spikes: dict[date, float]) -> list[float]:
    """One weight per hour from ``start`` (a whole UTC hour) to ``end``, by the clock.
    The last hour, cut by ``end``, weighs its share."""
    span = max((end - start) / timedelta(days=1), 1.0)
    weights: list[float] = []
    when = start
    while when < end:
        trend = 1.0 + 0.3 * ((when - start) / timedelta(days=1)) / span
        cycle = 0.25 + math.exp(-((when.hour - 14) ** 2) / 18.0)
        share = min(1.0, (end - when) / timedelta(hours=1))
        spike = spikes.get(when.date(), 1.0)
        weights.append(trend * _WEEKDAY[when.weekday()] * cycle * share * spike)
        when += timedelta(hours=1)
    return weights


def session_rows(spec: DataSpec) -> Iterator[tuple[int, float, int, int, float, int, int]]:
    """The sessions of ``spec``, in no particular order, all created before its end."""
    rng = random.Random(spec.seed)
    end = spec.resolved_end()
    start = (end - timedelta(days=spec.days)).replace(minute=0, second=0, microsecond=0)
    start_ms = int(start.timestamp() * 1000)
    end_ms = int(end.timestamp() * 1000)
    weights = _hour_weights(start, end, dict(spec.spikes))
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
