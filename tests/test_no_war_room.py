"""A mistyped --db never makes a war-room: what only reads says there is none, creating nothing
(not a file, not a directory, not a schema on a server); a failed import leaves its output as it
was; an error names the file it is about; someone outside the group is told so."""

from __future__ import annotations

import grp
import os
import subprocess
import uuid

import psycopg
import pytest

from mopstui.cli import main

from .conftest import MOPSTUI, write

READ_ONLY = (["incidents"], ["timeline", "1"], ["verify"], ["export", "1"], ["followups"], ["overrides"])


def said(capsys, *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().err


@pytest.mark.parametrize("command", READ_ONLY, ids=lambda c: c[0])
def test_a_read_only_command_on_no_war_room_creates_nothing(tmp_path, capsys, command):
    """The reproduction: `--db /nonexistent/dir/w.db incidents` said "no active incidents", exit 0,
    and made the directory and a new empty war-room (`verify` on it: "ok: 0 events")."""
    missing = tmp_path / "nonexistent" / "dir" / "w.db"
    code, err = said(capsys, "--db", str(missing), *command)
    assert (code, err) == (1, f"mopstui: no war-room at {missing} (check --db or MOPSTUI_DB)\n")
    assert not (tmp_path / "nonexistent").exists()


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_the_catalog_is_the_config_s_and_says_the_war_room_is_missing(tmp_path, capsys, request, engine):
    """The catalog is configuration: it is shown without a war-room, which is said, and not made."""
    missing = str(tmp_path / "nonexistent" / "w.db") if engine == "sqlite" else request.getfixturevalue("pg_url")
    config = write(
        tmp_path / "c.yaml", "services:\n  - {id: checkout, name: Checkout, owner: web, tier: 1, touchpoint: checkout}\n"
    )
    code = main(["--config", str(config), "--db", missing, "catalog"])
    out, err = capsys.readouterr()
    assert code == 0 and "checkout" in out and f"no war-room at {missing.split('?')[0]}" in err.replace("?", "?")
    assert not (tmp_path / "nonexistent").exists()


def test_the_war_room_from_mopstui_db_is_named_too(tmp_path, capsys, monkeypatch):
    missing = tmp_path / "typo.db"
    monkeypatch.setenv("MOPSTUI_DB", str(missing))
    assert said(capsys, "incidents") == (1, f"mopstui: no war-room at {missing} (check --db or MOPSTUI_DB)\n")
    assert not missing.exists()


def test_declaring_starts_a_war_room(tmp_path, capsys):
    db = tmp_path / "new" / "w.db"
    assert main(["--db", str(db), "--user", "priya", "declare", "Lead form down", "-s", "SEV2"]) == 0
    assert db.exists() and main(["--db", str(db), "incidents"]) == 0


def test_a_server_database_without_a_war_room_is_said_and_left_empty(pg_url, capsys):
    for command in READ_ONLY:
        code, err = said(capsys, "--db", pg_url, *command)
        assert code == 1 and "no war-room at postgresql://" in err and "(check --db or MOPSTUI_DB)" in err, err
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()").fetchone()[0] == 0
    assert main(["--db", pg_url, "--user", "priya", "declare", "Lead form down", "-s", "SEV2"]) == 0
    assert main(["--db", pg_url, "incidents"]) == 0


def test_a_failed_import_leaves_its_output_as_it_was(tmp_path, capsys):
    """`catalog import-backstage nothere -o services.yaml` overwrote services.yaml with `services: []`."""
    output = write(tmp_path / "services.yaml", "services:\n  - {id: checkout, name: Checkout}\n")
    code, err = said(
        capsys, "--db", str(tmp_path / "w.db"), "catalog", "import-backstage", str(tmp_path / "nothere"), "-o", str(output)
    )
    assert code == 1 and "no such file" in err and "left as it was" in err
    assert output.read_text() == "services:\n  - {id: checkout, name: Checkout}\n"
    assert not (tmp_path / "w.db").exists()


def test_copy_store_names_the_file_it_cannot_read(tmp_path, capsys):
    """`copy-store fake.db copy.db` blamed the default war-room."""
    fake = write(tmp_path / "fake.db", "not a database at all\n" * 10)
    code, err = said(capsys, "copy-store", str(fake), str(tmp_path / "copy.db"))
    assert code == 1 and err.startswith(f"mopstui: {fake} ") and "cannot be read" in err, err
    assert not (tmp_path / "copy.db").exists()


@pytest.mark.slow  # processes as another account
@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to make a group and to run as someone outside it")
def test_an_outsider_is_told_to_ask_for_the_group(tmp_path):
    """An outsider was told the war-room "does not exist, and this user may not create it"."""
    group = f"mops{uuid.uuid4().hex[:8]}"
    subprocess.run(["groupadd", group], check=True, capture_output=True)
    try:
        room = tmp_path / "room"
        room.mkdir()
        db = room / "warroom.db"
        assert main(["--db", str(db), "--user", "priya", "declare", "Lead form down", "-s", "SEV2"]) == 0
        gid = grp.getgrnam(group).gr_gid
        for path in (room, *room.iterdir()):
            os.chown(path, 64001, gid)
        os.chmod(room, 0o3770)
        os.chmod(tmp_path, 0o755)
        outsider = ["setpriv", "--bounding-set=-all", "--inh-caps=-all", MOPSTUI, "--db", str(db), "--user", "o"]
        for args in (["incidents"], ["log", "1", "let me in"], ["verify"]):
            denied = subprocess.run([*outsider, *args], capture_output=True, text=True, timeout=60)
            assert denied.returncode == 1, denied.stderr
            assert denied.stderr.startswith(f"mopstui: you are not in the war-room's group ({group}): ask to be added")
            assert len(denied.stderr.strip().splitlines()) == 1
    finally:
        subprocess.run(["groupdel", group], check=True, capture_output=True)


def test_init_starts_a_war_room_once(tmp_path, capsys):
    db = tmp_path / "w.db"
    assert main(["--db", str(db), "init"]) == 0 and capsys.readouterr().out == f"new war-room at {db}\n"
    assert main(["--db", str(db), "init"]) == 0 and "already" in capsys.readouterr().out
    assert main(["--db", str(db), "verify"]) == 0 and "intact: 0 entries" in capsys.readouterr().out
