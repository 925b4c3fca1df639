"""Back-off for guessing: instructor passphrases and join codes.

Each guarded action has keys (the workshop, the client, or everyone at once). A key may fail
`free` times; after that each further failure doubles the wait before the next try is heard:
`base * 2**(failures - free)` seconds, capped at `cap`. While a key waits every attempt is
refused, the right passphrase included (otherwise the wait protects nothing), with a message
that says how long. A success clears the key; a key left alone for `forget_after` seconds
starts over.

The state is a row per key in the progress store (`workshop_throttle`), not process memory:
it holds across the sessions of one server, across restarts, and across the replicas of a
multi-replica deployment that share one PostgreSQL. Rows are locked while updated
(SELECT ... FOR UPDATE on PostgreSQL, BEGIN IMMEDIATE on SQLite), so two replicas never
lose each other's failures.

Leaves out: telling a client apart from another behind the same address (a classroom NAT
shares one); the per-workshop key is what stops a distributed guesser.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from labs.store import Store
from labs.store.models import WorkshopThrottle, utcnow


class TooManyAttempts(ValueError):
    """Refused before checking: the key is waiting out its back-off."""

    def __init__(self, seconds: int, what: str):
        super().__init__(f"Too many {what}: try again in {seconds} s.")
        self.seconds = seconds


@dataclass(frozen=True)
class Policy:
    what: str  # "passphrase attempts", for the message
    free: int  # failures allowed before any wait
    base: float  # seconds of the first wait
    cap: float  # the longest wait
    forget_after: float = 3600.0  # seconds without a failure after which a key starts over

    def wait_after(self, failures: int) -> float:
        """Seconds to wait after the n-th failure: 0 while free, then base, 2 base, 4 base…

        >>> [Policy("x", 3, 2, 60).wait_after(n) for n in range(1, 9)]
        [0.0, 0.0, 2.0, 4.0, 8.0, 16.0, 32.0, 60.0]
        """
        if failures < self.free:
            return 0.0
        return float(min(self.cap, self.base * 2 ** (failures - self.free)))


PASSPHRASE = Policy("passphrase attempts", free=5, base=2, cap=900)
CODE_LOOKUP = Policy("join-code attempts", free=10, base=1, cap=300)
# every client at once: generous, so a room of typos passes but a botnet's sweep is slowed
CODE_LOOKUP_ALL = Policy("join-code attempts on this server", free=200, base=1, cap=60,
                         forget_after=600)


def _aware(dt: datetime | None) -> datetime | None:
    return dt.replace(tzinfo=UTC) if dt is not None and dt.tzinfo is None else dt


def _row(s: Session, key: str) -> WorkshopThrottle | None:
    return s.exec(select(WorkshopThrottle).where(WorkshopThrottle.key == key)
                  .with_for_update()).first()


def check(store: Store, policy: Policy, keys: list[str], now: datetime | None = None) -> None:
    """Raise TooManyAttempts when any key is still waiting."""
    now = now or utcnow()
    with store.session() as s:
        rows = s.exec(select(WorkshopThrottle).where(
            WorkshopThrottle.key.in_(keys))).all()  # type: ignore[attr-defined]
    waits = [(_aware(r.locked_until) - now).total_seconds() for r in rows  # type: ignore[operator]
             if r.locked_until is not None and _aware(r.locked_until) > now]
    if waits:
        raise TooManyAttempts(math.ceil(max(waits)), policy.what)


def fail(store: Store, policy: Policy, keys: list[str], now: datetime | None = None) -> None:
    """Count one failure against each key and start its wait when past the free ones."""
    now = now or utcnow()

    def write(s: Session) -> None:
        for key in keys:
            row = _row(s, key) or WorkshopThrottle(key=key, failures=0, updated_at=now)
            if (now - _aware(row.updated_at)).total_seconds() > policy.forget_after:  # type: ignore[operator]
                row.failures = 0
            row.failures += 1
            wait = policy.wait_after(row.failures)
            row.locked_until = now + timedelta(seconds=wait) if wait else None
            row.updated_at = now
            s.add(row)

    try:
        store.write(write)
    except IntegrityError:  # another replica inserted the same key first: count on its row
        store.write(write)


def clear(store: Store, keys: list[str]) -> None:
    """A success: these keys start over."""

    def write(s: Session) -> None:
        for key in keys:
            if (row := _row(s, key)) is not None:
                s.delete(row)

    store.write(write)
