"""Shared set-up for the screen's tests: a small catalog, a database, an app with a movable clock."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from textual.widgets import Input, OptionList

from mopstui.config import load
from mopstui.tui.app import WarRoomApp
from mopstui.tui.timeline_view import TimelineView

CONFIG = """\
timezone: UTC
thresholds: {abandon: 1m, resolve: 30m}
comms: {update_every: 15m}
vendors:
  - {id: hubspot, name: HubSpot, kind: statuspage, url: "http://127.0.0.1:9/hubspot", components: [Forms]}
  - {id: intercom, name: Intercom, kind: statuspage, url: "http://127.0.0.1:9/intercom", components: [Messenger]}
services:
  - {id: lead-form, name: Lead form, owner: web, tier: 1, touchpoint: lead capture, vendor: hubspot, components: [Forms], runbook: "https://wiki.example.com/lead"}
  - {id: landing, name: Landing pages, owner: web, tier: 1, touchpoint: lead capture, vendor: hubspot, depends_on: [cdn]}
  - {id: chat, name: Chat widget, owner: support, tier: 1, touchpoint: chat, vendor: intercom, components: [Messenger]}
  - {id: cdn, name: CDN, owner: web, tier: 1, touchpoint: website}
"""


class Clock:
    """A clock the test moves by hand: no real sleeping for threshold crossings."""

    def __init__(self, start: datetime | None = None) -> None:
        self.value = start or datetime.now(UTC).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.value

    def advance(self, **kwargs) -> None:
        self.value += timedelta(**kwargs)


def make_config(tmp_path: Path, db_path: Path, text: str = CONFIG):
    path = tmp_path / "config.yaml"
    path.write_text(text)
    return load([path], database=str(db_path))


def make_app(config, user: str = "alice", clock: Clock | None = None, **kwargs) -> WarRoomApp:
    kwargs.setdefault("poll_vendors", False)
    kwargs.setdefault("poll_interval", 0.1)
    return WarRoomApp(config, user, now=clock or Clock(), animations=False, **kwargs)


async def wait_for(pilot, condition, timeout: float = 5.0, message: str = "condition") -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {message}")
        await pilot.pause(0.05)


async def type_entry(pilot, key: str, text: str) -> None:
    await pilot.press(key)
    entry = pilot.app.q("#entry", Input)
    entry.value = text
    await pilot.press("enter")


async def choose(pilot, value: str) -> None:
    await pilot.pause()
    options = pilot.app.screen.query_one(OptionList)
    index = next(i for i in range(options.option_count) if options.get_option_at_index(i).id == value)
    options.highlighted = index
    await pilot.press("enter")


def timeline(app) -> TimelineView:
    return app.q("#timeline", TimelineView)


def texts(location) -> list[str]:
    """The texts of INC-1's events as the store holds them (a file's path or a server's URL)."""
    from mopstui.store import open_store

    with open_store(str(location)) as store:
        return [e.text for e in store.events(1)]


class Said(list):
    """Every message the app handled, in order: `app.run_test(message_hook=said.append)`. What the
    screen told the person is read from its Notify messages, not from the app's private state."""

    def notices(self) -> list[str]:
        from textual.notifications import Notify

        return [str(m.notification.message) for m in self if isinstance(m, Notify)]

    def told(self, words: str) -> bool:
        return any(words in notice for notice in self.notices())

    def handled_key(self, key: str) -> bool:
        """Whether a key press has reached the screen: the last of a burst, to know all of it has."""
        from textual.events import Key

        return any(isinstance(m, Key) and m.key == key for m in self)
