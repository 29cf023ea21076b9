"""Vendor evidence and background cursors: the latest status of each vendor, the state changes
the poller saw, and where background jobs (notifications) got to in the log."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from .backend import Backend

OBSERVATION_COLUMNS = "id, vendor_id, component, group_name, state, previous_state, vendor_time, seen_at, reason"


def append_observations(conn: Any, observations: Iterable[dict]) -> list[int]:
    """State changes appended to the history vendors and our signals share; their ids."""
    ids = []
    for item in observations:
        cur = conn.execute(
            "INSERT INTO status_observations (vendor_id, component, group_name, state, previous_state, "
            "vendor_time, seen_at, reason) VALUES (?,?,?,?,?,?,?,?) RETURNING id",
            (
                item["vendor_id"],
                item.get("component"),
                item.get("group_name"),
                item["state"],
                item.get("previous_state"),
                item.get("vendor_time"),
                item["seen_at"],
                item.get("reason"),
            ),
        )
        ids.append(int(cur.fetchone()[0]))
    return ids


class StatusMixin(Backend):
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
                return append_observations(conn, observations)

        return self._retry(write)

    def vendor_status_payloads(self) -> dict[str, dict]:
        result = {}
        for vendor_id, payload in self.conn.execute("SELECT vendor_id, payload FROM vendor_status"):
            try:
                result[vendor_id] = json.loads(payload)
            except ValueError:
                continue
        return result

    def vendor_status_mark(self) -> tuple:
        """Changes whenever the poller stores a round: a screen reloads vendor statuses only then,
        not on every commit (50 sessions' heartbeats alone are several a second)."""
        return tuple(self.conn.execute("SELECT count(*), max(checked_at) FROM vendor_status").fetchone())

    def observations(
        self, *, since: str | None = None, until: str | None = None, vendor_id: str | None = None, latest: int | None = None
    ) -> list[dict]:
        """Stored vendor state changes, oldest first; `latest`: only the last N of them."""
        where: list[str] = []
        params: list[object] = []
        for clause, value in (("seen_at >= ?", since), ("seen_at <= ?", until), ("vendor_id = ?", vendor_id)):
            if value:
                where.append(clause)
                params.append(value)
        sql = f"SELECT {OBSERVATION_COLUMNS} FROM status_observations" + (f" WHERE {' AND '.join(where)}" if where else "")
        if latest:
            sql = f"SELECT * FROM ({sql} ORDER BY id DESC LIMIT {int(latest)})"
        rows = self.conn.execute(sql + " ORDER BY id", params).fetchall()
        return [dict(zip(OBSERVATION_COLUMNS.split(", "), row)) for row in rows]

    def cursor(self, name: str) -> int | None:
        row = self.conn.execute("SELECT value FROM cursors WHERE name = ?", (name,)).fetchone()
        return row[0] if row else None

    def set_cursor(self, name: str, value: int) -> None:
        def write() -> None:
            with self._write() as conn:
                conn.execute(
                    "INSERT INTO cursors (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value",
                    (name, value),
                )

        self._retry(write)
