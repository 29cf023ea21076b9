"""The shared-host threat model, tried as an attacker would: planted links and FIFOs from another
account, foreign and damaged files, borrowed names, a rewritten log, hostile webhook text, a
vendor page that redirects inward, and odd input of every kind."""

from __future__ import annotations

import asyncio
import grp
import io
import json
import os
import re
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import tempfile
import threading
import time
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest

from mopstui.base.identity import Account
from mopstui.config import load
from mopstui.store import Store

from .conftest import MOPSTUI, ROOT, run_cli, run_cli_process, write
from .status_server import StatusServer

AS_ROOT = os.geteuid() == 0
needs_root = pytest.mark.skipif(not AS_ROOT, reason="needs root to run processes under other uids")
ATTACKER_UID, OUTSIDER_UID = 64001, 64002
# The system Python, not the venv's: another uid may not reach this checkout (CI clones into a
# private temporary directory, and /root is closed), but an attacker needs only the standard library.
SYSTEM_PYTHON = shutil.which("python3", path="/usr/bin:/bin") or sys.executable
WAR_ROOM_GROUP = grp.getgrgid(os.getgid()).gr_name


def as_uid(uid: int, code: str, *args: str, groups: tuple[int, ...] = ()) -> subprocess.CompletedProcess:
    """Run `code` as another account (a real process under a distinct uid)."""
    return subprocess.run(
        [SYSTEM_PYTHON, "-c", code, *args],
        user=uid,
        group=groups[0] if groups else uid,
        extra_groups=list(groups),
        capture_output=True,
        text=True,
        timeout=30,
        cwd="/",
    )


@pytest.fixture
def shared(tmp_path):
    """The war-room directory as the README sets it up (3770, the group's), under /var/tmp where
    other accounts can reach it; with a victim's own private file beside it."""
    base = Path(tempfile.mkdtemp(prefix="mopstui-trust-", dir="/var/tmp"))
    os.chmod(base, 0o755)
    room = base / "warroom"
    room.mkdir()
    os.chmod(room, 0o3770)
    home = base / "victim-home"
    home.mkdir(mode=0o700)
    bashrc = home / ".bashrc"
    bashrc.write_text("export PS1='victim$ '\n")
    os.chmod(bashrc, 0o600)
    config = write(tmp_path / "c.yaml", f"database: {room / 'warroom.db'}\ndatabase_group: {WAR_ROOM_GROUP}\n")
    yield room, bashrc, config
    shutil.rmtree(base, ignore_errors=True)


def untouched(path: Path, text: str, mode: int = 0o600) -> bool:
    info = os.stat(path)
    return path.read_text() == text and stat.S_IMODE(info.st_mode) == mode


def plant_link(room: Path, name: str, target: Path) -> subprocess.CompletedProcess:
    """A group member (another uid) plants a symlink in the shared directory."""
    result = as_uid(
        ATTACKER_UID, "import os, sys; os.symlink(sys.argv[1], sys.argv[2])", str(target), str(room / name), groups=(os.getgid(),)
    )
    assert result.returncode == 0, result.stderr
    assert os.lstat(room / name).st_uid == ATTACKER_UID
    return result


# --------------------------------------------------------------------------- planted files


@needs_root
def test_an_export_never_writes_through_a_planted_link(shared):
    room, bashrc, config = shared
    before = bashrc.read_text()
    assert run_cli("--config", str(config), "--user", "v", "declare", "Lead form down", "-s", "SEV2").returncode == 0
    plant_link(room, "INC-1-postmortem.md", bashrc)
    result = run_cli("--config", str(config), "export", "1", "-o", str(room / "INC-1-postmortem.md"))
    # Another member's name in the sticky directory is theirs: refused up front, never followed.
    assert result.returncode == 1 and "belongs to" in result.stderr, result.stderr
    assert untouched(bashrc, before)
    assert (room / "INC-1-postmortem.md").is_symlink() and not (room / "INC-1-postmortem.svg").exists()
    result = run_cli("--config", str(config), "export", "1", "-o", str(room / "mine.md"))
    assert result.returncode == 0, result.stderr
    export = room / "mine.md"
    assert "Lead form down" in export.read_text() and stat.S_IMODE(os.stat(export).st_mode) == 0o660


