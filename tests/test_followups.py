"""What was declared can change (as new events), and action items are followed to closure."""

from __future__ import annotations

import json

import pytest

from mopstui.store import Store

from .conftest import write
from .test_properties import run_main

CONFIG = """
services:
  - {id: lead-form, name: Lead form, touchpoint: lead capture}
  - {id: cdn, name: CDN, touchpoint: website}
"""


@pytest.fixture
def room(tmp_path):
    config_path = write(tmp_path / "c.yaml", CONFIG)
    db = tmp_path / "warroom.db"
    with Store(db) as store:
        store.declare("Lead form not submitting", severity="SEV2", author="alice", services=["lead-form"])
    return config_path, db


def cli(room, *args: str, user: str = "sam") -> tuple[int, str, str]:
    config_path, db = room
    return run_main(["--config", str(config_path), "--db", str(db), "--user", user, *args])


def test_edit_title_summary_services_keeps_the_history(room):
    code, out, err = cli(
        room,
        "edit",
        "1",
        "--title",
        "Lead form rejects EU visitors",
        "--add-service",
        "cdn",
        "--summary",
        "Consent banner blocks the form script",
    )
    assert code == 0, err
    assert "edited: title → Lead form rejects EU visitors; summary → Consent banner blocks the form script; services +cdn" in out
    code, out, _ = cli(room, "incidents", "--json")
    [incident] = json.loads(out)
    assert incident["title"] == "Lead form rejects EU visitors" and incident["services"] == ["lead-form", "cdn"]
    assert incident["summary"] == "Consent banner blocks the form script"
    code, out, _ = cli(room, "edit", "1", "--remove-service", "cdn")
    assert code == 0
    code, out, _ = cli(room, "timeline", "1")
    assert "Lead form not submitting" in out and "title → Lead form rejects EU visitors" in out and "services -cdn" in out
    code, out, _ = cli(room, "export", "1")
    assert out.startswith("# INC-1: Lead form rejects EU visitors") and "edited: title → Lead form rejects EU visitors" in out
    with Store(room[1]) as store:
        assert store.verify().ok


@pytest.mark.parametrize("args, said", [
    (["edit", "1", "--title", "Lead form not submitting"], "nothing to change"),
    (["edit", "1", "--add-service", "nope"], "unknown service 'nope'"),
    (["edit", "1", "--title", "x" * 301], "title"),
])  # fmt: skip
def test_edit_refusals(room, args, said):
    code, _, err = cli(room, *args)
    assert code in (1, 2) and said in err and "Traceback" not in err


def test_followups_from_todo_to_done(room):
    code, out, err = cli(room, "log", "1", "/todo Add a synthetic check on the lead form owner:sam due:2026-12-05")
    assert code == 0, err
    item = out.strip().lstrip("#")
    cli(room, "log", "1", "/todo Review consent banner releases")
    code, out, _ = cli(room, "followups", "--json")
    rows = json.loads(out)
    assert [(r["text"], r["owner"], r["due"], r["state"]) for r in rows] == [
        ("Add a synthetic check on the lead form", "sam", "2026-12-05", "open"),
        ("Review consent banner releases", None, None, "open"),
    ]
    code, out, err = cli(room, "followup", "1", item, "--done", user="priya")
    assert code == 0 and "follow-up done" in out, err
    code, out, _ = cli(room, "followups", "--open")
    assert "Review consent banner releases" in out and "synthetic check" not in out
    code, out, _ = cli(room, "followups", "--owner", "sam", "--json")
    [row] = json.loads(out)
    assert row["state"] == "done" and row["changed_by"] == "priya"
    code, out, _ = cli(room, "export", "1")
    assert "- [x] Add a synthetic check on the lead form (done, owner sam, due 2026-12-05;" in out
    assert "- [ ] Review consent banner releases (open;" in out
    code, out, _ = cli(room, "export", "1", "-f", "json")
    assert [f["state"] for f in json.loads(out)["followups"]] == ["done", "open"]


def test_followup_refusals(room):
    code, out, _ = cli(room, "log", "1", "just a note")
    note = out.strip().lstrip("#")
    code, _, err = cli(room, "followup", "1", note, "--done")
    assert code == 1 and "is not an action item" in err
    code, _, err = cli(room, "log", "1", "/todo x due:someday")
    assert code == 1 and "'someday' is not a due date" in err
    code, out, _ = cli(room, "log", "1", "/todo y")
    code, _, err = cli(room, "followup", "1", out.strip().lstrip("#"))
    assert code == 1 and "say what changes" in err


def test_due_dates_in_a_marketers_words_from_the_cli(room):
    """`/todo … due:friday` and `followup --due "next week"`, the same parser as the screen's."""
    code, out, err = cli(room, "log", "1", "/todo Fix the form due:friday")
    assert code == 0, err
    item = out.strip().lstrip("#")
    code, _, err = cli(room, "followup", "1", item, "--due", "next week")
    assert code == 0, err
    code, _, err = cli(room, "followup", "1", item, "--due", "someday")
    assert code == 1 and "is not a due date: write" in err and "friday" in err
