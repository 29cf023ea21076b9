import json
import os

import pytest

from mopstui.store import Store

from .conftest import run_cli, run_cli_process


def test_round_trip(cli, db_path):
    assert cli("declare", "Lead form not submitting", "--severity", "SEV1").stdout.strip() == "INC-1"
    assert cli("log", "INC-1", "Form returns 500 since the deploy", "--kind", "note").stdout.strip() == "#3"
    assert cli("log", "1", "Rolled back the tag manager change", "-k", "action", user="bob").returncode == 0
    assert cli("set-status", "1", "identified").returncode == 0
    assert cli("set-severity", "INC-1", "SEV2").returncode == 0
    assert cli("role", "1", "comms", "carol").returncode == 0
    assert cli("star", "1", "#4").returncode == 0
    assert cli("correct", "1", "3", "Form returns 500 since 09:55").returncode == 0
    listed = json.loads(cli("incidents", "--json").stdout)
    assert listed[0]["status"] == "identified" and listed[0]["severity"] == "SEV2"
    assert listed[0]["roles"] == {"commander": "alice", "comms": "carol"}
    timeline = json.loads(cli("timeline", "1", "--json").stdout)
    kinds = [e["kind"] for e in timeline["events"]]
    assert kinds == ["declared", "catalog", "note", "action", "status", "severity", "role", "star", "correction"]
    assert timeline["events"][3]["author"] == "bob"
    text = cli("timeline", "INC-1").stdout
    assert "★" in text and "correction of #3: Form returns 500 since 09:55" in text
    assert cli("resolve", "1").returncode == 0
    assert cli("incidents").stdout.strip() == "no active incidents"
    assert "resolved" in cli("incidents", "--all").stdout
    verify = cli("verify")
    assert verify.returncode == 0 and verify.stdout.startswith("ok: The war-room's history is intact: 10 entries")


def test_back_dating_with_at(cli, db_path):
    cli("declare", "x", "--severity", "SEV3", "--at", "2026-01-05T09:00:00Z", check=True)
    cli("log", "1", "we saw it first", "--at", "2026-01-05T08:58:00+00:00", check=True)
    events = json.loads(cli("timeline", "1", "--json").stdout)["events"]
    assert events[0]["text"] == "we saw it first" and events[0]["backdated"]
    assert events[0]["occurred_at"] == "2026-01-05T08:58:00+00:00"


def test_hh_mm_is_today_in_the_configured_zone(cli, tmp_path):
    config = tmp_path / "c.yaml"
    config.write_text("timezone: Pacific/Kiritimati\n")  # UTC+14: "today" differs from UTC's most of the day
    cli("--config", str(config), "declare", "x", "--severity", "SEV3", "--at", "00:00", check=True)
    with Store(tmp_path / "warroom.db") as store:
        occurred = store.event(1).occurred_at
    from zoneinfo import ZoneInfo

    local = occurred.astimezone(ZoneInfo("Pacific/Kiritimati"))
    assert (local.hour, local.minute) == (0, 0)


@pytest.mark.parametrize(
    "args, message",
    [
        (("log", "INC-9", "hello"), "there is no incident INC-9"),
        (("log", "seven", "hello"), "'seven' is not an incident"),
        (("log", "1", ""), "the entry is empty"),
        (("log", "1", "x", "--at", "25:61"), "is not a time of day"),
        (("log", "1", "x", "--at", "yesterday-ish"), "is not a time"),
        (("log", "1", "x", "--at", "2999-01-01T00:00Z"), "is in the future"),
        (("set-status", "1", "fixed"), "invalid choice"),
        (("declare", "x", "--severity", "SEV9"), "invalid choice"),
        (("star", "1", "abc"), "is not an entry number"),
    ],
)
def test_bad_input_is_one_clear_line_and_nothing_written(cli, db_path, args, message):
    cli("declare", "x", "--severity", "SEV3", check=True)
    result = cli(*args)
    assert result.returncode != 0
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    with Store(db_path) as store:
        assert store.count_events() == 2


