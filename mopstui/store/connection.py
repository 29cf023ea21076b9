"""The SQLite war-room file: opened safely on a shared host, schema checked, written under lock.

Writes take the write lock up front (BEGIN IMMEDIATE) so that reading the previous hash and
appending the next event is one atomic step across processes, and a busy database is retried
rather than reported: the user never sees "database is locked" for an entry we can still write.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote

from ..base.files import (
    UnsafeFile,
    check_directory,
    group_id,
    inspect,
    outsider_words,
    share_descriptor,
    share_existing,
)
from ..base.identity import Account, current_account
from ..base.plain import library_words, os_reason
from ..base.timeutil import UTC, to_store, utcnow
from ..domain.leases import Claim, standing

if TYPE_CHECKING:
    import sqlite_utils
from .backend import Backend
from .base import NoWarRoom, ReadOnlyStore, StoreBusy, StoreError
from .sidecars import HeldUp, first_read

T = TypeVar("T")
# The schema steps this version knows, in order (mopstui/store/schema.py defines them; a test
# checks the two agree). Known here so that opening an up-to-date file needs no sqlite-utils.
SCHEMA_STEPS = (
    "m001_initial",
    "m002_sessions",
    "m003_presence_history",
    "m004_cursors",
    "m005_accounts",
    "m006_digest_index",
    "m007_signals",
)


def _is_busy(error: sqlite3.OperationalError) -> bool:
    message = str(error).lower()
    return "locked" in message or "busy" in message


class SQLiteConnection(Backend):
    """An open war-room database file: opening it safely, its schema, and writing under its lock.
    One per thread; cheap to open."""

    engine = "SQLite"
    engine_errors = (sqlite3.Error,)

    def __init__(
        self,
        path: str | Path,
        *,
        write_timeout: float = 60.0,
        readonly: bool = False,
        group: str | None = None,
        account: Account | None = None,
        create: bool = True,
    ):
        """`create`: start a new war-room where none is (declare, log, the screen); False for what
        only reads, which says there is none instead."""
        self.path = Path(path)
        self.location = str(self.path)
        self.write_timeout = write_timeout
        self.group = group
        self.account = account or current_account()
        # A read-only user who cannot share SQLite's WAL index sees the file as of its last
        # checkpoint: `snapshot` is then that moment, and everything that shows data says so.
        self.snapshot: datetime | None = None
        try:
            self.gid = group_id(group)
            self.conn = self._open(readonly, create)
        except (UnsafeFile, ValueError) as error:
            raise StoreError(str(error)) from None
        except PermissionError:
            raise StoreError(
                outsider_words(self.path.parent)
                or f"cannot open {self.path}: permission denied (only the war-room's group may use it)"
            ) from None
        except OSError as error:
            raise StoreError(f"cannot open {self.path}: {os_reason(error)}", detail=str(error)) from None
        try:
            self._retry(self._prepare)
        except sqlite3.DatabaseError as error:  # not a database, or a damaged one
            self.conn.close()
            raise self.unreadable(error) or error from None

    @property
    def db(self) -> sqlite_utils.Database:
        """sqlite-utils over this connection, for tools and tests (imported only when asked for)."""
        import sqlite_utils

        return sqlite_utils.Database(self.conn, execute_plugins=False)

    # ------------------------------------------------------------------ files (see files.py)

    def _open(self, readonly: bool, create: bool = True) -> sqlite3.Connection:
        if not os.path.lexists(self.path):
            shut_out = outsider_words(self.path.parent)
            if shut_out:
                raise StoreError(shut_out)
            if not create:
                raise NoWarRoom(str(self.path))
            if readonly or (self.path.parent.exists() and not os.access(self.path.parent, os.W_OK | os.X_OK)):
                raise StoreError(f"{self.path} does not exist, and this user may not create it")
            self._create()
        self.readonly = readonly or not (os.access(self.path.parent, os.W_OK) and os.access(self.path, os.W_OK))
        if not self.readonly:
            problem = check_directory(self.path.parent, self.group)
            if problem:
                raise StoreError(problem)
        for suffix in ("-wal", "-shm", "-journal"):  # SQLite refuses links here too, but says less
            try:
                with inspect(f"{self.path}{suffix}", self.gid, owner=False):
                    pass
            except FileNotFoundError:
                continue
        with inspect(self.path, self.gid, owner=not self.readonly) as (fd, info):
            if info.st_size == 0:
                raise StoreError(
                    f"{self.path} is empty (0 bytes): not a war-room, or one that was truncated; "
                    "mopstui will not start a new log over it (move it away to start afresh)"
                )
            if not self.readonly:
                share_descriptor(fd, info, self.gid)
        conn = self._connect_readonly() if self.readonly else self._connect("rw")
        self._check_same_file(conn, info)
        if not self.readonly:  # (a reader's connection had its first read in _connect_readonly)
            try:
                self._first_read(conn)
            except sqlite3.Error:
                pass  # not a database, or a damaged one: said in one sentence by _prepare
        return conn

    def _first_read(self, conn: sqlite3.Connection) -> None:
        """The read where SQLite opens its side files, never held by a FIFO planted there."""
        try:
            first_read(self.path, lambda: conn.execute("SELECT count(*) FROM sqlite_master").fetchone())
        except HeldUp:
            raise  # its connection stays with the thread that is still waiting
        except UnsafeFile:
            conn.close()
            raise

    def _connect(self, mode: str, *extra: str) -> sqlite3.Connection:
        # mode=rw, never rwc: SQLite must not create a file at a path that changed under us.
        uri = "file:" + quote(str(self.path)) + "?" + "&".join((f"mode={mode}", *extra))
        return sqlite3.connect(uri, uri=True, timeout=10, check_same_thread=False)

    def _check_same_file(self, conn: sqlite3.Connection, info: os.stat_result) -> None:
        """SQLite resolves links when it opens the main file: make sure it opened the very file
        we checked, not one a link planted since points at."""
        try:
            opened = conn.execute("PRAGMA database_list").fetchone()[2]
            same = bool(opened) and os.path.samestat(os.stat(opened), info)
        except (sqlite3.Error, OSError):
            same = False
        if not same:
            conn.close()
            raise UnsafeFile(f"{self.path} was replaced while it was being opened; refusing to use it")

    def _create(self) -> None:
        """A new war-room appears complete or not at all: built in a temporary file beside it, then
        linked into place (an existing file, even an empty one, is never written over)."""
        directory = self.path.parent
        if not directory.exists():
            try:
                directory.mkdir(parents=True, mode=0o2770 if self.group else 0o700)
            except PermissionError:
                raise StoreError(f"cannot create {directory}: permission denied; ask an admin to create it") from None
        problem = check_directory(directory, self.group)
        if problem:
            raise StoreError(problem)
        import tempfile  # here, for the one command that creates a war-room: it loads shutil, bz2, lzma

        fd, temporary = tempfile.mkstemp(dir=directory, prefix=f".{self.path.name}.", suffix=".new")
        try:
            share_descriptor(fd, os.fstat(fd), self.gid)
            os.close(fd)
            from . import schema

            conn = sqlite3.connect(temporary)
            try:
                conn.execute("PRAGMA journal_mode = WAL")
                schema.apply(conn)
            finally:
                conn.close()
            try:
                os.link(temporary, self.path)
            except FileExistsError:
                pass  # another session created it a moment ago: use theirs
        finally:
            for suffix in ("", "-wal", "-shm", "-journal"):
                try:
                    os.unlink(temporary + suffix)
                except FileNotFoundError:
                    pass

    def _connect_readonly(self) -> sqlite3.Connection:
        """A reader of a WAL database needs its -shm file. Where a read-only user can neither use
        nor create it, SQLite can still read the file as it stands (immutable): no live updates,
        and entries still in the -wal are not seen, which every reader is told."""
        conn = self._connect("ro")
        try:
            self._first_read(conn)
            return conn
        except sqlite3.DatabaseError:
            conn.close()
        self.snapshot = datetime.fromtimestamp(os.stat(self.path).st_mtime, tz=UTC)
        return self._connect("ro", "immutable=1")

    def snapshot_notice(self) -> str | None:
        if self.snapshot is None:
            return None
        return (
            f"read-only snapshot of {self.path} as of {self.snapshot:%Y-%m-%d %H:%M:%S} UTC: this user cannot share "
            "its live index (-shm), so later entries may be missing"
        )

    def _share_sidecars(self) -> None:
        for suffix in ("-wal", "-shm"):
            try:
                share_existing(f"{self.path}{suffix}", self.group)
            except UnsafeFile as error:
                raise StoreError(str(error)) from None

    def close(self) -> None:
        self.conn.close()

    # ------------------------------------------------------------------ opening and schema

    def _prepare(self) -> None:
        self.conn.execute("PRAGMA busy_timeout = 10000")
        if self.readonly:
            self._check_version(writable=False)
            return
        mode = self.conn.execute("PRAGMA journal_mode").fetchone()[0]
        if mode.lower() != "wal":
            self.conn.execute("PRAGMA journal_mode = WAL")
        # FULL: an entry the user saw accepted survives power loss, not only a process crash.
        self.conn.execute("PRAGMA synchronous = FULL")
        self.conn.execute("PRAGMA foreign_keys = ON")
        self._check_version(writable=True)
        self._share_sidecars()

    def _check_version(self, *, writable: bool) -> None:
        applied = self.schema_steps
        unknown = [name for name in applied if name not in SCHEMA_STEPS]
        if unknown:
            raise StoreError(
                f"{self.path} was written by a newer mopstui (schema step {unknown[0]!r} is unknown "
                "to this version); upgrade mopstui to use it"
            )
        if applied == list(SCHEMA_STEPS):
            return
        if not writable:
            if not applied:
                raise StoreError(f"{self.path} is not a mopstui database (or is empty), and it is read-only")
            raise StoreError(f"{self.path} needs a schema upgrade that a read-only user cannot do")
        if applied == [] and self._has_foreign_tables():
            raise StoreError(f"{self.path} is an SQLite file but not a mopstui database; refusing to change it")
        # Take the write lock first so that two sessions opening an old file upgrade it once.
        from . import schema

        self.conn.execute("BEGIN IMMEDIATE")
        try:
            schema.apply(self.conn)
            self.conn.execute("COMMIT")
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise

    def _has_foreign_tables(self) -> bool:
        names = {row[0] for row in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        return bool(names - {"_sqlite_migrations"})

    @property
    def schema_steps(self) -> list[str]:
        """The schema steps applied, read with plain SQL (sqlite-utils' own table)."""
        try:
            rows = self.conn.execute(
                "SELECT name FROM _sqlite_migrations WHERE migration_set = 'mopstui' ORDER BY rowid"
            ).fetchall()
        except sqlite3.OperationalError as error:
            if "no such table" in str(error):
                return []
            raise
        return [row[0] for row in rows]

    # ------------------------------------------------------------------ writing

    def _retry(self, action: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run `action`, retrying while another process holds the lock, up to `write_timeout`."""
        deadline = time.monotonic() + self.write_timeout
        delay = 0.01
        while True:
            try:
                return action(*args, **kwargs)
            except sqlite3.OperationalError as error:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                if "readonly" in str(error).lower() or "read-only" in str(error).lower():
                    raise ReadOnlyStore(f"{self.path} is read-only for this user: you can watch but not write") from None
                if not _is_busy(error):
                    raise StoreError(f"{self.path}: {library_words(str(error))}", detail=str(error)) from None
                if time.monotonic() >= deadline:
                    raise StoreBusy(
                        f"{self.path} stayed locked by another process for {self.write_timeout:.0f}s; "
                        "nothing was written, try again"
                    ) from None
                import random  # here: only a busy war-room waits, and a read never does

                time.sleep(delay * (0.5 + random.random()))
                delay = min(delay * 2, 0.5)

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        if self.readonly:
            raise ReadOnlyStore(f"{self.path} is read-only for this user: you can watch but not write")
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
            self.conn.execute("COMMIT")
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise

    # ------------------------------------------------------------------ what SQLite does its own way

    def _next_event_id(self, conn: sqlite3.Connection) -> int:
        # AUTOINCREMENT's own counter: a deleted last row still never gives its id away again.
        seq = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'events'").fetchone()
        top = conn.execute("SELECT max(id) FROM events").fetchone()[0] or 0
        return max(seq[0] if seq else 0, top) + 1

    def _claim(self, conn: Any, name: str, holder: str, ttl: timedelta) -> Claim:
        """Under the file's write lock: the rule mopstui_take_lease keeps on PostgreSQL."""
        now = utcnow()
        row = conn.execute("SELECT holder, expires_at FROM leases WHERE name = ?", (name,)).fetchone()
        void = None
        if row and row[0] != holder:
            state = standing(row[1], now)
            if state == "live":
                return Claim(False, row[0])
            if state == "void":
                void = (str(row[0]), str(row[1]))
        conn.execute(
            "INSERT INTO leases (name, holder, expires_at) VALUES (?,?,?) "
            "ON CONFLICT(name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at",
            (name, holder, to_store(now + ttl)),
        )
        return Claim(True, holder, void)

    def _release(self, conn: Any, name: str, holder: str) -> None:
        conn.execute("DELETE FROM leases WHERE name = ? AND holder = ?", (name, holder))

    def _lease_clock(self) -> datetime:
        """The clock leases are judged by: this host's (one host shares one SQLite file)."""
        return utcnow()

    def _sequence_top(self) -> int | None:
        seq = self.conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'events'").fetchone()
        return seq[0] if seq else None

    def _integrity_problems(self, *, quick: bool) -> list[str]:
        # `quick`: SQLite's quick_check (pages and records, not every index entry): 5x faster,
        # for exports; `mopstui verify` runs the full check.
        check = [r[0] for r in self.conn.execute("PRAGMA quick_check" if quick else "PRAGMA integrity_check")]
        return [] if check == ["ok"] else check

    def _search_clause(self, query: str) -> tuple[str, list[object]] | None:
        words = " ".join('"' + word.replace('"', '""') + '"' for word in query.split())
        if not words:
            return None
        return "id IN (SELECT rowid FROM events_fts WHERE events_fts MATCH ?)", [words]

    def data_version(self) -> int:
        """Changes when any other connection commits: the cheap "anything new?" check."""
        return int(self.conn.execute("PRAGMA data_version").fetchone()[0])

    def wait_for_change(self, since: int, timeout: float, *, every: float = 0.05) -> int:
        """SQLite has no notifications, so this polls a pragma that costs microseconds; the
        PostgreSQL store waits on its own notifications instead."""
        deadline = time.monotonic() + timeout
        while True:
            version = self.data_version()
            if version != since or time.monotonic() >= deadline:
                return version
            time.sleep(min(every, max(0.0, deadline - time.monotonic())))
