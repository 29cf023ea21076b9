"""Postmortem export: golden files, the metrics as numbers, DST, zones, hostile text, edge cases."""

import csv
import io
import json
import os
import stat
from datetime import timedelta

import pytest
from markdown_it import MarkdownIt

from mopstui.base.identity import Account
from mopstui.base.timeutil import zone
from mopstui.export import csv_cell, export_incident, md_inline, prepare
from mopstui.store import Store

from .conftest import run_cli
from .export_script import EXPORTED_AT, HOSTILE, START, at, build, write_config

SCRIBE_ACCOUNT = Account("priya", 1001)
GOLDEN = os.path.join(os.path.dirname(__file__), "golden")


@pytest.fixture
def scripted(tmp_path):
    config = write_config(tmp_path)
    # A fixed account, so that the golden files are the same whoever runs the suite.
    with Store(config.database, account=SCRIBE_ACCOUNT) as store:
        incident_id = build(store, config)
    return config, incident_id


def render(config, incident_id, fmt, **options) -> str:
    out = io.StringIO(newline="") if fmt == "csv" else io.StringIO()
    with Store(config.database) as store:
        export_incident(store, incident_id, config, fmt, out, now=EXPORTED_AT, **options)
    return out.getvalue()


@pytest.mark.parametrize("fmt", ["md", "json", "csv"])
def test_golden_files(scripted, fmt):
    config, incident_id = scripted
    produced = render(config, incident_id, fmt)
    path = os.path.join(GOLDEN, f"incident.{fmt}")
    if os.environ.get("UPDATE_GOLDEN"):
        with open(path, "w", encoding="utf-8", newline="") as handle:
            handle.write(produced)
    with open(path, encoding="utf-8", newline="") as handle:
        assert produced == handle.read()


def test_metrics_as_numbers(scripted):
    config, incident_id = scripted
    with Store(config.database) as store:
        metrics = prepare(store, incident_id, config, now=EXPORTED_AT).metrics
    assert metrics.first_action == timedelta(minutes=3)
    assert metrics.first_comms == timedelta(minutes=8)
    assert metrics.identified == timedelta(minutes=15)
    assert metrics.mitigated == timedelta(minutes=30)
    assert metrics.resolved == timedelta(minutes=60)
    assert [(t["name"], t["crossed"], t["over_by_seconds"]) for t in metrics.thresholds] == [
        ("abandon", True, 59 * 60),
        ("resolve", True, 30 * 60),
    ]
    assert [o["overdue_by_seconds"] for o in metrics.overdue] == [29 * 60]  # 00:58 -> 01:42 with 15m due
    assert metrics.problems == []
    assert metrics.participants == {"priya": 9, "sam": 6, "mallory": 1}


def test_markdown_tables_have_the_right_column_count(scripted):
    config, incident_id = scripted
    tokens = MarkdownIt("commonmark").enable("table").parse(render(config, incident_id, "md"))
    tables, columns, row = 0, None, 0
    for token in tokens:
        if token.type == "table_open":
            tables, columns = tables + 1, None
        elif token.type == "tr_open":
            row = 0
        elif token.type in ("th_open", "td_open"):
            row += 1
        elif token.type == "tr_close":
            columns = columns or row
            assert row == columns
    assert tables == 5  # header, key figures, vendor changes, participants, timeline
    html = MarkdownIt("commonmark").enable("table").render(render(config, incident_id, "md"))
    assert "<script>" not in html and "<a href" not in html and "<em>bold</em>" not in html


def test_dst_and_other_zones(scripted):
    config, incident_id = scripted
    london = render(config, incident_id, "md")
    assert "| 00:50:00 | +0s |" in london and "| 02:05:00 | +15m00s |" in london  # GMT, then BST
    assert "2026-03-29 00:50:00 GMT" in london and "2026-03-29 02:50:00 BST" in london
    tokyo = render(config, incident_id, "md", tz=zone("Asia/Tokyo"))
    assert "| 09:50:00 | +0s |" in tokyo and "| 2026-03-29 10:50:00 |" in tokyo
    # One zone, said once at the top: no clock changed in Tokyo, so no date repeats it.
    assert "All times are Asia/Tokyo time (JST), to the second." in tokyo and tokyo.count("JST") == 1
    assert "(UTC)" not in tokyo and "Time (" not in tokyo and "T00:53:00Z" not in tokyo


def test_hostile_text_in_every_format(scripted):
    config, incident_id = scripted
    md, js, cs = (render(config, incident_id, f) for f in ("md", "json", "csv"))
    for text in (md, js, cs):
        assert "\x1b" not in text
    assert "&lt;script&gt;" in md and "\\|" in md and "\\`rm -rf\\`" in md
    events = json.loads(js)["events"]
    assert any(e["text"] == HOSTILE.replace("\x1b[2J", "") for e in events)  # JSON carries it as data
    rows = list(csv.DictReader(io.StringIO(cs)))
    assert next(r for r in rows if r["author"] == "mallory")["text"].startswith("'=HYPERLINK")
    assert all(not r["elapsed"].startswith(("-", "+", "=")) for r in rows)


