"""The words a marketer meets outside the screen: CLI messages, tables, the postmortem, help.
Each test here was a finding of a new user trying the tool; every one fails on the old wording."""

from __future__ import annotations

import json

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
