"""Layout snapshots of the main screen (which holds the catalog pane) at 80x24, 120x40 and 200x50."""

import sys
from pathlib import Path

import pytest
from textual.widgets import Input

from mopstui.demo import picture_app

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
from screenshots import settle


def _prepared(tmp_path, keys=()):
    app, settled = picture_app(tmp_path)

    async def run_before(pilot) -> None:
        for entry in app.query(Input):
            entry.cursor_blink = False  # a blinking cursor would make the pictures flake
        await settle(pilot, settled)
        for key in keys:
            await pilot.press(key)
        await pilot.pause(0.2)

    return app, run_before


@pytest.mark.parametrize("size", [(80, 24), (120, 40), (200, 50)])
def test_main_screen(snap_compare, tmp_path, size):
    app, run_before = _prepared(tmp_path)
    assert snap_compare(app, terminal_size=size, run_before=run_before)


def test_help_screen(snap_compare, tmp_path):
    app, run_before = _prepared(tmp_path, keys=("question_mark",))
    assert snap_compare(app, terminal_size=(100, 34), run_before=run_before)
