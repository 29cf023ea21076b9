"""The log itself: appending hash-chained events, reading incidents and timelines, searching,
and verifying the chain."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from typing import Any

from ..base.identity import Account
from ..base.textsafe import clean_line
from ..base.timeutil import from_store, to_store, utcnow
from ..domain.edits import edit_value
from ..domain.model import (
    ENTRY_KINDS,
    INCIDENT_STATE_KINDS,
    ROOM_KINDS,
    Event,
    Incident,
    InputError,
    derive_incident,
    incident_label,
)
from ..domain.rules import author_name, entry_text, severity_name, title_text, validate_append
from ..domain.takeback import rekind_text, rekind_value
from .backend import Backend
from .base import GENESIS, chain_hash

EVENT_COLUMNS = "id, incident_id, occurred_at, recorded_at, author, kind, text, value, ref, dedupe, login, uid, hash"
_ENTRY_MARKS = ",".join("?" * len(ENTRY_KINDS))
_COLUMNS_OF_E = ", ".join(f"e.{column}" for column in EVENT_COLUMNS.split(", "))


def event_rows_query(previous_hash: bool, mark: str = "?") -> str:
    """An incident's events in timeline order (`iter_event_rows`), in either engine's placeholder."""
    columns = ", ".join(f"e.{name}" for name in EVENT_COLUMNS.split(", "))
    previous = ", (SELECT p.hash FROM events p WHERE p.id = e.id - 1)" if previous_hash else ""
    return f"SELECT {columns}{previous} FROM events e WHERE e.incident_id = {mark} ORDER BY e.occurred_at, e.id"


def _event(row: tuple) -> Event:
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


class EventsMixin(Backend):
    def _insert_event(
        self,
        conn: Any,
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
        title = title_text(title)
        severity = severity_name(severity)
        author = author_name(author)
        value = json.dumps({"severity": severity, "services": list(services)})

        def write() -> int:
            with self._write() as conn:
                now = replay_recorded_at or utcnow()
                incident_id = int(
                    conn.execute("INSERT INTO incidents (created_at) VALUES (?) RETURNING id", (to_store(now),)).fetchone()[0]
                )
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
        text = entry_text(kind, text)
        author = author_name(author)

        def write() -> Event:
            with self._write() as conn:
                if dedupe is not None:
                    existing = conn.execute(f"SELECT {EVENT_COLUMNS} FROM events WHERE dedupe = ?", (dedupe,)).fetchone()
                    if existing:
                        return _event(existing)
                current = self._incident_in(conn, incident)
                target = conn.execute(f"SELECT {EVENT_COLUMNS} FROM events WHERE id = ?", (ref,)).fetchone() if ref else None
                withdrawn = conn.execute(
                    f"SELECT {EVENT_COLUMNS} FROM events WHERE incident_id = ? AND kind = 'withdraw' AND ref = ? ORDER BY id",
                    (incident, ref)).fetchone() if ref else None  # fmt: skip
                validate_append(
                    current, kind, value, ref, _event(target) if target else None, _event(withdrawn) if withdrawn else None, at
                )
                return self._insert_event(
                    conn, incident_id=incident, occurred_at=at or utcnow(), author=author, kind=kind,
                    text=text, value=value, ref=ref, dedupe=dedupe, recorded_at=replay_recorded_at,
                    account=replay_account,
                )  # fmt: skip

        return self._retry(write)

    def append_room(self, kind: str, text: str, *, author: str, value: str | None = None) -> Event:
        """Append an event about the war-room as a whole (an override), on no incident's timeline."""
        if kind not in ROOM_KINDS:
            raise InputError(f"{kind!r} is not a war-room event")
        text = entry_text(kind, text)
        author = author_name(author)

        def write() -> Event:
            with self._write() as conn:
                return self._insert_event(
                    conn,
                    incident_id=None,
                    occurred_at=utcnow(),
                    author=author,
                    kind=kind,
                    text=text,
                    value=value,
                    ref=None,
                    dedupe=None,
                )

        return self._retry(write)

    def room_events(self, kind: str) -> list[Event]:
        rows = self.conn.execute(
            f"SELECT {EVENT_COLUMNS} FROM events WHERE incident_id IS NULL AND kind = ? ORDER BY id", (kind,)
        ).fetchall()
        return [_event(r) for r in rows]

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

    def edit_incident(
        self,
        incident: int,
        *,
        author: str,
        title: str | None = None,
        summary: str | None = None,
        services: Sequence[str] | None = None,
    ) -> Event:
        """Change what was declared, as a new `edit` event naming only what changes."""
        current = self.incident(incident)
        text, value = edit_value(
            current.title,
            current.summary,
            current.services,
            title=title,
            summary=summary,
            services=tuple(services) if services is not None else None,
        )
        return self.append(incident, "edit", text, author=author, value=value)

    def change_followup(
        self,
        incident: int,
        event_id: int,
        *,
        author: str,
        state: str | None = None,
        owner: str | None = None,
        due: date | None = None,
    ) -> Event:
        from ..domain.followups import change_text, change_value  # only an action item's change needs them

        value = change_value(state, clean_line(owner, 64) if owner else None, due)
        return self.append(incident, "followup", change_text(value), author=author, ref=event_id, value=value)

    def correct(self, incident: int, event_id: int, text: str, *, author: str, kind: str | None = None) -> Event:
        """New words for an entry, a new kind (`kind`), or both: a `correction` pointing at it."""
        value = rekind_value(kind)
        if not text.strip() and value is None:
            raise InputError("the correction is empty: write the corrected text, or give the entry's new kind")
        if not text.strip():
            text = rekind_text(kind or "note")
        return self.append(incident, "correction", text, author=author, ref=event_id, value=value)

    # ------------------------------------------------------------------ reading

    def _incident_in(self, conn: Any, incident_id: int) -> Incident:
        marks = ",".join("?" * len(INCIDENT_STATE_KINDS))
        rows = conn.execute(
            f"SELECT {EVENT_COLUMNS} FROM events WHERE incident_id = ? AND kind IN ({marks})",
            (incident_id, *INCIDENT_STATE_KINDS),
        ).fetchall()
        events = [_event(r) for r in rows]
        declared = next((e for e in events if e.kind == "declared"), None)
        if declared is None:
            raise InputError(f"there is no incident {incident_label(incident_id)}")
        return derive_incident(incident_id, events + self._early_entries(conn, incident_id, declared.occurred_at))

    def _early_entries(self, conn: Any, incident_id: int, declared_at: datetime) -> list[Event]:
        """Entries dated before the declaration (few; read by time from the incident's index)."""
        rows = conn.execute(
            f"SELECT {EVENT_COLUMNS} FROM events WHERE incident_id = ? AND occurred_at < ? AND kind IN ({_ENTRY_MARKS})",
            (incident_id, to_store(declared_at), *ENTRY_KINDS),
        )
        return [_event(r) for r in rows]

    def incident(self, incident_id: int) -> Incident:
        return self._incident_in(self.conn, incident_id)

    def incidents(self, *, include_resolved: bool = False) -> list[Incident]:
        marks = ",".join("?" * len(INCIDENT_STATE_KINDS))
        # Incident by incident along the (incident, kind) index, the incidents found by skipping
        # from one to the next: a scan of every entry's index row took a tenth of a second before
        # the first frame on an incident of 100,000 entries.
        rows = self.conn.execute(
            "WITH RECURSIVE incident_ids(id) AS (SELECT min(incident_id) FROM events UNION ALL "
            "SELECT (SELECT min(incident_id) FROM events WHERE incident_id > incident_ids.id) FROM incident_ids "
            f"WHERE incident_ids.id IS NOT NULL) SELECT {_COLUMNS_OF_E} FROM incident_ids JOIN events e "
            f"ON e.incident_id = incident_ids.id WHERE e.kind IN ({marks})",
            INCIDENT_STATE_KINDS,
        ).fetchall()
        grouped: dict[int, list[Event]] = {}
        for row in rows:
            event = _event(row)
            if event.incident_id is not None:
                grouped.setdefault(event.incident_id, []).append(event)
        found = []
        for incident_id, events in grouped.items():
            declared = next((e for e in events if e.kind == "declared"), None)
            if declared is not None:
                early = self._early_entries(self.conn, incident_id, declared.occurred_at)
                found.append(derive_incident(incident_id, events + early))
        if not include_resolved:
            found = [i for i in found if not i.resolved]
        return sorted(found, key=lambda i: i.id)

    def events(self, incident_id: int, *, after_id: int = 0, limit: int | None = None) -> list[Event]:
        """An incident's events in timeline order (when they happened, then when written)."""
        sql = f"SELECT {EVENT_COLUMNS} FROM events WHERE incident_id = ? AND id > ? ORDER BY occurred_at, id"
        if limit:
            sql += f" LIMIT {int(limit)}"
        return [_event(r) for r in self.conn.execute(sql, (incident_id, after_id))]

    def events_of_kinds(self, kinds: Sequence[str], incident_id: int | None = None) -> list[Event]:
        """Events of these kinds, oldest first: of one incident, or of every incident."""
        marks = ",".join("?" * len(kinds))
        where, params = f"kind IN ({marks})", list[object](kinds)
        if incident_id is not None:
            where, params = f"incident_id = ? AND {where}", [incident_id, *kinds]
        rows = self.conn.execute(f"SELECT {EVENT_COLUMNS} FROM events WHERE {where} ORDER BY id", params)
        return [_event(r) for r in rows]

    def iter_events(self, incident_id: int, batch: int = 2000) -> Iterator[Event]:
        """Stream a large timeline without holding it all in memory."""
        cursor = self.conn.execute(
            f"SELECT {EVENT_COLUMNS} FROM events WHERE incident_id = ? ORDER BY occurred_at, id", (incident_id,)
        )
        while rows := cursor.fetchmany(batch):
            yield from (_event(r) for r in rows)

    def iter_event_rows(self, incident_id: int, batch: int = 5000, *, previous_hash: bool = False) -> Iterator[tuple]:
        """The same stream as raw rows (EVENT_COLUMNS order, times as stored): for exports that
        format 100,000 rows and must not build an object for each. `previous_hash`: each row ends
        with one more column, the stored hash of the event before it in the log (id - 1; None when
        there is none), so that an export re-hashes what it writes in the same pass."""
        cursor = self.conn.execute(event_rows_query(previous_hash), (incident_id,))
        while rows := cursor.fetchmany(batch):
            yield from rows

    def events_since(self, after_id: int) -> list[Event]:
        """Every event written after `after_id`, any incident: what other sessions just wrote."""
        return [_event(r) for r in self.conn.execute(f"SELECT {EVENT_COLUMNS} FROM events WHERE id > ? ORDER BY id", (after_id,))]

    def event(self, event_id: int) -> Event | None:
        row = self.conn.execute(f"SELECT {EVENT_COLUMNS} FROM events WHERE id = ?", (event_id,)).fetchone()
        return _event(row) if row else None

    def last_event_id(self) -> int:
        return self.conn.execute("SELECT coalesce(max(id), 0) FROM events").fetchone()[0]

    def last_event_id_before(self, moment: datetime) -> int:
        """The last event recorded before `moment` (0 for none)."""
        return self.conn.execute("SELECT coalesce(max(id), 0) FROM events WHERE recorded_at < ?", (to_store(moment),)).fetchone()[
            0
        ]

    def written_since(self, incident_id: int, kind: str, author: str, since: datetime) -> list[datetime]:
        """When `author` wrote entries of `kind` on an incident since `since`, oldest first: one range
        of the (incident, kind, author, time) index, whichever process wrote them."""
        rows = self.conn.execute(
            "SELECT occurred_at FROM events WHERE incident_id = ? AND kind = ? AND author = ? AND occurred_at >= ? "
            "ORDER BY occurred_at",
            (incident_id, kind, author, to_store(since)),
        ).fetchall()
        return [from_store(row[0]) for row in rows]

    def count_events(self, incident_id: int | None = None) -> int:
        if incident_id is None:
            return self.conn.execute("SELECT count(*) FROM events").fetchone()[0]
        return self.conn.execute("SELECT count(*) FROM events WHERE incident_id = ?", (incident_id,)).fetchone()[0]

    def search(self, incident_id: int, query: str, *, kind: str | None = None, author: str | None = None) -> list[Event]:
        """Full-text search of one incident's timeline; the query is taken as words, never as FTS
        syntax (each word is quoted), so `"`, `NOT` or `*` are just text."""
        where: list[str] = ["incident_id = ?"]
        params: list[object] = [incident_id]
        if kind:
            where.append("kind = ?")
            params.append(kind)
        if author:
            where.append("author = ?")
            params.append(author)
        matching = self._search_clause(query)
        if matching:
            where.append(matching[0])
            params.extend(matching[1])
        sql = f"SELECT {EVENT_COLUMNS} FROM events WHERE {' AND '.join(where)} ORDER BY occurred_at, id"
        return [_event(r) for r in self.conn.execute(sql, params)]

    def dedupe_keys(self, incident_id: int) -> set[str]:
        # Along the dedupe keys' own index (few: crossings, notices), not the incident's (every
        # entry: a tenth of a second before the first frame on an incident of 100,000).
        rows = self.conn.execute("SELECT dedupe FROM events WHERE dedupe >= '' AND +incident_id = ?", (incident_id,))
        return {row[0] for row in rows}

    def has_dedupe(self, key: str) -> bool:
        return self.conn.execute("SELECT 1 FROM events WHERE dedupe = ?", (key,)).fetchone() is not None

    def catalog_at_declaration(self, incident_id: int) -> dict | None:
        """The catalog as it stood when the incident was declared (recorded then), if it was."""
        row = self.conn.execute(
            "SELECT value FROM events WHERE incident_id = ? AND kind = 'catalog' ORDER BY id LIMIT 1", (incident_id,)
        ).fetchone()
        try:
            return json.loads(row[0]) if row and row[0] else None
        except ValueError:
            return None
