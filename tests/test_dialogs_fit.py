"""Every dialog's sentence is read whole at 80x24: it wraps at word boundaries inside the
dialog, never cut off at the right edge. The screen is read back as the terminal would show it."""

from __future__ import annotations

import io
import re
from datetime import timedelta

from rich.console import Console

from mopstui.base.timeutil import utcnow
from mopstui.store import Store

from .tui_helpers import Clock, make_app, make_config, timeline, type_entry, wait_for


def screen_text(app) -> str:
    """What the terminal shows now, as plain text."""
    width, _ = app.size
    console = Console(width=width, file=io.StringIO(), record=True, color_system=None, legacy_windows=False)
    console.print(app.screen._compositor.render_update(full=True))
    return console.export_text()


def dialog_text(app) -> str:
    """The open dialog's words as the terminal shows them, its frame, line breaks and padding
    taken out: a sentence wrapped inside it reads as one; one cut off does not."""
    region = app.screen.query_one(".dialog").region
    lines = screen_text(app).splitlines()[region.y : region.bottom]
    inside = "\n".join(line[region.x : region.right] for line in lines)
    return " ".join(re.sub(r"[█▀▄]", " ", inside).split())


LONG = "Lead form submissions failing since the consent banner went live"


async def _open_room(pilot, app) -> int:
    await type_entry(pilot, "n", LONG)
    await wait_for(pilot, lambda: any(e.text == LONG for e in timeline(app).events), message="the note")
    await pilot.press("escape")
    view = timeline(app)
    view.focus()
    index = next(i for i, e in enumerate(view.events) if e.text == LONG)
    view.move_cursor(index)
    await pilot.pause()
    return view.events[index].id


async def test_withdraw_and_correct_dialogs_read_whole_at_80x24(tmp_path, db_path):
    config = make_config(tmp_path, db_path)
    start = utcnow().replace(microsecond=0) - timedelta(minutes=20)
    with Store(db_path) as store:
        store.declare("Lead form not submitting", severity="SEV2", author="alice", at=start)
    app = make_app(config, clock=Clock(start + timedelta(minutes=20)))
    async with app.run_test(size=(80, 24)) as pilot:
        event_id = await _open_room(pilot, app)
        # The strip under the timeline: the entry's who and when, and the keys, wrapped, not cut.
        strip = app.screen.query_one("#selected-entry").region
        lines = screen_text(app).splitlines()[strip.y : strip.bottom]
        shown = " ".join(" ".join(line[strip.x : strip.right] for line in lines).split())
        assert f"#{event_id} · alice" in shown and "e correct · w withdraw · * star" in shown, shown
        await pilot.press("w")
        await wait_for(pilot, lambda: app.screen.query("#prompt"), message="the withdraw dialog")
        await pilot.pause()
        shown = dialog_text(app)
        assert f"Withdraw #{event_id}" in shown
        assert "It stays in the log, marked withdrawn. Why?" in shown, shown
        await pilot.press("escape")
        await wait_for(pilot, lambda: not app.screen.query("#prompt"), message="the dialog to close")

        await pilot.press("e")
        await wait_for(pilot, lambda: app.screen.query("#prompt"), message="the correct dialog")
        await pilot.pause()
        shown = dialog_text(app)
        assert "the right words; start with /comms, /note … to change its kind" in shown, shown


async def test_declare_and_edit_boxes_say_checked_in_characters(tmp_path, db_path):
    """`▐X▌` for every box, checked or not, told apart by shade alone: now `[x]` and `[ ]`."""
    config = make_config(tmp_path, db_path)
    start = utcnow().replace(microsecond=0) - timedelta(minutes=5)
    with Store(db_path) as store:
        store.declare("Lead form not submitting", severity="SEV2", author="alice", at=start, services=["lead-form"])
    app = make_app(config, clock=Clock(start + timedelta(minutes=5)))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("N")
        await wait_for(pilot, lambda: app.screen.query("#declare-services"), message="the declare dialog")
        await pilot.pause()
        shown = screen_text(app)
        assert "▐X▌" not in shown and "[ ] Lead form (lead capture)" in shown, shown
        app.screen.query_one("#declare-services").select("chat")
        await pilot.pause()
        shown = screen_text(app)
        assert "[x] Chat widget (chat)" in shown and "[ ] Lead form (lead capture)" in shown, shown
        await pilot.press("escape")
        await wait_for(pilot, lambda: not app.screen.query("#declare-services"), message="the dialog to close")

        await pilot.press("E")
        await wait_for(pilot, lambda: app.screen.query("#declare-services"), message="the edit dialog")
        await pilot.pause()
        shown = screen_text(app)
        assert "[x] Lead form (lead capture)" in shown and "[ ] Chat widget (chat)" in shown, shown


