"""One command list builds the key bindings (with ids), the command palette and is held against
the help; the config's `keys:` remaps a command by its id (unknown ones refused with a "did you
mean", as FILE:LINE), and the tables move with j k g G as the timeline does."""

from __future__ import annotations

import re

import pytest
from textual.keys import key_to_character

from mopstui.config import ConfigError, load
from mopstui.config.keymap import COMMANDS
from mopstui.store import Store
from mopstui.tui.app import WarRoomApp
from mopstui.tui.help import help_lines

from .tui_helpers import make_app, make_config, wait_for

NAMES = {
    "escape": "Escape",
    "slash": "/",
    "question_mark": "?",
    "asterisk": "*",
    "left_square_bracket": "[",
    "right_square_bracket": "]",
}


def shown(key: str) -> str:
    return NAMES.get(key) or key_to_character(key) or key


def test_the_bindings_are_the_command_list():
    bound = {b.id: (b.key, b.action) for b in WarRoomApp.BINDINGS}
    listed = {c.id: (c.keys, c.action) for c in COMMANDS if c.keys}
    assert bound == listed


HELP = "\n".join(help_lines())


@pytest.mark.parametrize("command", [c for c in COMMANDS if c.keys], ids=lambda c: c.id)
def test_the_help_names_every_key(command):
    for key in command.keys.split(","):
        assert re.search(rf"(^|\s){re.escape(shown(key))}(\s|$)", HELP, re.MULTILINE), (
            f"the help does not name {shown(key)!r} ({command.id})"
        )


def test_the_help_is_built_from_the_command_list_with_the_remapped_keys():
    """The help was a hand-kept text, only checked against the command list: a `keys:` remap left
    it naming the old key. Built from the list, each command shows under the key that runs it."""
    from rich.cells import cell_len

    remapped = help_lines({"note": "m", "search": "ctrl+f,slash"})
    assert any(line.strip().startswith("m  note") for line in remapped)
    assert not any(line.strip().startswith("n  note") for line in remapped)
    assert any("ctrl+f /  search" in line for line in remapped)
    assert all(cell_len(line) <= 70 for line in remapped)  # the dialog's inside at 80x24
    for command in COMMANDS:
        if command.keys:
            assert command.section and command.help, f"{command.id} has no place in the help"
            assert command.help in HELP


async def test_the_palette_is_the_command_list_todo_and_lesson_included(tmp_path, db_path):
    app = make_app(make_config(tmp_path, db_path))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        titles = {c.title for c in app.get_system_commands(app.screen)}
    assert {c.palette for c in COMMANDS if c.palette} <= titles
    assert {"log --kind todo", "log --kind lesson"} <= titles


def write(tmp_path, text: str):
    path = tmp_path / "c.yaml"
    path.write_text(text)
    return path


def test_keys_remap_a_command_by_its_id(tmp_path):
    config = load([write(tmp_path, 'timezone: UTC\nkeys:\n  note: m\n  search: "ctrl+f,/"\n')])
    assert config.keys == (("note", "m"), ("search", "ctrl+f,/"))


@pytest.mark.parametrize(
    "text, said",
    [
        ("keys:\n  nots: m\n", "c.yaml:2: unknown key 'nots' in keys; did you mean 'note'?"),
        ("keys:\n  note: s\n", "c.yaml:2: keys.note: s is already the key of status"),
        ('keys:\n  note: ""\n', "c.yaml:2: keys.note: write a key"),
        ("keys:\n  note: ctrl k\n", "c.yaml:2: keys.note: write a key"),
        ("keys: [m]\n", "c.yaml:1: keys must be a mapping"),
    ],
)
def test_a_bad_keys_section_is_refused_with_file_and_line(tmp_path, text, said):
    with pytest.raises(ConfigError) as raised:
        load([write(tmp_path, text)])
    assert said in str(raised.value), str(raised.value)


async def test_a_remapped_key_opens_the_line_and_the_old_one_is_free(tmp_path, db_path):
    with Store(db_path) as store:
        store.declare("Lead form down", severity="SEV2", author="alice")
    config = make_config(tmp_path, db_path, "timezone: UTC\nkeys: {note: m}\n")
    app = make_app(config)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("m")
        await pilot.pause()
        assert app.focused is app.q("#entry") and app.entry_kind == "note"
        await pilot.press(*"remapped", "enter")
        await wait_for(
            pilot,
            lambda: not app.q("#timeline").pending and any(e.text == "remapped" for e in app.q("#timeline").events),
            message="the note",
        )
        await pilot.press("escape", "question_mark")
        await pilot.pause()
        assert "m note" in str(app.screen.query_one("#help-remapped").render())


async def test_j_k_g_and_G_move_in_the_tables(tmp_path, db_path):
    app = make_app(make_config(tmp_path, db_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        table = app.q("#catalog")
        table.focus()
        await pilot.pause()
        await pilot.press("j", "j")
        assert table.cursor_row == 2
        await pilot.press("k")
        assert table.cursor_row == 1
        await pilot.press("G")
        assert table.cursor_row == table.row_count - 1
        await pilot.press("g")
        assert table.cursor_row == 0


async def test_a_palette_command_runs_its_action(tmp_path, db_path):
    with Store(db_path) as store:
        store.declare("Lead form down", severity="SEV2", author="alice")
    app = make_app(make_config(tmp_path, db_path))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        lesson = next(c for c in app.get_system_commands(app.screen) if c.title == "log --kind lesson")
        app.call_later(lesson.callback)
        await wait_for(pilot, lambda: app.entry_kind == "lesson", message="the lesson line")
        assert app.focused is app.q("#entry")
