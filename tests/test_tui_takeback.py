"""Taking back on the screen: w withdraws the selected entry (struck through, with who and why,
and no longer the last customer update), * stars and unstars, e corrects the words or the kind,
s on a resolved incident reopens it, and an entry dated before the declaration is said plainly."""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual.widgets import Input

from mopstui.base.timeutil import utcnow
from mopstui.store import Store

from .tui_helpers import Clock, Said, choose, make_app, make_config, timeline, type_entry, wait_for


def events_of(db_path):
    with Store(db_path) as store:
        return store.events(1)


async def answer(pilot, text: str) -> None:
    await wait_for(pilot, lambda: pilot.app.screen.query("#prompt"), message="the dialog")
    pilot.app.screen.query_one("#prompt", Input).value = text
    await pilot.press("enter")


def line_of(app, event_id: int) -> str:
    view = timeline(app)
    index = next(i for i, e in enumerate(view.events) if e.id == event_id)
    return view.entry_text_shown(index)


async def select(pilot, event_id: int) -> None:
    view = timeline(pilot.app)
    view.focus()
    view.move_cursor(next(i for i, e in enumerate(view.events) if e.id == event_id))
    await pilot.pause()


@pytest.mark.slow
async def test_withdraw_star_and_correct_the_selected_entry(tmp_path, db_path):
    config = make_config(tmp_path, db_path)
    start = utcnow().replace(microsecond=0) - timedelta(minutes=20)
    with Store(db_path) as store:
        store.declare("Lead form not submitting", severity="SEV2", author="alice", at=start)
    app = make_app(config, clock=Clock(start + timedelta(minutes=20)))
    said = Said()
    async with app.run_test(size=(120, 40), message_hook=said.append) as pilot:
        await type_entry(pilot, "c", "Banner is live (meant for INC-2)")
        await wait_for(pilot, lambda: any(e.kind == "comms" for e in timeline(app).events), message="the update")
        comms = next(e for e in timeline(app).events if e.kind == "comms")
        await wait_for(pilot, lambda: app.state.comms.get(1) is not None, message="the update clock's anchor")
        await pilot.press("escape")
        await select(pilot, comms.id)
        await pilot.press("w")
        await answer(pilot, "wrong incident")
        await wait_for(pilot, lambda: any(e.kind == "withdraw" for e in timeline(app).events), message="the withdrawal")
        await wait_for(pilot, lambda: app.state.comms.get(1) is None, message="the update clock to forget it")
        line = line_of(app, comms.id)
        assert "⊘" in line and "Banner is live (meant for INC-2)" in line and "[withdrawn by alice: wrong incident]" in line
        # Twice: refused in one sentence, nothing written.
        await select(pilot, comms.id)
        await pilot.press("w")
        await wait_for(pilot, lambda: said.told("already withdrawn by alice"), message="the refusal")
        assert not app.screen.query("#prompt")
        assert [e.kind for e in events_of(db_path)].count("withdraw") == 1

        # * stars, * again unstars.
        await type_entry(pilot, "n", "Root cause: the consent banner")
        await wait_for(pilot, lambda: any(e.kind == "note" for e in timeline(app).events), message="the note")
        note = next(e for e in timeline(app).events if e.kind == "note")
        await pilot.press("escape")
        await select(pilot, note.id)
        await pilot.press("asterisk")
        await wait_for(pilot, lambda: note.id in timeline(app).notes.starred, message="the star")
        await pilot.press("asterisk")
        await wait_for(pilot, lambda: note.id not in timeline(app).notes.starred, message="the unstar")
        assert [e.kind for e in events_of(db_path)][-2:] == ["star", "unstar"]

        # e: /comms first changes the kind; the words may stay.
        await select(pilot, note.id)
        await pilot.press("e")
        await answer(pilot, "/comms Root cause: the consent banner")
        await wait_for(pilot, lambda: any(e.kind == "correction" for e in timeline(app).events), message="the correction")
        correction = next(e for e in events_of(db_path) if e.kind == "correction")
        assert correction.ref == note.id and '"kind": "comms"' in correction.value
        await wait_for(
            pilot,
            lambda: app.state.comms.get(1) is not None and app.state.comms[1].id == note.id,
            message="the re-kinded note to count as the last update",
        )
        assert "[now comms] Root cause" in line_of(app, note.id)


async def test_reopen_from_the_status_dialog_and_back_dating_is_said(tmp_path, db_path):
    config = make_config(tmp_path, db_path)
    start = utcnow().replace(microsecond=0) - timedelta(minutes=30)
    with Store(db_path) as store:
        store.declare("Lead form not submitting", severity="SEV2", author="alice", at=start)
    app = make_app(config, clock=Clock(start + timedelta(minutes=30)))
    said = Said()
    async with app.run_test(size=(120, 40), message_hook=said.append) as pilot:
        await wait_for(pilot, lambda: app.current is not None, message="the incident")
        with Store(db_path) as store:  # resolved by someone else: it stays on this screen
            store.set_status(1, "resolved", author="sam", at=start + timedelta(minutes=10))
        await wait_for(pilot, lambda: app.current is not None and app.current.resolved, message="the resolved incident")
        await pilot.press("s")
        await wait_for(pilot, lambda: app.screen.query("OptionList"), message="the reopen dialog")
        await choose(pilot, "identified")
        await answer(pilot, "form errors are back")
        await wait_for(pilot, lambda: app.current is not None and app.current.status == "identified", message="reopened")
        assert app.current.reopenings[0][2] == "form errors are back"
        early = (start - timedelta(hours=4)).astimezone(config.tz).strftime("%H:%M")
        await type_entry(pilot, "n", f"@{early} Chat widget stopped loading")
        await wait_for(pilot, lambda: said.told("before INC-1 was declared ("), message="the plain word on back-dating")
        assert said.told(f"the impact now counts from {early}:00")
        # The clocks count from there: the incident on screen moved its impact start.
        await wait_for(
            pilot,
            lambda: app.current.impact_start < app.current.started_at - timedelta(hours=3),
            message="the impact start to move",
        )
