"""The words a marketer meets outside the screen: CLI messages, tables, the postmortem, help.
Each test here was a finding of a new user trying the tool; every one fails on the old wording."""

from __future__ import annotations

import io
import json
from datetime import UTC

import pytest

from mopstui.cli import main


@pytest.fixture
def mop(tmp_path, capsys):
    """`mopstui ARGS` in-process on a fresh war-room: (exit status, stdout, stderr)."""
    db = tmp_path / "w.db"

    def call(*args: str, user: str = "alice") -> tuple[int, str, str]:
        try:
            status = main(["--db", str(db), "--user", user, *args])
        except SystemExit as leaving:  # argparse refuses by exiting
            status = leaving.code if isinstance(leaving.code, int) else 2
        out = capsys.readouterr()
        return status, out.out, out.err

    return call


def test_log_takes_todo_as_the_screen_says_it_and_action_item_from_old_scripts(mop):
    assert mop("declare", "Lead form down", "--severity", "SEV2")[0] == 0
    status, out, err = mop("log", "1", "Fix the form", "--kind", "todo")
    assert (status, err) == (0, "") and out.startswith("#")
    assert mop("log", "1", "Old script's item", "--kind", "action_item")[0] == 0
    events = json.loads(mop("timeline", "1", "--json")[1])["events"]
    assert [e["kind"] for e in events[-2:]] == ["action_item", "action_item"]  # JSON keeps the stored name
    timeline = mop("timeline", "1")[1]
    assert "action_item" not in timeline and timeline.count(" todo ") == 2


def test_a_wrong_kind_is_refused_in_the_screens_words(mop):
    mop("declare", "Lead form down", "--severity", "SEV2")
    status, _, err = mop("log", "1", "x", "--kind", "todos")
    assert status == 2 and "todo" in err and "action_item" not in err
    status, _, err = mop("log", "1", "/comms banner up", "--kind", "action_item")
    assert status == 1 and "--kind todo and the text's /comms disagree" in err


def test_help_names_todo_not_action_item(mop):
    for command in ("log", "correct"):
        status, out, _ = mop(command, "--help")
        assert status == 0 and "todo" in out and "action_item" not in out


def test_the_postmortem_kind_column_says_todo(mop, tmp_path):
    mop("declare", "Lead form down", "--severity", "SEV2")
    mop("log", "1", "/todo Fix the form owner:sam")
    out = tmp_path / "pm.md"
    assert mop("export", "1", "--format", "md", "-o", str(out))[0] == 0
    text = out.read_text()
    assert "| todo |" in text and "action\\_item" not in text and "action_item" not in text


def test_the_postmortem_names_things_as_people_do(tmp_path):
    """Vendor rows from our probes and from page-versus-probe comparisons by the service's name,
    a disagreement in words, a selector shown as typed, an override by the vendor's name."""
    from mopstui.demo import demo_config
    from mopstui.export.context import change_words, md_inline, source_name
    from mopstui.store import open_store

    config = demo_config(tmp_path / "d.db")
    assert source_name(config, "intercom") == "Intercom"
    assert source_name(config, "probe:chat-widget") == "Website chat widget (our probe)"
    assert source_name(config, "service:chat-widget") == "Website chat widget (page vs our probe)"
    assert change_words({"previous_state": "agree", "state": "disagree"}) == "the page and our probe start to disagree"
    assert change_words({"previous_state": "major_outage", "state": "operational"}) == "major outage → operational"
    assert md_inline("nothing matches form#contact input") == "nothing matches form#contact input"  # no `\#`
    assert md_inline("# not a heading") == "\\# not a heading"
    with open_store(tmp_path / "d.db") as store:
        from mopstui.demo import seed
        from mopstui.export import export_incident
        from mopstui.room.duties import set_override

        incident_id = seed(store, config)
        set_override(
            store,
            config,
            vendor_id="intercom",
            component=None,
            verdict="down",
            reason="chat fails for us",
            until="page-changes",
            author="priya",
        )
        written = io.StringIO()
        export_incident(store, incident_id, config, "md", written)
    text = written.getvalue()
    assert "- " in text and "Intercom: down for us — chat fails for us (priya" in text
    assert "intercom: down" not in text


