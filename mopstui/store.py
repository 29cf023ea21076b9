"""The log: one SQLite file shared by every session on the host.

Events are append-only (triggers refuse UPDATE and DELETE) and hash-chained for tamper evidence.
Writes take the write lock up front (BEGIN IMMEDIATE) so that reading the previous hash and
appending the next event is one atomic step across processes, and a busy database is retried
rather than reported: the user never sees "database is locked" for an entry we can still write.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import sqlite3
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Iterator, Sequence

import tempfile
from urllib.parse import quote

import sqlite_utils
from sqlite_utils.migrations import Migrations

from .files import UnsafeFile, check_directory, group_id, inspect, share_descriptor, share_existing
from .identity import Account, current_account

from .model import (
    ENTRY_KINDS,
    KINDS,
    ROLES,
    SEVERITIES,
    STATUSES,
    Event,
    Incident,
    InputError,
    TooLong,
    derive_incident,
    incident_label,
)
from .textsafe import clean, clean_line
from .timeutil import UTC, from_store, to_store, utcnow

GENESIS = "0" * 64
MAX_TEXT = 10_000
MAX_TITLE = 300
EVENT_COLUMNS = "id, incident_id, occurred_at, recorded_at, author, kind, text, value, ref, dedupe, login, uid, hash"
STATE_EVENT_KINDS = ("declared", "status", "severity", "role")
PRESENCE_COLUMNS = "session, user, login, host, client, pid, started_at, heartbeat_at, left_at, incident_id"

migrations = Migrations("mopstui")


@migrations()
def m001_initial(db: sqlite_utils.Database) -> None:
    db.execute(
        """CREATE TABLE incidents (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            created_at TEXT NOT NULL
        )"""
    )
    # AUTOINCREMENT: ids are never reused, so a gap in the chain can only mean a deleted row.
    db.execute(
        """CREATE TABLE events (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            incident_id INTEGER REFERENCES incidents(id),
            occurred_at TEXT NOT NULL,
            recorded_at TEXT NOT NULL,
            author TEXT NOT NULL,
            kind TEXT NOT NULL,
            text TEXT NOT NULL,
            value TEXT,
            ref INTEGER REFERENCES events(id),
            dedupe TEXT UNIQUE,
            hash TEXT NOT NULL
        )"""
    )
    db["events"].create_index(["incident_id", "occurred_at"])
    db["events"].create_index(["incident_id", "kind"])
    db["events"].enable_fts(["text", "author", "kind"], create_triggers=True)
    for action in ("UPDATE", "DELETE"):
        db.execute(
            f"""CREATE TRIGGER events_append_only_{action.lower()} BEFORE {action} ON events
            BEGIN SELECT RAISE(ABORT, 'events are append-only: write a correction instead'); END"""
        )
    db["status_observations"].create(
        {
            "id": int,
            "vendor_id": str,
            "component": str,
            "group_name": str,
            "state": str,
            "previous_state": str,
            "vendor_time": str,
            "seen_at": str,
            "reason": str,
        },
        pk="id",
        not_null=["vendor_id", "state", "seen_at"],
    )
    db["status_observations"].create_index(["vendor_id", "seen_at"])
    db["status_observations"].create_index(["seen_at"])


@migrations()
def m002_sessions(db: sqlite_utils.Database) -> None:
    """Presence (who is in the room) and leases (which session polls vendors)."""
    db["presence"].create(
        {
            "session": str,
            "user": str,
            "host": str,
            "client": str,
            "pid": int,
            "started_at": str,
            "heartbeat_at": str,
            "incident_id": int,
        },
        pk="session",
    )
    db["leases"].create({"name": str, "holder": str, "expires_at": str}, pk="name")
    db["vendor_status"].create(
        {"vendor_id": str, "payload": str, "checked_at": str}, pk="vendor_id"
    )


@migrations()
def m003_presence_history(db: sqlite_utils.Database) -> None:
    """Sessions are kept when they leave (left_at), for the postmortem's participant list."""
    db.execute("ALTER TABLE presence ADD COLUMN left_at TEXT")
    db["presence"].create_index(["heartbeat_at"])


