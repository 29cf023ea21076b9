"""Taking back, append-only: withdraw, correct the kind, unstar, reopen, and entries dated before
the declaration. Every take-back is a new event inside the hash chain; what it takes back stays in
the log, marked, and stops feeding the clocks and figures."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest

from mopstui.base.timeutil import utcnow
from mopstui.config import load
from mopstui.domain.clocks import incident_clocks
from mopstui.domain.model import latest_customer_update
from mopstui.domain.takeback import TakeBacks
from mopstui.export import export_incident, prepare
from mopstui.store import Store, open_store

from .conftest import run_cli
from .test_properties import run_main


@pytest.fixture
def room(tmp_path):
    db = tmp_path / "warroom.db"
    start = utcnow() - timedelta(minutes=30)
    with Store(db) as store:
        store.declare("Lead form not submitting", severity="SEV2", author="alice", at=start)
    return db, start


def cli(room, *args: str, user: str = "sam") -> tuple[int, str, str]:
    db, _ = room
    return run_main(["--db", str(db), "--user", user, *args])


def logged(room, text: str, *extra: str) -> int:
    code, out, err = cli(room, "log", "1", text, *extra)
    assert code == 0, err
    return int(out.strip().lstrip("#"))


def exported(room, fmt: str) -> str:
    db, _ = room
    config = load([], database=str(db))
    out = io.StringIO(newline="") if fmt == "csv" else io.StringIO()
    with Store(db) as store:
        export_incident(store, 1, config, fmt, out)
    return out.getvalue()


def test_a_withdrawn_customer_update_stays_in_the_log_and_stops_counting(room):
    db, start = room
    earlier = logged(room, "/comms We are looking into the lead form", "--at", (start + timedelta(minutes=5)).isoformat())
    mistaken = logged(room, "/comms Banner is live (meant for INC-2)")
    code, out, err = cli(room, "withdraw", "1", f"#{mistaken}", "--reason", "wrong incident: meant INC-2", user="priya")
    assert code == 0, err
    withdrawal = int(out.strip().lstrip("#"))
    with Store(db) as store:
        # The update-due clock counts from the last update that still stands.
        assert store.last_customer_update(1).id == earlier
        events = store.events(1)  # the domain's rule says the same, given what was taken back
        assert latest_customer_update(events, TakeBacks.of(events)).id == earlier
        assert store.event(mistaken).text == "Banner is live (meant for INC-2)"  # nothing edited
        assert store.verify().ok
    code, out, _ = cli(room, "timeline", "1")
    line = next(x for x in out.splitlines() if x.startswith(f"#{mistaken} "))
    assert "⊘" in line and "[withdrawn by priya: wrong incident: meant INC-2] Banner is live" in line
    shown = {e["id"]: e for e in json.loads(cli(room, "timeline", "1", "--json")[1])["events"]}
    assert shown[mistaken]["withdrawn_by"] == withdrawal and shown[earlier]["withdrawn_by"] is None
    md = exported(room, "md")
    assert "⊘ ~~Banner is live (meant for INC-2)~~ — withdrawn by priya (login " in md
    assert "| Time to first customer update (comms) | 5m |" in md
    events = {e["id"]: e for e in json.loads(exported(room, "json"))["events"]}
    assert events[mistaken]["withdrawn_by"] == withdrawal and events[earlier]["withdrawn_by"] is None
    data = json.loads(exported(room, "json"))
    assert data["withdrawn"][0]["entry"] == mistaken and data["withdrawn"][0]["reason"] == "wrong incident: meant INC-2"
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(exported(room, "csv")))}
    assert rows[str(mistaken)]["withdrawn"].startswith("by priya") and rows[str(earlier)]["withdrawn"] == ""


def test_a_withdrawn_first_action_no_longer_counts_for_time_to_first_action(room):
    db, start = room
    first = logged(room, "!Restarted the wrong server", "--at", (start + timedelta(minutes=2)).isoformat())
    logged(room, "!Rolled back the tag manager", "--at", (start + timedelta(minutes=9)).isoformat())
    config = load([], database=str(db))
    with Store(db) as store:
        assert prepare(store, 1, config).metrics.first_action == timedelta(minutes=2)
    assert cli(room, "withdraw", "1", str(first), "--reason", "that was the staging box")[0] == 0
    with Store(db) as store:
        assert prepare(store, 1, config).metrics.first_action == timedelta(minutes=9)


def test_withdrawing_twice_or_a_withdrawal_or_a_status_is_refused_in_one_sentence(room):
    note = logged(room, "typo")
    code, out, _ = cli(room, "withdraw", "1", str(note), "--reason", "typo")
    withdrawal = int(out.strip().lstrip("#"))
    code, _, err = cli(room, "withdraw", "1", str(note), "--reason", "again")
    assert code == 1 and err == f"mopstui: entry #{note} was already withdrawn by sam; nothing more to take back\n"
    code, _, err = cli(room, "withdraw", "1", str(withdrawal), "--reason", "undo")
    assert (
        code == 1
        and err.startswith(f"mopstui: entry #{withdrawal} is a withdrawal; only what someone wrote")
        and err.count("\n") == 1
    )
    code, _, err = cli(room, "withdraw", "1", "1", "--reason", "no")
    assert code == 1 and "entry #1 is a declared entry" in err
    code, _, err = cli(room, "withdraw", "1", "99", "--reason", "no")
    assert code == 1 and err == "mopstui: entry #99 is not in INC-1\n"
    code, _, err = cli(room, "withdraw", "1", str(note), "--reason", "  ")
    assert code == 1 and "say why (--reason)" in err


def test_correct_changes_the_kind_and_the_new_kind_counts(room):
    db, start = room
    note = logged(room, "Banner is live on the site", "--at", (start + timedelta(minutes=4)).isoformat())
    code, _, err = cli(room, "correct", "1", str(note), "--kind", "comms")
    assert code == 0, err
    with Store(db) as store:
        assert store.last_customer_update(1).id == note
        assert store.last_of_kind(1, "note") is None
    assert "| Time to first customer update (comms) | 4m |" in exported(room, "md")
    code, out, _ = cli(room, "timeline", "1")
    assert "[now comms] Banner is live on the site" in out
    # Words and kind at once; and a kind that is not an entry's is refused by argparse (exit 2).
    code, _, err = cli(room, "correct", "1", str(note), "Banner is live on every page", "--kind", "action")
    assert code == 0, err
    assert "✎ corrected to: Banner is live on every page — ✎ now action" in exported(room, "md")
    assert cli(room, "correct", "1", str(note), "--kind", "status")[0] == 2
    code, _, err = cli(room, "correct", "1", "1", "--kind", "note")
    assert code == 1 and "entry #1 is a declared entry" in err
    code, _, err = cli(room, "correct", "1", str(note))
    assert code == 1 and "the correction is empty" in err


def test_unstar_takes_the_star_off(room):
    note = logged(room, "Root cause: consent banner")
    assert cli(room, "star", "1", str(note))[0] == 0
    assert cli(room, "unstar", "1", str(note))[0] == 0
    code, out, _ = cli(room, "timeline", "1")
    assert "★" not in next(x for x in out.splitlines() if x.startswith(f"#{note} "))
    assert json.loads(exported(room, "json"))["events"][1]["starred"] is False
    code, _, err = cli(room, "unstar", "1", str(note))
    assert code == 1 and err == f"mopstui: entry #{note} is not starred\n"
    assert cli(room, "star", "1", str(note))[0] == 0  # starred again: the latest word counts
    assert json.loads(exported(room, "json"))["events"][1]["starred"] is True


def test_reopen_resumes_the_clocks_and_the_postmortem_shows_both_spans(room):
    db, start = room
    assert cli(room, "resolve", "1", "--at", (start + timedelta(minutes=10)).isoformat())[0] == 0
    code, _, err = cli(room, "set-status", "1", "identified")
    assert code == 1 and err == "mopstui: INC-1 is resolved; if the trouble is back, reopen it: mopstui reopen 1 --reason '…'\n"
    code, _, err = cli(
        room, "reopen", "1", "--reason", "form errors are back", "--at", (start + timedelta(minutes=5)).isoformat()
    )
    assert code == 1 and "it cannot be reopened before that" in err
    code, _, err = cli(
        room, "reopen", "1", "--reason", "form errors are back", "--at", (start + timedelta(minutes=20)).isoformat()
    )
    assert code == 0, err
    config = load([], database=str(db))
    with Store(db) as store:
        incident = store.incident(1)
        assert incident.status == "investigating" and not incident.resolved
        assert [c.kind for c in incident_clocks(incident, config, None, utcnow())][-1] == "update"  # resumed
    assert "INC-1" in cli(room, "incidents")[1]
    code, _, err = cli(room, "reopen", "1", "--reason", "again")
    assert code == 1 and "INC-1 is not resolved (investigating): there is nothing to reopen" in err
    code, _, err = cli(room, "set-status", "1", "monitoring", "--at", (start + timedelta(minutes=15)).isoformat())
    assert code == 1 and "was reopened at" in err
    assert cli(room, "resolve", "1", "--at", (start + timedelta(minutes=25)).isoformat())[0] == 0
    md = exported(room, "md")
    assert "| Resolved, then reopened |" in md and "→ reopened" in md and ": form errors are back |" in md
    assert "| Resolved again |" in md and "| Time to resolved | 25m |" in md
    data = json.loads(exported(room, "json"))
    assert data["incident"]["reopenings"][0]["reason"] == "form errors are back"
    assert data["metrics"]["time_to_resolved"] == 25 * 60


def test_a_state_change_before_the_start_is_refused(room):
    db, start = room
    before = (start - timedelta(hours=2)).isoformat()
    code, _, err = cli(room, "resolve", "1", "--at", before)
    assert code == 1 and "INC-1 was declared at" in err and "a status change cannot be dated before that" in err
    assert err.count("\n") == 1
    code, _, err = cli(room, "set-status", "1", "identified", "--at", before)
    assert code == 1 and "cannot be dated before that" in err
    with Store(db) as store:
        assert store.incident(1).status == "investigating" and store.count_events(1) == 1


def test_back_dating_before_the_declaration_is_said_and_moves_the_impact_start(room):
    db, start = room
    at = (start - timedelta(hours=4, minutes=19)).strftime("%H:%M")
    code, out, err = cli(room, "log", "1", f"@{at} Website chat widget stopped loading")
    assert code == 0
    assert "is dated" in err and "before INC-1 was declared (" in err and "the impact now counts from" in err
    with Store(db) as store:
        incident = store.incident(1)
        early = store.event(int(out.strip().lstrip("#")))
        assert incident.impact_start == early.occurred_at < incident.started_at
    md = exported(room, "md")
    assert "| Impact started |" in md and "Each from when the impact started" in md
    assert "Times out of order" not in md and "Ordering problems" not in md
    # Every elapsed time counts from there too: nothing exported is negative.
    assert "| -" not in md.split("## Timeline")[1]
    rows = list(csv.DictReader(io.StringIO(exported(room, "csv"))))
    assert not any(r["elapsed"].startswith("-") for r in rows)
    assert min(e["elapsed_seconds"] for e in json.loads(exported(room, "json"))["events"]) == 0
    # Withdrawn, it no longer moves the start.
    assert cli(room, "withdraw", "1", str(early.id), "--reason", "wrong day")[0] == 0
    with Store(db) as store:
        assert store.incident(1).impact_start == store.incident(1).started_at


def test_no_exported_duration_is_negative_even_for_a_resolution_written_before_the_refusal(tmp_path):
    """`resolve 1 --at 01:00` was accepted before; such a log exports no negative figure."""
    db = tmp_path / "warroom.db"
    start = utcnow() - timedelta(hours=1)
    with Store(db) as store:
        store.declare("x", severity="SEV3", author="a", at=start)
        with store._write() as conn:  # as the old code wrote it
            store._insert_event(
                conn,
                incident_id=1,
                occurred_at=start - timedelta(hours=15, minutes=17),
                author="a",
                kind="status",
                text="status → resolved",
                value="resolved",
                ref=None,
                dedupe=None,
            )
        assert store.verify().ok
    config = load([], database=str(db))
    for fmt in ("md", "json", "csv"):
        out = io.StringIO(newline="")
        with Store(db) as store:
            export_incident(store, 1, config, fmt, out)
        text = out.getvalue()
        assert "-15h 17m" not in text  # no figure; the timeline may say an entry came before the start (-15h17m)
        if fmt == "md":
            assert "resolved (" in text and "is dated before the start" in text
        if fmt == "json":
            metrics = json.loads(text)["metrics"]
            assert all(v is None or v >= 0 for k, v in metrics.items() if k.startswith("time_to"))


def test_take_backs_on_both_engines(location):
    """The new kinds go into the hash chain and out through the export on SQLite and PostgreSQL."""
    with open_store(location) as store:
        store.declare("Lead form", severity="SEV2", author="alice", at=utcnow() - timedelta(minutes=10))
        comms = store.append(1, "comms", "Banner up", author="sam")
        note = store.append(1, "note", "Update sent by email", author="sam")
        store.withdraw(1, comms.id, "wrong incident", author="sam")
        store.correct(1, note.id, "", author="sam", kind="comms")
        store.star(1, note.id, author="sam")
        store.unstar(1, note.id, author="sam")
        store.set_status(1, "resolved", author="sam")
        store.reopen(1, "errors are back", author="sam")
        assert store.last_customer_update(1).id == note.id
        assert store.incident(1).status == "investigating" and len(store.incident(1).reopenings) == 1
        assert store.starred(1) == set()
        rows = {
            id_: json.loads(line)
            for id_, line in store.export_json_rows(1, store.incident(1).started_at, starred_only=False)
            if line
        }
        assert rows[comms.id]["withdrawn_by"] is not None and rows[note.id]["kind_now"] == "comms"
        assert rows[note.id]["starred"] is False
        assert store.verify().ok
        with pytest.raises(Exception, match="already withdrawn"):
            store.withdraw(1, comms.id, "again", author="sam")


def test_withdraw_in_a_real_process(cli):
    cli("declare", "Lead form", "--severity", "SEV2", check=True)
    cli("log", "1", "/comms Banner is live", check=True)
    result = cli("withdraw", "1", "3", "--reason", "wrong incident")
    assert result.returncode == 0 and result.stdout == "#4\n"
    again = cli("withdraw", "1", "3", "--reason", "again")
    assert again.returncode == 1 and "Traceback" not in again.stderr
    assert again.stderr == "mopstui: entry #3 was already withdrawn by alice; nothing more to take back\n"
    assert "withdraw" in run_cli("--help").stdout and "reopen" in run_cli("--help").stdout