def test_resolved_incident_refuses_further_status(cli):
    cli("declare", "x", "--severity", "SEV3", check=True)
    cli("resolve", "1", check=True)
    result = cli("set-status", "1", "monitoring")
    assert result.returncode == 1
    assert result.stderr.strip() == "mopstui: INC-1 is resolved; if the trouble is back, reopen it: mopstui reopen 1 --reason '…'"


def test_verify_exit_1_names_the_tampered_event(cli, db_path):
    cli("declare", "x", "--severity", "SEV3", check=True)
    cli("log", "1", "original", check=True)
    with Store(db_path) as store:
        store.conn.execute("DROP TRIGGER events_append_only_update")
        store.conn.execute("UPDATE events SET author = 'mallory' WHERE id = 3")
        store.conn.commit()
    result = cli("verify")
    assert result.returncode == 1 and "entry #3 was changed" in result.stderr


def test_identity_order(db_path, monkeypatch):
    base = ("--db", str(db_path))
    run_cli(*base, "declare", "x", "--severity", "SEV3", env={"MOPSTUI_USER": "env-user", "SUDO_USER": "sudoer"}, check=True)
    # $SUDO_USER alone is anyone's to set: it counts only under a real sudo (root, and sudo's
    # SUDO_UID naming that very account).
    run_cli(*base, "log", "1", "a", env={"SUDO_USER": "sudoer"}, check=True)
    run_cli(*base, "--user", "flag-user", "log", "1", "b", env={"MOPSTUI_USER": "env-user"}, check=True)
    run_cli(*base, "log", "1", "c", "--user", "late-flag", check=True)
    run_cli(*base, "log", "1", "d", env={"SUDO_USER": "nobody", "SUDO_UID": "65534"}, check=True)
    with Store(db_path) as store:
        authors = [e.author for e in store.events(1) if e.kind in ("declared", "note")]
    login = store.account.login
    expected_sudo = "nobody" if os.getuid() == 0 else login
    assert authors == ["env-user", login, "flag-user", "late-flag", expected_sudo]


def test_every_command_has_help():
    from mopstui.cli import COMMANDS, build_parser

    build_parser()
    for name in COMMANDS:
        result = run_cli(*name.split(), "--help")
        assert result.returncode == 0 and "usage: mopstui" in result.stdout, name


def test_incidents_json_on_empty_db(cli, db_path):
    missing = cli("incidents", "--json")  # no war-room yet: said, and none made
    assert missing.returncode == 1 and "no war-room at" in missing.stderr and not db_path.exists()
    from mopstui.store import open_store

    open_store(str(db_path)).close()
    assert json.loads(cli("incidents", "--json").stdout) == []


def test_log_speaks_the_screen_s_entry_grammar(cli, db_path):
    cli("declare", "x", "--severity", "SEV3", check=True)
    cli("log", "1", "/comms Posted a banner", check=True)
    cli("log", "1", "!Rolled back the container", check=True)
    cli("log", "1", "@00:00 first complaint", check=True)
    cli("log", "1", "/todo Add a synthetic check", check=True)
    with Store(db_path) as store:
        by_text = {e.text: e for e in store.events(1)}
    assert by_text["Posted a banner"].kind == "comms" and by_text["Rolled back the container"].kind == "action"
    assert by_text["Add a synthetic check"].kind == "action_item"
    assert by_text["first complaint"].backdated or by_text["first complaint"].occurred_at.strftime("%H:%M") == "00:00"
    clash = cli("log", "1", "/comms x", "--kind", "action")
    assert clash.returncode == 1 and "give the kind once" in clash.stderr
    found = cli("timeline", "1", "--search", "kind:comms banner").stdout
    assert "Posted a banner" in found and "Rolled back" not in found


def test_packaging_has_one_version_a_license_and_types():
    from importlib.metadata import metadata, version
    from pathlib import Path

    import mopstui

    assert version("mopstui") == mopstui.__version__
    root = Path(mopstui.__file__).parent
    assert (root / "py.typed").exists() and (root.parent / "LICENSE").read_text().startswith("MIT License")
    assert any(req.startswith("rich") for req in metadata("mopstui").get_all("Requires-Dist"))