@migrations()
def m004_cursors(db: sqlite_utils.Database) -> None:
    """Where a background job (webhook notifications) got to in the log, across takeovers."""
    db["cursors"].create({"name": str, "value": int}, pk="name")


@migrations()
def m005_accounts(db: sqlite_utils.Database) -> None:
    """The OS account that wrote each event (inside its hash), and each session's login.
    Events written before this step keep NULL: "account not recorded"."""
    db.execute("ALTER TABLE events ADD COLUMN login TEXT")
    db.execute("ALTER TABLE events ADD COLUMN uid INTEGER")
    db.execute("ALTER TABLE presence ADD COLUMN login TEXT")


MIGRATION_NAMES = [m.name for m in migrations._migrations]


class StoreError(Exception):
    """A problem with the database file itself; the message says what to do."""


class StoreBusy(StoreError):
    """The lock could not be had in time. Nothing was written."""


class ReadOnlyStore(StoreError):
    """This user may read the war-room but not write to it."""


@dataclass(frozen=True)
class Head:
    """Where the chain stands: what a reviewer notes, and `verify --since-head` checks later."""

    events: int
    last_id: int
    hash: str

    def line(self) -> str:
        return f"head: {self.events} events, last #{self.last_id}, sha256 {self.hash}"

    def to_dict(self) -> dict:
        return {"events": self.events, "last_id": self.last_id, "hash": self.hash}


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    events: int
    message: str
    bad_event: int | None = None
    head: Head | None = None


def _event(row: sqlite3.Row | tuple) -> Event:
    (id_, incident_id, occurred, recorded, author, kind, text, value, ref, dedupe, login, uid, hash_) = row
    return Event(
        id=id_,
        incident_id=incident_id,
        occurred_at=from_store(occurred),
        recorded_at=from_store(recorded),
        author=author,
        kind=kind,
        text=text,
        value=value,
        ref=ref,
        dedupe=dedupe,
        hash=hash_,
        login=login,
        uid=uid,
    )