def test_one_integrity_section_in_a_reviewers_words(mop, tmp_path):
    mop("declare", "Lead form down", "--severity", "SEV2")
    out = tmp_path / "pm.md"
    assert mop("export", "1", "-o", str(out))[0] == 0
    text = out.read_text()
    assert "Not tamper-evident" not in text and "hash chain does not cover" not in text and "Log head" not in text
    assert text.count("## Integrity") == 1 and text.index("## Integrity") > text.index("## Timeline")
    assert "sha256" not in text and text.count("not covered by the fingerprint") == 1
    assert "crossed**, by" not in text


def test_help_gives_the_database_order_the_code_follows(mop, tmp_path, monkeypatch, capsys):
    """--db, else $MOPSTUI_DB, else the config's `database`: the help says it in that order, and it is so."""
    status, out, _ = mop("--help")
    words = " ".join(out.split())
    assert status == 0 and "Default: $MOPSTUI_DB, else the config's `database`" in words
    config = tmp_path / "c.yaml"
    config.write_text(f"database: {tmp_path / 'from-config.db'}\n")
    monkeypatch.setenv("MOPSTUI_DB", str(tmp_path / "from-env.db"))
    assert main(["--config", str(config), "--user", "alice", "declare", "x", "--severity", "SEV3"]) == 0
    capsys.readouterr()
    assert (tmp_path / "from-env.db").exists() and not (tmp_path / "from-config.db").exists()


def test_the_demo_says_where_it_left_its_files(tmp_path):
    from mopstui.demo import left_behind

    (tmp_path / "demo.db").write_text("")
    assert left_behind(tmp_path) == (
        f"mopstui: the demo's war-room stays in {tmp_path}/ (demo.db); delete the folder when you are done"
    )
    (tmp_path / "INC-1-postmortem.md").write_text("")
    assert f"{tmp_path}/ (demo.db, INC-1-postmortem.md)" in left_behind(tmp_path)


def test_the_example_config_watches_no_vendor_the_directory_refuses(capsys):
    """Mailchimp has no machine-readable page (the directory refuses it by name): the example
    watches its API with a probe instead of calling its HTML page a Statuspage."""
    from mopstui.config import bundled_path
    from mopstui.demo import demo_config

    config = demo_config(bundled_path("example.yaml").parent / "unused.db")
    assert config.vendor("mailchimp") is None
    newsletters = config.service("newsletters")
    assert newsletters is not None and newsletters.probe is not None and "mailchimp.com" in newsletters.probe.url
    assert main(["--config", str(bundled_path("example.yaml")), "check-config"]) == 0


def test_a_name_with_no_dns_answer_is_said_with_the_host():
    import socket

    import httpx

    from mopstui.status.fetch import _describe

    request = httpx.Request("GET", "https://status.example.invalid/api/v2/summary.json")
    error = httpx.ConnectError("[Errno -2] Name or service not known", request=request)
    error.__cause__ = socket.gaierror(-2, "Name or service not known")
    assert _describe(error, 5) == "this host cannot find status.example.invalid (no DNS answer)"


def test_a_page_given_by_its_address_is_named_by_it(mop):
    import socket

    with socket.socket() as sock:  # a port nothing listens on: refused at once, on this machine only
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/"
    status, _, err = mop("vendors", "components", url)
    assert status == 1 and err.startswith(f"mopstui: cannot read the page at {url}: ") and "'s page" not in err


