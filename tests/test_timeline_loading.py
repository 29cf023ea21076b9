"""An incident's timeline opens on its newest entries and reads the earlier ones behind them: the
first frame never waits for 100,000 entries to be read, and once they are in every entry is
reachable, in order, once; the clocks are right all along. On both engines. (How fast is
bench/bench_first_frame.py's to say, never a test's.)"""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from textual.worker import get_current_worker

from mopstui.domain.clocks import incident_clocks
from mopstui.domain.model import Event
from mopstui.store import SQLStore, StoreError, open_store
from mopstui.tui import timeline_loading
from mopstui.tui.timeline_lines import merge_earlier

from .tui_helpers import CONFIG, Clock, Said, make_app, make_config, timeline, wait_for

ENTRIES = 60
FIRST = 20  # read before the first frame, here (the screen reads a few screens' worth)


class Held:
    """The reading of the earlier entries, held until the test lets it go."""

    def __init__(self, monkeypatch, problem: str = "") -> None:
        self.started, self.gate = threading.Event(), threading.Event()
        original = SQLStore.events_before

        def events_before(store, *args):
            self.started.set()
            worker = get_current_worker()
            while not self.gate.wait(0.05):
                if worker.is_cancelled:  # the test ended first
                    return
            if problem:
                raise StoreError(problem)
            yield from original(store, *args, batch=7)

        monkeypatch.setattr(SQLStore, "events_before", events_before)
        monkeypatch.setattr(timeline_loading, "entries_read_first", lambda height: FIRST)


@pytest.fixture
def held(monkeypatch):
    hold = Held(monkeypatch)
    yield hold
    hold.gate.set()


def config_for(tmp_path, location):
    """No clock crosses during a test: a crossing would be written, back-dated, meanwhile."""
    text = CONFIG.replace("{abandon: 1m, resolve: 30m}", "{abandon: 4h, resolve: 8h}").replace("15m}", "4h}")
    return make_config(tmp_path, location, text)


def an_incident(location, clock: Clock) -> list[int]:
    """INC-1: a customer update first, then ENTRIES notes half a minute apart, the first of them
    starred and a recent one corrected; its event ids in timeline order."""
    start = clock() - timedelta(hours=1)
    with open_store(location) as store:
        store.declare("Lead form down", severity="SEV2", author="alice", at=start)
        store.append(1, "comms", "Banner posted", author="bob", at=start + timedelta(seconds=10))
        notes = [
            store.append(1, "note", f"entry {n:02d}", author="bob", at=start + timedelta(seconds=30 * (n + 1)))
            for n in range(ENTRIES)
        ]
        store.star(1, notes[0].id, author="carol")
        store.correct(1, notes[-2].id, "entry 58, with the form's URL", author="bob")
        return [e.id for e in store.events(1)]


def clocks_shown(app) -> list[tuple]:
    return [(b.clock.name, b.clock.elapsed, b.clock.crossed) for b in app.war_room.query("ClockBar")]


def clocks_of_the_whole_incident(location, config, clock) -> list[tuple]:
    with open_store(location) as store:
        clocks = incident_clocks(store.incident(1), config, store.last_customer_update(1), clock())
    return [(c.name, c.elapsed, c.crossed) for c in clocks]