def canonical(row: tuple) -> bytes:
    """The bytes an event's hash covers: every column but the hash, in a fixed order."""
    return json.dumps(list(row), ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def hashed_fields(row: tuple) -> tuple:
    """An event's columns but the hash. An event written before accounts were recorded (login and
    uid NULL) keeps the ten-column form its hash was made over; every later one covers its account."""
    return row[:10] if row[10] is None and row[11] is None else tuple(row[:12])


def chain_hash(previous: str, row: tuple) -> str:
    return hashlib.sha256(previous.encode("ascii") + b"\n" + canonical(hashed_fields(row))).hexdigest()


def _is_busy(error: sqlite3.OperationalError) -> bool:
    message = str(error).lower()
    return "locked" in message or "busy" in message


class Store:
    """A connection to the war-room log. One per thread; cheap to open."""

    def __init__(self, path: str | Path, *, write_timeout: float = 60.0, readonly: bool = False, group: str | None = None,
                 account: Account | None = None):
        self.path = Path(path)
        self.write_timeout = write_timeout
        self.group = group
        self.account = account or current_account()
        # A read-only user who cannot share SQLite's WAL index sees the file as of its last
        # checkpoint: `snapshot` is then that moment, and everything that shows data says so.
        self.snapshot: datetime | None = None
        try:
            self.gid = group_id(group)
            self.conn = self._open(readonly)
        except (UnsafeFile, ValueError) as error:
            raise StoreError(str(error)) from None
        except PermissionError:
            raise StoreError(f"cannot open {self.path}: permission denied (only the war-room's group may use it)") from None
        except OSError as error:
            raise StoreError(f"cannot open {self.path}: {error.strerror or error}") from None
        self.db = sqlite_utils.Database(self.conn, execute_plugins=False)
        self._retry(self._prepare)

    # ------------------------------------------------------------------ files (see files.py)

    def _open(self, readonly: bool) -> sqlite3.Connection:
        if not os.path.lexists(self.path):
            if readonly or (self.path.parent.exists() and not os.access(self.path.parent, os.W_OK | os.X_OK)):
                raise StoreError(f"{self.path} does not exist, and this user may not create it")
            self._create()
        self.readonly = readonly or not (os.access(self.path.parent, os.W_OK) and os.access(self.path, os.W_OK))
        if not self.readonly:
            problem = check_directory(self.path.parent, self.group)
            if problem:
                raise StoreError(problem)
        for suffix in ("-wal", "-shm", "-journal"):
            sidecar = f"{self.path}{suffix}"
            if os.path.islink(sidecar) or (os.path.lexists(sidecar) and not os.path.isfile(sidecar)):
                raise UnsafeFile(f"{sidecar} is a symbolic link or not a regular file; mopstui never follows links "
                                 "in the war-room (someone may have planted it: remove it, or ask an admin)")
        with inspect(self.path, self.gid, owner=not self.readonly) as (fd, info):
            if info.st_size == 0:
                raise StoreError(f"{self.path} is empty (0 bytes): not a war-room, or one that was truncated; "
                                 "mopstui will not start a new log over it (move it away to start afresh)")
            if not self.readonly:
                share_descriptor(fd, info, self.gid)
        conn = self._connect_readonly() if self.readonly else self._connect("rw")
        self._check_same_file(conn, info)
        return conn

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
        fd, temporary = tempfile.mkstemp(dir=directory, prefix=f".{self.path.name}.", suffix=".new")
        try:
            share_descriptor(fd, os.fstat(fd), self.gid)
            os.close(fd)
            conn = sqlite3.connect(temporary)
            try:
                conn.execute("PRAGMA journal_mode = WAL")
                migrations.apply(sqlite_utils.Database(conn, execute_plugins=False))
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
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return conn
        except sqlite3.DatabaseError:
            conn.close()
        self.snapshot = datetime.fromtimestamp(os.stat(self.path).st_mtime, tz=UTC)
        return self._connect("ro", "immutable=1")

    def snapshot_notice(self) -> str | None:
        if self.snapshot is None:
            return None
        return (f"read-only snapshot of {self.path} as of {self.snapshot:%Y-%m-%d %H:%M:%S} UTC: this user cannot share "
                "its live index (-shm), so later entries may be missing")

    def _share_sidecars(self) -> None:
        for suffix in ("-wal", "-shm"):
            try:
                share_existing(f"{self.path}{suffix}", self.group)
            except UnsafeFile as error:
                raise StoreError(str(error)) from None

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

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
        applied = [m.name for m in migrations.applied(self.db)]
        unknown = [name for name in applied if name not in MIGRATION_NAMES]
        if unknown:
            raise StoreError(
                f"{self.path} was written by a newer mopstui (schema step {unknown[0]!r} is unknown "
                "to this version); upgrade mopstui to use it"
            )
        if not migrations.pending(self.db):
            return
        if not writable:
            if not applied:
                raise StoreError(f"{self.path} is not a mopstui database (or is empty), and it is read-only")
            raise StoreError(f"{self.path} needs a schema upgrade that a read-only user cannot do")
        if applied == [] and self._has_foreign_tables():
            raise StoreError(f"{self.path} is an SQLite file but not a mopstui database; refusing to change it")
        # Take the write lock first so that two sessions opening an old file upgrade it once.
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            migrations.apply(self.db)
            self.conn.execute("COMMIT")
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise

    def _has_foreign_tables(self) -> bool:
        names = set(self.db.table_names())
        return bool(names - {"_sqlite_migrations"})

    @property
    def schema_steps(self) -> list[str]:
        return [m.name for m in migrations.applied(self.db)]

    # ------------------------------------------------------------------ writing

    def _retry(self, action, *args, **kwargs):
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
                    raise StoreError(f"database error in {self.path}: {error}") from None
                if time.monotonic() >= deadline:
                    raise StoreBusy(
                        f"{self.path} stayed locked by another process for {self.write_timeout:.0f}s; "
                        "nothing was written, try again"
                    ) from None
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

    def _insert_event(
        self,
        conn: sqlite3.Connection,
        *,
        incident_id: int | None,
        occurred_at: datetime,
        author: str,
        kind: str,
        text: str,
        value: str | None,
        ref: int | None,
        dedupe: str | None,
        recorded_at: datetime | None = None,
        account: Account | None = None,
    ) -> Event:
        last = conn.execute("SELECT id, hash FROM events ORDER BY id DESC LIMIT 1").fetchone()
        previous_hash = last[1] if last else GENESIS
        next_id = self._next_event_id(conn)
        row = (
            next_id,
            incident_id,
            to_store(occurred_at),
            to_store(recorded_at or utcnow()),
            author,
            kind,
            text,
            value,
            ref,
            dedupe,
            (account or self.account).login,
            (account or self.account).uid,
        )
        hash_ = chain_hash(previous_hash, row)
        conn.execute(f"INSERT INTO events ({EVENT_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", row + (hash_,))
        return _event(row + (hash_,))

    @staticmethod
    def _next_event_id(conn: sqlite3.Connection) -> int:
        # AUTOINCREMENT's own counter: a deleted last row still never gives its id away again.
        seq = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'events'").fetchone()
        top = conn.execute("SELECT max(id) FROM events").fetchone()[0] or 0
        return max(seq[0] if seq else 0, top) + 1

    def declare(
        self,
        title: str,
        *,
        severity: str,
        author: str,
        services: tuple[str, ...] | list[str] = (),
        at: datetime | None = None,
        catalog: dict | None = None,
        replay_recorded_at: datetime | None = None,
        replay_account: Account | None = None,
    ) -> Incident:
        title = clean_line(title)
        if len(title) > MAX_TITLE:
            raise TooLong(f"the title is {len(title):,} characters; the limit is {MAX_TITLE:,}")
        if not title:
            raise InputError("an incident needs a title")
        severity = severity.upper()
        if severity not in SEVERITIES:
            raise InputError(f"unknown severity {severity!r} (use {', '.join(SEVERITIES)})")
        author = self._author(author)
        value = json.dumps({"severity": severity, "services": list(services)})

        def write() -> int:
            with self._write() as conn:
                now = replay_recorded_at or utcnow()
                cur = conn.execute("INSERT INTO incidents (created_at) VALUES (?)", (to_store(now),))
                incident_id = cur.lastrowid
                self._insert_event(
                    conn, incident_id=incident_id, occurred_at=at or now, author=author, kind="declared",
                    text=title, value=value, ref=None, dedupe=None, recorded_at=now, account=replay_account,
                )  # fmt: skip
                if catalog is not None:
                    # What the map said when the incident began, for the postmortem.
                    self._insert_event(
                        conn, incident_id=incident_id, occurred_at=at or now, author="mopstui", kind="catalog",
                        text=f"catalog snapshot: {len(catalog.get('services', []))} services",
                        value=json.dumps(catalog, sort_keys=True), ref=None, dedupe=None, recorded_at=now,
                    )  # fmt: skip
                return incident_id

        return self.incident(self._retry(write))

    def append(
        self,
        incident: int,
        kind: str,
        text: str = "",
        *,
        author: str,
        at: datetime | None = None,
        value: str | None = None,
        ref: int | None = None,
        dedupe: str | None = None,
        replay_recorded_at: datetime | None = None,
        replay_account: Account | None = None,
    ) -> Event:
        """Append one event to an incident's timeline; validated and written atomically.

        With `dedupe`, a second append with the same key (from this or any other process)
        writes nothing and returns the event already there: exactly-once system events.
        `replay_recorded_at` and `replay_account` are for the demo's scripted history only: real
        entries are always recorded at the moment they are written, by the account writing them.
        """
        if kind not in KINDS:
            raise InputError(f"unknown kind {kind!r} (use one of {', '.join(ENTRY_KINDS)})")
        text = clean(text).strip()
        if len(text) > MAX_TEXT:
            raise TooLong(f"the entry is {len(text):,} characters; the limit is {MAX_TEXT:,} (nothing was written: "
                          "split it into several entries)")
        author = self._author(author)
        if kind in ENTRY_KINDS + ("correction", "system", "vendor") and not text:
            raise InputError("the entry is empty: write what happened")

        def write() -> Event:
            with self._write() as conn:
                if dedupe is not None:
                    existing = conn.execute(f"SELECT {EVENT_COLUMNS} FROM events WHERE dedupe = ?", (dedupe,)).fetchone()
                    if existing:
                        return _event(existing)
                current = self._incident_in(conn, incident)
                self._validate(conn, current, kind, value, ref)
                return self._insert_event(
                    conn, incident_id=incident, occurred_at=at or utcnow(), author=author, kind=kind,
                    text=text, value=value, ref=ref, dedupe=dedupe, recorded_at=replay_recorded_at,
                    account=replay_account,
                )  # fmt: skip

        return self._retry(write)

    def _validate(self, conn: sqlite3.Connection, incident: Incident, kind: str, value: str | None, ref: int | None) -> None:
        if kind == "status":
            if value not in STATUSES:
                raise InputError(f"unknown status {value!r} (use {' → '.join(STATUSES)})")
            if incident.resolved:
                raise InputError(f"{incident.label} is resolved; its status cannot change")
            if value == incident.status:
                raise InputError(f"{incident.label} is already {value}")
        elif kind == "severity":
            if value not in SEVERITIES:
                raise InputError(f"unknown severity {value!r} (use {', '.join(SEVERITIES)})")
            if value == incident.severity:
                raise InputError(f"{incident.label} is already {value}")
        elif kind == "role":
            role = json.loads(value or "{}").get("role")
            if role not in ROLES:
                raise InputError(f"unknown role {role!r} (use {', '.join(ROLES)})")
        if kind in ("star", "correction"):
            if ref is None:
                raise InputError(f"a {kind} must name the entry it is about")
            target = conn.execute("SELECT incident_id FROM events WHERE id = ?", (ref,)).fetchone()
            if target is None or target[0] != incident.id:
                raise InputError(f"entry #{ref} is not in {incident.label}")

    @staticmethod
    def _author(author: str) -> str:
        author = clean_line(author, 64)
        if not author:
            raise InputError("who is writing? give --user NAME")
        return author

    # ------------------------------------------------------------------ convenience writes

    def set_status(self, incident: int, status: str, *, author: str, at: datetime | None = None) -> Event:
        status = status.lower()
        text = f"status → {status}"
        return self.append(incident, "status", text, author=author, at=at, value=status)

    def set_severity(self, incident: int, severity: str, *, author: str, at: datetime | None = None) -> Event:
        severity = severity.upper()
        return self.append(incident, "severity", f"severity → {severity}", author=author, at=at, value=severity)

    def assign_role(self, incident: int, role: str, user: str | None, *, author: str, at: datetime | None = None) -> Event:
        user = clean_line(user, 64) if user else None
        text = f"{role} → {user}" if user else f"{role} role released"
        return self.append(incident, "role", text, author=author, at=at, value=json.dumps({"role": role, "user": user}))

    def star(self, incident: int, event_id: int, *, author: str) -> Event:
        return self.append(incident, "star", f"starred #{event_id}", author=author, ref=event_id)

    def correct(self, incident: int, event_id: int, text: str, *, author: str) -> Event:
        return self.append(incident, "correction", text, author=author, ref=event_id)

    # ------------------------------------------------------------------ reading

    def _incident_in(self, conn: sqlite3.Connection, incident_id: int) -> Incident:
        marks = ",".join("?" * len(STATE_EVENT_KINDS))
        rows = conn.execute(
            f"SELECT {EVENT_COLUMNS} FROM events WHERE incident_id = ? AND kind IN ({marks})",
            (incident_id, *STATE_EVENT_KINDS),
        ).fetchall()
        if not rows:
            raise InputError(f"there is no incident {incident_label(incident_id)}")
        return derive_incident(incident_id, [_event(r) for r in rows])

    def incident(self, incident_id: int) -> Incident:
        return self._incident_in(self.conn, incident_id)

    def incidents(self, *, include_resolved: bool = False) -> list[Incident]:
        marks = ",".join("?" * len(STATE_EVENT_KINDS))
        rows = self.conn.execute(
            f"SELECT {EVENT_COLUMNS} FROM events WHERE kind IN ({marks}) AND incident_id IS NOT NULL",
            STATE_EVENT_KINDS,
        ).fetchall()
        grouped: dict[int, list[Event]] = {}
        for row in rows:
            event = _event(row)
            grouped.setdefault(event.incident_id, []).append(event)
        found = [derive_incident(i, evs) for i, evs in grouped.items() if any(e.kind == "declared" for e in evs)]
        if not include_resolved:
            found = [i for i in found if not i.resolved]
        return sorted(found, key=lambda i: i.id)

    def events(self, incident_id: int, *, after_id: int = 0, limit: int | None = None) -> list[Event]:
        """An incident's events in timeline order (when they happened, then when written)."""
        sql = f"SELECT {EVENT_COLUMNS} FROM events WHERE incident_id = ? AND id > ? ORDER BY occurred_at, id"
        if limit:
            sql += f" LIMIT {int(limit)}"
        return [_event(r) for r in self.conn.execute(sql, (incident_id, after_id))]

    def iter_events(self, incident_id: int, batch: int = 2000) -> Iterator[Event]:
        """Stream a large timeline without holding it all in memory."""
        cursor = self.conn.execute(
            f"SELECT {EVENT_COLUMNS} FROM events WHERE incident_id = ? ORDER BY occurred_at, id", (incident_id,)
        )
        while rows := cursor.fetchmany(batch):
            yield from (_event(r) for r in rows)

    def events_since(self, after_id: int) -> list[Event]:
        """Every event written after `after_id`, any incident: what other sessions just wrote."""
        return [_event(r) for r in self.conn.execute(f"SELECT {EVENT_COLUMNS} FROM events WHERE id > ? ORDER BY id", (after_id,))]

    def event(self, event_id: int) -> Event | None:
        row = self.conn.execute(f"SELECT {EVENT_COLUMNS} FROM events WHERE id = ?", (event_id,)).fetchone()
        return _event(row) if row else None

    def last_event_id(self) -> int:
        return self.conn.execute("SELECT coalesce(max(id), 0) FROM events").fetchone()[0]

    def data_version(self) -> int:
        """Changes when any other connection commits: the cheap "anything new?" check."""
        return self.conn.execute("PRAGMA data_version").fetchone()[0]

    def count_events(self, incident_id: int | None = None) -> int:
        if incident_id is None:
            return self.conn.execute("SELECT count(*) FROM events").fetchone()[0]
        return self.conn.execute("SELECT count(*) FROM events WHERE incident_id = ?", (incident_id,)).fetchone()[0]

    def search(self, incident_id: int, query: str, *, kind: str | None = None, author: str | None = None) -> list[Event]:
        """Full-text search of one incident's timeline; the query is taken as words, not syntax."""
        where, params = ["incident_id = ?"], [incident_id]
        if kind:
            where.append("kind = ?")
            params.append(kind)
        if author:
            where.append("author = ?")
            params.append(author)
        if query.strip():
            ids = [row["rowid"] for row in self.db["events"].search(query, columns=["rowid"], quote=True)]
            if not ids:
                return []
            where.append(f"id IN ({','.join('?' * len(ids))})")
            params.extend(ids)
        sql = f"SELECT {EVENT_COLUMNS} FROM events WHERE {' AND '.join(where)} ORDER BY occurred_at, id"
        return [_event(r) for r in self.conn.execute(sql, params)]

    # ------------------------------------------------------------------ integrity

    def head(self) -> Head:
        """The chain's head as it stands (not verified: `verify` does that)."""
        row = self.conn.execute("SELECT id, hash FROM events ORDER BY id DESC LIMIT 1").fetchone()
        count = self.conn.execute("SELECT count(*) FROM events").fetchone()[0]
        return Head(count, row[0], row[1]) if row else Head(0, 0, GENESIS)

    def verify(self, since_heads: Sequence[str] = ()) -> VerifyResult:
        """Recompute the hash chain and run SQLite's own integrity check. Each of `since_heads` (a
        head hash, or a prefix of 12 or more of its hex digits, noted earlier) must still be in
        the chain: that is what catches a deleted tail, a deleted log, ids reused after a lost
        -wal, or a log rewritten with every hash recomputed."""
        try:
            check = [r[0] for r in self.conn.execute("PRAGMA integrity_check")]
        except sqlite3.DatabaseError as error:
            return VerifyResult(False, 0, f"SQLite cannot read {self.path}: {error}")
        if check != ["ok"]:
            return VerifyResult(False, 0, "SQLite integrity check failed: " + "; ".join(check[:3]))
        pending = {prefix.lower() for prefix in since_heads}
        previous, expected_id, count, last_id = GENESIS, None, 0, 0
        try:
            for row in self.conn.execute(f"SELECT {EVENT_COLUMNS} FROM events ORDER BY id"):
                event_id, stored_hash = row[0], row[-1]
                if expected_id is not None and event_id != expected_id:
                    missing = expected_id if event_id == expected_id + 1 else f"{expected_id}..{event_id - 1}"
                    return VerifyResult(False, count, f"event #{missing} is missing (deleted); the chain breaks at #{event_id}",
                                        expected_id)
                if chain_hash(previous, tuple(row[:-1])) != stored_hash:
                    return VerifyResult(False, count, f"event #{event_id} does not match its hash: it was changed after it was "
                                        "written", event_id)
                if pending:
                    pending -= {prefix for prefix in pending if stored_hash.startswith(prefix)}
                previous, expected_id, count, last_id = stored_hash, event_id + 1, count + 1, event_id
        except sqlite3.Error as error:
            unreadable = self.conn.execute("SELECT min(id) FROM events WHERE id > ?", (last_id,)).fetchone()[0]
            return VerifyResult(False, count, f"event #{unreadable or last_id + 1} cannot be read ({error}); "
                                "the log is damaged from there", unreadable or last_id + 1)
        seq = self.conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'events'").fetchone()
        if seq and expected_id is not None and seq[0] >= expected_id:
            return VerifyResult(False, count, f"event #{seq[0]} is missing (deleted from the end of the log)", seq[0])
        if seq and expected_id is None and seq[0] > 0:
            return VerifyResult(False, 0, f"all {seq[0]} events are missing (deleted)", 1)
        head = Head(count, last_id, previous)
        if pending:
            noted = sorted(pending)[0]
            return VerifyResult(False, count, f"the head you noted ({noted[:16]}…) is no longer in the log: events up to it "
                                "were deleted or rewritten since it was noted", head=head)
        message = f"{count} events, hash chain intact, integrity ok"
        if since_heads:
            message += f"; the {len(since_heads)} noted head(s) are in the chain"
        return VerifyResult(True, count, message, head=head)

    # ------------------------------------------------------------------ vendor status

    def save_vendor_statuses(self, statuses: dict[str, dict], observations: list[dict]) -> list[int]:
        """The poller's results in one transaction: the latest status of each vendor (a cache,
        overwritten) and the state changes it saw (history, appended). Returns observation ids."""

        def write() -> list[int]:
            with self._write() as conn:
                for vendor_id, payload in statuses.items():
                    conn.execute(
                        "INSERT INTO vendor_status (vendor_id, payload, checked_at) VALUES (?,?,?) "
                        "ON CONFLICT(vendor_id) DO UPDATE SET payload = excluded.payload, checked_at = excluded.checked_at",
                        (vendor_id, json.dumps(payload, ensure_ascii=False), payload.get("checked_at")),
                    )
                ids = []
                for item in observations:
                    cur = conn.execute(
                        "INSERT INTO status_observations (vendor_id, component, group_name, state, previous_state, "
                        "vendor_time, seen_at, reason) VALUES (?,?,?,?,?,?,?,?)",
                        (item["vendor_id"], item.get("component"), item.get("group_name"), item["state"],
                         item.get("previous_state"), item.get("vendor_time"), item["seen_at"], item.get("reason")),
                    )
                    ids.append(cur.lastrowid)
                return ids

        return self._retry(write)

    def vendor_status_payloads(self) -> dict[str, dict]:
        result = {}
        for vendor_id, payload in self.conn.execute("SELECT vendor_id, payload FROM vendor_status"):
            try:
                result[vendor_id] = json.loads(payload)
            except ValueError:
                continue
        return result

    def observations(self, *, since: str | None = None, until: str | None = None, vendor_id: str | None = None) -> list[dict]:
        where, params = [], []
        if since:
            where.append("seen_at >= ?")
            params.append(since)
        if until:
            where.append("seen_at <= ?")
            params.append(until)
        if vendor_id:
            where.append("vendor_id = ?")
            params.append(vendor_id)
        sql = "SELECT * FROM status_observations" + (f" WHERE {' AND '.join(where)}" if where else "") + " ORDER BY id"
        return [dict(row) for row in self.db.query(sql, params)]

    def cursor(self, name: str) -> int | None:
        row = self.conn.execute("SELECT value FROM cursors WHERE name = ?", (name,)).fetchone()
        return row[0] if row else None

    def set_cursor(self, name: str, value: int) -> None:
        def write() -> None:
            with self._write() as conn:
                conn.execute("INSERT INTO cursors (name, value) VALUES (?, ?) "
                             "ON CONFLICT(name) DO UPDATE SET value = excluded.value", (name, value))

        self._retry(write)

    def has_dedupe(self, key: str) -> bool:
        return self.conn.execute("SELECT 1 FROM events WHERE dedupe = ?", (key,)).fetchone() is not None

    # ------------------------------------------------------------------ presence and leases

    def heartbeat(self, session: str, *, user: str, host: str, client: str, pid: int, incident_id: int | None) -> None:
        now = to_store(utcnow())

        def write() -> None:
            with self._write() as conn:
                conn.execute(
                    """INSERT INTO presence (session, user, login, host, client, pid, started_at, heartbeat_at, incident_id)
                       VALUES (?,?,?,?,?,?,?,?,?)
                       ON CONFLICT(session) DO UPDATE SET heartbeat_at = excluded.heartbeat_at,
                       incident_id = excluded.incident_id""",
                    (session, user, self.account.login, host, client, pid, now, now, incident_id),
                )

        self._retry(write)

    def leave(self, session: str) -> None:
        def write() -> None:
            with self._write() as conn:
                conn.execute("UPDATE presence SET left_at = ? WHERE session = ?", (to_store(utcnow()), session))

        self._retry(write)

    def present(self, *, within: timedelta = timedelta(seconds=45)) -> list[dict]:
        cutoff = to_store(utcnow() - within)
        rows = self.conn.execute(
            f"SELECT {PRESENCE_COLUMNS} FROM presence WHERE heartbeat_at >= ? AND left_at IS NULL ORDER BY started_at",
            (cutoff,),
        ).fetchall()
        return [dict(zip(PRESENCE_COLUMNS.split(", "), row)) for row in rows]

    def sessions_between(self, start: datetime, end: datetime) -> list[dict]:
        """Every session that was open at some point between `start` and `end`."""
        rows = self.conn.execute(
            f"SELECT {PRESENCE_COLUMNS} FROM presence WHERE started_at <= ? AND coalesce(left_at, heartbeat_at) >= ? "
            "ORDER BY started_at",
            (to_store(end), to_store(start)),
        ).fetchall()
        return [dict(zip(PRESENCE_COLUMNS.split(", "), row)) for row in rows]

    def take_lease(self, name: str, holder: str, ttl: timedelta) -> bool:
        """Take or renew lease `name` for `holder`; True while it is ours."""
        now = utcnow()

        def write() -> bool:
            with self._write() as conn:
                row = conn.execute("SELECT holder, expires_at FROM leases WHERE name = ?", (name,)).fetchone()
                if row and row[0] != holder and from_store(row[1]) > now:
                    return False
                conn.execute(
                    "INSERT INTO leases (name, holder, expires_at) VALUES (?,?,?) "
                    "ON CONFLICT(name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at",
                    (name, holder, to_store(now + ttl)),
                )
                return True

        return self._retry(write)

    def release_lease(self, name: str, holder: str) -> None:
        def write() -> None:
            with self._write() as conn:
                conn.execute("DELETE FROM leases WHERE name = ? AND holder = ?", (name, holder))

        self._retry(write)

    def lease_holder(self, name: str) -> str | None:
        row = self.conn.execute("SELECT holder, expires_at FROM leases WHERE name = ?", (name,)).fetchone()
        if row and from_store(row[1]) > utcnow():
            return row[0]
        return None
