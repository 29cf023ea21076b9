"""Nobody silences the room: who does the room's duties (the lease) cannot be claimed for ever by a
row a member writes by hand, a holder that stops renewing is taken over, `watch` says at once
whose the duties are; on PostgreSQL the application role changes leases only through the owner's
functions and cannot step the event ids (tests/pg.py)."""

from __future__ import annotations

import os
import selectors
import signal
import sqlite3
import subprocess
import time
from datetime import timedelta

import psycopg
import pytest

from mopstui.base.timeutil import to_store, utcnow
from mopstui.domain.leases import LONGEST_LEASE, holder_words
from mopstui.store import open_store
from mopstui.store.postgres import schema as pg_schema

from .conftest import MOPSTUI, ROOT, write

FORGED = ("poller", "someone", "9999-12-31T23:59:59Z")

# The README's grants for the application role (kept in step with it by the test below).
APP_GRANTS = (
    "GRANT SELECT, INSERT ON events, incidents, status_observations TO mopstui_app",
    "GRANT SELECT, INSERT, UPDATE ON presence, vendor_status, signal_status, cursors TO mopstui_app",
    "GRANT SELECT, INSERT ON signal_arrivals TO mopstui_app",
    "GRANT SELECT ON leases, event_sequence, mopstui_schema TO mopstui_app",
    "GRANT EXECUTE ON FUNCTION mopstui_take_lease(TEXT, TEXT, DOUBLE PRECISION), mopstui_release_lease(TEXT, TEXT) "
    "TO mopstui_app",
    "GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO mopstui_app",
)


def plant(location: str, row: tuple[str, str, str]) -> None:
    """What a member (SQLite: through the group-writable file) or the table's owner writes by hand."""
    if location.startswith("postgresql://"):
        with psycopg.connect(location, autocommit=True) as conn:
            conn.execute(
                "INSERT INTO leases (name, holder, expires_at) VALUES (%s, %s, %s) ON CONFLICT (name) DO UPDATE "
                "SET holder = excluded.holder, expires_at = excluded.expires_at",
                row,
            )
    else:
        with sqlite3.connect(location) as conn:
            conn.execute("INSERT OR REPLACE INTO leases (name, holder, expires_at) VALUES (?,?,?)", row)
        conn.close()


def test_a_claim_for_ever_is_void_and_said(location):
    with open_store(location) as store:
        store.declare("Lead form down", severity="SEV1", author="priya")
        plant(location, FORGED)
        assert store.lease_holder("poller") is None  # nobody is shown holding the duties on its word
        claim = store.claim_lease("poller", "watch:oncall@jump1:77", timedelta(seconds=30))
        assert claim.held and claim.void == ("someone", "9999-12-31T23:59:59Z")
        assert "set aside" in (claim.void_words() or "") and "'someone'" in (claim.void_words() or "")
        assert store.lease_holder("poller") == "watch:oncall@jump1:77"


def test_a_live_holder_keeps_the_duties_and_is_named(location):
    with open_store(location) as store:
        store.declare("Lead form down", severity="SEV1", author="priya")
        assert store.claim_lease("poller", "tui:priya@jump1:4242:ab12", timedelta(seconds=60)).held
        claim = store.claim_lease("poller", "watch:oncall@jump1:77", timedelta(seconds=30))
        assert not claim.held and claim.void is None and claim.holder == "tui:priya@jump1:4242:ab12"
        assert holder_words(claim.holder) == "priya's screen on jump1, process 4242"


def test_a_holder_that_stops_renewing_is_taken_over(location):
    """The claim is the holder's heartbeat: however long it asked for, it runs out within the
    longest claim, and another session takes the duties."""
    with open_store(location) as store:
        store.declare("Lead form down", severity="SEV1", author="priya")
        assert store.claim_lease("poller", "tui:priya@jump1:4242:ab12", timedelta(days=365)).held
        row = store.conn.execute("SELECT expires_at FROM leases WHERE name = 'poller'").fetchone()
        assert row[0] <= to_store(utcnow() + LONGEST_LEASE)  # a year asked for, the longest given
        assert store.claim_lease("poller", "tui:priya@jump1:4242:ab12", timedelta(seconds=1)).held
        deadline = time.monotonic() + 10
        while not store.claim_lease("poller", "watch:oncall@jump1:77", timedelta(seconds=30)).held:
            assert time.monotonic() < deadline, "the duties were never taken over"
            time.sleep(0.05)


