"""What an export needs to know about an incident before it writes a line, in a few SQL
aggregates instead of a pass over every event: counts, firsts, customer updates, participants,
early entries, stars and corrections."""

from __future__ import annotations

from datetime import datetime

from ..base.timeutil import to_store
from ..domain.takeback import ANNOTATION_KINDS
from .events import EVENT_COLUMNS, _event
from .takeback import TakeBackMixin


class DigestMixin(TakeBackMixin):
    def incident_digest(self, incident_id: int, start: datetime, *, participant_kinds: tuple[str, ...]) -> dict:
        conn, params = self.conn, (incident_id,)
        count = conn.execute("SELECT count(*) FROM events WHERE incident_id = ?", params).fetchone()[0]
        # Withdrawn entries, and entries given another kind, count for nothing they were written as;
        # re-kinded ones count as what they are now (few of either: looked up by id).
        changes = self.take_backs(incident_id)
        left_out = sorted(changes.changed())
        leave_out = f" AND id NOT IN ({','.join('?' * len(left_out))})" if left_out else ""
        firsts = dict(conn.execute(
            "SELECT kind, min(occurred_at) FROM events WHERE incident_id = ? AND kind IN ('action', 'comms')"
            f"{leave_out} GROUP BY kind", (incident_id, *left_out)).fetchall())  # fmt: skip
        # Sorted here: asked to sort, SQLite walked all the incident's rows by time (26 ms for
        # 100,000) instead of the comms alone from the (incident, kind, author, time) index (4 ms).
        comms = [
            r[0]
            for r in conn.execute(
                f"SELECT occurred_at FROM events WHERE incident_id = ? AND kind = 'comms'{leave_out}", (incident_id, *left_out)
            )
        ]
        for kind in ("action", "comms"):
            taken_in = sorted(changes.now_of_kind(kind))
            if not taken_in:
                continue
            times = [
                r[0]
                for r in conn.execute(f"SELECT occurred_at FROM events WHERE id IN ({','.join('?' * len(taken_in))})", taken_in)
            ]
            firsts[kind] = min([t for t in (firsts.get(kind), *times) if t])
            if kind == "comms":
                comms.extend(times)
        comms.sort()
        marks = ",".join("?" * len(participant_kinds))
        participants = dict(conn.execute(
            f"SELECT author, count(*) FROM events WHERE incident_id = ? AND kind IN ({marks}) GROUP BY author",
            (incident_id, *participant_kinds)).fetchall())  # fmt: skip
        early = [(r[0], r[1], r[2]) for r in conn.execute(
            "SELECT id, kind, occurred_at FROM events WHERE incident_id = ? AND occurred_at < ? ORDER BY occurred_at, id",
            (incident_id, to_store(start)))]  # fmt: skip
        notes = [_event(r) for r in conn.execute(
            f"SELECT {EVENT_COLUMNS} FROM events WHERE incident_id = ? AND kind IN ({','.join('?' * len(ANNOTATION_KINDS))}) "
            "ORDER BY id", (incident_id, *ANNOTATION_KINDS))]  # fmt: skip
        return {"count": count, "first_action": firsts.get("action"),
                "first_comms": firsts.get("comms"), "comms": comms,
                "participants": participants, "early": early, "notes": notes}  # fmt: skip
