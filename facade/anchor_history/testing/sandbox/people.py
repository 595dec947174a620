"""Who ran each sandbox session: its API key, tags, domains, proxy and flags.

Made from their own random stream (seeded apart from the usage figures), so the
history the sandbox serves is the same with or without them, and only when the
first ``GET /v1/sessions`` asks (the history alone never pays for it). The
default shape is a small company's: a production scraper, a nightly data
pipeline, CI smoke tests and one developer's laptop, each with its own tags
(``team:search``, ``env:prod``, plain ``nightly``...) and domains; some sessions
untagged (``tags`` null or empty), a few failed. A spike day's extra sessions
come from one key (``backfill-job``), so an anomaly has a cause to find.
``SessionShape`` lets the key names, the tags and the untagged share be chosen.
"""

from __future__ import annotations

import json
import random
import sqlite3
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime

from attrs import frozen

__all__ = ["SessionShape", "ensure_people", "parse_shape"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS people (
    id INTEGER PRIMARY KEY,          -- the sessions table's rowid
    created_at_ms INTEGER NOT NULL,  -- copied, so a listing reads one table's index
    session_id TEXT NOT NULL,
    api_key_name TEXT NOT NULL,
    tags TEXT,                       -- a JSON list, or NULL
    domains TEXT,                    -- a JSON list, or NULL
    proxy_type TEXT,
    failed INTEGER NOT NULL,
    task_initiated INTEGER NOT NULL,
    task_executions INTEGER NOT NULL,
    headless INTEGER NOT NULL,
    recording INTEGER NOT NULL,
    playground INTEGER NOT NULL,
    extra_stealth INTEGER NOT NULL,
    batch_id TEXT,
    profile_name TEXT,
    credits_as_text INTEGER NOT NULL,  -- 1: used_credits sent as a decimal string
    browser_ip TEXT
)
"""

# key name, weight, its usual tags, its domains
_DEFAULT_KEYS = (
    ("prod-scraper", 0.45, ("team:search", "env:prod", "scraping"),
     ("shop.example.com", "news.example.org", "travel.example.net")),
    ("data-pipeline", 0.25, ("team:growth", "env:prod", "nightly"),
     ("api.partner.example", "reports.example.com")),
    ("ci-tests", 0.18, ("team:checkout", "env:staging", "smoke-test"),
     ("staging.example.dev",)),
    ("alice-laptop", 0.12, ("team:search", "env:dev"),
     ("shop.example.com", "localhost")),
)  # fmt: skip
_SPIKE_KEY = ("backfill-job", ("team:data", "backfill"), ("archive.example.org",))


@frozen
class SessionShape:
    """How the sandbox's sessions are attributed: ``keys`` and ``tags`` (empty: the
    default company above), and the share of sessions without tags."""

    keys: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    untagged: float = 0.12

    def key(self) -> str:
        return f"{','.join(self.keys)}|{','.join(self.tags)}|{self.untagged:g}"


def parse_shape(keys: str = "", tags: str = "", untagged: float = 0.12) -> SessionShape:
    """A shape from the CLI's comma lists; ValueError says what is wrong."""
    if not 0 <= untagged <= 1:
        raise ValueError(f"the untagged share must be from 0 to 1, got {untagged:g}")
    names = tuple(k.strip() for k in keys.split(",") if k.strip())
    labels = tuple(t.strip() for t in tags.split(",") if t.strip())
    return SessionShape(names, labels, untagged)


def ensure_people(
    conn: sqlite3.Connection, shape: SessionShape, seed: int, spikes: dict[date, float]
) -> None:
    """Fill the ``people`` table for the sessions, once per data and shape."""
    conn.execute(_SCHEMA)
    mark = f"{shape.key()}|{seed}|{sorted(spikes.items())}"
    row = conn.execute("SELECT value FROM meta WHERE key = 'people'").fetchone()
    (count,) = conn.execute("SELECT count(*) FROM people").fetchone()
    (sessions,) = conn.execute("SELECT count(*) FROM sessions").fetchone()
    if row is not None and row[0] == mark and count == sessions:
        return
    conn.execute("BEGIN")
    conn.execute("DELETE FROM people")
    rows = conn.execute(
        "SELECT rowid, created_at_ms, proxy_bytes, ai_steps FROM sessions ORDER BY rowid"
    ).fetchall()
    conn.executemany(
        f"INSERT INTO people VALUES ({', '.join('?' * 18)})",
        _people(rows, shape, random.Random(f"people:{seed}"), spikes),
    )
    conn.execute("CREATE INDEX IF NOT EXISTS people_created ON people (created_at_ms, id)")
    conn.execute("INSERT OR REPLACE INTO meta VALUES ('people', ?)", (mark,))
    conn.execute("COMMIT")


def _people(
    rows: list[tuple[int, int, int, int]],
    shape: SessionShape,
    rng: random.Random,
    spikes: dict[date, float],
) -> Iterator[tuple[object, ...]]:
    rand = rng.random
    Key = tuple[str, float, tuple[str, ...], tuple[str, ...]]
    keys: list[Key]
    if shape.keys:
        keys = [(name, 1.0 / (i + 1), (), ()) for i, name in enumerate(shape.keys)]
    else:
        keys = list(_DEFAULT_KEYS)
    weights = [k[1] for k in keys]
    domains_all = sorted({d for k in _DEFAULT_KEYS for d in k[3]})
    for rowid, created_ms, proxy_bytes, ai_steps in rows:
        day = datetime.fromtimestamp(created_ms / 1000, UTC).date()
        spike = spikes.get(day, 1.0)
        usual: tuple[str, ...]
        visited: tuple[str, ...]
        if spike > 1 and rand() < (spike - 1) / spike:
            name, usual, visited = _SPIKE_KEY
        else:
            name, _, usual, visited = rng.choices(keys, weights)[0]
        if shape.tags:
            usual = tuple(rng.sample(shape.tags, min(len(shape.tags), rng.randint(1, 3))))
        tags: list[str] | None = [t for t in usual if rand() < 0.85] or list(usual[:1])
        if rand() < 0.05:
            tags = [*(tags or []), "priority:high"]
        if rand() < shape.untagged:
            tags = None if rand() < 0.5 else []
        pool = visited or domains_all
        domains = None if rand() < 0.05 else rng.sample(pool, rng.randint(1, min(3, len(pool))))
        proxy = None
        if proxy_bytes:
            proxy = "anchor_proxy" if rand() < 0.8 else "custom"
        task = ai_steps > 0 and rand() < 0.6
        yield (
            rowid,
            created_ms,
            str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            name,
            None if tags is None else json.dumps(tags),
            None if domains is None else json.dumps(domains),
            proxy,
            int(rand() < 0.03),
            int(task),
            rng.randint(1, 3) if task else 0,
            int(rand() < 0.7),
            int(rand() < 0.3),
            int(name == "alice-laptop" and rand() < 0.5),
            int(rand() < 0.1),
            f"batch-{day.isoformat()}" if name == "data-pipeline" else None,
            rng.choice(("Default profile", "logged-in-shop")) if rand() < 0.2 else None,
            int(rand() < 0.25),
            f"198.51.100.{rowid % 250 + 1}" if proxy else f"192.0.2.{rowid % 250 + 1}",
        )