def test_the_postmortem_holds_no_engineers_word(mop, tmp_path):
    from datetime import datetime, timedelta

    from mopstui.domain.vocabulary import ENGINEER_WORDS

    declared = datetime.now(UTC) - timedelta(hours=1)  # HH:MM fails just after midnight
    assert mop("declare", "Lead form down", "--severity", "SEV2", "--at", declared.isoformat(timespec="minutes"))[0] == 0
    mop("log", "1", "/todo Fix the form owner:sam")
    mop("log", "1", "we saw it first", "--at", (declared - timedelta(minutes=10)).isoformat(timespec="minutes"))
    out = tmp_path / "pm.md"
    assert mop("export", "1", "-o", str(out))[0] == 0
    # The reviewer's detail (the check's own words, the checksum) is kept to the Integrity section.
    text, integrity = out.read_text().lower().split("## integrity")
    assert [word for word in ENGINEER_WORDS if word.lower() in text] == []
    assert "sha-256" in integrity


def _closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_status_columns_fit_their_names(tmp_path, capsys):
    """A probe's name (`Website lead form (probe)`) no longer runs into the KIND column."""
    port = _closed_port()
    config = tmp_path / "c.yaml"
    config.write_text(f"""vendors:
  - {{id: hubspot, name: HubSpot, kind: statuspage, url: "http://127.0.0.1:{port}/"}}
services:
  - id: lead-form
    name: Website lead form
    tier: 1
    vendor: hubspot
    probe: {{url: "http://127.0.0.1:{port}/contact"}}
""")
    assert main(["--config", str(config), "--db", str(tmp_path / "w.db"), "status"]) == 0
    lines = capsys.readouterr().out.splitlines()
    header = next(line for line in lines if line.startswith("STATE"))
    kind_at = header.index("KIND")
    probe = next(line for line in lines if "Website lead form" in line)
    assert probe[kind_at - 1] == " " and probe[kind_at:].startswith("probe")
    assert "(probe probe" not in probe


def test_signals_columns_fit_their_names(tmp_path, capsys):
    from mopstui.config import bundled_path

    assert main(["--config", str(bundled_path("example.yaml")), "--db", str(tmp_path / "w.db"), "signals"]) == 0
    lines = capsys.readouterr().out.splitlines()
    header = lines[0]
    ga4 = next(line for line in lines if "Leads in GA4" in line)
    email = next(line for line in lines if "Email delivery" in line)
    assert "Leads in GA4 (last 30 min)" in ga4
    for column in ("KIND", "TOUCHPOINT", "SINCE"):
        at = header.index(column)
        assert ga4[at - 1] == " " and email[at - 1] == " " and email[at] != " ", column


def test_cells_are_cut_with_an_ellipsis():
    from mopstui.base.textsafe import cell, column_width

    assert cell("Website lead form (probe)", 10) == "Website l…"
    assert cell("ok", 4) == "ok  "
    assert column_width("NAME", ["a", "a much longer name"], 8) == 8


# --------------------------------------------------------------------------- plain words, detail under --verbose


def test_verify_says_the_history_is_intact_in_plain_words(mop):
    """`verify` printed "ok: 2 events, hash chain intact, integrity ok" and "head: … sha256 …"."""
    from mopstui.domain.vocabulary import ENGINEER_WORDS

    mop("declare", "Lead form down", "--severity", "SEV2")
    status, out, err = mop("verify")
    assert status == 0 and err == ""
    first, second = out.splitlines()
    assert first == "ok: The war-room's history is intact: 2 entries, none changed or removed since they were written."
    assert second.startswith("fingerprint: 2 entries up to #2, ") and len(second.rsplit(" ", 1)[1]) == 64
    assert [word for word in (*ENGINEER_WORDS, "head", "hash", "events") if word in out] == []
    status, out, _ = mop("verify", "--verbose")  # the engineer's account, as before, when asked for
    assert status == 0 and "head: 2 events, last #2, sha256 " in out and "hash chain intact" in out


