"""The store's contract, run against both engines: an SQLite file and a real PostgreSQL server
(tests/pg.py). What one backend does, the other does the same way; the same events hash the same."""

from __future__ import annotations

import json
import threading
import time
from datetime import timedelta

import pytest

from mopstui.base.timeutil import utcnow
from mopstui.domain.model import InputError
from mopstui.store import StoreError, open_store


@pytest.fixture
def store(location):
    with open_store(location) as s:
        yield s


def scripted(store) -> None:
    """The same history, written the same way, in whichever engine."""
    at = utcnow() - timedelta(minutes=30)
    store.declare("Lead form down", severity="SEV1", author="alice", services=["lead-form"], at=at)
    store.append(1, "note", "Forms endpoint returns 503", author="alice", at=at + timedelta(minutes=1))
    store.append(1, "action", "Restarted the forms proxy", author="bob", at=at + timedelta(minutes=3))
    store.set_status(1, "identified", author="bob", at=at + timedelta(minutes=4))
    store.append(1, "comms", "Customer banner posted", author="bob", at=at + timedelta(minutes=5))
    store.star(1, 2, author="carol")
    store.correct(1, 3, "Restarted the forms proxy (eu only)", author="bob")


def test_declare_and_derive_state_from_events(store):
    incident = store.declare("Lead form down", severity="sev1", author="alice", services=["lead-form"])
    assert (incident.id, incident.severity, incident.status, incident.services) == (1, "SEV1", "investigating", ("lead-form",))
    store.set_status(1, "identified", author="bob")
    store.set_severity(1, "SEV2", author="bob")
    store.assign_role(1, "comms", "carol", author="bob")
    now = store.incident(1)
    assert (now.status, now.severity, now.roles) == ("identified", "SEV2", {"commander": "alice", "comms": "carol"})
    assert [i.id for i in store.incidents()] == [1]
    store.set_status(1, "resolved", author="bob")
    assert store.incidents() == [] and [i.id for i in store.incidents(include_resolved=True)] == [1]


def test_bad_input_is_refused_and_nothing_is_written(store):
    store.declare("x", severity="SEV3", author="a")
    before = store.count_events()
    for call, message in (
        (lambda: store.append(9, "note", "hi", author="a"), "there is no incident INC-9"),
        (lambda: store.set_status(1, "fixed", author="a"), "unknown status"),
        (lambda: store.star(1, 999, author="a"), "entry #999 is not in INC-1"),
    ):
        with pytest.raises(InputError, match=message):
            call()
    assert store.count_events() == before


def test_the_log_refuses_update_and_delete_in_the_database_itself(store):
    store.declare("x", severity="SEV3", author="a")
    for sql in ("UPDATE events SET text = 'rewritten' WHERE id = 1", "DELETE FROM events WHERE id = 1"):
        with pytest.raises(Exception, match="append-only"), store._write() as conn:
            conn.execute(sql)
    assert store.event(1).text == "x" and store.verify().ok


def test_dedupe_writes_once(store, location):
    store.declare("x", severity="SEV3", author="a")
    first = store.append(1, "system", "crossed 1m", author="mopstui", dedupe="t:1:1m")
    with open_store(location) as other:
        again = other.append(1, "system", "crossed 1m", author="mopstui", dedupe="t:1:1m")
    assert again.id == first.id and store.count_events(1) == 2
    assert store.has_dedupe("t:1:1m") and store.dedupe_keys(1) == {"t:1:1m"}


def test_search_takes_words_never_syntax(store):
    scripted(store)
    assert [e.text for e in store.search(1, "forms")] == [
        "Forms endpoint returns 503",
        "Restarted the forms proxy",
        "Restarted the forms proxy (eu only)",
    ]
    assert [e.text for e in store.search(1, "forms", author="alice")] == ["Forms endpoint returns 503"]
    assert [e.kind for e in store.search(1, "", kind="comms")] == ["comms"]
    assert store.search(1, 'weird " OR ( syntax') == []
    assert store.search(1, "banner CUSTOMER")[0].text == "Customer banner posted"


def test_reading_the_timeline(store):
    scripted(store)
    timeline = store.events(1)
    assert [e.kind for e in timeline][:3] == ["declared", "catalog", "note"] or [e.kind for e in timeline][:2] == [
        "declared",
        "note",
    ]
    assert [e.id for e in store.iter_events(1)] == [e.id for e in timeline]
    assert [r[0] for r in store.iter_event_rows(1, batch=2)] == [e.id for e in timeline]
    assert [e.id for e in store.events_since(5)] == [6, 7]
    assert store.last_event_id() == 7
    assert store.last_customer_update(1).text == "Customer banner posted"
    assert [e.kind for e in store.events_of_kinds(("star", "correction"), 1)] == ["star", "correction"]
    digest = store.incident_digest(1, store.incident(1).started_at, participant_kinds=("note", "action", "comms"))
    assert digest["count"] == 7 and digest["participants"] == {"alice": 1, "bob": 2}
    assert [n.kind for n in digest["notes"]] == ["star", "correction"]