def test_csv_is_rfc4180(scripted):
    config, incident_id = scripted
    text = render(config, incident_id, "csv")
    assert text.startswith("id,time_local,") and "\r\n" in text
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert all(len(r) == len(rows[0]) for r in rows)


def test_escapers():
    assert md_inline("a|b\nc <b>x</b> [l](u)") == "a\\|b c &lt;b&gt;x&lt;/b&gt; \\[l\\](u)"
    assert [csv_cell(v) for v in ("=1+1", "+7", "-3", "@SUM(A1)", "\tx", "ok", 5)] == [
        "'=1+1",
        "'+7",
        "'-3",
        "'@SUM(A1)",
        "    x",
        "ok",
        "5",
    ]


def test_starred_only(scripted):
    config, incident_id = scripted
    rows = list(csv.DictReader(io.StringIO(render(config, incident_id, "csv", starred_only=True))))
    assert [r["text"] for r in rows] == ["Rolled back the tag manager container"]


def test_an_empty_unresolved_incident(tmp_path):
    config = write_config(tmp_path)
    with Store(config.database) as store:
        incident = store.declare("Just declared", severity="SEV3", author="a", at=START, replay_recorded_at=START)
    md = render(config, incident.id, "md")
    assert "| Time to resolved | not yet |" in md and "| Time to first action | not yet |" in md
    assert "_To be filled in._" in md and "(still overdue)" in md
    data = json.loads(render(config, incident.id, "json"))
    assert data["metrics"]["time_to_resolved"] is None and len(data["events"]) == 1
    assert data["schema_version"] == 1


def test_ordering_problems_are_reported(tmp_path):
    config = write_config(tmp_path)
    with Store(config.database) as store:
        store.declare("x", severity="SEV3", author="a", at=START, replay_recorded_at=START)
        store.append(1, "note", "seen before the start", author="a", at=at(-10))
        store.append(1, "status", "status → monitoring", author="a", at=at(5), value="monitoring")
        store.append(1, "status", "status → identified", author="a", at=at(9), value="identified")
    md = render(config, 1, "md")
    assert "### Times out of order" in md
    # An entry dated before the declaration is no ordering problem: the impact started then.
    assert "| Impact started | 2026-03-29 00:40:00 GMT (an entry dated before the declaration) |" in md
    assert "Each from when the impact started (00:40:00, before the declaration)" in md
    assert "monitoring (00:55:00) is before identified (00:59:00)" in md


def test_cli_export_writes_a_private_file(scripted, tmp_path):
    config, _incident_id = scripted
    out = tmp_path / "pm.md"
    old = os.umask(0o022)
    try:
        result = run_cli(
            "--db",
            str(config.database),
            "--config",
            str(tmp_path / "config.yaml"),
            "export",
            "INC-1",
            "--format",
            "md",
            "-o",
            str(out),
        )
    finally:
        os.umask(old)
    assert result.returncode == 0, result.stderr
    assert out.read_text().startswith("# INC-1: Lead form not submitting")
    assert stat.S_IMODE(out.stat().st_mode) & 0o077 == 0  # never readable by others
    piped = run_cli("--db", str(config.database), "export", "1", "-f", "json")
    assert json.loads(piped.stdout)["incident"]["label"] == "INC-1"


