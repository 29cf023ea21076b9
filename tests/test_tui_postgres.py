"""The screen on a war-room on a real PostgreSQL server: another host's entry arrives by
notification; when the server goes away the screen says so, keeps what was typed as NOT SAVED,
and after the server is back it says so, catches up, and ctrl+r saves the entry."""

from __future__ import annotations

import re

from mopstui.store import open_store
from mopstui.tui.timeline_view import TimelineView

from .tui_helpers import make_app, make_config, texts, type_entry, wait_for


async def test_the_screen_on_a_server_that_goes_away_and_comes_back(tmp_path, postgres_server, pg_url):
    config = make_config(tmp_path, pg_url)
    with open_store(pg_url) as store:
        store.declare("Lead form not submitting", severity="SEV2", author="alice", services=["lead-form"])
    app = make_app(config, poll_interval=30.0)  # no catch-up poll to speak of: the notification must do it
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.q("#timeline", TimelineView)
        await wait_for(pilot, lambda: [e.kind for e in view.events] == ["declared"], message="the timeline")
        with open_store(pg_url) as other:
            other.append(1, "note", "from another host", author="bob")
        await wait_for(
            pilot,
            lambda: "from another host" in [e.text for e in view.events],
            timeout=3,
            message="another host's entry, by notification",
        )
        postgres_server.stop()
        try:
            await type_entry(pilot, "n", "typed while the server is down")
            await wait_for(pilot, lambda: any(p.failed for p in view.pending), timeout=10, message="NOT SAVED")
            [failed] = [p for p in view.pending if p.failed]
            assert failed.text == "typed while the server is down" and re.search("unreachable|cannot reach", failed.failed)
            await wait_for(pilot, lambda: app.state.unreachable, timeout=10, message="the screen saying the server is away")
            await wait_for(
                pilot,
                lambda: "DATABASE UNREACHABLE" in str(app.q("#room").render()),
                timeout=5,
                message="the top line saying the server is away",
            )
        finally:
            postgres_server.start(init=False)
        with open_store(pg_url) as other:
            other.append(1, "note", "written while we were away", author="bob")
        await wait_for(pilot, lambda: not app.state.unreachable, timeout=15, message="the screen saying the server is back")
        assert "DATABASE UNREACHABLE" not in str(app.q("#room").render())
        await wait_for(
            pilot,
            lambda: "written while we were away" in [e.text for e in view.events],
            timeout=10,
            message="catching up on what was missed",
        )
        await pilot.press("escape")
        await pilot.press("ctrl+r")
        await wait_for(
            pilot, lambda: "typed while the server is down" in texts(pg_url), timeout=10, message="the NOT SAVED entry saved"
        )
        await wait_for(pilot, lambda: not view.pending, message="no pending line left")
