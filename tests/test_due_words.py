"""Due dates as a marketer writes them, in one parser (domain/followups.py) for the entry line,
`/todo … due:`, `followup --due` and the follow-up dialog; a refused one keeps the dialog open
with the text and why."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from textual.widgets import Input, Label

from mopstui.base.timeutil import utcnow
from mopstui.domain.followups import followups, owner_and_due, parse_due
from mopstui.domain.model import InputError
from mopstui.store import Store

from .tui_helpers import Clock, choose, make_app, make_config, timeline, type_entry, wait_for

TUESDAY = date(2026, 12, 8)


@pytest.mark.parametrize(
    ("said", "due"),
    [
        ("friday", date(2026, 12, 11)),
        ("Fri", date(2026, 12, 11)),
        ("tuesday", TUESDAY),
        ("next tuesday", date(2026, 12, 15)),
        ("monday", date(2026, 12, 14)),
        ("tomorrow", date(2026, 12, 9)),
        ("today", TUESDAY),
        ("next week", date(2026, 12, 15)),
        ("next-week", date(2026, 12, 15)),
        ("in 3 days", date(2026, 12, 11)),
        ("in a week", date(2026, 12, 15)),
        ("in 2 weeks", date(2026, 12, 22)),
        ("+3d", date(2026, 12, 11)),
        ("+2w", date(2026, 12, 22)),
        ("2026-12-24", date(2026, 12, 24)),
    ],
)
def test_due_words_a_marketer_types(said, due):
    assert parse_due(said, TUESDAY) == due


@pytest.mark.parametrize("said", ["someday", "2026-02-30", "f", "next", "in days"])
def test_a_due_date_not_understood_says_what_is(said):
    with pytest.raises(InputError, match=r"is not a due date: write .*friday.*next week.*in 3 days"):
        parse_due(said, TUESDAY)


def test_the_entry_line_takes_a_day_name():
    text, value = owner_and_due("Fix the form owner:sam due:friday", TUESDAY)
    assert text == "Fix the form" and '"due": "2026-12-11"' in (value or "")


async def test_the_due_date_dialog_keeps_a_refused_answer_and_takes_next_week(tmp_path, db_path):
    config = make_config(tmp_path, db_path)
    start = utcnow().replace(microsecond=0) - timedelta(minutes=5)
    with Store(db_path) as store:
        store.declare("Lead form not submitting", severity="SEV2", author="alice", at=start)
    clock = Clock(start + timedelta(minutes=5))
    app = make_app(config, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await type_entry(pilot, "t", "Add a synthetic check due:fri")
        await wait_for(pilot, lambda: any(e.kind == "action_item" for e in timeline(app).events), message="the todo")
        await pilot.press("escape")
        view = timeline(app)
        view.focus()
        view.move_cursor(next(i for i, e in enumerate(view.events) if e.kind == "action_item"))
        await pilot.pause()
        await pilot.press("f")
        await choose(pilot, "\0due")
        await wait_for(pilot, lambda: app.screen.query("#prompt"), message="the due date dialog")
        prompt = app.screen.query_one("#prompt", Input)
        prompt.value = "someday soon"
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.query("#prompt"), "a refused due date closed the dialog"
        assert app.screen.query_one("#prompt", Input).value == "someday soon"
        hint = str(app.screen.query_one(".hint", Label).render())
        assert "is not a due date" in hint and "next week" in hint, hint
        app.screen.query_one("#prompt", Input).value = "next week"
        await pilot.press("enter")
        today = clock().astimezone(config.tz).date()
        with Store(db_path) as store:
            store_events = store.events(1)
        await wait_for(pilot, lambda: not app.screen.query("#prompt"), message="the dialog to close")

        def due_now():
            with Store(db_path) as store:
                return followups(store.events(1))[0].due

        await wait_for(pilot, lambda: due_now() == (today + timedelta(weeks=1)).isoformat(), message="the new due date")
    first = next(e for e in store_events if e.kind == "action_item")
    assert first.value_json()["due"] == (today + timedelta(days=(4 - today.weekday()) % 7)).isoformat()
