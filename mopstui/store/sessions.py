"""Who is in the room (presence, kept for the postmortem's participant list) and which session
does the room's duties (leases)."""

from __future__ import annotations

import os
from datetime import datetime, timedelta

from ..timeutil import from_store, to_store, utcnow
from .backend import Backend

# "user" quoted: a reserved word in standard SQL (PostgreSQL reads a bare `user` as current_user).
PRESENCE_COLUMNS = 'session, "user", login, host, client, pid, started_at, heartbeat_at, left_at, incident_id'

# Presence: a heartbeat every 15 s; three missed and a session is gone (a dead one drops out
# within a minute). $MOPSTUI_HEARTBEAT_SECONDS shortens it, for tests. The same for a screen and
# for `mopstui mcp`.
HEARTBEAT_EVERY = float(os.environ.get("MOPSTUI_HEARTBEAT_SECONDS") or 15.0)
PRESENCE_WINDOW = timedelta(seconds=3 * HEARTBEAT_EVERY)

# A presence row's `client` for `mopstui mcp` (a screen puts its SSH address there): shown among
# those here ("claude for ana"), never offered a role.
MCP_CLIENT = "mcp"

PRESENCE_NAMES = [name.strip('"') for name in PRESENCE_COLUMNS.split(", ")]


class SessionsMixin(Backend):
    def heartbeat(self, session: str, *, user: str, host: str, client: str, pid: int, incident_id: int | None) -> None:
        """Here, now. A session that had left (its terminal away) and beats again is back."""
        now = to_store(utcnow())

        def write() -> None:
            with self._write() as conn:
                conn.execute(
                    """INSERT INTO presence (session, "user", login, host, client, pid, started_at, heartbeat_at, incident_id)
                       VALUES (?,?,?,?,?,?,?,?,?)
                       ON CONFLICT(session) DO UPDATE SET heartbeat_at = excluded.heartbeat_at,
                       incident_id = excluded.incident_id, left_at = NULL""",
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
        return [dict(zip(PRESENCE_NAMES, row)) for row in rows]

    def sessions_between(self, start: datetime, end: datetime) -> list[dict]:
        """Every session that was open at some point between `start` and `end`."""
        rows = self.conn.execute(
            f"SELECT {PRESENCE_COLUMNS} FROM presence WHERE started_at <= ? AND coalesce(left_at, heartbeat_at) >= ? "
            "ORDER BY started_at",
            (to_store(end), to_store(start)),
        ).fetchall()
        return [dict(zip(PRESENCE_NAMES, row)) for row in rows]

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
