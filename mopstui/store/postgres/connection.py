"""A war-room on a PostgreSQL server: the connection, the chain's lock, reconnection, and live
change by notification.

Reads run in autocommit (each statement sees the latest commits); a write is one transaction
that first takes the war-room's advisory lock, so reading the previous hash and appending the
next event is one step across every host. A lost connection is said in one sentence (nothing
written is ever retried blindly: a write whose COMMIT may have landed is left to the user, who
still has the entry as NOT SAVED) and the next call reconnects. Every committed event notifies
its id; `data_version` counts other sessions' notifications, and a reconnection counts as a
change, so a session catches up by id on whatever it missed.
"""

from __future__ import annotations

import functools
import select
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import psycopg
from psycopg import errors
from psycopg.pq import TransactionStatus

from ...base.identity import Account, current_account
from ...base.locations import shown
from ...base.plain import library_words
from ...domain.leases import Claim
from ..backend import Backend, paced
from ..base import ReadOnlyStore, StoreBusy, StoreError
from .schema import CHANNEL, create_or_upgrade

T = TypeVar("T")
# pg_advisory_xact_lock's key for the war-room's chain: "mops" in ASCII.
CHAIN_LOCK = 0x6D6F7073
CONNECT_TIMEOUT = 5  # seconds: an unreachable server is said quickly, not after TCP's minutes
# After a connection attempt that waited for no answer (a host gone from the network), reads are
# answered at once for this long rather than waiting again: a screen stays responsive.
RECONNECT_PAUSE = 2.0
# A burst of commits wakes a session once: after the first notification, more are gathered until
# 5 ms pass with none (20 ms at most), so ten sessions do not each re-read per entry of a burst.
QUIET, GATHER_AT_MOST = 0.005, 0.020


@functools.lru_cache(maxsize=512)
def _translate(query: str) -> str:
    """The store's `?` placeholders as psycopg's `%s` (a literal `%` doubled)."""
    return query.replace("%", "%%").replace("?", "%s")


class _Adapter:
    """The connection as the shared SQL uses it: `execute(sql, params)` with `?` placeholders.
    A dropped connection becomes a StoreError naming the server, and is reopened next time."""

    def __init__(self, owner: PostgresConnection) -> None:
        self.owner = owner

    def execute(self, query: str, params: Any = ()) -> psycopg.Cursor:
        raw = self.owner._raw()
        idle = raw.info.transaction_status == TransactionStatus.IDLE
        try:
            return raw.execute(_translate(query), tuple(params))
        except (psycopg.OperationalError, psycopg.InterfaceError) as error:
            if not (raw.closed or raw.broken):
                raise  # the server answered: a real error, not a lost connection
            lost = self.owner._lost(error)
            if not idle:
                raise lost from None  # inside a write: the caller says it, nothing is retried blindly
        # A read on a connection that died while idle (a server restart): once more, reconnected.
        try:
            return self.owner._raw().execute(_translate(query), tuple(params))
        except (psycopg.OperationalError, psycopg.InterfaceError) as error:
            raise self.owner._lost(error) from None

    def executemany(self, query: str, rows: Any) -> None:
        raw = self.owner._raw()
        try:
            with raw.cursor() as cursor:
                cursor.executemany(_translate(query), rows)
        except (psycopg.OperationalError, psycopg.InterfaceError) as error:
            raise self.owner._lost(error) from None


