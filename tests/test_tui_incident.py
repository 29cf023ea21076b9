"""The incident pane's marketing keys: E changes what was declared, D drafts a customer update,
f moves an action item to closure; the impact estimate under the clocks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual.widgets import Input, OptionList, SelectionList, Static

from mopstui.base.timeutil import utcnow
from mopstui.store import Store

from .tui_helpers import CONFIG, Clock, choose, make_app, make_config, timeline, type_entry, wait_for

MARKETING = (
    CONFIG
    + """\
touchpoints:
  lead capture: {leads_per_hour: 30}
templates:
  site-banner: "Trouble with {touchpoints}; next update by {next_update}."
"""
)


def events_of(db_path):
    with Store(db_path) as store:
        return store.events(1)


@pytest.mark.slow
async def test_edit_draft_followup_and_impact(tmp_path, db_path):
    config = make_config(tmp_path, db_path, MARKETING)
    start = utcnow().replace(microsecond=0) - timedelta(hours=2)
    with Store(db_path) as store:
        store.declare("Lead form not submitting", severity="SEV2", author="alice", services=["lead-form"], at=start)
    clock = Clock(start + timedelta(minutes=40))
    app = make_app(config, clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.q("#impact").display, message="the impact line")
        assert "est. ≈ 20 leads not captured" in str(app.q("#impact", Static).render())
        # E: change the title and add a service; the history stays in the timeline.
        await pilot.press("E")
        await wait_for(pilot, lambda: app.screen.query("#declare-summary"), message="the edit dialog")
        app.screen.query_one("#declare-title", Input).value = "Lead form rejects EU visitors"
        app.screen.query_one("#declare-summary", Input).value = "Consent banner blocks the form script"
        app.screen.query_one("#declare-services", SelectionList).select("cdn")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.current.title == "Lead form rejects EU visitors", message="the edit")
        assert app.current.services == ("lead-form", "cdn") and app.current.summary.startswith("Consent banner")
        assert "Consent banner blocks the form script" in str(app.q("#summary", Static).render())
        # D: a draft lands in the entry line as a comms entry; Enter logs it.
        await pilot.press("D")
        await pilot.pause()
        # the menu shows each channel's text filled in, never the template's `{title}` / `{touchpoints}`
        options = app.screen.query_one(OptionList)
        menu = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert not any("{" in line for line in menu) and any("lead capture and website" in line for line in menu), menu
        await choose(pilot, "site-banner")
        entry = app.q("#entry", Input)
        assert entry.value.startswith("Trouble with lead capture and website; next update by ") and app.entry_kind == "comms"
        await pilot.press("enter")
        await wait_for(pilot, lambda: any(e.kind == "comms" for e in events_of(db_path)), message="the update")
        # f: an action item to done.
        await pilot.press("escape")  # out of the entry line: t is a key again
        await type_entry(pilot, "t", "Add a synthetic check owner:sam due:+3d")
        await wait_for(pilot, lambda: any(e.kind == "action_item" for e in timeline(app).events), message="the todo")
        view = timeline(app)
        view.focus()
        view.move_cursor(next(i for i, e in enumerate(view.events) if e.kind == "action_item"))
        assert "1 open follow-up of 1" in str(app.q("#summary", Static).render())
        await pilot.press("f")
        await choose(pilot, "done")
        await wait_for(pilot, lambda: any(e.kind == "followup" for e in events_of(db_path)), message="the follow-up")
        await wait_for(pilot, lambda: "0 open follow-ups of 1" in str(app.q("#summary", Static).render()), message="the count")
    kinds = [e.kind for e in events_of(db_path)]
    assert kinds.count("edit") == 1 and "followup" in kinds
    item = next(e for e in events_of(db_path) if e.kind == "action_item")
    assert item.text == "Add a synthetic check" and '"owner": "sam"' in item.value