def test_every_command_is_documented_in_the_readme():
    """README and --help say the same thing: each command of the parser has its row."""
    from mopstui.cli import COMMANDS, build_parser

    from .conftest import ROOT

    build_parser()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [name for name in COMMANDS if f"| `{name}" not in readme]
    assert not missing, f"commands with no row in README's table: {missing}"


def test_timeline_rows_equal_the_obviously_right_lines(tmp_path, capsys):
    """`timeline` writes a whole incident from raw rows (the exports' fast way); every line is the
    one `format_line` makes of the row's Event: back-dated by a hair over and exactly a minute,
    before the start, over an hour in, starred, unstarred, corrected, withdrawn, given another
    kind, a name with a control character, an account unrecorded, a row in another writer's time
    format, in a zone of its own."""
    from datetime import timedelta

    from mopstui.base.timeutil import utcnow, zone
    from mopstui.cli import main
    from mopstui.domain.timeline import Annotations, format_line

    db = tmp_path / "w.db"
    config = tmp_path / "c.yaml"
    config.write_text("timezone: Asia/Tokyo\n")
    start = utcnow().replace(microsecond=250000) - timedelta(hours=3)
    with Store(db) as store:
        store.declare("Odd rows", severity="SEV2", author="alice", at=start)
        for i, text in enumerate(["plain", "esc \x1b[2J gone", "bidi \u202e reversed", "ünïcödé ✓", "two  spaces"]):
            store.append(1, "note", text, author="sam", at=start + timedelta(minutes=7 * i, microseconds=i))
        store.append(1, "action", "before the start", author="sam", at=start - timedelta(minutes=3))
        store.append(1, "note", "at the end of its second", author="sam", at=start.replace(microsecond=999999))
        late = store.append(1, "comms", "an hour and more in", author="pat the scribe", at=start + timedelta(minutes=95))
        store.star(1, late.id, author="sam")
        store.correct(1, late.id, "corrected", author="sam")
        store.withdraw(1, 2, "wrong incident", author="sam")
        store.correct(1, 3, "", author="sam", kind="comms")
        store.star(1, 4, author="sam")
        store.unstar(1, 4, author="sam")
        store.conn.execute("DROP TRIGGER events_append_only_update")  # rows another tool wrote
        store.conn.execute("UPDATE events SET author = 'mal\x07lory' WHERE id = 3")
        store.conn.execute("UPDATE events SET login = NULL WHERE id = 4")
        for event_id, micros in ((5, "100001"), (6, "100000")):
            store.conn.execute(
                "UPDATE events SET occurred_at = substr(occurred_at, 1, 20) || '100000Z', "
                "recorded_at = strftime('%Y-%m-%dT%H:%M:%S', substr(occurred_at, 1, 19), '+60 seconds') "
                "|| '.' || ? || 'Z' WHERE id = ?",
                (micros, event_id),
            )
        store.conn.execute("UPDATE events SET occurred_at = substr(occurred_at, 1, 19) || '+00:00' WHERE id = 7")
        store.conn.commit()
        incident, events = store.incident(1), store.events(1)
    notes = Annotations.of(events)
    expected = ["INC-1 SEV2 investigating: Odd rows"] + [
        f"#{e.id:<5} " + format_line(e, incident.started_at, zone("Asia/Tokyo"), notes) for e in events
    ]
    assert main(["--config", str(config), "--db", str(db), "timeline", "1"]) == 0
    written = capsys.readouterr().out.splitlines()
    assert written == expected
    assert any("↶" in line for line in written) and any("★✎" in line for line in written)
    assert any("⊘" in line for line in written) and any("[now comms]" in line for line in written)
    assert any("[withdrawn by sam: wrong incident] plain" in line for line in written)