@needs_root
@pytest.mark.parametrize("name", ["warroom.db", "warroom.db-wal", "warroom.db-shm"])
def test_a_planted_database_link_is_refused_and_its_target_untouched(shared, name):
    room, bashrc, config = shared
    before = bashrc.read_text()
    if name != "warroom.db":  # the war-room exists; a sidecar name is free while nobody has it open
        assert run_cli("--config", str(config), "--user", "v", "declare", "x", "-s", "SEV3").returncode == 0
    plant_link(room, name, bashrc)
    result = run_cli("--config", str(config), "--user", "v", "incidents")
    assert result.returncode == 1
    assert "symbolic link" in result.stderr and "Traceback" not in result.stderr
    assert untouched(bashrc, before)


def test_a_device_as_the_database_is_never_chmod_ed(tmp_path):
    before = stat.S_IMODE(os.stat("/dev/null").st_mode)
    result = run_cli("--db", "/dev/null", "--user", "v", "incidents")
    assert result.returncode == 1 and "not a regular file" in result.stderr
    assert stat.S_IMODE(os.stat("/dev/null").st_mode) == before
    link = tmp_path / "w.db"
    link.symlink_to("/dev/null")
    assert run_cli("--db", str(link), "--user", "v", "incidents").returncode == 1
    assert stat.S_IMODE(os.stat("/dev/null").st_mode) == before


@needs_root
def test_a_planted_fifo_does_not_hang_anyone(shared):
    room, _, config = shared
    result = as_uid(ATTACKER_UID, "import os, sys; os.mkfifo(sys.argv[1])", str(room / "warroom.db"), groups=(os.getgid(),))
    assert result.returncode == 0, result.stderr
    started = time.monotonic()
    result = run_cli("--config", str(config), "--user", "v", "incidents", timeout=20)
    assert result.returncode == 1 and "not a regular file" in result.stderr
    assert time.monotonic() - started < 10


@needs_root
def test_a_database_owned_outside_the_group_is_refused(shared):
    room, _, config = shared
    with Store(room / "warroom.db", group=WAR_ROOM_GROUP) as store:
        store.declare("x", severity="SEV3", author="a")
    os.chown(room / "warroom.db", OUTSIDER_UID, OUTSIDER_UID)
    result = run_cli("--config", str(config), "--user", "v", "log", "1", "hello")
    assert result.returncode == 1 and "outside the war-room group" in result.stderr


@pytest.mark.slow  # real processes
@needs_root
def test_an_outsider_can_neither_read_nor_write_and_gets_a_sentence(shared):
    room, _, _config = shared
    with Store(room / "warroom.db", group=WAR_ROOM_GROUP) as store:
        store.declare("Checkout failing", severity="SEV1", author="a")
    code = (
        "import sqlite3, sys\n"
        "try:\n    print(sqlite3.connect(sys.argv[1]).execute('select text from events').fetchall())\n"
        "except Exception as e:\n    print('refused', type(e).__name__)\n"
    )
    result = as_uid(OUTSIDER_UID, code, str(room / "warroom.db"))
    assert result.stdout.startswith("refused") and "Checkout" not in result.stdout
    # And mopstui itself, run by someone the war-room's group shuts out, says so in a sentence. As
    # root, permissions do not bind, so the outsider is root with every capability dropped and
    # the war-room belongs to another account and group (root still reaches this checkout,
    # wherever CI cloned it).
    for path in (room, *room.iterdir()):
        os.chown(path, ATTACKER_UID, ATTACKER_UID)
    outsider = ["setpriv", "--bounding-set=-all", "--inh-caps=-all", MOPSTUI, "--db", str(room / "warroom.db"), "--user", "o"]
    for args in (["incidents"], ["log", "1", "let me in"], ["verify"]):
        denied = subprocess.run([*outsider, *args], capture_output=True, text=True)
        assert denied.returncode == 1 and "Traceback" not in denied.stderr, denied.stderr
        assert "you are not in the war-room's group" in denied.stderr, denied.stderr


def test_an_existing_empty_or_foreign_file_is_never_recreated(tmp_path):
    empty = tmp_path / "empty.db"
    empty.touch()
    result = run_cli("--db", str(empty), "--user", "v", "declare", "x", "-s", "SEV3")
    assert result.returncode == 1 and "empty (0 bytes)" in result.stderr
    assert empty.stat().st_size == 0
    foreign = tmp_path / "notes.db"
    foreign.write_bytes(b"these are my notes, not a database\n" * 100)
    result = run_cli("--db", str(foreign), "--user", "v", "declare", "x", "-s", "SEV3")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert foreign.read_bytes().startswith(b"these are my notes")