def test_the_newest_events_first_and_the_rest_before_them(store):
    """What the screen reads first, and what it reads behind it, make the whole timeline once, in
    order: entries at the same moment ordered by when written, a back-dated one in its place."""
    scripted(store)
    at = store.incident(1).started_at + timedelta(minutes=2)
    for text in ("same moment one", "same moment two", "same moment three"):
        store.append(1, "note", text, author="dana", at=at)
    timeline = [e.id for e in store.events(1)]
    for count in (0, 1, 4, 5, len(timeline), len(timeline) + 3):
        newest = store.newest_events(1, count)
        assert [e.id for e in newest] == timeline[len(timeline) - min(count, len(timeline)) :]
        if newest:
            earlier = [e.id for batch in store.events_before(1, newest[0].occurred_at, newest[0].id, batch=2) for e in batch]
            assert earlier + [e.id for e in newest] == timeline
    assert store.newest_events(9, 5) == [] and list(store.events_before(9, at, 1)) == []


def test_the_incidents_are_found_among_room_events_and_many_entries(store):
    """incidents() skips from one incident to the next along the index: every incident found,
    room-wide events (no incident) passed over, a resolved one left out unless asked for."""
    assert store.incidents(include_resolved=True) == []
    store.append_room("vendor", "HubSpot Forms degraded", author="mopstui")
    for title in ("Lead form down", "Chat widget slow", "Banner wrong"):
        store.declare(title, severity="SEV3", author="alice")
    store.append_room("override", "HubSpot is fine", author="alice")
    store.set_status(2, "resolved", author="bob")
    assert [(i.id, i.title) for i in store.incidents()] == [(1, "Lead form down"), (3, "Banner wrong")]
    assert [i.id for i in store.incidents(include_resolved=True)] == [1, 2, 3]


def test_the_same_events_hash_the_same_in_either_engine(store, tmp_path, pg_url):
    """The canonical form and hashes are the engine's no more than the events' own: copied
    event for event, the other engine's `verify` names the same head."""
    from mopstui.store.copy import copy_store

    scripted(store)
    head = store.verify().head
    other_location = pg_url if str(store.location).endswith(".db") else str(tmp_path / "other.db")
    with open_store(other_location) as other:
        copy_store(store, other)
        result = other.verify()
        assert result.ok, result.message
        assert result.head == head
        assert [e.to_dict() for e in other.events(1)] == [e.to_dict() for e in store.events(1)]


def test_verify_names_an_edited_event_and_a_deleted_newest_one(store):
    scripted(store)
    assert store.verify().ok
    # An admin with the power to lift the guards rewrites one event, then deletes the newest.
    _unguarded(store, "UPDATE events SET text = 'rewritten' WHERE id = 4")
    result = store.verify()
    assert not result.ok and result.bad_event == 4
    _unguarded(store, "UPDATE events SET text = 'Restarted the forms proxy' WHERE id = 3")  # no-op on content
    _unguarded(store, "DELETE FROM events WHERE id = 7")
    result = store.verify()
    assert not result.ok and "#" in result.message


def _unguarded(store, sql: str) -> None:
    if store.engine == "SQLite":
        store.conn.execute("DROP TRIGGER IF EXISTS events_append_only_update")
        store.conn.execute("DROP TRIGGER IF EXISTS events_append_only_delete")
        store.conn.execute(sql)
        store.conn.commit()
    else:
        raw = store._raw()
        with raw.transaction():
            raw.execute("ALTER TABLE events DISABLE TRIGGER events_append_only")
            raw.execute(sql)
            raw.execute("ALTER TABLE events ENABLE TRIGGER events_append_only")