async def test_the_newest_entries_first_then_every_entry_reachable(tmp_path, location, held):
    clock = Clock()
    ids = an_incident(location, clock)
    config = config_for(tmp_path, location)
    app = make_app(config, clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        view = timeline(app)
        await wait_for(pilot, held.started.is_set, message="the earlier entries being read")
        # Drawn first: the newest entries, the newest at the bottom, their marks right.
        assert [e.id for e in view.events] == ids[-FIRST:] and view.reading_earlier
        lines = view.visible_lines()
        assert "starred #3" in lines[-3] and "entry 59" in lines[-4]
        corrected = view.entry_text_shown([e.text for e in view.events].index("entry 58"))
        assert "✎" in corrected.split("note")[0] and "✎ entry 58, with the form's URL" in corrected
        # The clocks count from the whole incident (the update was before the entries read first).
        assert clocks_shown(app) == clocks_of_the_whole_incident(location, config, clock)
        # Up to the oldest entry read so far: the top says the earlier ones are on their way.
        await pilot.press("home")
        oldest = view.selected
        assert oldest is not None and oldest.id == ids[-FIRST]
        lines = view.visible_lines()
        assert "reading the earlier entries" in lines[0] and oldest.text in lines[1]
        held.gate.set()
        await wait_for(pilot, lambda: not view.reading_earlier, message="the earlier entries read")
        await pilot.pause()
        # Nothing lost, nothing twice, in order; the selected entry still selected and on screen.
        assert [e.id for e in view.events] == ids
        # At the top, where it was read (a line above it when the entries under it leave one).
        assert view.selected == oldest and oldest.text in " ".join(view.visible_lines()[:2])
        assert not any("reading the earlier" in line for line in view.visible_lines())
        await pilot.press("home")
        lines = view.visible_lines()
        assert view.selected.kind == "declared" and "Lead form down" in lines[0]
        assert any("★" in line and "entry 00" in line for line in lines)
        assert clocks_shown(app) == clocks_of_the_whole_incident(location, config, clock)


async def test_entries_written_while_the_earlier_ones_are_read_are_there_once_in_order(tmp_path, location, held):
    clock = Clock()
    an_incident(location, clock)
    app = make_app(config_for(tmp_path, location), clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        view = timeline(app)
        await wait_for(pilot, held.started.is_set, message="the earlier entries being read")
        with open_store(location) as other:
            other.append(1, "note", "late news", author="dana")
            # Back-dated among the entries not read yet: it arrives now, and is in what is read.
            declared = other.incident(1).started_at
            other.append(1, "note", "back-dated", author="dana", at=declared + timedelta(seconds=45))
        await wait_for(pilot, lambda: "back-dated" in [e.text for e in view.events], message="the new entries")
        await wait_for(pilot, lambda: "late news" in view.visible_lines()[-1], message="the newest at the bottom")
        held.gate.set()
        await wait_for(pilot, lambda: not view.reading_earlier, message="the earlier entries read")
        with open_store(location) as store:
            assert [e.id for e in view.events] == [e.id for e in store.events(1)]
        await pilot.pause()
        assert "late news" in view.visible_lines()[-1]  # still following the newest


async def test_a_search_made_while_reading_is_not_overwritten(tmp_path, held):
    db = tmp_path / "warroom.db"
    clock = Clock()
    an_incident(db, clock)
    app = make_app(config_for(tmp_path, db), clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        view = timeline(app)
        await wait_for(pilot, held.started.is_set, message="the earlier entries being read")
        app.search("entry 03")
        assert [e.text for e in view.events] == ["entry 03"]
        held.gate.set()
        await wait_for(pilot, lambda: not [w for w in app.workers if w.group == "earlier" and w.is_running], message="the read")
        await pilot.pause()  # its message handled: the read arriving late must change nothing
        assert [e.text for e in view.events] == ["entry 03"] and not view.reading_earlier


async def test_earlier_entries_that_cannot_be_read_are_said(tmp_path, monkeypatch):
    hold = Held(monkeypatch, problem="the server went away")
    hold.gate.set()
    db = tmp_path / "warroom.db"
    clock = Clock()
    an_incident(db, clock)
    said = Said()
    app = make_app(config_for(tmp_path, db), clock=clock)
    async with app.run_test(size=(100, 30), message_hook=said.append) as pilot:
        view = timeline(app)
        told = "The earlier entries of this incident could not be read (the server went away)"
        await wait_for(pilot, lambda: said.told(told), message="the problem said")
        await pilot.press("home")
        assert "could not be read: the server went away" in view.visible_lines()[0]
        assert app.is_running and len(view.events) == FIRST


def test_merging_keeps_the_entries_that_arrived_meanwhile_once_and_in_order():
    def event(id_: int, minute: int) -> Event:
        return Event(
            id=id_, incident_id=1, occurred_at=START + timedelta(minutes=minute), recorded_at=START,
            author="a", kind="note", text=str(id_),
        )  # fmt: skip

    earlier = [event(1, 0), event(2, 1), event(9, 2), event(3, 3)]  # 9: back-dated, written meanwhile
    newest = [event(9, 2), event(4, 4), event(5, 5), event(8, 6)]  # 9 arrived while reading; 8 new
    keys = [(e.occurred_at, e.id) for e in newest]
    boundary = (START + timedelta(minutes=4), 4)
    events, merged_keys = merge_earlier(newest, keys, earlier, boundary)
    assert [e.id for e in events] == [1, 2, 9, 3, 4, 5, 8]
    assert merged_keys == [(e.occurred_at, e.id) for e in events]


START = Clock().value
