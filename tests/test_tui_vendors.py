"""The vendor pane on screen: the last 24 hours as a sparkline, the detail with what nobody here
watches and how late the page was, and the room overruling a page with O."""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual.widgets import Input, Sparkline, Static

from mopstui.base.timeutil import utcnow
from mopstui.status.model import Component, VendorStatus
from mopstui.store import Store
from mopstui.tui.messages import OverrideRequested
from mopstui.tui.vendor_detail import VendorDetailScreen

from .tui_helpers import CONFIG, choose, make_app, make_config, wait_for

WITH_PROBE = CONFIG.replace(
    'runbook: "https://wiki.example.com/lead"}',
    'runbook: "https://wiki.example.com/lead", probe: {url: "http://127.0.0.1:9/health"}}',
)


def seed(db_path) -> None:
    now = utcnow()
    at = lambda minutes: (now + timedelta(minutes=minutes)).isoformat()  # noqa: E731
    hubspot = VendorStatus(
        "hubspot",
        "HubSpot",
        "statuspage",
        state="operational",
        reason="",
        checked_at=at(0),
        last_good_at=at(0),
        components=(Component("Forms", "operational"), Component("Scanner", "major_outage", "EU", watched=False)),
    )
    observations = [
        {"vendor_id": "probe:lead-form", "component": None, "state": "major_outage", "previous_state": "unknown", "seen_at": at(-90)},
        {"vendor_id": "hubspot", "component": None, "state": "partial_outage", "previous_state": "operational", "seen_at": at(-76)},
        {"vendor_id": "hubspot", "component": None, "state": "operational", "previous_state": "partial_outage", "seen_at": at(-30)},
        {"vendor_id": "probe:lead-form", "component": None, "state": "operational", "previous_state": "major_outage",
         "seen_at": at(-40)},
    ]  # fmt: skip
    with Store(db_path) as store:
        store.declare("Lead form not submitting", severity="SEV2", author="alice", services=["lead-form"])
        store.save_vendor_statuses({"hubspot": hubspot.to_dict()}, observations)


def test_components_sit_under_their_vendor():
    """A component ("API") is indented and marked under its vendor, not at the vendors' level."""
    from mopstui.tui.vendor_pane import vendor_rows

    status = VendorStatus(
        "github",
        "GitHub",
        "statuspage",
        state="operational",
        components=(Component("API", "operational"), Component("Actions", "major_outage")),
    )
    rows = vendor_rows(status, utcnow(), wide=False)
    assert [str(cells[1]) for _, cells in rows] == ["GitHub", "  └ API", "  └ Actions"]


@pytest.mark.slow
async def test_history_detail_and_overruling_a_page(tmp_path, db_path):
    config = make_config(tmp_path, db_path, WITH_PROBE)
    seed(db_path)
    app = make_app(config)
    posted: list = []
    async with app.run_test(size=(120, 40), message_hook=posted.append) as pilot:
        table = app.q("#vendors")
        table.focus()
        table.move_cursor(row=table.get_row_index("v:hubspot"))
        await wait_for(pilot, lambda: max(app.q("#history", Sparkline).data or [0]) == 4.0, message="the 24 h history")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, VendorDetailScreen), message="the vendor detail")
        body = str(app.screen.query_one("#detail-body", Static).render())
        assert "On the page, not watched here" in body and "Scanner" in body and "EU" in body
        assert "HubSpot's page admitted the outage 14 min after our probe" in body
        assert "it showed the recovery 10 min after our probe" in body
        await pilot.press("escape")
        await pilot.press("O")
        await choose(pilot, "down")
        # The pane said which vendor, by id: the app never read the table's highlight itself.
        assert {(m.vendor_id, m.component) for m in posted if isinstance(m, OverrideRequested)} == {("hubspot", None)}
        await wait_for(pilot, lambda: app.screen.query("#prompt"), message="the reason prompt")
        app.screen.query_one("#prompt", Input).value = "forms fail for us"
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.state.statuses["hubspot"].override, message="the override on screen")
        assert str(table.get_cell("v:hubspot", "state")) == "!✖ down"
        assert app.state.health["lead-form"].state == "major_outage"
    with Store(db_path) as store:
        [event] = store.room_events("override")
        assert event.author == "alice" and event.text == "forms fail for us"
        assert any("override: down for us (forms fail for us)" in e.text and e.author == "alice" for e in store.events(1))


async def test_a_heartbeat_repaints_no_vendor_and_a_poll_round_does(tmp_path, db_path):
    config = make_config(tmp_path, db_path)
    seed(db_path)
    app = make_app(config)
    async with app.run_test(size=(120, 40)) as pilot:
        loads = []
        original = app._load_vendor_statuses
        app._load_vendor_statuses = lambda: (loads.append(1), original())[1]  # type: ignore[method-assign]
        await pilot.pause(0.3)
        loads.clear()
        with Store(db_path) as store:  # someone else joins the room: a commit, but no vendor news
            store.heartbeat("other-session", user="bob", host="h", client="", pid=1, incident_id=1)
        await wait_for(pilot, lambda: "bob" in str(app.q("#room").render()), message="bob in the room")
        assert loads == []
        with Store(db_path) as store:
            hubspot = VendorStatus(
                "hubspot",
                "HubSpot",
                "statuspage",
                state="degraded",
                reason="",
                checked_at=utcnow().isoformat(),
                last_good_at=utcnow().isoformat(),
            )
            store.save_vendor_statuses({"hubspot": hubspot.to_dict()}, [])
        await wait_for(pilot, lambda: loads and app.state.statuses["hubspot"].state == "degraded", message="the new round")