def test_a_broken_history_is_said_as_what_happened_to_which_entry(mop, tmp_path):
    import sqlite3

    mop("declare", "Lead form down", "--severity", "SEV2")
    mop("log", "1", "the form is back")
    with sqlite3.connect(tmp_path / "w.db") as conn:
        conn.execute("DROP TRIGGER events_append_only_update")
        conn.execute("UPDATE events SET text = 'the form never broke' WHERE id = 3")
    conn.close()
    status, out, err = mop("verify")
    assert status == 1 and out == ""
    assert err.splitlines()[0] == "FAILED: The war-room's history is broken: entry #3 was changed after it was written."
    assert "hash" not in err
    assert "does not match its hash" in mop("verify", "-v")[2]


def test_copy_store_says_both_have_the_same_history_without_sha256(mop, tmp_path):
    mop("declare", "Lead form down", "--severity", "SEV2")
    status, out, err = mop("copy-store", str(tmp_path / "w.db"), str(tmp_path / "copy.db"))
    assert status == 0, err
    assert "sha256" not in out and "head" not in out and ": 1 incidents, 2 entries" in out
    assert out.splitlines()[1].startswith("both verify to fingerprint: 2 entries up to #2, ")


@pytest.mark.parametrize("command", ["watch", "verify", "copy-store"])
def test_the_help_of_the_room_commands_holds_no_engineers_word(mop, command):
    from mopstui.domain.vocabulary import ENGINEER_WORDS

    status, out, _ = mop(command, "--help")
    words = " ".join(out.split()).lower()
    assert status == 0
    assert [word for word in (*ENGINEER_WORDS, "head", "hash chain", "sha256") if word.lower() in words] == []
    _, top, _ = mop("--help")
    summary = next(line for line in top.splitlines() if line.strip().startswith(command))
    assert "lease" not in summary and "hash" not in summary, summary


def test_verbose_is_one_option_for_every_command(mop):
    status, out, _ = mop("--help")
    assert status == 0 and "--verbose" in out
    status, _, err = mop("--verbose", "incidents")  # before the command, or after it
    assert status == 1 and "no war-room" in err  # nothing declared yet: said, not a bug
    assert mop("incidents", "-v")[0] == 1
    assert mop("doctor", "--offline", "--verbose")[0] in (0, 1)  # the doctor's --verbose is the same option


def test_a_file_that_cannot_be_written_is_named_as_asked_never_by_its_temporary(mop, tmp_path):
    """`export -o /no/such/dir/x.md` said `[Errno 2] No such file or directory: '/no/such/dir/.x.md.s_33kbt.part'`."""
    mop("declare", "Lead form down", "--severity", "SEV2")
    target = tmp_path / "no-such-folder" / "x.md"
    status, _, err = mop("export", "1", "-o", str(target))
    assert status == 1 and err == f"mopstui: cannot write {target}: its folder {target.parent} does not exist\n"


def test_raw_errors_are_translated_once(tmp_path):
    """What a driver or the system says, as a marketer reads it; the raw text kept for --verbose."""
    import errno
    import sqlite3

    from mopstui.base.plain import detail, library_words, os_words, plain, said, show_detail

    assert library_words("connection failed: ... failed: fe_sendauth: no password supplied").startswith(
        "it needs a password and none was found"
    )
    assert (
        library_words('FATAL:  database "warroom" does not exist') == "there is no such database on the server: check the address"
    )
    assert library_words("database is locked") == "someone else is writing to it right now: try again"
    error = sqlite3.OperationalError("disk I/O error")
    assert plain(error) == "the war-room's database: the disk failed while reading or writing it"
    assert detail(error) == "OperationalError: disk I/O error"
    refused = PermissionError(errno.EACCES, "Permission denied", "/srv/room/x.md")
    assert os_words(refused) == "/srv/room/x.md: you are not allowed to open it"
    assert "Errno" not in said(refused)
    show_detail(True)
    try:
        assert said(refused).endswith("[detail: PermissionError: [Errno 13] Permission denied: '/srv/room/x.md']")
    finally:
        show_detail(False)


# --------------------------------------------------------------------------- a server that wants a password

_ROLES = iter(range(1, 1000))


