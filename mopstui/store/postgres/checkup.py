"""What `mopstui doctor` asks a PostgreSQL server: who this connection is, what its role may do,
and whether notifications reach it (a pooler in transaction mode drops LISTEN)."""

from __future__ import annotations

import time
from typing import Any

import psycopg

# What a person's role needs to use the room, as (table, privilege, what it is for).
NEEDED = (
    ("events", "SELECT", "read the timeline"),
    ("events", "INSERT", "log entries"),
    ("incidents", "INSERT", "declare incidents"),
    ("presence", "INSERT", "show who is in the room"),
    ("status_observations", "INSERT", "keep vendor history"),
)


def role_findings(store: Any) -> list[tuple[str, str, str, str]]:
    """(level, check, sentence, fix) for doctor; the store is open."""
    conn = store._raw(now=True)
    user, session = conn.execute("SELECT current_user, session_user").fetchone()
    findings: list[tuple[str, str, str, str]] = []
    missing = [
        (table, privilege, purpose)
        for table, privilege, purpose in NEEDED
        if not conn.execute("SELECT has_table_privilege(current_user, %s, %s)", (table, privilege)).fetchone()[0]
    ]
    if missing:
        what = "; ".join(f"{privilege} on {table} (to {purpose})" for table, privilege, purpose in missing)
        findings.append(
            (
                "problem",
                "role",
                f"Your database role {user} lacks {what}: the room is read-only for you.",
                "ask the database's owner to run the GRANT lines in the README, 'Beyond one host'",
            )
        )
    else:
        findings.append(("ok", "role", f"Your database role {user} may read and write the room.", ""))
    if session != user:
        findings.append(("note", "role", f"You connect as {session} and act as {user}.", ""))
    # As a screen hears another session: listen here, notify from a second connection. Through a
    # pooler in transaction mode the listening connection is handed back between statements, so
    # the notification never reaches it (a self-notify on one connection can still get through).
    channel = f"mopstui_doctor_{int(time.time() * 1000) % 1_000_000}"
    conn.execute(f"LISTEN {channel}")
    with psycopg.connect(store.url, autocommit=True, connect_timeout=10) as other:
        other.execute("SELECT pg_notify(%s, 'ping')", (channel,))
    heard = any(True for _ in conn.notifies(timeout=2.0, stop_after=1))
    try:
        conn.execute(f"UNLISTEN {channel}")
    except psycopg.Error:
        pass
    if heard:
        findings.append(("ok", "notifications", "The server's notifications reach this connection: screens update at once.", ""))
    else:
        findings.append(
            (
                "problem",
                "notifications",
                "The server's notifications do not reach this connection (a connection "
                "pooler in transaction mode drops them): screens would not update live.",
                "connect to PostgreSQL directly, or through a pooler in session mode",
            )
        )
    return findings