@pytest.mark.slow  # the real executable
def test_the_real_executable_end_to_end(db_path):
    """Most command-line tests call `main` in-process; this one runs the installed `mopstui` as a
    script would: its start-up, exit codes, and one sentence (never a traceback) for bad input."""
    base = ("--db", str(db_path), "--user", "alice")
    assert run_cli_process("--version").stdout.startswith("mopstui ")
    assert run_cli_process(*base, "declare", "Lead form down", "-s", "SEV2", check=True).stdout == "INC-1\n"
    assert run_cli_process(*base, "log", "1", "/comms Banner is live", check=True).stdout.startswith("#")
    listed = run_cli_process(*base, "incidents", check=True).stdout
    assert "INC-1" in listed and "Lead form down" in listed
    assert "Banner is live" in run_cli_process(*base, "timeline", "1", check=True).stdout
    refused = run_cli_process(*base, "log", "9", "nowhere")
    assert refused.returncode == 1 and refused.stderr.count("\n") == 1 and "Traceback" not in refused.stderr
    assert run_cli_process(*base, "set-status", "1", "sideways").returncode == 2


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["--user", "demo"],
        ["--db", "w.db", "--user", "a"],
        ["--user=priya"],
        ["--config", "a.yaml", "--config", "b.yaml", "--db", "postgresql://db/room"],
    ],
)
def test_the_screen_reads_its_options_as_the_whole_grammar_does(argv):
    """Opening the screen builds a parser of the global options only (not the 40 of every
    command), and reads them exactly as the whole grammar would."""
    from mopstui.cli.parser import build_parser, screen_args

    quick, whole = screen_args(argv), build_parser().parse_args(argv)
    assert quick is not None and whole.command is None
    assert (quick.config, quick.db, quick.user) == (whole.config, whole.db, whole.user)


@pytest.mark.parametrize(
    "argv",
    [
        ["incidents"],
        ["--user", "a", "timeline", "1"],
        ["-h"],
        ["--help"],
        ["--version"],
        ["--db"],
        ["--us", "bob"],
        ["stray"],
        ["--", "x"],
    ],
)
def test_anything_but_the_screen_is_read_by_the_whole_grammar(argv):
    """A command, help, the version, an abbreviation or a mistake: the whole grammar answers, with
    its own help and errors."""
    from mopstui.cli.parser import screen_args

    assert screen_args(argv) is None


@pytest.mark.parametrize(
    "argv",
    [
        ["incidents"],
        ["--db", "w.db", "incidents", "--all", "--json"],
        ["--user", "a", "timeline", "INC-1", "--search", "kind:comms"],
        ["log", "1", "--kind", "todo", "call the vendor", "--user", "b", "--at", "10:02"],
        ["--config", "a.yaml", "-v", "declare", "Form down", "-s", "sev2", "--service", "forms"],
        ["vendors", "components", "hubspot", "--json"],
        ["catalog", "show", "forms"],
        ["catalog"],
        ["followup", "1", "42", "--done", "--owner", "sam"],
        ["export", "1", "-f", "csv", "--starred-only"],
        ["verify", "--since-head", "a" * 12],
    ],
)
def test_a_command_is_read_by_its_own_grammar_as_by_the_whole(argv):
    """`mopstui incidents` builds the parser of `incidents` alone (not the 40 of every command),
    and reads the line exactly as the whole grammar does."""
    from mopstui.cli.parser import build_parser, read_command_line

    quick, whole = vars(read_command_line(argv)), vars(build_parser().parse_args(argv))
    assert quick.pop("func").__name__ == whole.pop("func").__name__
    assert quick == whole


@pytest.mark.parametrize(
    "argv",
    [["incidnts"], ["incidents", "--bogus"], ["timeline"], ["--us", "b", "incidents"], ["--version"], ["log", "--help"]],
)
def test_a_mistake_is_answered_by_the_whole_grammar(argv, capsys):
    """What the one command's grammar cannot read, the whole grammar reads again: the same
    errors, usage and help as ever (an unknown command lists every command)."""
    from mopstui.cli.parser import build_parser, read_command_line

    outcomes = []
    for read in (read_command_line, lambda line: build_parser().parse_args(line)):
        try:
            outcomes.append(("read", sorted(vars(read(argv)))))
        except SystemExit as exit:
            outcomes.append(("exit", exit.code))
        outcomes.append(capsys.readouterr())
    assert outcomes[0:2] == outcomes[2:4]
    if argv == ["incidnts"]:
        assert "'verify'" in outcomes[1].err and "'incidents'" in outcomes[1].err
