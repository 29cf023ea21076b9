"""Slips forgiven, never silent: a grammar error is said beside the entry line with the typed text
kept (never a crash), and a `/word` that names no kind is refused with the nearest one (never
logged as a note whose text is the command)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from textual.widgets import Input, Static

from mopstui.domain.grammar import Entry, parse_entry
from mopstui.domain.model import InputError
from mopstui.store import Store

from .tui_helpers import Clock, make_app, make_config, timeline, type_entry, wait_for

NOW = datetime(2026, 12, 7, 14, 32, tzinfo=UTC)


@pytest.fixture
def config(tmp_path, db_path):
    return make_config(tmp_path, db_path)


@pytest.fixture
def declared(db_path):
    with Store(db_path) as store:
        store.declare("Lead form not submitting", severity="SEV2", author="alice", services=["lead-form"])
    return db_path


def texts(db_path) -> list[tuple[str, str]]:
    with Store(db_path) as store:
        return [(e.kind, e.text) for e in store.events(1) if e.kind not in ("declared", "catalog", "system")]


@pytest.mark.parametrize("line, said", [
    ("/comm Banner is live", "did you mean /comms?"),
    ("/cust Two tickets about the form", "did you mean /customer?"),
    ("/desicion Keep the banner up", "did you mean /decision?"),
    ("/zzz nothing near", "the kinds are /note /action /decision /comms /customer /todo /lesson"),
    ("/comms", "/comms needs words after it"),
    ("/customer", "/customer needs words after it"),
    ("/todo Fix the form due:2026-02-30", "'2026-02-30' is not a due date"),
    ("/todo Fix the form due:someday", "'someday' is not a due date"),
])
def test_a_slip_in_the_grammar_is_refused_with_a_sentence(line, said):
    with pytest.raises(InputError, match=said.replace("?", r"\?").replace("/", "/")):
        parse_entry(line, "note", UTC, NOW)


def test_what_the_grammar_accepts():
    assert parse_entry("//api returns 500", "note", UTC, NOW) == Entry("note", "/api returns 500")
    assert parse_entry("/Comms Banner is live", "note", UTC, NOW) == Entry("comms", "Banner is live")
    tomorrow = parse_entry("Fix the form due:tomorrow", "action_item", UTC, NOW)
    assert tomorrow.text == "Fix the form" and '"due": "2026-12-08"' in (tomorrow.value or "")
    assert '"due": "2026-12-07"' in (parse_entry("/todo x due:today", "note", UTC, NOW).value or "")
    assert parse_entry("/api/v2 returns 500", "note", UTC, NOW).text == "/api/v2 returns 500"  # a path, no kind word


async def test_a_grammar_error_is_said_beside_the_entry_line_and_the_text_kept(config, declared):
    app = make_app(config, clock=Clock(NOW))
    async with app.run_test(size=(80, 24)) as pilot:
        for key, line, said in [
            ("t", "Fix the form due:2026-02-30", "is not a due date"),
            ("n", "/todo x due:2026-02-30", "is not a due date"),
            ("n", "/comm Banner is live", "did you mean /comms?"),
            ("c", "/comms", "/comms needs words after it"),
            ("n", "/customer", "/customer needs words after it"),
            ("n", "@99:99 late", "99:99"),
        ]:
            await pilot.press("escape")  # leave the line, so that the kind key picks the kind
            await type_entry(pilot, key, line)
            await pilot.pause()
            assert app.is_running
            entry = app.q("#entry", Input)
            assert entry.value == line, "the typed text is kept for fixing"
            assert app.focused is entry
            error = app.q("#entry-error", Static)
            assert error.display and said in str(error.render()), str(error.render())
            entry.value = ""
            await pilot.pause()
            assert not error.display
        # fixed, it logs, and the word goes
        for key, line in [("t", "Fix the form due:tomorrow"), ("n", "/comms Banner is live"),
                          ("n", "//comm is a typo we log on purpose")]:
            await pilot.press("escape")
            await type_entry(pilot, key, line)
        await wait_for(pilot, lambda: len(texts(declared)) >= 3 and not timeline(app).pending, message="three entries")
        assert not app.q("#entry-error", Static).display
    assert texts(declared) == [("action_item", "Fix the form"), ("comms", "Banner is live"),
                               ("note", "/comm is a typo we log on purpose")]
    with Store(declared) as store:
        item = next(e for e in store.events(1) if e.kind == "action_item")
    assert item.value_json()["due"] == (NOW + timedelta(days=1)).date().isoformat()


def test_the_command_line_refuses_the_same_slips(cli, declared):
    result = cli("log", "1", "/comm Banner is live")
    assert result.returncode == 1 and "did you mean /comms?" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    result = cli("log", "1", "/todo Fix due:2026-02-30")
    assert result.returncode == 1 and "is not a due date" in result.stderr, result.stderr
    assert texts(declared) == []