def strip_text(app) -> str:
    strip = app.screen.query_one("#selected-entry").region
    lines = screen_text(app).splitlines()[strip.y : strip.bottom]
    return " ".join(" ".join(line[strip.x : strip.right] for line in lines).strip("─ ").split())


async def test_declaring_selects_the_new_incidents_newest_entry_and_escape_keeps_the_title(tmp_path, db_path):
    """After N the strip under the timeline named the entry selected in the incident before;
    Escape in N threw the typed title away: now the next N brings it back."""
    from textual.widgets import Input

    from .tui_helpers import Said

    config = make_config(tmp_path, db_path)
    start = utcnow().replace(microsecond=0) - timedelta(minutes=20)
    with Store(db_path) as store:
        store.declare("Lead form not submitting", severity="SEV2", author="alice", at=start)
    app = make_app(config, clock=Clock(start + timedelta(minutes=20)))
    said = Said()
    async with app.run_test(size=(80, 24), message_hook=said.append) as pilot:
        old_id = await _open_room(pilot, app)
        assert strip_text(app).startswith(f"#{old_id} · alice")

        await pilot.press("N")
        await wait_for(pilot, lambda: app.screen.query("#declare-title"), message="the declare dialog")
        await pilot.pause()
        assert "ctrl+s declares · Escape cancels Declare Cancel" in dialog_text(app)  # the buttons on screen
        app.screen.query_one("#declare-title", Input).value = "Checkout page blank on mobile"
        await pilot.press("escape")
        await wait_for(pilot, lambda: not app.screen.query("#declare-title"), message="the dialog to close")
        assert said.told("What you typed is kept: N brings it back")
        with Store(db_path) as store:
            assert len(store.incidents()) == 1

        await pilot.press("N")
        await wait_for(pilot, lambda: app.screen.query("#declare-title"), message="the declare dialog again")
        assert app.screen.query_one("#declare-title", Input).value == "Checkout page blank on mobile"
        assert "what you typed before is kept" in dialog_text(app)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.current is not None and app.current.id == 2, message="INC-2")
        newest = timeline(app).events[-1]
        await wait_for(pilot, lambda: timeline(app).selected == newest, message="the newest entry selected")
        await pilot.pause()
        assert strip_text(app).startswith(f"#{newest.id} · "), strip_text(app)
        assert newest.incident_id == 2

        await pilot.press("N")  # declared: nothing left over for the next one
        await wait_for(pilot, lambda: app.screen.query("#declare-title"), message="a fresh declare dialog")
        assert app.screen.query_one("#declare-title", Input).value == ""


async def test_the_room_strip_and_the_vendor_detail_read_whole_at_80x24(tmp_path):
    """The demo at 80x24: the room strip's `2 services · 3 vendors` was cut (`(probe)  2…`), the
    vendor detail's legend ended at `degrade`."""
    from mopstui.demo import picture_app
    from mopstui.tui.vendor_detail import LEGEND

    app, settled = picture_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, settled, timeout=10, message="the demo to settle")
        await pilot.pause()
        strip = app.screen.query_one("#room-strip").region
        lines = screen_text(app).splitlines()[strip.y : strip.bottom]
        shown = " ".join(" ".join(line[strip.x : strip.right] for line in lines).split())
        assert shown.endswith("keys: 2 services, 3 vendors"), shown
        await pilot.press("3")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen.query("#detail-history"), message="the vendor detail")
        await pilot.pause()
        legend = " ".join(LEGEND.replace("█", " ").split())  # the frame's character, taken out with it
        assert f"Last 24 hours ({legend})" in dialog_text(app), dialog_text(app)