@pytest.fixture
def password_war_room(postgres_server, pg_url, monkeypatch, tmp_path):
    """A war-room on the real server whose account must give a password (scram), as a server on
    another host would: the URL, with the password in $PGPASSWORD for now. The server's rule for
    this account is taken out again at the end."""
    role = f"needs_password_{next(_ROLES)}"
    database = pg_url.split("/")[-1].split("?")[0]
    postgres_server.admin(f"CREATE ROLE {role} LOGIN PASSWORD 'sesame'")
    postgres_server.admin(f"ALTER DATABASE {database} OWNER TO {role}")
    rules = postgres_server.data / "pg_hba.conf"
    before = rules.read_text()
    rules.write_text(f"local all {role} scram-sha-256\n" + before)
    postgres_server.admin("SELECT pg_reload_conf()")
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "no-pgpass"))  # nobody's ~/.pgpass answers for it
    monkeypatch.setenv("PGPASSWORD", "sesame")
    try:
        yield postgres_server.url(database, user=role), role
    finally:
        rules.write_text(before)
        postgres_server.admin("SELECT pg_reload_conf()")


def test_a_server_that_wants_a_password_is_said_plainly_on_the_command_line(password_war_room, monkeypatch, capsys):
    """`mopstui incidents` said `… failed: fe_sendauth: no password supplied`, libpq's words."""
    url, _ = password_war_room
    assert main(["--db", url, "--user", "alice", "declare", "Lead form down", "--severity", "SEV2"]) == 0
    capsys.readouterr()
    monkeypatch.delenv("PGPASSWORD")
    assert main(["--db", url, "incidents"]) == 1
    err = capsys.readouterr().err
    assert "fe_sendauth" not in err and "password supplied" not in err
    assert err.endswith("it needs a password and none was found: put it in ~/.pgpass or $PGPASSWORD\n")
    assert len(err.splitlines()) == 1
    assert main(["--db", url, "incidents", "--verbose"]) == 1  # the engineer's detail, when asked for
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2 and err[1].startswith("mopstui: detail: ") and "fe_sendauth: no password supplied" in err[1]


