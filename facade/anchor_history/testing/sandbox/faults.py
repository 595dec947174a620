"""Fault injection for the sandbox: which request gets which misbehaviour.

A spec is a comma-separated list of ``KIND@N`` (the Nth history request, counting
from 1 and including retries), ``KIND@N-M`` (requests N to M), ``KIND@N+`` (from
N on) or ``KIND=RATE`` (each request with that probability, from a seed). Example:
``429@1,503@3,truncated=0.05``. The schedule is deterministic for a given seed.
"""

from __future__ import annotations

import random
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from attrs import frozen

__all__ = ["FAULT_KINDS", "FaultPlan", "FaultRule", "parse_faults"]

FAULT_KINDS: dict[str, str] = {
    "429": "429 Too Many Requests with a Retry-After header",
    "500": "500 with the spec's ErrorResponse",
    "502": "502 Bad Gateway as an HTML page",
    "503": "503 Service Unavailable (not in the spec)",
    "reset": "the connection is dropped mid-response",
    "slow": "the answer comes only after --slow-seconds (longer than a client's timeout)",
    "truncated": "200 with the JSON body cut short",
    "wrong-type": "200 with a number sent as a string",
    "no-pagination": "200 without the pagination object",
    "endless": "has_next stays true, even on the last page",
    "shifting": "total_pages and total_records grow by one page's worth",
    "duplicate": "the page repeats the previous page's last period",
}

_RULE = re.compile(
    r"^(?P<kind>[a-z0-9-]+)(?:@(?P<lo>\d+)(?:(?P<plus>\+)|-(?P<hi>\d+))?|=(?P<rate>[0-9.]+))$"
)


@frozen
class FaultRule:
    kind: str
    first: int = 1
    last: int | None = None  # None with rate None: from `first` on
    rate: float | None = None

    def applies(self, number: int, roll: float) -> bool:
        if self.rate is not None:
            return roll < self.rate
        return self.first <= number and (self.last is None or number <= self.last)


def parse_faults(spec: str) -> tuple[FaultRule, ...]:
    """Rules from a spec string; ValueError names the bad item and the kinds."""
    rules = []
    for item in filter(None, (part.strip() for part in spec.split(","))):
        match = _RULE.match(item)
        if not match or match.group("kind") not in FAULT_KINDS:
            raise ValueError(
                f"bad fault {item!r}: use KIND@N, KIND@N-M, KIND@N+ or KIND=RATE "
                f"with KIND one of {', '.join(FAULT_KINDS)}"
            )
        kind = match.group("kind")
        if match.group("rate") is not None:
            rate = float(match.group("rate"))
            if not 0 <= rate <= 1:
                raise ValueError(f"bad fault {item!r}: a rate is between 0 and 1")
            rules.append(FaultRule(kind, rate=rate))
            continue
        if match.group("lo") is None:
            rules.append(FaultRule(kind))  # bare KIND: every request
            continue
        lo = int(match.group("lo"))
        hi = None if match.group("plus") else int(match.group("hi") or lo)
        rules.append(FaultRule(kind, first=lo, last=hi))
    return tuple(rules)


class FaultPlan:
    """Counts history requests and says which fault, if any, each one gets."""

    def __init__(self, rules: tuple[FaultRule, ...] = (), seed: int = 0) -> None:
        self._lock = threading.Lock()
        self._arriving = 0  # requests received but not yet counted
        self._last_arrival = float("-inf")
        self.reset(rules, seed)

    @contextmanager
    def arrival(self) -> Iterator[None]:
        """Marks a request as on its way to being counted (see :meth:`wait_quiet`)."""
        with self._lock:
            self._arriving += 1
            self._last_arrival = time.monotonic()
        try:
            yield
        finally:
            with self._lock:
                self._arriving -= 1

    def wait_quiet(self, quiet: float = 0.05, limit: float = 2.0) -> None:
        """Wait until no request is being received and none arrived for `quiet` seconds.

        A client that gave up on a call (an async fetch cancelled by an error) may
        have requests already on the wire; counted after a :meth:`reset`, they would
        take the new schedule's first faults. Bounded by `limit`, for a client that
        never stops.
        """
        give_up = time.monotonic() + limit
        while time.monotonic() < give_up:
            with self._lock:
                if not self._arriving and time.monotonic() - self._last_arrival >= quiet:
                    return
            time.sleep(quiet / 5)

    def reset(self, rules: tuple[FaultRule, ...], seed: int = 0) -> None:
        with self._lock:
            self.rules = rules
            self._rng = random.Random(seed)
            self.requests = 0
            self.injected: dict[str, int] = {}

    def next_fault(self) -> str | None:
        with self._lock:
            self.requests += 1
            roll = self._rng.random()
            for rule in self.rules:
                if rule.applies(self.requests, roll):
                    self.injected[rule.kind] = self.injected.get(rule.kind, 0) + 1
                    return rule.kind
            return None