def test_leases_and_presence(store):
    assert store.take_lease("poller", "s1", timedelta(seconds=30))
    assert not store.take_lease("poller", "s2", timedelta(seconds=30))
    assert store.take_lease("poller", "s1", timedelta(seconds=30))
    assert store.lease_holder("poller") == "s1"
    store.release_lease("poller", "s1")
    assert store.take_lease("poller", "s2", timedelta(seconds=30))
    store.heartbeat("s1", user="alice", host="jump", client="10.0.0.5", pid=1, incident_id=None)
    assert [p["user"] for p in store.present()] == ["alice"]
    store.leave("s1")
    assert store.present() == []
    (session,) = store.sessions_between(utcnow() - timedelta(minutes=1), utcnow())
    assert (session["user"], session["client"]) == ("alice", "10.0.0.5") and session["left_at"]
    store.heartbeat("s1", user="alice", host="jump", client="10.0.0.5", pid=1, incident_id=None)  # back from away
    assert [p["user"] for p in store.present()] == ["alice"]


def test_vendor_statuses_observations_and_cursors(store):
    ids = store.save_vendor_statuses(
        {"hubspot": {"state": "major_outage", "checked_at": "2026-12-04T10:00:00.000000Z"}},
        [
            {
                "vendor_id": "hubspot",
                "state": "major_outage",
                "previous_state": "operational",
                "seen_at": "2026-12-04T10:00:00.000000Z",
            }
        ],
    )
    assert len(ids) == 1 and ids[0] > 0
    assert store.vendor_status_payloads()["hubspot"]["state"] == "major_outage"
    mark = store.vendor_status_mark()
    store.save_vendor_statuses({"hubspot": {"state": "operational", "checked_at": "2026-12-04T10:01:00.000000Z"}}, [])
    assert store.vendor_status_mark() != mark
    assert [o["state"] for o in store.observations(vendor_id="hubspot")] == ["major_outage"]
    assert store.cursor("webhooks") is None
    store.set_cursor("webhooks", 7)
    store.set_cursor("webhooks", 9)
    assert store.cursor("webhooks") == 9


def test_waiting_for_a_change_wakes_on_another_connection_s_commit(store, location):
    store.declare("x", severity="SEV3", author="a")
    with open_store(location) as other:
        since = store.data_version()
        started = time.monotonic()
        assert store.wait_for_change(since, timeout=0.2) == since  # nothing happened: it times out
        assert time.monotonic() - started >= 0.2
        writer = threading.Timer(0.1, lambda: other.append(1, "note", "from elsewhere", author="b"))
        writer.start()
        started = time.monotonic()
        assert store.wait_for_change(since, timeout=5) != since
        assert time.monotonic() - started < 2
        writer.join()
        assert [e.text for e in store.events_since(1)] == ["from elsewhere"]


def test_a_store_that_is_not_a_war_room_is_refused(location):
    if location.endswith(".db"):
        import sqlite3

        sqlite3.connect(location).execute("CREATE TABLE customers (id INTEGER)").connection.commit()
    else:
        import psycopg

        with psycopg.connect(location, autocommit=True) as conn:
            conn.execute("CREATE TABLE customers (id INTEGER)")
    with pytest.raises(StoreError, match=r"not mopstui|not a mopstui"):
        open_store(location)


def test_an_export_is_the_same_from_either_engine(tmp_path, pg_url):
    """The JSON export's events (SQLite's json_object, PostgreSQL's rows made in Python) and the
    CSV and Markdown timelines come out the same for the same war-room."""
    import io

    from mopstui.config import load
    from mopstui.export import export_incident
    from mopstui.store.copy import copy_store

    sqlite_path = str(tmp_path / "warroom.db")
    with open_store(sqlite_path) as store:
        scripted(store)
        store.append(1, "note", 'quotes " and\\backslash, unicode ✓ and a | pipe', author="dana")
    config = load([], database=sqlite_path)
    outputs = {}
    with open_store(sqlite_path) as source, open_store(pg_url) as server:
        copy_store(source, server)
        for label, store in (("sqlite", source), ("postgresql", server)):
            for fmt in ("json", "csv", "md"):
                out = io.StringIO()
                export_incident(store, 1, config, fmt, out)
                outputs[label, fmt] = out.getvalue()
    sqlite_json, server_json = json.loads(outputs["sqlite", "json"]), json.loads(outputs["postgresql", "json"])
    assert sqlite_json["events"] == server_json["events"] and len(server_json["events"]) == 8
    assert sqlite_json["head"] == server_json["head"]
    # The events' lines byte for byte (the JSON heads differ only in when they were exported).
    events_part = [text.split('"events": [', 1)[1] for text in (outputs["sqlite", "json"], outputs["postgresql", "json"])]
    assert events_part[0] == events_part[1]
    assert outputs["sqlite", "csv"] == outputs["postgresql", "csv"]
    timeline = [
        text.split("## Timeline", 1)[1].split("## Action items")[0]
        for text in (outputs["sqlite", "md"], outputs["postgresql", "md"])
    ]
    assert timeline[0] == timeline[1]
