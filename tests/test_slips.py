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

from .tui_helpers import Clock, Said, make_app, make_config, timeline, type_entry, wait_for

NOW = datetime(2026, 12, 7, 14, 32, tzinfo=UTC)


def texts(db_path) -> list[tuple[str, str]]:
    with Store(db_path) as store:
        return [(e.kind, e.text) for e in store.events(1) if e.kind not in ("declared", "catalog", "system")]


@pytest.mark.parametrize(
    "line, said",
    [
        ("/comm Banner is live", "did you mean /comms?"),
        ("/cust Two tickets about the form", "did you mean /customer?"),
        ("/desicion Keep the banner up", "did you mean /decision?"),
        ("/zzz nothing near", "the kinds are /note /action /decision /comms /customer /todo /lesson"),
        ("/comms", "/comms needs words after it"),
        ("/customer", "/customer needs words after it"),
        ("/todo Fix the form due:2026-02-30", "'2026-02-30' is not a due date"),
        ("/todo Fix the form due:someday", "'someday' is not a due date"),
    ],
)
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
        for key, line in [
            ("t", "Fix the form due:tomorrow"),
            ("n", "/comms Banner is live"),
            ("n", "//comm is a typo we log on purpose"),
        ]:
            await pilot.press("escape")
            await type_entry(pilot, key, line)
        await wait_for(pilot, lambda: len(texts(declared)) >= 3 and not timeline(app).pending, message="three entries")
        assert not app.q("#entry-error", Static).display
    assert texts(declared) == [
        ("action_item", "Fix the form"),
        ("comms", "Banner is live"),
        ("note", "/comm is a typo we log on purpose"),
    ]
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


# ---------------------------------------------------------------- bursts, dialogs, stray typing


def burst(app, text: str, *, escape_first: bool = False, enter: bool = True) -> None:
    """Keys queued all at once, as a fast typist or a laggy link delivers them."""
    from textual import events
    from textual.keys import _character_to_key

    if escape_first:
        app.post_message(events.Key("escape", "\x1b"))
    for char in text:
        app.post_message(events.Key(_character_to_key(char), char))
    if enter:
        app.post_message(events.Key("enter", "\r"))


def entries(db_path) -> list[tuple[str, str]]:
    with Store(db_path) as store:
        return [(e.kind, e.text) for e in store.events(1) if e.kind in ("note", "action", "decision", "comms")]


async def test_escape_and_a_kind_key_in_one_burst_log_in_that_kind(config, declared):
    app = make_app(config, clock=Clock(NOW))
    async with app.run_test(size=(80, 24)) as pilot:
        await type_entry(pilot, "a", "Rolled back the tag")
        await wait_for(pilot, lambda: len(entries(declared)) == 1, message="the action")
        await pilot.press("i")  # Enter closed the line: back in it, kind action
        assert app.focused is app.q("#entry", Input)
        burst(app, "dKeep the banner up", escape_first=True)
        await wait_for(pilot, lambda: len(entries(declared)) == 2, message="the decision")
    assert entries(declared) == [("action", "Rolled back the tag"), ("decision", "Keep the banner up")]


async def test_a_burst_after_a_dialog_key_changes_nothing(config, declared):
    app = make_app(config, clock=Clock(NOW))
    said = Said()
    async with app.run_test(size=(80, 24), message_hook=said.append) as pilot:
        await pilot.pause()
        for key in ("E", "s", "v", "r", "R", "N"):
            said.clear()
            burst(app, key + "|Hs7';7d8?`7 junk")  # and the Enter that would save it
            await wait_for(
                pilot,
                lambda: app.screen is not app.war_room and app.screen.opened_at < float("inf"),
                message=f"{key} opens its dialog",
            )
            await wait_for(pilot, lambda: said.handled_key("enter"), message=f"{key}: the whole burst at its dialog")
            await pilot.press("escape")
            await wait_for(pilot, lambda: app.screen is app.war_room, message=f"{key}: its dialog closes")
        await pilot.pause()  # anything left of the last burst handled
    with Store(declared) as store:
        incident = store.incidents()[0]
        assert (incident.title, incident.status, incident.severity) == ("Lead form not submitting", "investigating", "SEV2")
        assert len(store.incidents(include_resolved=True)) == 1
        assert not [e for e in store.events(1) if e.kind in ("edit", "status", "severity", "role", "declared") and e.id > 2]


async def test_enter_right_after_escape_never_saves_a_dialog(config, declared):
    app = make_app(config, clock=Clock(NOW))
    said = Said()
    async with app.run_test(size=(80, 24), message_hook=said.append) as pilot:
        await pilot.press("E")
        await pilot.pause()
        app.screen.query_one("#declare-title", Input).value = "Retitled by accident"
        said.clear()
        burst(app, "", escape_first=True)  # Escape, Enter in one burst
        await wait_for(pilot, lambda: said.handled_key("enter"), message="the burst's Enter")
        await pilot.pause()
        assert app.screen is app.war_room
    with Store(declared) as store:
        assert store.incidents()[0].title == "Lead form not submitting"