def test_fast_rows_equal_the_obviously_right_ones(tmp_path, monkeypatch):
    """Every format's fast way (JSON objects written by SQLite; CSV and Markdown rows made from
    values looked up once) writes exactly what the row-by-row way writes, for every awkward row:
    quotes, commas, pipes, newlines, formulas, control characters, bidi, tabs, double spaces,
    corrections, stars, back-dated by a hair over and under a minute, before the start, over an
    hour in, a time at .999999 of its second (SQLite rounds times to the millisecond), another zone;
    and the CSV of those rows is cleaned and guarded."""
    import json as jsonlib
    from datetime import timedelta

    from mopstui.base.timeutil import utcnow
    from mopstui.config import load
    from mopstui.export import data, markdown

    db = tmp_path / "w.db"
    config = load([], database=str(db))
    start = utcnow().replace(microsecond=250000) - timedelta(hours=3)
    with Store(db) as store:
        store.declare("Odd rows", severity="SEV2", author="=alice", at=start)
        texts = [
            "plain",
            'with "quotes", and commas',
            "two\nlines",
            "=SUM(A1)",
            "+1",
            "-2",
            "@cmd",
            "tab\there",
            "esc \x1b[2J gone",
            "bidi \u202e reversed",
            "ünïcödé ✓",
            " leading space",
            "",
            "a | b *c* <d> #1",
            "two  spaces",
            "trailing ",
            "\u3000ideographic space",
        ]
        for i, text in enumerate(texts):
            store.append(1, "note", text or "x", author="sam", at=start + timedelta(minutes=7 * i, microseconds=i))
        store.append(1, "action", "before the start", author="sam", at=start - timedelta(minutes=3))
        store.append(1, "note", "at the end of its second", author="sam", at=start.replace(microsecond=999999))
        store.append(1, "note", "just before the start", author="sam", at=start - timedelta(microseconds=500000))
        store.append(1, "comms", "an update", author="=pat, the scribe", at=start + timedelta(minutes=2))
        late = store.append(1, "note", "an hour and more in", author="sam", at=start + timedelta(minutes=95))
        store.star(1, late.id, author="sam")
        store.correct(1, late.id, 'corrected, with "quotes"', author="sam")
        store.withdraw(1, 9, 'wrong incident, "meant" INC-2 | =x', author="=pat, the scribe")  # taken back
        store.correct(1, 10, "", author="sam", kind="comms")
        store.star(1, 11, author="sam")
        store.unstar(1, 11, author="sam")
        store.append(1, "lesson", "write it down", author="sam", at=start + timedelta(minutes=96))
        store.conn.execute("DROP TRIGGER events_append_only_update")  # rows another tool wrote
        store.conn.execute("UPDATE events SET author = 'mal\x07lory' WHERE id = 3")
        store.conn.execute("UPDATE events SET login = NULL WHERE id = 4")
        # Back-dated by a minute and a microsecond, and by exactly a minute (not back-dated).
        for event_id, micros in ((5, "100001"), (6, "100000")):
            store.conn.execute(
                "UPDATE events SET occurred_at = substr(occurred_at, 1, 20) || '100000Z', "
                "recorded_at = strftime('%Y-%m-%dT%H:%M:%S', substr(occurred_at, 1, 19), '+60 seconds') "
                "|| '.' || ? || 'Z' WHERE id = ?",
                (micros, event_id),
            )
        store.conn.execute("UPDATE events SET occurred_at = substr(occurred_at, 1, 19) || '+00:00' WHERE id = 7")
        store.conn.commit()

        def both(fmt: str, **options) -> tuple[str, str]:
            fast = io.StringIO(newline="")
            export_incident(store, 1, config, fmt, fast, now=start + timedelta(hours=2), **options)
            with monkeypatch.context() as patch:
                patch.setattr(
                    type(store),
                    "export_json_rows",
                    lambda self, i, s, starred_only: (
                        (e.id, None) for e in self.iter_events(i) if not starred_only or e.id == late.id
                    ),
                )
                patch.setattr(data, "store_shaped", lambda *_: False)
                patch.setattr(markdown, "store_shaped", lambda *_: False)
                slow = io.StringIO(newline="")
                export_incident(store, 1, config, fmt, slow, now=start + timedelta(hours=2), **options)
            return fast.getvalue(), slow.getvalue()

        fast, slow = both("csv")
        assert fast == slow
        assert "\x1b" not in fast and "\u202e" not in fast and "\x07" not in fast
        assert "'=SUM(A1)" in fast and '"with ""quotes"", and commas"' in fast and '"two\nlines"' in fast
        assert '"\'=pat, the scribe"' in fast
        rows = list(csv.DictReader(io.StringIO(fast)))
        assert [r["backdated"] for r in rows if r["id"] in ("5", "6")] == ["yes", ""]
        assert (
            next(r for r in rows if r["text"] == "at the end of its second")["elapsed"] == "03:00"
        )  # from the action 3 min before
        fast, slow = both("json")
        events = jsonlib.loads(fast)["events"]
        assert events == jsonlib.loads(slow)["events"]
        assert next(e for e in events if e["text"] == "at the end of its second")["elapsed_seconds"] == 180.749999
        assert [e["backdated"] for e in events if e["id"] in (5, 6)] == [True, False]
        for fmt in ("md", "csv", "json"):
            for options in ({}, {"starred_only": True}, {"tz": zone("Asia/Kolkata")}):
                fast, slow = both(fmt, **options)
                assert fast == slow, (fmt, options)
        fast, _ = both("csv", starred_only=True)
        assert fast.count("\r\n") == 2


def test_a_csv_cell_of_printable_text_is_what_the_csv_writer_writes():
    """The fast CSV rows quote and guard printable text exactly as csv_cell + csv.writer do."""
    from hypothesis import given
    from hypothesis import strategies as st

    from mopstui.export.data import _plain_cell

    @given(
        st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)
        | st.sampled_from(["=1", "+", "-x", "@a", ",", '"', 'a,"b"', " ", ""])
    )
    def check(text):
        cell = _plain_cell(text)
        if not text.isprintable():
            assert cell is None
            return
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\r\n").writerow([csv_cell(text), "end"])
        assert f"{cell},end\r\n" == buffer.getvalue()

    check()
