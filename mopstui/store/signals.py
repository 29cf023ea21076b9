"""Signal evidence: the latest state of each marketing signal (a cache, overwritten by the
session holding the room's duties), and what arrived for the silence and deliverability signals
(history, appended by `mopstui signal`, `mopstui listen` and read back to learn the usual gap).
State changes go to the same history as the vendors' (`status_observations`, as `signal:ID`)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from .backend import Backend
from .observations import append_observations

ARRIVAL_COLUMNS = "id, signal_id, arrived_at, count, value, source"
MAX_ARRIVALS_READ = 100_000  # a week of one lead a minute is 10,080: far below
MAX_ARRIVALS_KEPT = 200_000  # per signal: a token holder posting in a loop cannot fill the disk


class SignalsMixin(Backend):
    def save_signal_states(self, states: dict[str, dict], observations: list[dict]) -> list[int]:
        """One round's signal states and the changes among them, in one transaction."""

        def write() -> list[int]:
            with self._write() as conn:
                for signal_id, payload in states.items():
                    conn.execute(
                        "INSERT INTO signal_status (signal_id, payload, checked_at) VALUES (?,?,?) "
                        "ON CONFLICT(signal_id) DO UPDATE SET payload = excluded.payload, checked_at = excluded.checked_at",
                        (signal_id, json.dumps(payload, ensure_ascii=False), payload.get("checked_at")),
                    )
                return append_observations(conn, observations)

        return self._retry(write)

    def signal_state_payloads(self) -> dict[str, dict]:
        result = {}
        for signal_id, payload in self.conn.execute("SELECT signal_id, payload FROM signal_status"):
            try:
                value = json.loads(payload)
            except (TypeError, ValueError):
                continue
            if isinstance(value, dict):
                result[signal_id] = value
        return result

    def signal_status_mark(self) -> tuple:
        return tuple(self.conn.execute("SELECT count(*), max(checked_at) FROM signal_status").fetchone())

    def record_arrivals(self, rows: Sequence[tuple[str, str, int, str | None, str]]) -> None:
        """(signal id, when, count, value, source) for each arrival, in one transaction."""

        def write() -> None:
            with self._write() as conn:
                conn.executemany(
                    "INSERT INTO signal_arrivals (signal_id, arrived_at, count, value, source) VALUES (?,?,?,?,?)", rows
                )

        self._retry(write)

    def prune_arrivals(self, signal_id: str, before: str, *, at_most: int = MAX_ARRIVALS_KEPT) -> None:
        """Forget a signal's arrivals from before `before`, except the last one ever (a long
        silence is measured from it), and all but the newest `at_most` written."""

        def write() -> None:
            with self._write() as conn:
                conn.execute(
                    "DELETE FROM signal_arrivals WHERE signal_id = ? AND arrived_at < ? AND id NOT IN "
                    "(SELECT id FROM signal_arrivals WHERE signal_id = ? AND count > 0 ORDER BY arrived_at DESC, id DESC "
                    "LIMIT 1)",
                    (signal_id, before, signal_id),
                )
                row = conn.execute(
                    "SELECT id FROM signal_arrivals WHERE signal_id = ? ORDER BY id DESC LIMIT 1 OFFSET ?",
                    (signal_id, int(at_most)),
                ).fetchone()
                if row is not None:
                    conn.execute("DELETE FROM signal_arrivals WHERE signal_id = ? AND id <= ?", (signal_id, row[0]))

        self._retry(write)

    def arrivals(self, signal_id: str, *, since: str | None = None, latest: int = MAX_ARRIVALS_READ) -> list[dict]:
        """What arrived for a signal (a count of at least one: "checked, none" is no arrival),
        oldest first, at most the `latest` of them."""
        sql = f"SELECT {ARRIVAL_COLUMNS} FROM signal_arrivals WHERE signal_id = ? AND count > 0"
        params: list[object] = [signal_id]
        if since:
            sql += " AND arrived_at >= ?"
            params.append(since)
        sql = f"SELECT * FROM ({sql} ORDER BY arrived_at DESC LIMIT {int(latest)}) AS latest ORDER BY arrived_at"
        return [dict(zip(ARRIVAL_COLUMNS.split(", "), row)) for row in self.conn.execute(sql, params).fetchall()]

    def signal_history(self, changing: Sequence[str], spending: Sequence[str], until: str, since: str) -> tuple[dict, dict]:
        """For measured blind spend: the state changes of the `changing` signals up to `until`,
        and the readings of the `spending` ones between `since` and `until`."""
        from ..base.timeutil import from_store

        changes: dict[str, list] = {}
        for signal_id in changing:
            seen = self.observations(vendor_id=f"signal:{signal_id}", until=until)  # type: ignore[attr-defined]
            changes[signal_id] = [(from_store(o["seen_at"]), o["state"]) for o in seen]
        spend: dict[str, list] = {}
        for signal_id in spending:
            readings = []
            for row in self.arrivals(signal_id, since=since):
                try:
                    readings.append((from_store(row["arrived_at"]), float(row["value"])))
                except (TypeError, ValueError):
                    continue
            spend[signal_id] = [r for r in readings if r[0] <= from_store(until)]
        return changes, spend
