"""What the shared SQL of the store needs from the engine under it: a connection, a write
transaction that serialises the chain, retries, and the few things each engine does its own way
(the next event id, the highest id ever given, the engine's integrity check, full-text search,
change notification). `SQLiteConnection` and `PostgresConnection` fill these in; the mixins
(events, chain, digest, observations, sessions) hold the SQL both engines run alike."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Self, TypeVar

from ..base.identity import Account
from ..domain.leases import Claim
from .base import StoreError, StoreUnreadable

T = TypeVar("T")


# A watcher wakes its screen at most this often: the first change after a quiet spell at once, the
# rest of a burst once at its end. With 50 screens, their heartbeats alone are ~3 commits a
# second, and waking every screen on each would make the room's cost grow with its size squared.
WAKE_AT_MOST_EVERY = 0.5
# An entry is what people wait for: it wakes a screen sooner (still never 50 times a second when
# a script logs in a loop); heartbeats and vendor rounds wait for the slower pace above.
ENTRY_WAKES_AT_MOST_EVERY = 0.1


def paced(
    on_change: Callable[[], object],
    stop: threading.Event,
    gap: float = WAKE_AT_MOST_EVERY,
    entry_gap: float = ENTRY_WAKES_AT_MOST_EVERY,
) -> Callable[[bool], None]:
    """`on_change`, called from a watcher's thread no more often than once per `gap` seconds, or
    per `entry_gap` when what changed includes an entry (`deliver(True)`)."""
    last = [float("-inf")]

    def deliver(entry: bool = False) -> None:
        wait = last[0] + (entry_gap if entry else gap) - time.monotonic()
        if wait > 0:
            stop.wait(wait)  # what else arrives meanwhile is read after this one call
        if not stop.is_set():
            last[0] = time.monotonic()
            on_change()

    return deliver


class Backend:
    """The engine's side of the store. Every SQL string the mixins send uses `?` placeholders and
    standard SQL; a backend whose driver wants another style translates them."""

    path: Path
    # What the store is called in messages: the file's path, or a server URL without its password.
    location: str
    account: Account
    readonly: bool
    write_timeout: float  # how long a write waits for the lock before it says so
    snapshot: datetime | None
    engine: str  # "SQLite", "PostgreSQL": for messages
    engine_errors: tuple[type[Exception], ...]  # what the driver raises for a database error
    conn: Any  # a DB-API connection (or an adapter): `.execute(sql, params)` returns a cursor

    def _write(self) -> AbstractContextManager[Any]:
        """A transaction holding the war-room's write lock: reading the previous hash and appending
        the next event is one atomic step across processes and hosts."""
        raise NotImplementedError

    def _retry(self, action: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        raise NotImplementedError

    def _next_event_id(self, conn: Any) -> int:
        """The id of the event about to be appended (inside `_write`): never one given before."""
        raise NotImplementedError

    def _sequence_top(self) -> int | None:
        """The highest event id ever given (None where the engine keeps no record of it): what
        catches the newest events deleted."""
        raise NotImplementedError

    def _claim(self, conn: Any, name: str, holder: str, ttl: timedelta) -> Claim:
        """Inside `_write`: take or renew a lease by the rule in domain.leases."""
        raise NotImplementedError

    def _release(self, conn: Any, name: str, holder: str) -> None:
        raise NotImplementedError

    def _lease_clock(self) -> datetime:
        """The clock leases are judged by."""
        raise NotImplementedError

    def _integrity_problems(self, *, quick: bool) -> list[str]:
        """The engine's own check of its storage; empty when it is sound."""
        raise NotImplementedError

    def _search_clause(self, query: str) -> tuple[str, list[object]] | None:
        """A WHERE clause (and its parameters) keeping the events whose text, author or kind hold
        every word of `query`, taken as words, never as the engine's query syntax."""
        raise NotImplementedError

    def data_version(self) -> int:
        """Changes when anyone else commits: the cheap "anything new?" check."""
        raise NotImplementedError

    def wait_for_change(self, since: int, timeout: float, *, every: float = 0.05) -> int:
        """Block until `data_version()` differs from `since` or `timeout` passes; the version now."""
        raise NotImplementedError

    def watch_changes(self, on_change: Callable[[], object], stop: threading.Event) -> bool:
        """Call `on_change` from a thread of the store's own whenever anyone else commits, until
        `stop` is set; False where the engine has no notifications (callers poll `data_version`)."""
        del on_change, stop
        return False

    def _imported(self, conn: Any) -> None:
        """After rows were copied in with their own ids (`copy-store`): set the engine's counters
        past them. SQLite's AUTOINCREMENT follows explicit ids by itself."""

    def unreadable(self, error: BaseException) -> StoreUnreadable | None:
        """The store's own error for what its driver raised reading this war-room (None for
        anything else, and for a StoreError already said): one sentence for either engine."""
        if isinstance(error, StoreError) or not isinstance(error, self.engine_errors):
            return None
        said = str(error).strip().splitlines()
        return StoreUnreadable(
            f"{self.location} cannot be read: it is damaged, or not a war-room this mopstui knows; `mopstui verify` says where",
            detail=said[0] if said else type(error).__name__,
        )

    def snapshot_notice(self) -> str | None:
        return None

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