async def test_stray_typing_after_a_dialog_closes_is_not_logged(config, declared):
    app = make_app(config, clock=Clock(NOW))
    said = Said()
    async with app.run_test(size=(80, 24), message_hook=said.append) as pilot:
        await pilot.press("s")
        await pilot.pause()
        await pilot.press("down", "enter")  # the suggested next status
        await wait_for(pilot, lambda: app.current.status == "identified", message="the status")
        said.clear()
        burst(app, "Intercom confirmed the fix")
        await wait_for(pilot, lambda: said.told("went nowhere") and said.handled_key("enter"), message="the whole burst, said")
        # after a pause, keys are keys again: a kind key opens the line and its text is kept
        app.key_guard.stray_until = 0
        await type_entry(pilot, "n", "Intercom confirmed the fix")
        await wait_for(pilot, lambda: entries(declared), message="the note")
    assert entries(declared) == [("note", "Intercom confirmed the fix")]


async def test_the_status_dialog_suggests_the_next_status_and_says_what_enter_needs(config, declared):
    app = make_app(config, clock=Clock(NOW))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("s")
        await pilot.pause()
        from textual.widgets import Label, OptionList

        choices = app.screen.query_one(OptionList)
        assert choices.highlighted is None
        await pilot.press("down")
        assert choices.get_option_at_index(choices.highlighted).id == "identified"
        await pilot.press("escape")
        await pilot.press("v")
        await pilot.pause()
        current = [str(o.prompt) for o in app.screen.query_one(OptionList).options if "(now)" in str(o.prompt)]
        assert len(current) == 1 and current[0].startswith("SEV2")
        await pilot.press("enter")  # nothing chosen yet (no choice suggested): a word, the dialog stays
        await pilot.pause()
        assert app.screen is not app.war_room
        assert "Nothing chosen yet" in str(app.screen.query_one(".hint", Label).render())
        await pilot.press("escape")


async def test_an_empty_reason_keeps_the_prompt_open_with_a_word():
    from textual.app import App
    from textual.widgets import Label

    from mopstui.tui.screens import PromptScreen

    answers: list[str | None] = []

    class Host(App):
        def on_mount(self) -> None:
            self.push_screen(PromptScreen("Why?", required="Write the reason first"), answers.append)

    app = Host()
    async with app.run_test() as pilot:
        await pilot.pause()
        await pilot.press("space", "enter")
        await pilot.pause()
        assert isinstance(app.screen, PromptScreen) and not answers
        assert "Write the reason first" in str(app.screen.query_one(".hint", Label).render())
        await pilot.press("x", "enter")
        await pilot.pause()
    assert answers == [" x"]


async def test_the_highlight_stays_on_the_same_vendor_across_a_re_sort():
    from rich.text import Text
    from textual.app import App

    from mopstui.tui.widgets import VendorTable

    class Host(App):
        def compose(self):
            yield VendorTable(cursor_type="row")

    def rows(order: str) -> list[tuple[str, tuple]]:
        return [(f"v:{name}", (Text("ok"), Text(name))) for name in order.split()]

    app = Host()
    async with app.run_test() as pilot:
        table = app.query_one(VendorTable)
        table.show_rows(["State", "Vendor"], rows("aws hubspot intercom"))
        table.move_cursor(row=1)
        await pilot.pause()
        table.show_rows(["State", "Vendor"], rows("intercom aws hubspot"))  # HubSpot overruled: re-sorted
        await pilot.pause()
        assert table.ordered_rows[table.cursor_row].key.value == "v:hubspot"


async def test_the_selected_entry_stays_selected_when_the_timeline_reloads(tmp_path, db_path):
    with Store(db_path) as store:
        store.declare("Lead form down", severity="SEV2", author="alice")
        for n in range(5):
            store.append(1, "note", f"note {n}", author="alice")
    app = make_app(make_config(tmp_path, db_path), clock=Clock(NOW))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        timeline = app.q("#timeline")
        timeline.focus()
        await pilot.press("k", "k")
        chosen = timeline.selected
        assert chosen is not None
        app.search("note")  # a search, then an empty one shows all again (what Escape does)
        await pilot.pause()
        app.search("")
        await pilot.pause()
        assert timeline.selected is not None and timeline.selected.id == chosen.id


@pytest.mark.parametrize("table_class", ["VendorTable", "CatalogTable"])
async def test_the_highlight_follows_the_worst_row_until_the_person_moves_it(table_class):
    """In the demo the first poll moved the chat-widget probe (down) to the top of the vendors, and
    the highlight stayed on AWS: the line under the table spoke of AWS while the problem sat above
    it. Until the person moves the highlight, it follows the top row; once they have, their row."""
    from rich.text import Text
    from textual.app import App

    from mopstui.tui import widgets

    class Host(App):
        def compose(self):
            yield getattr(widgets, table_class)(cursor_type="row")

    def rows(order: str) -> list[tuple[str, tuple]]:
        return [(name, (Text("ok"), Text(name))) for name in order.split()]

    def highlighted(table) -> str:
        return table.ordered_rows[table.cursor_row].key.value

    app = Host()
    async with app.run_test() as pilot:
        table = app.query_one(widgets.FittedTable)
        table.focus()
        table.show_rows(["State", "Service"], rows("aws hubspot probe"))
        await pilot.pause()
        assert highlighted(table) == "aws"
        table.show_rows(["State", "Service"], rows("probe aws hubspot"))  # the probe went down: on top
        await pilot.pause()
        assert highlighted(table) == "probe"
        table.show_rows(["State", "Service"], rows("hubspot probe aws"))
        await pilot.pause()
        assert highlighted(table) == "hubspot"
        await pilot.press("down")  # the person's own choice
        await pilot.pause()
        assert highlighted(table) == "probe"
        table.show_rows(["State", "Service"], rows("aws hubspot probe"))
        await pilot.pause()
        assert highlighted(table) == "probe"
