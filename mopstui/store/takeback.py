"""Taking back, as new events: withdrawing an entry, unstarring it, reopening an incident; and
reading what was taken back, so that the clocks and figures leave it out (the rules are in
domain/takeback.py)."""

from __future__ import annotations

from datetime import datetime

from ..domain.model import CUSTOMER_UPDATE_KIND, Event, InputError
from ..domain.takeback import TAKEBACK_KINDS, TakeBacks
from .events import EVENT_COLUMNS, EventsMixin, _event


class TakeBackMixin(EventsMixin):
    def withdraw(self, incident: int, event_id: int, reason: str, *, author: str) -> Event:
        """The entry stays in the log, marked withdrawn with who and why; it stops counting."""
        return self.append(incident, "withdraw", reason, author=author, ref=event_id)

    def star(self, incident: int, event_id: int, *, author: str) -> Event:
        """Star an entry; starring one already starred is refused, as unstarring one that is not
        (a second star once logged a second `starred #3`)."""
        if event_id in self.starred(incident):
            raise InputError(f"entry #{event_id} is already starred (unstar takes the star off)")
        return self.append(incident, "star", f"starred #{event_id}", author=author, ref=event_id)

    def unstar(self, incident: int, event_id: int, *, author: str) -> Event:
        if event_id not in self.starred(incident):
            raise InputError(f"entry #{event_id} is not starred")
        return self.append(incident, "unstar", f"unstarred #{event_id}", author=author, ref=event_id)

    def reopen(
        self, incident: int, reason: str, *, author: str, status: str = "investigating", at: datetime | None = None
    ) -> Event:
        """A resolved incident under way again: its clocks resume; the postmortem shows both spans."""
        return self.append(incident, "reopen", reason, author=author, at=at, value=status)

    def starred(self, incident_id: int) -> set[int]:
        """The entries starred now (a star undone by a later unstar is not)."""
        rows = self.conn.execute(
            "SELECT kind, ref FROM events WHERE incident_id = ? AND kind IN ('star', 'unstar') ORDER BY id", (incident_id,)
        )
        found: set[int] = set()
        for kind, ref in rows:
            (found.add if kind == "star" else found.discard)(ref)
        return found

    def take_backs(self, incident_id: int) -> TakeBacks:
        """Which of the incident's entries were withdrawn or given another kind."""
        rows = self.conn.execute(
            f"SELECT {EVENT_COLUMNS} FROM events WHERE incident_id = ? AND kind IN (?, ?) ORDER BY id",
            (incident_id, *TAKEBACK_KINDS),
        )
        return TakeBacks.of(_event(r) for r in rows)

    def last_customer_update(self, incident_id: int) -> Event | None:
        """The incident's latest customer update, by the domain's rule (`latest_customer_update`
        with what was taken back): the update-due clock counts from it."""
        return self.last_of_kind(incident_id, CUSTOMER_UPDATE_KIND)

    def last_of_kind(self, incident_id: int, kind: str) -> Event | None:
        """The latest entry that counts as `kind` now (by when it happened): e.g. the last customer
        update. Withdrawn entries do not count; re-kinded ones count as their new kind."""
        changes = self.take_backs(incident_id)
        left_out, taken_in = sorted(changes.changed()), sorted(changes.now_of_kind(kind))
        where = "kind = ?"
        if left_out:
            where += f" AND id NOT IN ({','.join('?' * len(left_out))})"
        if taken_in:
            where = f"({where}) OR id IN ({','.join('?' * len(taken_in))})"
        row = self.conn.execute(
            f"SELECT {EVENT_COLUMNS} FROM events WHERE incident_id = ? AND ({where}) ORDER BY occurred_at DESC, id DESC LIMIT 1",
            (incident_id, kind, *left_out, *taken_in),
        ).fetchone()
        return _event(row) if row else None
