"""Who is in the room (presence, kept for the postmortem's participant list) and which session
does the room's duties (leases)."""

from __future__ import annotations

import os
from datetime import datetime, timedelta

from ..base.timeutil import to_store, utcnow
from ..domain.leases import Claim, lease_ttl, standing
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
        return self.claim_lease(name, holder, ttl).held

    def claim_lease(self, name: str, holder: str, ttl: timedelta) -> Claim:
        """Take or renew lease `name` for `holder` (for at most LONGEST_LEASE): held, or who holds
        it; a claim no session could have made (a far-off or unreadable end) is void, set aside,
        and reported."""
        ttl = lease_ttl(ttl)

        def write() -> Claim:
            with self._write() as conn:
                return self._claim(conn, name, holder, ttl)

        return self._retry(write)

    def release_lease(self, name: str, holder: str) -> None:
        def write() -> None:
            with self._write() as conn:
                self._release(conn, name, holder)

        self._retry(write)

    def lease_holder(self, name: str) -> str | None:
        """Who holds the lease now; None when nobody does (or only a void claim stands)."""
        row = self.conn.execute("SELECT holder, expires_at FROM leases WHERE name = ?", (name,)).fetchone()
        if row and standing(row[1], self._lease_clock()) == "live":
            return row[0]
        return None