class PostgresConnection(Backend):
    engine = "PostgreSQL"
    engine_errors = (psycopg.Error,)

    def __init__(
        self,
        url: str,
        *,
        write_timeout: float = 60.0,
        readonly: bool = False,
        account: Account | None = None,
        group: str | None = None,
        create: bool = True,
    ) -> None:
        del group  # who may use a server's war-room is its roles' business, not a Unix group's
        self.url = url
        self.location = shown(url)
        self.path = Path(self.location)
        self.write_timeout = write_timeout
        self.account = account or current_account()
        self.snapshot = None
        self._connection: psycopg.Connection | None = None
        self._unreachable: tuple[float, str] | None = None  # (when to try again, what was said)
        self._listener: psycopg.Connection | None = None
        self._version = 0
        self._entries = 0  # of the notifications counted, those of an event (an entry)
        self._watching = False  # a thread of ours listens: data_version only reads the count
        self.conn = _Adapter(self)
        try:
            create_or_upgrade(self._raw(), self.location, CHAIN_LOCK, create=create)
            # The server's word for who writes: the role it says this session is (its trigger
            # refuses any other), not the client's login and uid.
            role = self.conn.execute("SELECT session_user").fetchone()[0]
            if account is None:
                self.account = Account(str(role), None)
            self.readonly = (
                readonly or not self.conn.execute("SELECT has_table_privilege(current_user, 'events', 'INSERT')").fetchone()[0]
            )
        except errors.InsufficientPrivilege:
            self.close()
            raise StoreError(
                f"{self.location} has no mopstui schema, or an older one, and this role may not create it: "
                "ask the database's owner to open it once with mopstui"
            ) from None
        except (psycopg.OperationalError, psycopg.InterfaceError) as error:
            raise self._lost(error) from None
        except psycopg.Error as error:  # the server answered: what it holds is not a war-room it can read
            self.close()
            raise self.unreadable(error) or error from None
        except BaseException:
            self.close()  # refused (not a war-room, a newer schema): nothing left open behind
            raise

    # ------------------------------------------------------------------ the connection

    def _connect(self, *, now: bool = False) -> psycopg.Connection:
        """`now`: try even within the pause after a failure (a write the user asked for); a read
        within it is answered at once, so a screen never waits on a dead server twice in a row."""
        if not now and self._unreachable is not None and time.monotonic() < self._unreachable[0]:
            raise StoreError(self._unreachable[1])
        started = time.monotonic()
        try:
            connection = psycopg.connect(
                self.url, autocommit=True, connect_timeout=CONNECT_TIMEOUT, application_name=f"mopstui:{self.account.login}"
            )
        except psycopg.OperationalError as error:
            message = f"cannot reach the war-room database at {self.location}: {library_words(str(error))}"
            if time.monotonic() - started > 0.5:  # it made us wait (no answer at all): not again right away
                self._unreachable = (time.monotonic() + RECONNECT_PAUSE, message)
            raise StoreError(message, detail=_first_line(error)) from None
        self._unreachable = None
        return connection

    def _raw(self, *, now: bool = False) -> psycopg.Connection:
        if self._connection is None or self._connection.closed or self._connection.broken:
            self._connection = self._connect(now=now)
            self._version += 1  # whatever happened while we were away: callers catch up by id
        return self._connection

    def _lost(self, error: Exception, *, written: str = "nothing was written by this step") -> StoreError:
        """The connection dropped: say so (and what became of the write), and reopen it next call."""
        if self._connection is not None:
            try:
                self._connection.close()
            except psycopg.Error:
                pass
        self._connection = None
        return StoreError(
            f"the war-room database at {self.location} is unreachable ({library_words(str(error))}); {written}",
            detail=_first_line(error),
        )

    def close(self) -> None:
        for connection in (self._connection, self._listener):
            if connection is not None:
                try:
                    connection.close()
                except psycopg.Error:
                    pass
        self._connection = self._listener = None

    # ------------------------------------------------------------------ writing

    @contextmanager
    def _write(self) -> Iterator[_Adapter]:
        if self.readonly:
            raise ReadOnlyStore(f"{self.location} is read-only for this role: you can watch but not write")
        raw = self._begin()
        try:
            yield self.conn
        except (psycopg.OperationalError, psycopg.InterfaceError) as error:
            if not (raw.closed or raw.broken):
                self._rollback(raw)
                raise
            raise self._lost(error) from None  # before COMMIT: the server rolled it back
        except BaseException:
            self._rollback(raw)
            raise
        try:
            raw.execute("COMMIT")
        except (psycopg.OperationalError, psycopg.InterfaceError) as error:
            if not (raw.closed or raw.broken):
                raise  # the server answered: it did not commit
            # The COMMIT was sent and no answer came back: it may have landed. Said as it is.
            raise self._lost(
                error, written="it may or may not have been saved: look at the timeline before writing it again"
            ) from None

    def _begin(self) -> psycopg.Connection:
        """BEGIN, the lock's time limit and the chain's lock in one round trip. A connection that
        died while idle fails right here, before anything is written: it is replaced, once."""
        begin = f"BEGIN; SET LOCAL lock_timeout = {int(self.write_timeout * 1000)}; SELECT pg_advisory_xact_lock({CHAIN_LOCK})"
        for attempt in (1, 2):
            raw = self._raw(now=True)
            try:
                raw.execute(begin)
                return raw
            except (psycopg.OperationalError, psycopg.InterfaceError) as error:
                if isinstance(error, errors.LockNotAvailable | errors.QueryCanceled):
                    self._rollback(raw)
                    raise StoreBusy(
                        f"{self.location} stayed locked by another session for {self.write_timeout:.0f}s; "
                        "nothing was written, try again"
                    ) from None
                if not (raw.closed or raw.broken):
                    self._rollback(raw)
                    raise
                lost = self._lost(error)
                if attempt == 2:
                    raise lost from None
        raise AssertionError("unreachable")

    @staticmethod
    def _rollback(raw: psycopg.Connection) -> None:
        if raw.closed or raw.broken or raw.info.transaction_status == TransactionStatus.IDLE:
            return
        try:
            raw.execute("ROLLBACK")
        except psycopg.Error:
            pass

    def _retry(self, action: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a write; a serialisation conflict or deadlock is retried (nothing was committed),
        anything else is said once."""
        deadline = time.monotonic() + self.write_timeout
        while True:
            try:
                return action(*args, **kwargs)
            except (errors.SerializationFailure, errors.DeadlockDetected):
                if time.monotonic() >= deadline:
                    raise StoreBusy(f"{self.location} kept conflicting with other writers; nothing was written") from None
                time.sleep(0.01)
            except errors.InsufficientPrivilege as error:
                raise ReadOnlyStore(_refused(self.location, error), detail=_first_line(error)) from None
            except errors.RaiseException as error:  # the append-only triggers
                raise StoreError(f"{self.location} refused the change: {_first_line(error)}") from None
            except psycopg.Error as error:
                raise StoreError(f"{self.location}: {library_words(str(error))}", detail=_first_line(error)) from None

    # ------------------------------------------------------------------ what PostgreSQL does its own way

    def _next_event_id(self, conn: Any) -> int:
        # Under the chain's lock, the one after the last: the server's trigger (events_ids_step)
        # refuses any other and moves the counter itself; this role may not write the counter.
        return int(conn.execute("SELECT seq + 1 FROM event_sequence").fetchone()[0])

    # Leases change only through the owner's functions, by the server's clock (schema step p003).
    def _claim(self, conn: Any, name: str, holder: str, ttl: timedelta) -> Claim:
        held, held_by, was_void, void_holder, void_until = conn.execute(
            "SELECT is_held, held_by, was_void, void_holder, void_until FROM mopstui_take_lease(?, ?, ?)",
            (name, holder, ttl.total_seconds()),
        ).fetchone()
        return Claim(bool(held), held_by, (str(void_holder), str(void_until)) if was_void else None)

    def _release(self, conn: Any, name: str, holder: str) -> None:
        conn.execute("SELECT mopstui_release_lease(?, ?)", (name, holder))

    def _lease_clock(self) -> datetime:
        return self.conn.execute("SELECT clock_timestamp()").fetchone()[0]

    def _sequence_top(self) -> int | None:
        row = self.conn.execute("SELECT seq FROM event_sequence").fetchone()
        return int(row[0]) if row else None

    def _integrity_problems(self, *, quick: bool) -> list[str]:
        """PostgreSQL checks its own pages; what a war-room adds is that the log is still guarded."""
        del quick
        guards = {
            row[0]
            for row in self.conn.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'events'::regclass AND tgenabled <> 'D' AND NOT tgisinternal"
            )
        }
        missing = sorted({"events_append_only", "events_no_truncate", "events_notify", "events_ids_step"} - guards)
        return [f"the log's trigger {name} is missing or disabled" for name in missing]

    def _search_clause(self, query: str) -> tuple[str, list[object]] | None:
        if not query.split():
            return None
        # plainto_tsquery takes text as words (every one required), never as query syntax.
        return ("to_tsvector('simple', text || ' ' || author || ' ' || kind) @@ plainto_tsquery('simple', ?)", [query])

    def _imported(self, conn: Any) -> None:
        """After `copy-store` wrote rows with their own ids: the counters continue after them (the
        events' own counter moved with each row, by the server's trigger)."""
        for table in ("incidents", "status_observations", "signal_arrivals"):
            conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), coalesce(max(id), 0) + 1, false) FROM {table}")

    # ------------------------------------------------------------------ live changes

    def _listening(self) -> psycopg.Connection | None:
        if self._listener is None or self._listener.closed or self._listener.broken:
            try:
                self._listener = psycopg.connect(
                    self.url,
                    autocommit=True,
                    connect_timeout=CONNECT_TIMEOUT,
                    application_name=f"mopstui:{self.account.login}:listen",
                )
                self._listener.execute(f"LISTEN {CHANNEL}")
            except psycopg.Error:
                self._listener = None
                return None
            self._unreachable = None  # the server answers again: the next read reconnects at once
            self._version += 1  # notifications may have been missed until now
        return self._listener

    def _drain(self, timeout: float) -> None:
        """Count the notifications that arrived (waiting up to `timeout` for one), at libpq's
        level: a server that went away shows as end-of-file here, which psycopg's notifies()
        generator does not report."""
        listener = self._listening()
        if listener is None:
            time.sleep(min(timeout, 0.5))  # the server is away: the caller will hear about it
            self._version += 1
            return
        own = self._connection.info.backend_pid if self._connection is not None and not self._connection.closed else None
        pgconn = listener.pgconn
        try:
            readable, _, _ = select.select([pgconn.socket], [], [], timeout)
            while readable:  # until the socket is drained: a server's goodbye is a message, then end-of-file
                pgconn.consume_input()
                readable, _, _ = select.select([pgconn.socket], [], [], 0)
            while (notify := pgconn.notifies()) is not None:
                if notify.be_pid != own:
                    self._version += 1
                    if notify.extra.startswith(b"event"):
                        self._entries += 1
        except (psycopg.Error, OSError, ValueError):
            try:
                listener.close()
            except psycopg.Error:
                pass
            self._listener = None
            self._version += 1

    def _gather(self) -> None:
        until = time.monotonic() + GATHER_AT_MOST
        while time.monotonic() < until:
            before = self._version
            self._drain(QUIET)
            if self._version == before:
                return

    def data_version(self) -> int:
        """Counts other sessions' commits (their notifications); a reconnection counts too."""
        if not self._watching:
            self._drain(0)
        return self._version

    def watch_changes(self, on_change: Callable[[], object], stop: threading.Event) -> bool:
        """A screen is woken within milliseconds of another host's entry, and idle it costs one
        blocked thread: no polling."""

        wake = paced(on_change, stop)

        def listen() -> None:
            while not stop.is_set():
                before, entries_before = self._version, self._entries
                self._drain(0.5)
                if self._version != before:
                    self._gather()
                if self._version != before and not stop.is_set():
                    try:
                        wake(self._entries != entries_before)
                    except RuntimeError:  # whoever listened has closed its event loop: we are done
                        return

        self._watching = True
        threading.Thread(target=listen, name="mopstui-notifications", daemon=True).start()
        return True

    def wait_for_change(self, since: int, timeout: float, *, every: float = 0.05) -> int:
        """Sleeps on the server's notifications (no polling): woken within milliseconds."""
        del every
        deadline = time.monotonic() + timeout
        self._drain(0)
        while self._version == since:
            left = deadline - time.monotonic()
            if left <= 0:
                return self._version
            self._drain(left)
        self._gather()
        return self._version


def _refused(location: str, error: BaseException) -> str:
    """A permission error said as what it is: which privilege on what, and who can grant it (the
    role is not read-only as a whole: it lacks this one grant)."""
    del error  # "permission denied for sequence incidents_id_seq": the detail, for --verbose
    return (
        f"{location}: your database account lacks a permission this needs; ask the database's owner "
        "to grant it (see the README, 'Beyond one host'), or run this as the owner"
    )


def _first_line(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0]
