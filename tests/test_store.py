import sqlite3
from datetime import timedelta

import pytest
import sqlite_utils

from mopstui.base.timeutil import utcnow
from mopstui.domain.model import InputError
from mopstui.store import Store, StoreError, migrations


@pytest.fixture
def store(db_path):
    with Store(db_path) as s:
        yield s


def test_pragmas_for_a_shared_file(store):
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert store.conn.execute("PRAGMA busy_timeout").fetchone()[0] > 0


def test_declare_and_derive_state_from_events(store):
    incident = store.declare("Lead form down", severity="sev1", author="alice", services=["lead-form"])
    assert (incident.id, incident.severity, incident.status, incident.services) == (1, "SEV1", "investigating", ("lead-form",))
    assert incident.roles == {"commander": "alice"}
    store.set_status(1, "identified", author="bob")
    store.set_severity(1, "SEV2", author="bob")
    store.assign_role(1, "commander", "bob", author="bob")
    store.assign_role(1, "comms", "carol", author="bob")
    now = store.incident(1)
    assert (now.status, now.severity, now.roles) == ("identified", "SEV2", {"commander": "bob", "comms": "carol"})


def test_back_dated_status_does_not_override_a_later_one(store):
    start = utcnow() - timedelta(minutes=30)
    store.declare("x", severity="SEV3", author="a", at=start)
    store.set_status(1, "monitoring", author="a", at=start + timedelta(minutes=20))
    store.set_status(1, "identified", author="a", at=start + timedelta(minutes=5))
    incident = store.incident(1)
    assert incident.status == "monitoring"
    assert incident.status_times["identified"] == start + timedelta(minutes=5)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda s: s.append(1, "note", "   ", author="a"), "the entry is empty"),
        (lambda s: s.append(9, "note", "hi", author="a"), "there is no incident INC-9"),
        (lambda s: s.set_status(1, "fixed", author="a"), "unknown status 'fixed'"),
        (lambda s: s.set_status(1, "investigating", author="a"), "already investigating"),
        (lambda s: s.set_severity(1, "SEV7", author="a"), "unknown severity"),
        (lambda s: s.star(1, 999, author="a"), "entry #999 is not in INC-1"),
        (lambda s: s.append(1, "note", "hi", author="  "), "who is writing"),
        (lambda s: s.append(1, "gossip", "hi", author="a"), "unknown kind"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(store, call, message):
    store.declare("x", severity="SEV3", author="a")
    before = store.count_events()
    with pytest.raises(InputError, match=message):
        call(store)
    assert store.count_events() == before


def test_a_resolved_incident_status_is_final(store):
    store.declare("x", severity="SEV3", author="a")
    store.set_status(1, "resolved", author="a")
    with pytest.raises(InputError, match="INC-1 is resolved"):
        store.set_status(1, "monitoring", author="a")
    assert store.incidents() == [] and len(store.incidents(include_resolved=True)) == 1


def test_events_are_append_only_in_the_database_itself(store):
    store.declare("x", severity="SEV3", author="a")
    for sql in ("UPDATE events SET text = 'y'", "DELETE FROM events"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            store.conn.execute(sql)
    assert store.event(1).text == "x"


def test_timestamps_are_utc_and_back_dating_is_marked(store):
    store.declare("x", severity="SEV3", author="a")
    event = store.append(1, "note", "seen earlier", author="a", at=utcnow() - timedelta(minutes=10))
    assert event.occurred_at.utcoffset() == timedelta(0)
    assert event.backdated and not store.event(1).backdated
    raw = store.conn.execute("SELECT occurred_at FROM events WHERE id = ?", (event.id,)).fetchone()[0]
    assert raw.endswith("Z")


def test_dedupe_key_writes_once(store, db_path):
    store.declare("x", severity="SEV3", author="a")
    first = store.append(1, "system", "crossed abandon (1m)", author="mopstui", dedupe="1:threshold:abandon")
    with Store(db_path) as other:
        second = other.append(1, "system", "crossed abandon (1m)", author="mopstui", dedupe="1:threshold:abandon")
    assert first.id == second.id
    assert store.count_events() == 2


def test_control_characters_are_stripped_on_the_way_in(store):
    store.declare("x\x1b]0;pwned\x07 title", severity="SEV3", author="a")
    event = store.append(1, "note", "a\x1b[2Jb\x00c\u202ed [bold]e[/]", author="a")
    assert event.text == "abcd [bold]e[/]"
    assert store.incident(1).title == "x title"


def test_full_text_search_and_filters(store):
    store.declare("x", severity="SEV3", author="a")
    store.append(1, "note", "Forms endpoint returns 503", author="alice")
    store.append(1, "action", "Restarted the forms proxy", author="bob")
    store.append(1, "comms", "Customer banner posted", author="bob")
    assert [e.text for e in store.search(1, "forms")] == ["Forms endpoint returns 503", "Restarted the forms proxy"]
    assert [e.text for e in store.search(1, "forms", author="bob")] == ["Restarted the forms proxy"]
    assert [e.kind for e in store.search(1, "", kind="comms")] == ["comms"]
    assert store.search(1, 'weird " OR ( syntax') == []  # taken as words, never as a query error


def test_verify_names_an_edited_event(store):
    store.declare("x", severity="SEV3", author="a")
    for i in range(5):
        store.append(1, "note", f"entry {i}", author="a")
    assert store.verify().ok
    store.conn.execute("DROP TRIGGER events_append_only_update")
    store.conn.execute("UPDATE events SET text = 'rewritten' WHERE id = 4")
    store.conn.commit()
    result = store.verify()
    assert not result.ok and result.bad_event == 4 and "#4" in result.message


def test_verify_names_a_deleted_event(store):
    store.declare("x", severity="SEV3", author="a")
    for i in range(5):
        store.append(1, "note", f"entry {i}", author="a")
    store.conn.execute("DROP TRIGGER events_append_only_delete")
    store.conn.execute("DELETE FROM events WHERE id = 3")
    store.conn.commit()
    result = store.verify()
    assert not result.ok and result.bad_event == 3 and "#3 is missing" in result.message


def test_verify_notices_the_newest_event_deleted(store):
    store.declare("x", severity="SEV3", author="a")
    store.append(1, "note", "last words", author="a")
    store.conn.execute("DROP TRIGGER events_append_only_delete")
    store.conn.execute("DELETE FROM events WHERE id = 2")
    store.conn.commit()
    result = store.verify()
    assert not result.ok and result.bad_event == 2


def test_an_older_schema_is_upgraded_on_open(db_path):
    old = sqlite_utils.Database(db_path)
    migrations.apply(old, stop_before="m002_sessions")
    assert "presence" not in old.table_names()
    old.conn.close()
    with Store(db_path) as store:
        assert "presence" in store.db.table_names()
        assert store.schema_steps == [
            "m001_initial",
            "m002_sessions",
            "m003_presence_history",
            "m004_cursors",
            "m005_accounts",
            "m006_digest_index",
            "m007_signals",
        ]
        store.declare("works", severity="SEV3", author="a")
        assert store.verify().ok


def test_an_older_schema_with_data_keeps_its_events(db_path):
    old = sqlite_utils.Database(db_path)
    migrations.apply(old, stop_before="m002_sessions")
    old.conn.close()
    with Store(db_path) as s:
        pass  # upgrade
    # Write with the upgraded store, then check an upgrade leaves the chain intact.
    with Store(db_path) as s:
        s.declare("before", severity="SEV3", author="a")
    with Store(db_path) as s:
        assert s.incident(1).title == "before" and s.verify().ok


def test_a_newer_schema_is_refused(db_path):
    Store(db_path).close()
    db = sqlite_utils.Database(db_path)
    db["_sqlite_migrations"].insert({"migration_set": "mopstui", "name": "m999_future", "applied_at": "2030"})
    db.conn.close()
    with pytest.raises(StoreError, match="written by a newer mopstui"):
        Store(db_path)


def test_a_foreign_sqlite_file_is_not_touched(db_path):
    db = sqlite_utils.Database(db_path)
    db["customers"].insert({"id": 1})
    db.conn.close()
    with pytest.raises(StoreError, match="not a mopstui database"):
        Store(db_path)


def test_the_hashed_form_is_the_json_array_it_always_was():
    """`canonical` keeps one encoder instead of `json.dumps` per event: the bytes, and so every
    stored hash, must stay exactly what `json.dumps(list(row), ...)` wrote."""
    import json

    from mopstui.store import canonical

    rows = [
        (1, None, "2026-12-04T10:00:00.000000Z", "2026-12-04T10:00:00.000000Z", "ana", "note", "plain", None, None, None),
        (2, 7, "t", "t", "Zoë 🚀", "comms", 'quote " back\\slash \n tab\t \x00 \u202e bidi', '{"a": 1}', 5, "k", "ana", 1001),
        (3, 2**40, "", "", "", "", "", "", -1, "", "", 0),
    ]
    for row in rows:
        assert canonical(row) == json.dumps(list(row), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