async def test_a_server_that_stops_taking_the_screens_password_is_said_plainly(password_war_room, monkeypatch, tmp_path):
    """The screen's notice said libpq's `fe_sendauth: no password supplied` when its connection
    was dropped and the password was no longer there to reconnect with (a rotated secret)."""
    from mopstui.store import open_store
    from mopstui.tui.timeline_view import TimelineView

    from .tui_helpers import Said, make_app, make_config, type_entry, wait_for

    url, role = password_war_room
    with open_store(url) as store:
        store.declare("Lead form not submitting", severity="SEV2", author="alice", services=["lead-form"])
    said = Said()
    app = make_app(make_config(tmp_path, url), poll_interval=0.2)
    async with app.run_test(size=(120, 40), message_hook=said.append) as pilot:
        view = app.q("#timeline", TimelineView)
        await wait_for(pilot, lambda: [e.kind for e in view.events] == ["declared"], message="the timeline")
        monkeypatch.delenv("PGPASSWORD")
        import psycopg

        with psycopg.connect(url.replace(role, "mopstui"), autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s", (role,))
        await type_entry(pilot, "n", "typed once the password is gone")
        await wait_for(pilot, lambda: any(p.failed for p in view.pending), timeout=10, message="NOT SAVED")
        await wait_for(pilot, lambda: said.told("needs a password"), timeout=10, message="the plain notice")
        [failed] = [p for p in view.pending if p.failed]
        shown = [*said.notices(), failed.failed]
        assert [words for words in shown if "fe_sendauth" in words or "password supplied" in words] == []
        assert any("it needs a password and none was found" in words for words in shown)


def test_the_screen_on_a_server_that_wants_a_password_says_one_plain_sentence(password_war_room, monkeypatch):
    """The real binary in a terminal (tmux, 80x24): one sentence, no driver's words, and no second
    error under it (`NOTE: 1 of 2 errors shown. Run with textual run --dev`), exit 1."""
    import shlex

    from .conftest import MOPSTUI
    from .tmux import Tmux

    url, _ = password_war_room
    assert main(["--db", url, "--user", "alice", "declare", "Lead form down", "--severity", "SEV2"]) == 0
    monkeypatch.delenv("PGPASSWORD")
    tmux = Tmux()
    try:
        shell = f"{shlex.quote(MOPSTUI)} --db {shlex.quote(url)} --user priya; echo EXIT=$?; sleep 60"
        tmux.start("room", ["sh", "-c", shell], env={"TERM": "xterm-256color"}, width=80, height=24)
        screen = " ".join(tmux.wait_for("room", "EXIT=", timeout=30).split())
    finally:
        tmux.kill_server()
    assert "EXIT=1" in screen and "it needs a password and none was found" in screen, screen
    assert "fe_sendauth" not in screen and "NOTE" not in screen and "Traceback" not in screen, screen


def test_durations_carry_their_units_in_the_timeline_and_the_postmortem(mop, tmp_path):
    """`+00:13` in the Elapsed column read as a clock time: `+13s`, `+39m00s`, as on screen."""
    mop("declare", "Lead form down", "--severity", "SEV2", "--at", "2026-12-07 10:00")
    mop("log", "1", "Form spins", "--at", "2026-12-07 10:39")
    timeline = mop("timeline", "1")[1]
    assert " +39m00s " in timeline and "+39:00" not in timeline and "+00:00" not in timeline
    out = tmp_path / "pm.md"
    assert mop("export", "1", "-o", str(out))[0] == 0
    assert "| +39m00s |" in out.read_text() and "+39:00" not in out.read_text()


def test_a_todo_says_its_owner_and_due_date_in_the_timeline_and_the_postmortem(mop, tmp_path):
    mop("declare", "Lead form down", "--severity", "SEV2")
    assert mop("log", "1", "/todo Add a form-submit probe owner:sam due:2026-12-20")[0] == 0
    timeline = mop("timeline", "1")[1]
    line = next(line for line in timeline.splitlines() if "form-submit probe" in line)
    assert "sam, due Sun 20 Dec" in line
    out = tmp_path / "pm.md"
    assert mop("export", "1", "-o", str(out))[0] == 0
    row = next(line for line in out.read_text().splitlines() if "form-submit probe" in line and "| todo |" in line)
    assert "sam, due Sun 20 Dec" in row


def test_log_takes_the_words_unquoted(mop):
    """`mopstui log 2 Form is down again` was refused with `unrecognized arguments: is down again`."""
    mop("declare", "Lead form down", "--severity", "SEV2")
    status, out, err = mop("log", "1", "Form", "is", "down", "again")
    assert (status, err) == (0, "") and out.startswith("#")
    assert mop("log", "1", "--kind", "todo", "Add", "a", "probe")[0] == 0
    timeline = mop("timeline", "1")[1]
    assert "note     Form is down again" in timeline and "todo     Add a probe" in timeline


def test_a_near_kind_is_suggested_in_log_and_in_search(mop):
    mop("declare", "Lead form down", "--severity", "SEV2")
    status, _, err = mop("log", "1", "Banner up", "--kind", "comm")
    assert status == 2 and "did you mean comms?" in err
    status, _, err = mop("timeline", "1", "--search", "kind:commz")
    assert status == 1 and "no kind 'commz': did you mean comms?" in err and "Traceback" not in err
    assert mop("timeline", "1", "--search", "kind:Comms")[0] == 0


def test_a_service_is_checked_alike_by_declare_and_edit(mop, tmp_path):
    mop("declare", "Lead form down", "--severity", "SEV2")
    status, _, err = mop("edit", "1", "--add-service", "nope")
    assert status == 0 and "no service list is configured, so 'nope' cannot be checked" in err
    status, _, err = mop("declare", "Chat down", "--severity", "SEV3", "--service", "nope")
    assert status == 0 and "no service list is configured, so 'nope' cannot be checked" in err
    config = tmp_path / "c.yaml"
    config.write_text("services:\n  - {id: lead-form, name: Lead form, tier: 1, owner: web}\n")
    status, _, err = mop("--config", str(config), "edit", "1", "--add-service", "leadform")
    assert status == 1 and "unknown service 'leadform': did you mean lead-form?" in err
    status, _, err = mop("--config", str(config), "declare", "x", "--severity", "SEV3", "--service", "leadform")
    assert status == 1 and "did you mean lead-form?" in err


def test_every_key_of_the_command_list_is_in_the_readmes_key_table():
    """`w` (withdraw) was in the help but not in the README's table of keys."""
    import re
    from pathlib import Path

    from mopstui.config.keymap import COMMANDS

    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    table = readme.split("## The screen", 1)[1].split("\n\n", 2)[1]
    shown = set(re.findall(r"`([^`]+)`", "\n".join(line.split(" | ")[0] for line in table.splitlines())))
    names = {"question_mark": "?", "asterisk": "*", "slash": "/", "escape": "Escape"}
    names |= {"left_square_bracket": "[", "right_square_bracket": "]"}
    missing = [
        f"{command.id} ({key})"
        for command in COMMANDS
        for key in filter(None, command.keys.split(","))
        if names.get(key, key) not in shown
    ]
    assert not missing, f"keys missing from the README's table: {missing}"


def test_the_integrity_section_says_it_plainly_before_the_fingerprint(mop, tmp_path):
    """`hash chain intact`, `SHA-256 \\`cb26…\\`` were the section's first words."""
    mop("declare", "Lead form down", "--severity", "SEV2")
    out = tmp_path / "pm.md"
    assert mop("export", "1", "-o", str(out))[0] == 0
    integrity = out.read_text().split("## Integrity\n\n", 1)[1]
    assert integrity.startswith("Nothing in this record was changed or removed after it was written")
    assert "fingerprint, for a reviewer" in integrity.split("hash chain", 1)[0]


def test_the_service_list_at_the_declaration_is_named_plainly(mop, tmp_path):
    config = tmp_path / "c.yaml"
    config.write_text("services:\n  - {id: lead-form, name: Lead form, tier: 1, owner: web}\n")
    mop("--config", str(config), "declare", "Lead form down", "--severity", "SEV2")
    timeline = mop("--config", str(config), "timeline", "1")[1]
    assert "the service list at the start: 1 service" in timeline and "catalog snapshot" not in timeline
    out = tmp_path / "pm.md"
    assert mop("--config", str(config), "export", "1", "-o", str(out))[0] == 0
    assert "the service list at the start: 1 service |" in out.read_text()


def test_a_services_detail_names_what_it_depends_on_and_says_times_in_the_rooms_zone(tmp_path):
    """`Depends on cdn`, `Needed by paid-search` (ids), `2026-12-08T00:44 overall: ok → down`
    (the stored time), `(silence)` (the config's word for a signal's kind)."""
    from datetime import datetime

    from mopstui.base.timeutil import zone
    from mopstui.demo import demo_config
    from mopstui.domain import catalog as cat

    config = demo_config(tmp_path / "d.db")
    facts = dict(cat.service_facts(config, config.service("landing-pages")))
    assert facts["Depends on"] == "CDN and DNS" and facts["Needed by"] == "Paid search campaigns"
    change = {"seen_at": "2026-12-08T00:44:10.123456+00:00", "component": None, "previous_state": "operational"}
    change["state"] = "major_outage"
    berlin, now = zone("Europe/Berlin"), datetime.fromisoformat("2026-12-08T09:00:00+00:00")
    assert cat.change_line(change, berlin, now) == "01:44:10  overall: ok → down"
    assert cat.change_line(change, berlin, datetime.fromisoformat("2026-12-09T09:00:00+00:00")).startswith("Tue 8 Dec 01:44:10")
    from mopstui.config.signals import SIGNAL_KINDS

    assert set(cat.SIGNAL_KIND_WORDS) == set(SIGNAL_KINDS)  # every kind has its words


def test_vendor_words_are_one_set_and_name_the_component_once():
    """`✖ down — was degraded` beside `▲ partial — was major outage`; `Intercom Intercom Messenger`."""
    from mopstui.base.timeutil import zone
    from mopstui.domain.evidence import change_text

    change = {"state": "partial_outage", "previous_state": "major_outage", "seen_at": "2026-12-08T00:44:10+00:00"}
    said = change_text({**change, "component": "Intercom Messenger"}, "Intercom", zone("UTC"))
    assert said.startswith("Intercom Messenger ▲ partial — was down (")
    assert change_text({**change, "component": "Forms"}, "HubSpot", zone("UTC")).startswith("HubSpot Forms ▲ partial")


def test_a_probe_an_unreadable_form_and_a_vendor_title_in_plain_words():
    """`HTTP 503 (expected 200)`, `nothing matches form#contact`, `AWS — statuspage`."""
    from mopstui.config.signals import Signal
    from mopstui.domain.vendor_line import source_words
    from mopstui.signals.judge import judge_form
    from mopstui.status.providers import Fetched
    from mopstui.status.providers.probe import judge

    said = judge(Fetched(503, b"", 10), expect_status=200, expect_text=None, max_latency_ms=2000)
    assert said == ("major_outage", "the page answers with an error (503)")
    assert judge(Fetched(302, b"", 10), expect_status=200, expect_text=None, max_latency_ms=2000)[1] == (
        "the page answers 302, not the 200 it should"
    )
    assert source_words("statuspage") == "status page" and source_words("probe") == "our own check"
    form = Signal(id="contact", kind="form", touchpoint="lead capture", name="Contact form", selector="form#contact")
    reading = judge_form(form, 200, b"<html><body>no form</body></html>")
    assert "form#contact" not in reading.why and "missing" in reading.why


def test_the_narrow_screens_strip_says_all_vendors_ok_and_what_2_and_3_are(tmp_path):
    """`✓ ok AWS  2 services · 3 vendors`: a healthy vendor in the worst one's place, and two
    keys read as counts."""
    from datetime import datetime

    from mopstui.demo import demo_config
    from mopstui.status.model import VendorStatus
    from mopstui.tui.room_bar import RoomStrip
    from mopstui.tui.room_state import RoomState

    config = demo_config(tmp_path / "d.db")
    healthy = {"aws": VendorStatus("aws", "AWS", "statuspage", state="operational")}
    strip = RoomStrip()
    strip.update = lambda *_: None  # what it would draw is kept in `shown`; no screen here
    strip.show(RoomState(config, "priya", datetime.now, statuses=healthy))
    assert strip.shown is not None
    said = strip.shown.plain
    assert "all vendors ok" in said and "AWS" not in said and "keys: 2 services, 3 vendors" in said
    down = {**healthy, "intercom": VendorStatus("intercom", "Intercom", "statuspage", state="major_outage")}
    strip.show(RoomState(config, "priya", datetime.now, statuses=down))
    assert "✖ down Intercom" in strip.shown.plain


def test_the_line_under_the_timeline_offers_unstar_on_a_starred_entry():
    """`* star` stayed under an entry already starred."""
    from datetime import datetime

    from mopstui.base.timeutil import zone
    from mopstui.domain.model import Event
    from mopstui.tui.incident_pane import entry_header

    at = datetime.fromisoformat("2026-12-08T00:44:10+00:00")
    event = Event(9, 1, at, at, "priya", "decision", "Route chat to the lead form")
    assert entry_header(event, zone("UTC"), at).plain.endswith("* star")
    assert entry_header(event, zone("UTC"), at, starred=True).plain.endswith("* unstar")


def test_the_vendor_details_legend_uses_the_screens_state_words():
    from mopstui.tui.vendor_detail import LEGEND

    assert "operational" not in LEGEND and "major" not in LEGEND and "ok" in LEGEND and "down" in LEGEND