@pytest.mark.slow  # real processes
def test_damaged_databases_give_one_sentence(tmp_path, db_path):
    with Store(db_path) as store:
        store.declare("x", severity="SEV3", author="a")
        for n in range(300):
            store.append(1, "note", f"entry {n} " + "words " * 40, author="a")
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = db_path.read_bytes()
    truncated = tmp_path / "truncated.db"
    truncated.write_bytes(data[: len(data) // 2])
    flipped = tmp_path / "flipped.db"
    flipped.write_bytes(data[:8192] + bytes(b ^ 0xFF for b in data[8192:12288]) + data[12288:])
    for damaged in (truncated, flipped):
        for args in (("verify",), ("timeline", "1"), ("incidents",), ("export", "1")):
            result = run_cli_process("--db", str(damaged), "--user", "v", *args)  # a real process: no traceback
            assert result.returncode == 1, (damaged.name, args, result.stdout[-200:])
            assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_verify_names_the_first_unreadable_event(db_path):
    with Store(db_path) as store:
        store.declare("x", severity="SEV3", author="a")
        store.append(1, "note", "fine", author="a")
        store.append(1, "note", "will be garbled", author="a")
        store.conn.execute("DROP TRIGGER events_append_only_update")
        store.conn.execute("UPDATE events SET text = CAST(X'FFFE41' AS TEXT) WHERE id = 3")
        store.conn.commit()
    result = run_cli("--db", str(db_path), "verify")
    assert result.returncode == 1
    assert "FAILED: The war-room's history is damaged from entry #3 on" in result.stderr and "Traceback" not in result.stderr


# --------------------------------------------------------------------------- authors


def test_every_event_records_the_real_account_and_shows_it_beside_a_chosen_name(db_path):
    me = Store(db_path).account
    run_cli("--db", str(db_path), "--user", "sam", "declare", "Chat widget gone", "-s", "SEV2", check=True)
    run_cli("--db", str(db_path), "log", "1", "written under my own login", check=True)
    with Store(db_path) as store:
        events = store.events(1)
    assert {(e.login, e.uid) for e in events} == {(me.login, me.uid)}
    timeline = run_cli("--db", str(db_path), "timeline", "1").stdout
    if me.login != "sam":
        assert f"(login {me.login})" in timeline
    markdown = run_cli("--db", str(db_path), "export", "1").stdout
    assert f"sam (login {me.login})" in markdown or me.login == "sam"


def test_the_account_is_inside_the_hash(db_path):
    with Store(db_path, account=Account("oncall", 1234)) as store:
        store.declare("x", severity="SEV3", author="sam")
        store.conn.execute("DROP TRIGGER events_append_only_update")
        store.conn.execute("UPDATE events SET login = 'priya', uid = 1000 WHERE id = 1")
        store.conn.commit()
        result = store.verify()
    assert not result.ok and "event #1 does not match its hash" in result.message


@pytest.mark.parametrize("name", ["mopstui", "System", "MOPSTUI"])
def test_reserved_names_cannot_be_taken(db_path, name):
    result = run_cli("--db", str(db_path), "--user", name, "declare", "x", "-s", "SEV3")
    assert result.returncode == 1 and "reserved" in result.stderr
    result = run_cli("--db", str(db_path), "declare", "x", "-s", "SEV3", env={"MOPSTUI_USER": name})
    assert result.returncode == 1 and "reserved" in result.stderr


def test_an_older_log_migrates_and_still_verifies(db_path):
    """A war-room written before accounts were recorded: its events keep their hashes."""
    import sqlite_utils

    from mopstui.store import GENESIS, canonical, migrations

    old = sqlite_utils.Database(db_path)
    migrations.apply(old, stop_before="m005_accounts")
    previous = GENESIS
    for event_id, kind, text in ((1, "declared", "Old incident"), (2, "note", "old note")):
        row = (
            event_id,
            1,
            "2026-01-01T10:00:00.000000Z",
            "2026-01-01T10:00:00.000000Z",
            "alice",
            kind,
            text,
            '{"severity": "SEV3", "services": []}' if kind == "declared" else None,
            None,
            None,
        )
        import hashlib

        previous = hashlib.sha256(previous.encode() + b"\n" + canonical(row)).hexdigest()
        old.conn.execute(
            "INSERT INTO events (id, incident_id, occurred_at, recorded_at, author, kind, text, value, ref, "
            "dedupe, hash) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            row + (previous,),
        )
    old.conn.execute("INSERT INTO incidents (id, created_at) VALUES (1, '2026-01-01T10:00:00.000000Z')")
    old.conn.commit()
    old.conn.close()
    run_cli("--db", str(db_path), "--user", "bob", "log", "1", "after the upgrade", check=True)
    assert run_cli("--db", str(db_path), "verify").returncode == 0
    timeline = run_cli("--db", str(db_path), "timeline", "1").stdout
    assert "old note  (account not recorded)" in timeline


# --------------------------------------------------------------------------- tamper evidence


def head_of(db_path) -> str:
    out = run_cli("--db", str(db_path), "verify", check=True).stdout
    line = next(line for line in out.splitlines() if line.startswith("fingerprint:"))
    return line.rsplit(" ", 1)[1]


def seeded(db_path, entries: int = 5) -> None:
    with Store(db_path) as store:
        store.declare("Checkout failing", severity="SEV1", author="alice")
        for n in range(entries):
            store.append(1, "note", f"entry {n}", author="alice")


def without_guards(db_path) -> sqlite3.Connection:
    conn = sqlite3.connect(db_path)
    conn.execute("DROP TRIGGER events_append_only_update")
    conn.execute("DROP TRIGGER events_append_only_delete")
    return conn


def rewrite_hashes(conn: sqlite3.Connection) -> None:
    """What a careful attacker does after an edit: recompute every hash from the start."""
    from mopstui.store import EVENT_COLUMNS, GENESIS, chain_hash

    previous = GENESIS
    for row in conn.execute(f"SELECT {EVENT_COLUMNS} FROM events ORDER BY id").fetchall():
        previous = chain_hash(previous, tuple(row[:-1]))
        conn.execute("UPDATE events SET hash = ? WHERE id = ?", (previous, row[0]))


def tail_deleted(db_path):
    conn = without_guards(db_path)
    conn.execute("DELETE FROM events WHERE id > 4")
    conn.execute("UPDATE sqlite_sequence SET seq = 4 WHERE name = 'events'")
    conn.commit()


def all_deleted(db_path):
    conn = without_guards(db_path)
    conn.execute("DELETE FROM events")
    conn.execute("DELETE FROM sqlite_sequence")
    conn.commit()


def rewritten(db_path):
    conn = without_guards(db_path)
    conn.execute("UPDATE events SET text = 'nothing happened' WHERE id = 3")
    rewrite_hashes(conn)
    conn.commit()


@pytest.mark.parametrize("tamper", [tail_deleted, all_deleted, rewritten])
def test_a_noted_head_catches_what_the_chain_alone_cannot(db_path, tamper):
    seeded(db_path)
    head = head_of(db_path)
    tamper(db_path)
    assert run_cli("--db", str(db_path), "verify").returncode == 0  # the chain alone is fooled
    result = run_cli("--db", str(db_path), "verify", "--since-head", head)
    assert result.returncode == 1 and "no longer in the war-room's history" in result.stderr
    assert run_cli("--db", str(db_path), "verify", "--since-head", head[:12]).returncode == 1


def test_a_lost_wal_with_reused_ids_is_caught_by_the_noted_head(db_path):
    seeded(db_path, entries=2)
    writer = (
        "import os, sys\nfrom mopstui.store import Store\ns = Store(sys.argv[1])\n"
        "for n in range(3): s.append(1, 'note', f'accepted {n}', author='alice')\n"
        "print(s.head().hash, flush=True)\nos.kill(os.getpid(), 9)\n"
    )
    proc = subprocess.run([sys.executable, "-c", writer, str(db_path)], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == -signal.SIGKILL
    noted = proc.stdout.strip()
    os.unlink(f"{db_path}-wal")  # the unclean exit's -wal is lost
    os.unlink(f"{db_path}-shm")
    with Store(db_path) as store:
        store.append(1, "note", "a different entry under a reused id", author="mallory")
    assert run_cli("--db", str(db_path), "verify").returncode == 0
    result = run_cli("--db", str(db_path), "verify", "--since-head", noted)
    assert result.returncode == 1 and "no longer in the war-room's history" in result.stderr


def test_heads_from_a_file_and_in_every_export(tmp_path, db_path):
    seeded(db_path)
    head = head_of(db_path)
    markdown = run_cli("--db", str(db_path), "export", "1").stdout
    data = json.loads(run_cli("--db", str(db_path), "export", "1", "-f", "json").stdout)
    csv_text = run_cli("--db", str(db_path), "export", "1", "-f", "csv").stdout
    assert head in markdown and data["head"]["hash"] == head and head in csv_text.splitlines()[1]
    assert markdown.count("not covered by the fingerprint") == 1
    assert data["not_tamper_evident"] == ["vendor_changes", "signal_changes", "page_lags", "sessions"]
    saved = write(tmp_path / "noted.md", markdown)
    assert run_cli("--db", str(db_path), "verify", "--heads", str(saved)).returncode == 0
    rewritten(db_path)
    assert run_cli("--db", str(db_path), "verify", "--heads", str(saved)).returncode == 1
    bad = run_cli("--db", str(db_path), "verify", "--since-head", "xyz")
    assert bad.returncode == 1 and "not a fingerprint" in bad.stderr


def test_the_lease_holder_anchors_the_head_outside_the_war_room(tmp_path, db_path):
    from mopstui.room.poller import Poller

    seeded(db_path, entries=1)
    anchor = tmp_path / "private" / "heads.log"
    anchor.parent.mkdir(mode=0o700)
    config = load([write(tmp_path / "c.yaml", f"anchor: {{file: {anchor}, every: 1s}}\n")], database=str(db_path))
    stop = threading.Event()
    with Store(db_path) as store:
        poller = Poller(config, store, "test-holder", tick=0.05)
        runner = threading.Thread(target=asyncio.run, args=(poller.run(stop),))
        runner.start()
        try:
            deadline = time.monotonic() + 10
            while not (anchor.exists() and anchor.read_text()) and time.monotonic() < deadline:
                time.sleep(0.05)
        finally:
            stop.set()
            runner.join(10)
    assert not runner.is_alive()
    assert stat.S_IMODE(anchor.stat().st_mode) == 0o600
    assert head_of(db_path) in anchor.read_text()
    assert run_cli("--db", str(db_path), "verify", "--heads", str(anchor)).returncode == 0
    inside = write(tmp_path / "c2.yaml", f"anchor: {{file: {db_path.parent / 'heads.log'}}}\n")
    result = run_cli("--config", str(inside), "--db", str(db_path), "check-config")
    assert result.returncode == 2 and "outside the war-room's directory" in result.stderr


@pytest.mark.slow  # real processes
@needs_root
def test_a_read_only_snapshot_says_so(tmp_path):
    room = tmp_path / "room"
    room.mkdir()
    db = room / "warroom.db"
    with Store(db) as store:
        store.declare("Checkout failing", severity="SEV1", author="alice")
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\nfrom mopstui.store import Store\ns = Store(sys.argv[1])\n"
            "[s.append(1, 'note', f'later {n}', author='alice') for n in range(3)]\nprint('ready', flush=True)\n"
            "time.sleep(60)\n",
            str(db),
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        for path in (room, db, Path(f"{db}-wal"), Path(f"{db}-shm")):
            os.chown(path, 65534, 65534)
        os.chmod(room, 0o755)
        os.chmod(db, 0o644)
        os.chmod(f"{db}-shm", 0o600)  # the live index is not the viewer's to use
        viewer = ["setpriv", "--bounding-set=-all", "--inh-caps=-all", MOPSTUI, "--db", str(db), "--user", "viewer"]
        shown = subprocess.run([*viewer, "timeline", "1"], capture_output=True, text=True)
        assert shown.returncode == 0, shown.stderr
        assert "later 0" not in shown.stdout
        assert "read-only snapshot" in shown.stderr and "later entries may be missing" in shown.stderr
        verified = subprocess.run([*viewer, "verify"], capture_output=True, text=True)
        assert verified.returncode == 0 and "read-only snapshot" in verified.stdout
    finally:
        holder.kill()
        holder.wait()


# --------------------------------------------------------------------------- webhooks and the poller


def test_webhook_text_is_escaped_for_slack(tmp_path, db_path):
    from mopstui.room.notify import Notifier

    from .test_shared_host import Hooks

    Hooks.received, Hooks.fail_first = [], 0
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hooks)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        path = write(
            tmp_path / "c.yaml", f'notify:\n  webhooks:\n    - {{url: "http://127.0.0.1:{server.server_address[1]}/h"}}\n'
        )
        os.chmod(path, 0o600)
        config = load([path], database=str(db_path))
        with Store(db_path) as store:
            notifier = Notifier(config, store, backoff=0.01)

            async def round_():
                import httpx

                async with httpx.AsyncClient() as client:
                    return await notifier.round(client)

            asyncio.run(round_())
            store.declare("<!channel> <https://evil.example|Join the bridge> & more", severity="SEV1", author="<@U123>")
            asyncio.run(round_())
            head = store.head()
    finally:
        server.shutdown()
        server.server_close()
    text = Hooks.received[-1][1]["text"]
    assert "<" not in text and ">" not in text
    assert "&lt;!channel&gt; &lt;https://evil.example|Join the bridge&gt; &amp; more" in text
    assert f"log head #{head.last_id - 1}" in text or f"log head #{head.last_id}" in text


def test_a_redirect_into_our_own_network_is_refused(tmp_path):
    """A vendor page (reached through a proxy, as configured from the environment) redirects to an
    internal address: the poller does not follow, and the internal server sees nothing."""
    from mopstui.room.poller import poll
    from mopstui.status.fetch import Fetcher

    with StatusServer() as proxy, StatusServer() as internal:
        internal.serve("/admin", "{}")
        target = internal.url("/admin").replace("127.0.0.1", "127.0.0.2")
        internal_port = internal.server_address[1]
        vendor_url = "http://status.vendor.example/api/v2/summary.json"
        proxy.serve(vendor_url, status=302, headers={"Location": target})
        proxy.serve("http://status.vendor.example/file.json", status=302, headers={"Location": "file:///etc/passwd"})
        config = load(
            [
                write(
                    tmp_path / "c.yaml",
                    "polling: {timeout: 2s}\nvendors:\n"
                    f'  - {{id: v, kind: statuspage, url: "{vendor_url}"}}\n'
                    '  - {id: f, kind: statuspage, url: "http://status.vendor.example/file.json"}\n',
                )
            ]
        )
        old = {k: os.environ.get(k) for k in ("HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy")}
        os.environ.update(HTTP_PROXY=proxy.base, http_proxy=proxy.base, NO_PROXY="", no_proxy="")
        try:

            async def run():
                fetcher = Fetcher(config.polling, retries=0)
                try:
                    return await poll(config, fetcher=fetcher)
                finally:
                    await fetcher.aclose()

            statuses = asyncio.run(run())
        finally:
            for key, value in old.items():
                os.environ.pop(key, None) if value is None else os.environ.__setitem__(key, value)
        assert statuses["v"].state == "unknown" and "internal address" in statuses["v"].reason
        assert statuses["f"].state == "unknown" and "redirect to a file URL refused" in statuses["f"].reason
        assert internal.requests["/admin"] == 0 and internal_port


def test_retry_after_is_capped_at_an_hour(tmp_path):
    from mopstui.status.fetch import MAX_RETRY_AFTER, Fetcher

    with StatusServer() as server:
        url = server.serve("/limited.json", status=429, headers={"Retry-After": "1e20"})
        config = load([write(tmp_path / "c.yaml", "polling: {timeout: 2s}\n")])

        async def run():
            fetcher = Fetcher(config.polling, retries=0)
            try:
                return await fetcher.fetch(url)
            finally:
                await fetcher.aclose()

        outcome = asyncio.run(run())
    assert MAX_RETRY_AFTER == 3600
    assert 0 < outcome.validators.not_before - time.monotonic() <= 3600


# --------------------------------------------------------------------------- odd input


@pytest.mark.slow  # real processes
def test_odd_arguments_give_a_sentence(db_path):
    seeded(db_path, entries=1)
    cases = [
        [b"log", b"1", b"caf\xe9 \xff\xfe bytes that are not UTF-8"],
        [b"log", b"1" * 30, b"x"],
        [b"star", b"1", "²".encode()],
        [b"log", b"1", b"x", b"--at", b"0001-01-01T00:00"],
        [b"set-status", b"999999999999999999999", b"identified"],
        [b"correct", b"1", b"#99999999999999999999999", b"x"],
    ]
    for args in cases:
        result = subprocess.run([MOPSTUI, "--db", str(db_path), "--user", "v", *args], capture_output=True)
        stderr = result.stderr.decode("utf-8", "replace")
        assert result.returncode in (0, 1, 2) and "Traceback" not in stderr and "internal error" not in stderr, (args, stderr)
        if args[0] != b"log" or args[1] != b"1" or len(args) == 3:
            continue
    with Store(db_path) as store:
        texts = [e.text for e in store.events(1)]
    assert any(t.startswith("caf") and "bytes that are not UTF-8" in t for t in texts)


def test_an_entry_over_the_limit_is_refused_whole(db_path):
    seeded(db_path, entries=0)
    result = run_cli("--db", str(db_path), "--user", "v", "log", "1", "x" * 10_001)
    assert result.returncode == 2
    assert "the limit is 10,000" in result.stderr and "10,001" in result.stderr
    with Store(db_path) as store:
        assert not any(e.text.startswith("xxx") for e in store.events(1))
    assert run_cli("--db", str(db_path), "--user", "v", "log", "1", "x" * 10_000).returncode == 0


CONFIG_BOMB = "l0: &l0 {a: 1, b: 2}\n" + "".join(f"l{i}: &l{i} {{<<: [*l{i - 1}, *l{i - 1}]}}\n" for i in range(1, 30))


@pytest.mark.parametrize(
    "content, expected",
    [
        # PyYAML before 6.0.4 grows the mapping exponentially and our bound refuses it; from 6.0.4 it
        # merges each key node once, so the bomb is inert and only its unknown keys are left to refuse.
        (CONFIG_BOMB, r"merge keys|unknown key 'l0'"),
        ("a: " + "[" * 3000 + "]" * 3000 + "\n", "nested more than"),
        ("timezone: UTC\x00\n", "character YAML does not allow"),
        ("polling: {interval: 99999999999h}\n", "too long a duration"),
        ("polling: {interval: .nan}\n", "not a positive duration"),
    ],
)
def test_hostile_configs_answer_fast_with_file_and_line(tmp_path, content, expected):
    path = tmp_path / "c.yaml"
    path.write_bytes(content.encode())
    started = time.monotonic()
    result = run_cli("--config", str(path), "check-config")
    assert time.monotonic() - started < 5
    assert result.returncode == 2 and result.stderr.startswith(f"{path}:") and re.search(expected, result.stderr), result.stderr
    assert "Traceback" not in result.stderr


def test_configs_must_be_regular_files(tmp_path):
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)
    for source in (str(fifo), "/dev/zero"):
        result = run_cli("--config", source, "check-config", timeout=20)
        assert result.returncode == 2 and "not a regular file" in result.stderr
    result = run_cli("check-config", env={"MOPSTUI_CONFIG": "/dev/zero"}, timeout=20)
    assert result.returncode == 2 and "not a regular file" in result.stderr


def test_a_long_dependency_chain_loads(tmp_path):
    chain = "services:\n" + "".join(f"  - {{id: s{i}, name: S{i}, depends_on: [s{i + 1}]}}\n" for i in range(2000))
    path = write(tmp_path / "c.yaml", chain + "  - {id: s2000, name: last}\n")
    result = run_cli("--config", str(path), "check-config")
    assert result.returncode == 0, result.stderr


def test_check_config_warns_without_the_sticky_bit(tmp_path):
    room = tmp_path / "room"
    room.mkdir()
    os.chmod(room, 0o2770)
    path = write(tmp_path / "c.yaml", f"database: {room / 'w.db'}\ndatabase_group: {WAR_ROOM_GROUP}\n")
    result = run_cli("--config", str(path), "check-config")
    assert result.returncode == 0 and "lacks the sticky bit" in result.stderr and "chmod 3770" in result.stderr
    os.chmod(room, 0o3770)
    assert "sticky" not in run_cli("--config", str(path), "check-config").stderr


def test_a_fifo_put_where_heads_were_noted_does_not_hang_verify(tmp_path, db_path):
    seeded(db_path, entries=1)
    fifo = tmp_path / "INC-1-postmortem.md"
    os.mkfifo(fifo)
    result = run_cli("--db", str(db_path), "verify", "--heads", str(fifo), timeout=20)
    assert result.returncode == 1 and "not a regular file" in result.stderr


def test_exports_verify_from_this_user_s_checkpoint(tmp_path, monkeypatch):
    """An export re-hashes only what was written since the user's last verified checkpoint (kept in
    their private cache); a change after it is caught, and a checkpoint the log no longer matches
    is not used."""
    import json as jsonlib

    from mopstui.config import load
    from mopstui.export import export_incident
    from mopstui.room import verified

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    db = tmp_path / "warroom.db"
    config = load([], database=str(db))
    with Store(db) as store:
        store.declare("Checkout failing", severity="SEV1", author="alice")
        for i in range(5):
            store.append(1, "note", f"note {i}", author="alice")
        assert verified.load(db) is None
        first = export_incident(store, 1, config, "json", io.StringIO())
        assert "hash chain intact, integrity ok" in first.integrity
        checkpoint = verified.load(db)
        assert checkpoint is not None and checkpoint.last_id == store.head().last_id
        store.append(1, "note", "later", author="alice")
        second = export_incident(store, 1, config, "json", io.StringIO())
        assert f"intact after #{checkpoint.last_id} (verified earlier by you" in second.integrity
        # A change after the checkpoint is caught by the incremental check, and so is one to the
        # checkpoint's own event (the checkpoint is then not used: the full check runs).
        store.append(1, "note", "after the second export", author="alice")
        store.conn.execute("DROP TRIGGER events_append_only_update")
        store.conn.execute("UPDATE events SET text = 'forged' WHERE id = (SELECT max(id) FROM events)")
        store.conn.commit()
        assert export_incident(store, 1, config, "json", io.StringIO()).integrity.startswith("FAILED")
        store.conn.execute("UPDATE events SET text = 'note 4' WHERE id = (SELECT max(id) FROM events)")
        store.conn.execute("UPDATE events SET text = 'forged too' WHERE id = ?", (verified.load(db).last_id,))
        store.conn.commit()
        assert "does not match its hash" in export_incident(store, 1, config, "json", io.StringIO()).integrity
        # Rewriting the checkpoint's own event (all hashes recomputed or not) makes it unusable: a full check.
        store.conn.execute("UPDATE events SET hash = ? WHERE id = ?", ("0" * 64, checkpoint.last_id))
        store.conn.commit()
        result = store.verify(checkpoint=verified.load(db))
        assert not result.ok and "does not match its hash" in result.message
    cache_file = next((tmp_path / "cache" / "mopstui").glob("verified-*.json"))
    assert cache_file.stat().st_mode & 0o077 == 0 and jsonlib.loads(cache_file.read_text())["last_id"] >= checkpoint.last_id


def test_an_export_after_a_checkpoint_re_hashes_every_event_it_shows(tmp_path, monkeypatch, capsys):
    """The reproduction: a reviewer verifies (the checkpoint is saved), a member edits entry #3's
    text in place leaving the hashes alone, and the export said "hash chain intact after #28"
    beside the edited text. Every exported event is re-hashed: the export says #3 does not match."""
    from mopstui.cli import main

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    db = tmp_path / "warroom.db"
    with Store(db) as store:
        store.declare("Checkout failing", severity="SEV1", author="alice")
        for i in range(25):
            store.append(1, "note", f"note {i}", author="alice")
    assert main(["--db", str(db), "verify"]) == 0
    capsys.readouterr()
    assert main(["--db", str(db), "export", "1", "--format", "json"]) == 0
    clean = json.loads(capsys.readouterr().out)
    assert "re-hashed and intact" in clean["integrity"]  # every event shown, hashed this time
    with sqlite3.connect(db) as conn:
        conn.execute("DROP TRIGGER events_append_only_update")
        conn.execute("UPDATE events SET text = 'the form never broke' WHERE id = 3")
    conn.close()
    for form in ("json", "md"):
        assert main(["--db", str(db), "export", "1", "--format", form]) == 0
        out = capsys.readouterr().out
        assert re.search(r"FAILED: event \\?#3 does not match its hash", out) and "intact" not in out, form


def test_a_csv_export_re_hashes_what_it_writes_and_says_when_it_does_not_match(tmp_path, monkeypatch, capsys):
    """CSV re-hashes the events before the user's checkpoint in its one writing pass (not in a
    pass of their own first): an entry edited in place is still caught, said on standard error
    (a spreadsheet has no line for it), and the checkpoint is not moved past it."""
    from mopstui.cli import main
    from mopstui.room import verified

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    db = tmp_path / "warroom.db"
    with Store(db) as store:
        store.declare("Checkout failing", severity="SEV1", author="alice")
        store.declare("Another", severity="SEV3", author="bob")  # its events interleave with the first's
        for i in range(25):
            store.append(1 + i % 2, "note", f"note {i}", author="alice")
    assert main(["--db", str(db), "verify"]) == 0
    checkpoint = verified.load(db)
    with Store(db) as store:
        store.append(1, "note", "after the checkpoint", author="alice")
    capsys.readouterr()
    assert main(["--db", str(db), "export", "1", "--format", "csv"]) == 0
    clean = capsys.readouterr()
    assert "note 0" in clean.out and "after the checkpoint" in clean.out and clean.err == ""
    assert verified.load(db).last_id == checkpoint.last_id + 1  # all intact: the checkpoint moves on
    with sqlite3.connect(db) as conn:
        conn.execute("DROP TRIGGER events_append_only_update")
        conn.execute("UPDATE events SET text = 'the form never broke' WHERE id = 5")
    conn.close()
    moved = verified.load(db)
    out = tmp_path / "out.csv"
    assert main(["--db", str(db), "export", "1", "--format", "csv", "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert "the form never broke" in out.read_text()
    assert "history is broken: entry #5 was changed after it was written" in err and "intact" not in err
    assert verified.load(db) == moved  # not moved past a broken log
    with Store(db) as store:
        made = export_csv(store, tmp_path)
    assert made.integrity.startswith("FAILED: event #5 does not match its hash")


def export_csv(store, tmp_path):
    from mopstui.config import load
    from mopstui.export import export_incident

    return export_incident(store, 1, load([], database=str(tmp_path / "warroom.db")), "csv", io.StringIO())
