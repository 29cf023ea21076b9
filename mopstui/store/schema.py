"""The SQLite schema, as sqlite-utils migrations. Imported only to create or upgrade a database:
sqlite-utils costs ~100 ms at import, which no ordinary command should pay."""

from __future__ import annotations

import sqlite3

import sqlite_utils
from sqlite_utils.migrations import Migrations

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
    db.table("events").create_index(["incident_id", "occurred_at"])
    db.table("events").create_index(["incident_id", "kind"])
    db.table("events").enable_fts(["text", "author", "kind"], create_triggers=True)
    for action in ("UPDATE", "DELETE"):
        db.execute(
            f"""CREATE TRIGGER events_append_only_{action.lower()} BEFORE {action} ON events
            BEGIN SELECT RAISE(ABORT, 'events are append-only: write a correction instead'); END"""
        )
    db.table("status_observations").create(
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
    db.table("status_observations").create_index(["vendor_id", "seen_at"])
    db.table("status_observations").create_index(["seen_at"])


@migrations()
def m002_sessions(db: sqlite_utils.Database) -> None:
    """Presence (who is in the room) and leases (which session polls vendors)."""
    db.table("presence").create(
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
    db.table("leases").create({"name": str, "holder": str, "expires_at": str}, pk="name")
    db.table("vendor_status").create({"vendor_id": str, "payload": str, "checked_at": str}, pk="vendor_id")


@migrations()
def m003_presence_history(db: sqlite_utils.Database) -> None:
    """Sessions are kept when they leave (left_at), for the postmortem's participant list."""
    db.execute("ALTER TABLE presence ADD COLUMN left_at TEXT")
    db.table("presence").create_index(["heartbeat_at"])


@migrations()
def m004_cursors(db: sqlite_utils.Database) -> None:
    """Where a background job (webhook notifications) got to in the log, across takeovers."""
    db.table("cursors").create({"name": str, "value": int}, pk="name")


@migrations()
def m005_accounts(db: sqlite_utils.Database) -> None:
    """The OS account that wrote each event (inside its hash), and each session's login.
    Events written before this step keep NULL: "account not recorded"."""
    db.execute("ALTER TABLE events ADD COLUMN login TEXT")
    db.execute("ALTER TABLE events ADD COLUMN uid INTEGER")
    db.execute("ALTER TABLE presence ADD COLUMN login TEXT")


@migrations()
def m006_digest_index(db: sqlite_utils.Database) -> None:
    """The export's figures (who wrote how much, the first action and update) read from one index
    alone, not from 100,000 rows: it replaces (incident_id, kind), its own prefix."""
    db.execute("CREATE INDEX idx_events_incident_kind_author_occurred ON events (incident_id, kind, author, occurred_at)")
    db.execute("DROP INDEX IF EXISTS idx_events_incident_id_kind")


@migrations()
def m007_signals(db: sqlite_utils.Database) -> None:
    """Marketing signals: each one's latest state, and what arrived for the silence ones."""
    db.table("signal_status").create({"signal_id": str, "payload": str, "checked_at": str}, pk="signal_id")
    db.table("signal_arrivals").create(
        {"id": int, "signal_id": str, "arrived_at": str, "count": int, "value": str, "source": str},
        pk="id",
        not_null=["signal_id", "arrived_at", "count"],
    )
    db.table("signal_arrivals").create_index(["signal_id", "arrived_at"])


MIGRATION_NAMES = [m.name for m in migrations._migrations]


def apply(conn: sqlite3.Connection) -> None:
    migrations.apply(sqlite_utils.Database(conn, execute_plugins=False))
