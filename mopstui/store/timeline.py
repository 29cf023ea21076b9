"""Reading one incident's timeline a piece at a time: the screen draws the newest screenful
first and reads the rest behind it (100,000 entries are read into objects in seconds; the
lines on screen need a few hundred of them)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from ..base.timeutil import to_store
from ..domain.model import Event
from .events import EVENT_COLUMNS, EventsMixin, _event


class TimelineMixin(EventsMixin):
    def newest_events(self, incident_id: int, count: int) -> list[Event]:
        """The last `count` events of an incident, in timeline order (when they happened, then
        when written), read backwards along the incident's time index."""
        rows = self.conn.execute(
            f"SELECT {EVENT_COLUMNS} FROM events WHERE incident_id = ? ORDER BY occurred_at DESC, id DESC LIMIT ?",
            (incident_id, max(0, int(count))),
        ).fetchall()
        return [_event(r) for r in reversed(rows)]

    def events_before(
        self, incident_id: int, occurred_at: datetime, event_id: int, *, batch: int = 5000
    ) -> Iterator[list[Event]]:
        """The incident's events that come before (occurred_at, event_id) in timeline order, in
        batches: the rest of a timeline whose newest part is already read, read by a worker that
        can stop between two batches (the screen closed)."""
        at = to_store(occurred_at)
        cursor = self.conn.execute(
            f"SELECT {EVENT_COLUMNS} FROM events WHERE incident_id = ? AND occurred_at <= ? "
            "AND (occurred_at < ? OR id < ?) ORDER BY occurred_at, id",
            (incident_id, at, at, event_id),
        )
        while rows := cursor.fetchmany(batch):
            yield [_event(r) for r in rows]