def _read_until(proc: subprocess.Popen, stream: str, wanted: str, timeout: float = 30) -> str:
    """Lines from the process's `stream` until one holds `wanted` (or the time is up: fails)."""
    pipe = getattr(proc, stream)
    selector = selectors.DefaultSelector()
    selector.register(pipe, selectors.EVENT_READ)
    seen = ""
    deadline = time.monotonic() + timeout
    while wanted not in seen:
        left = deadline - time.monotonic()
        assert left > 0 and proc.poll() is None, f"{wanted!r} never said; {stream} was: {seen!r}"
        if selector.select(left):
            seen += pipe.readline()
    selector.close()
    return seen


def _watch(tmp_path, db: str) -> subprocess.Popen:
    config = write(tmp_path / "c.yaml", "polling: {interval: 1s}\n")
    os.chmod(config, 0o600)
    return subprocess.Popen(
        [MOPSTUI, "--config", str(config), "--db", db, "watch"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _stop(proc: subprocess.Popen) -> tuple[str, str]:
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    return out, err


def test_watch_sets_a_forged_claim_aside_out_loud(tmp_path, db_path):
    """The reproduction: one row claiming the duties until 9999, and `watch` named itself as
    the holder yet never did them. Now it says the claim was void and does them."""
    with open_store(str(db_path)) as store:
        store.declare("Lead form down", severity="SEV1", author="priya")
    plant(str(db_path), FORGED)
    watch = _watch(tmp_path, str(db_path))
    try:
        said = _read_until(watch, "stdout", "this watch does the room's duties")
        warned = _read_until(watch, "stderr", "set aside")
    finally:
        _stop(watch)
    assert said.startswith("watching 0 vendors") and "'someone'" in warned and "until '9999-12-31T23:59:59Z'" in warned
    with open_store(str(db_path)) as store:
        assert store.lease_holder("poller") is None  # let go on the way out


def test_watch_says_at_once_whose_the_duties_are(tmp_path, db_path):
    with open_store(str(db_path)) as store:
        store.declare("Lead form down", severity="SEV1", author="priya")
        assert store.claim_lease("poller", "tui:priya@jump1:4242:ab12", timedelta(seconds=100)).held
    watch = _watch(tmp_path, str(db_path))
    try:
        said = _read_until(watch, "stdout", "the room's duties are with")
    finally:
        _stop(watch)
    assert "the room's duties are with priya's screen on jump1, process 4242; this watch takes them over" in said


# ---------------------------------------------------------------------------------- PostgreSQL


def _app_url(postgres_server, pg_url: str, grants: tuple[str, ...]) -> str:
    database = pg_url.split("/")[-1].split("?")[0]
    postgres_server.admin("DO $$ BEGIN CREATE ROLE mopstui_app LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$")
    with psycopg.connect(pg_url, autocommit=True) as owner:
        owner.execute(f"GRANT CONNECT ON DATABASE {database} TO mopstui_app")
        for grant in grants:
            owner.execute(grant)
    return pg_url.replace("mopstui@", "mopstui_app@")


def _attacks_refused(app_url: str) -> None:
    """The reproductions: the application role forging the duties' row, stepping the event ids
    far ahead (the log then failed `verify` for ever), or inserting an event past them."""
    with psycopg.connect(app_url, autocommit=True) as app:
        for attack in (
            "UPDATE event_sequence SET seq = 9000000000000000000",
            "UPDATE event_sequence SET seq = 9223372036854775807",
            "INSERT INTO leases (name, holder, expires_at) VALUES ('x', 'someone', '9999-12-31T23:59:59Z')",
            "UPDATE leases SET holder = 'someone', expires_at = '9999-12-31T23:59:59Z'",
            "DELETE FROM leases",
            "TRUNCATE leases",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                app.execute(attack)
        with pytest.raises(psycopg.errors.RaiseException, match="next is #"):
            app.execute(
                "INSERT INTO events (id, incident_id, occurred_at, recorded_at, author, kind, text, hash) "
                "VALUES (9000000000000000000, 1, 'x', 'x', 'x', 'note', 'x', 'x')"
            )
        with pytest.raises(psycopg.errors.RaiseException, match="at most"):
            app.execute("SELECT * FROM mopstui_take_lease('poller', 'someone', 1e12)")


def _app_works(app_url: str) -> None:
    with open_store(app_url) as store:
        assert not store.readonly
        event = store.append(1, "note", "written by the app role", author="alice")
        claim = store.claim_lease("poller", "watch:oncall@jump1:77", timedelta(seconds=30))
        assert claim.held and store.lease_holder("poller") == "watch:oncall@jump1:77"
        store.release_lease("poller", "watch:oncall@jump1:77")
        assert store.lease_holder("poller") is None
        result = store.verify()
        assert result.ok and result.head is not None and result.head.last_id == event.id


def test_the_application_role_changes_leases_only_through_functions(postgres_server, pg_url):
    with open_store(pg_url) as store:  # the owner opens it once: the schema exists
        store.declare("Lead form down", severity="SEV1", author="owner")
    app_url = _app_url(postgres_server, pg_url, APP_GRANTS)
    _attacks_refused(app_url)
    _app_works(app_url)


def test_a_war_room_set_up_before_is_migrated_and_its_old_grants_revoked(postgres_server, pg_url):
    """A war-room made by the previous schema, with the previous README's grants (the application
    role could write leases and the event counter): opened once by the owner, it is guarded."""
    with psycopg.connect(pg_url, autocommit=True) as owner:
        owner.execute("CREATE TABLE mopstui_schema (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
        for name in ("p001_initial", "p002_digest_index"):
            owner.execute(pg_schema.STEP_SQL[name])
            owner.execute("INSERT INTO mopstui_schema VALUES (%s, '2026-01-01T00:00:00.000000Z')", (name,))
    app_url = _app_url(
        postgres_server,
        pg_url,
        (
            "GRANT SELECT, INSERT ON events, incidents, status_observations TO mopstui_app",
            "GRANT SELECT, INSERT, UPDATE ON presence, leases, vendor_status, cursors, event_sequence TO mopstui_app",
            "GRANT DELETE ON leases TO mopstui_app",
            "GRANT SELECT ON mopstui_schema TO mopstui_app",
            "GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO mopstui_app",
        ),
    )
    with open_store(pg_url) as store:
        store.declare("Lead form down", severity="SEV1", author="owner")
    _attacks_refused(app_url)
    _app_works(app_url)


# ------------------------------------------------------------------ the server's word for who wrote it


def test_each_person_s_entries_carry_the_role_the_server_says_they_are(postgres_server, pg_url, capsys):
    """The reproduction: every member connected as mopstui_app and the login and uid were the
    client's; a member wrote an entry as another account and `verify` passed. With a role each
    (members of mopstui_members, README), an entry records the server's session_user inside its
    hash, and an entry claiming another account is refused by the server."""
    from mopstui.cli import main

    with open_store(pg_url) as store:
        store.declare("Lead form down", severity="SEV1", author="owner")
    database = pg_url.split("/")[-1].split("?")[0]
    postgres_server.admin("DO $$ BEGIN CREATE ROLE mopstui_members NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$")
    for person in ("priya", "sam"):
        postgres_server.admin(
            f"DO $$ BEGIN CREATE ROLE {person} LOGIN IN ROLE mopstui_members; EXCEPTION WHEN duplicate_object THEN NULL; END $$"
        )
    _app_url(postgres_server, pg_url, tuple(g.replace("TO mopstui_app", "TO mopstui_members") for g in APP_GRANTS))
    postgres_server.admin(f"GRANT CONNECT ON DATABASE {database} TO mopstui_members")
    priya, sam = (pg_url.replace("mopstui@", f"{p}@") for p in ("priya", "sam"))
    assert main(["--db", priya, "--user", "Priya K", "log", "1", "Form fixed by the agency"]) == 0
    assert main(["--db", sam, "--user", "sam", "log", "1", "Confirmed on the live site"]) == 0
    with open_store(pg_url) as store:
        written = [e for e in store.events(1) if e.kind == "note"]
        assert [(e.author, e.login, e.uid) for e in written] == [("Priya K", "priya", None), ("sam", "sam", None)]
        assert store.verify().ok
    with psycopg.connect(priya, autocommit=True) as forger:  # priya writes an entry as sam, by hand
        top = forger.execute("SELECT seq FROM event_sequence").fetchone()[0]
        with pytest.raises(psycopg.errors.RaiseException, match="account is the database role"):
            forger.execute(
                "INSERT INTO events (id, incident_id, occurred_at, recorded_at, author, kind, text, login, "
                "hash) VALUES (%s, 1, 'x', 'x', 'sam', 'note', 'I did it', 'sam', 'x')",
                (top + 1,),
            )
    capsys.readouterr()
    assert main(["--db", pg_url, "timeline", "1"]) == 0
    out = capsys.readouterr().out
    priya_line, sam_line = (
        next(line for line in out.splitlines() if words in line) for words in ("Form fixed", "Confirmed on the live site")
    )
    assert "(login priya)" in priya_line and "login" not in sam_line  # both shown only where they differ
