"""The obvious move is the right one: after Enter the next kind key picks the next entry's kind;
the severity and status dialogs move from where the incident is, never wrapping; Enter takes the
status the dialog suggests; a star is given once."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from textual.widgets import Label, OptionList

from mopstui.domain.model import InputError
from mopstui.store import Store
from mopstui.tui.screens import READ_FIRST

from .tui_helpers import Clock, Said, make_app, wait_for

NOW = datetime(2026, 12, 7, 14, 32, tzinfo=UTC)


def entries(db_path) -> list[tuple[str, str]]:
    with Store(db_path) as store:
        return [(e.kind, e.text) for e in store.events(1) if e.kind in ("note", "action", "decision", "comms")]


def keys(text: str) -> list[str]:
    return ["space" if char == " " else char for char in text]


@pytest.mark.slow
async def test_after_enter_the_next_kind_key_picks_the_kind(config, declared):
    app = make_app(config, clock=Clock(NOW))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("n", *keys("Spoke to Intercom"), "enter")
        await pilot.press("a", *keys("Paused the ads"), "enter")
        await pilot.press("c", *keys("Chat is down"), "enter")
        await wait_for(pilot, lambda: len(entries(declared)) == 3, message="three entries")
        assert not app.q("#entry").has_focus  # the line was left: the next key is a key
    assert entries(declared) == [("note", "Spoke to Intercom"), ("action", "Paused the ads"), ("comms", "Chat is down")]


async def _open(pilot, key: str) -> OptionList:
    await pilot.press(key)
    await wait_for(pilot, lambda: pilot.app.screen is not pilot.app.war_room, message="the dialog")
    await pilot.pause()
    return pilot.app.screen.query_one(OptionList)


def _highlighted(choices: OptionList) -> str | None:
    return None if choices.highlighted is None else choices.get_option_at_index(choices.highlighted).id


@pytest.mark.slow
async def test_severity_arrows_move_from_the_current_severity_and_never_wrap(config, declared):
    app = make_app(config, clock=Clock(NOW))
    async with app.run_test(size=(80, 24)) as pilot:
        choices = await _open(pilot, "v")
        await pilot.press("up")
        assert _highlighted(choices) == "SEV1"  # one more severe, not round to SEV4
        await pilot.press("up")
        assert _highlighted(choices) == "SEV1"  # the top stays the top
        await pilot.press("escape")
        choices = await _open(pilot, "v")
        await pilot.press("down")
        assert _highlighted(choices) == "SEV3"
        await pilot.press("down", "down", "down")
        assert _highlighted(choices) == "SEV4"  # the bottom stays the bottom, never round to SEV1
        await pilot.press("escape")
        choices = await _open(pilot, "v")
        await pilot.press("up", "enter")
        await wait_for(pilot, lambda: app.current.severity == "SEV1", message="SEV1")


async def test_enter_takes_the_status_the_dialog_suggests(config, declared):
    app = make_app(config, clock=Clock(NOW))
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(pilot, "s")
        assert "Enter: identified" in str(app.screen.query_one(".hint", Label).render())
        await pilot.pause(READ_FIRST)  # a person reads the dialog; the Enter of a burst takes nothing
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.current.status == "identified", message="the suggested status")
        choices = await _open(pilot, "s")
        await pilot.press("up")
        assert _highlighted(choices) == "investigating"  # ↑ goes back one, from the current status
        await pilot.press("escape")


def test_a_star_is_given_once(declared):
    with Store(declared) as store:
        note = store.append(1, "note", "Spoke to Intercom", author="alice")
        store.star(1, note.id, author="alice")
        with pytest.raises(InputError, match=f"entry #{note.id} is already starred"):
            store.star(1, note.id, author="alice")
        store.unstar(1, note.id, author="alice")
        store.star(1, note.id, author="alice")  # starred again after the star was taken off
        assert len([e for e in store.events(1) if e.kind == "star"]) == 2


def test_the_command_line_refuses_a_second_star_in_one_sentence(cli, declared):
    with Store(declared) as store:
        note = store.append(1, "note", "Spoke to Intercom", author="alice")
    assert cli("star", "1", str(note.id)).returncode == 0
    again = cli("star", "1", str(note.id))
    assert again.returncode == 1 and "already starred" in again.stderr and "Traceback" not in again.stderr


@pytest.mark.slow
async def test_o_on_a_narrow_screen_shows_the_vendors_before_overruling_any(config, declared):
    """At 80x24 the vendors pane is hidden: `O` once overruled the vendor last highlighted there."""
    app = make_app(config, clock=Clock(NOW))
    said = Said()
    async with app.run_test(size=(80, 24), message_hook=said.append) as pilot:
        await pilot.press("3")  # the vendors, a row highlighted, then back to the incident
        await pilot.press("1")
        await pilot.press("O")
        await pilot.pause()
        assert app.screen is app.war_room  # no "Overrule …'s page" for a row out of sight
        assert app.war_room.has_class("-show-vendors")
        assert said.told("highlight the one to overrule")


async def test_the_todo_dialog_says_owner_and_due_and_offers_only_what_applies(config, declared):
    with Store(declared) as store:
        item = store.append(
            1, "action_item", "Add a synthetic check", author="alice", value='{"owner": "sam", "due": "2026-12-10"}'
        )
    app = make_app(config, clock=Clock(NOW))
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.q("#timeline")
        await wait_for(pilot, lambda: any(e.id == item.id for e in view.events), message="the todo")
        view.focus()
        view.move_cursor(next(i for i, e in enumerate(view.events) if e.id == item.id))
        choices = await _open(pilot, "f")
        title = str(app.screen.query_one(".dialog-title", Label).render())
        assert "owner sam" in title and "due 2026-12-10" in title and "open" in title
        offered = [choices.get_option_at_index(i).id for i in range(choices.option_count)]
        assert "open" not in offered and "done" in offered  # open already: no "Open again"
        await pilot.press("escape")
