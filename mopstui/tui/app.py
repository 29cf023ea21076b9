"""The war-room screen. It renders and dispatches; the store, clocks and catalog do the work.

Reads (cheap, never blocked in WAL mode) happen on the UI thread; every write goes through one
writer thread, in order, so a slow lock never freezes the screen: the entry shows as pending,
then confirmed, and is never dropped.
"""

from __future__ import annotations

import asyncio
import gc
import os
import queue
import threading
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from textual import events
from textual.binding import Binding
from textual.driver import Driver
from textual.notifications import SeverityLevel
from textual.worker import Worker, WorkerState

from ..base.plain import said
from ..base.timeutil import utcnow
from ..config import Config
from ..config.keymap import COMMANDS
from ..store import StoreError, open_store
from .actions import IncidentActions
from .details import Details
from .entry_line import EntryLine
from .hangup import Hangup
from .keyguard import KeyGuard
from .link import LinkWatch
from .messages import SubmitEntry
from .panes import Panes
from .room_state import RoomState
from .setup_check import check_setup
from .sync import StoreSync
from .war_room import WarRoom
from .writing import Writing

if TYPE_CHECKING:
    pass

from .guards import HEARTBEAT_EVERY


class WarRoomApp(StoreSync, Writing, EntryLine, IncidentActions, Details, Panes):
    CSS_PATH = "app.tcss"
    TITLE = "mopstui"
    HORIZONTAL_BREAKPOINTS = [(0, "-compact"), (100, "-narrow"), (110, "-wide"), (160, "-wider")]

    # Built from the one command list (config/keymap.py), which also builds the palette; the
    # config's `keys:` remaps them by id (set_keymap in __init__).
    BINDINGS = [Binding(c.keys, c.action, c.label, show=c.show, priority=c.priority, id=c.id) for c in COMMANDS if c.keys]

    def __init__(
        self,
        config: Config,
        user: str,
        *,
        now: Callable[[], datetime] = utcnow,
        demo: bool = False,
        poll_interval: float = 0.4,
        animations: bool | None = None,
        poll_vendors: bool = True,
        check_setup: bool | None = None,
    ) -> None:
        super().__init__()
        self.config = config
        self.user = user
        self.state = RoomState(config, user, now, demo)  # the one state: the panes draw it
        self.now = now
        self.demo = demo
        self.poll_interval = poll_interval
        self.session_id = uuid.uuid4().hex[:12]
        self.poll_vendors = poll_vendors
        self.check_setup = check_setup  # the doctor's cheap checks at start; None: on a real terminal
        self.exported = None  # where the last postmortem export was written
        self._poller = None
        self._stop_poller = threading.Event()
        self._store = None
        self.last_event_id = 0
        self.data_version = -1
        self.link = LinkWatch(config.away_after.total_seconds(), self._link_away, self._link_back)
        self.entry_kind = "note"
        self._unsaved = {}  # NOT SAVED entries, by token, to retry
        self._restarts = {}
        self._vendor_mark = ()
        self._written_keys = set()
        self._seen_crossed = set()
        self._first_tick = True
        self._tokens = 0
        self._callbacks = {}
        self._writes = queue.Queue()
        self._waiting_notice = False
        self.bells = 0
        self.key_guard = KeyGuard()
        if config.keys:
            self.set_keymap(dict(config.keys))
        if animations is None:
            animations = config.animations
        if animations is None:
            animations = not (os.environ.get("SSH_CONNECTION") or os.environ.get("SSH_TTY"))
        if not animations:
            self.animation_level = "none"

    async def on_event(self, event: events.Event) -> None:
        # The rest of a burst that opened a dialog, and stray typing meant for a closed entry
        # line, are dropped here, before any binding or widget sees them (keyguard.py).
        if isinstance(event, events.Key) and not event.is_forwarded:
            if self.key_guard.drops(self, event):
                event.stop()
                return
            if event.key == "enter" and isinstance(self.screen, WarRoom) and self.focused is self.incident_pane.entry:
                # Enter closes the line as it arrives: the keys behind it in the same burst (`n`
                # then the next words) pick the next entry's kind, never join this one. The line
                # takes its text when it reaches the keys typed before it (widgets.EntryInput).
                event.stop()
                self.key_guard.enter_at = self.key_guard.keys
                self.incident_pane.entry.post_message(SubmitEntry(self.entry_kind))
                self.incident_pane.leave_entry()
                return
            if event.key == "escape" and isinstance(self.screen, WarRoom) and self.focused is not None:
                # Back as the key arrives, not once it has gone round the focused widget: by then
                # the rest of its burst was already handled (a kind key opened the entry line, the
                # words went in), and Escape, arriving last, closed the line before its Enter.
                event.stop()
                self.action_leave_input()
                return
        await super().on_event(event)

    def get_default_screen(self) -> WarRoom:
        """The war-room is the first screen, made with the app at the terminal's size: pushed over
        Textual's blank screen it was styled, laid out and focused again before the first frame."""
        return WarRoom(self.state, width=self.size.width, breakpoints=self.HORIZONTAL_BREAKPOINTS)

    def get_driver_class(self) -> type[Driver]:
        driver = super().get_driver_class()
        if driver.__name__ == "LinuxDriver" and not os.environ.get("TEXTUAL_DRIVER"):  # not Windows, not chosen
            from .driver import SturdyLinuxDriver

            return SturdyLinuxDriver
        return driver

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Every notice is plain text: notices quote what people typed and vendors wrote (an entry
        starting `@[/nope]` once crashed the screen through markup in its error notice)."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    async def on_mount(self) -> None:
        try:
            self.state.new_war_room = not self.demo and not self.config.war_room_exists()
            self._store = open_store(self.config.database_location, group=self.config.database_group)
            self.state.readonly, self.state.snapshot = self._store.readonly, bool(self._store.snapshot)
        except StoreError as error:
            self.exit(message=f"mopstui: {said(error)}", return_code=1)
            return
        try:
            # A dropped SSH connection hangs up the terminal: leave within seconds (presence,
            # lease released), never spin on a dead terminal (see hangup.py).
            loop = asyncio.get_running_loop()
            Hangup(lambda: loop.call_soon_threadsafe(self.exit), self._release_on_hangup).install()
        except (ValueError, OSError):  # not the main thread (tests drive the app from elsewhere)
            pass
        await self.war_room.composed()
        self._fit_to(self.size.width, self.size.height)
        self._writer()
        self._initial_load()

    def _initial_load(self) -> None:
        self._load_vendor_statuses()
        self._load_incidents()
        self.last_event_id = self.store.last_event_id()
        self.data_version = self.store.data_version()
        self._render_catalog(rebuild=True)
        self._render_vendors(rebuild=True)
        self._show_incident(reload=True)
        timeline = self.incident_pane.timeline
        if timeline.has_focus:  # since the screen was made (WarRoom.AUTO_FOCUS), before it had entries:
            timeline.on_focus()  # the newest is selected now, as focusing it selects it
        else:
            timeline.focus()
        self._heartbeat()
        self._refresh_presence()
        if not self.config.services and not self.config.vendors:
            self.notify(
                "No catalog configured: no services or vendors to show. Start from config.example.yaml "
                "(mopstui --help says where configs are read from; mopstui check-config checks one).",
                title="Empty catalog",
                timeout=15,
            )
        self._tick()
        self.set_interval(1.0, self._tick)
        # On a server the store wakes us on each commit (another host's entry in milliseconds) and
        # the poll is only the catch-up. SQLite screens poll: waking 50 screens on every commit
        # (inotify on the -wal, tried) cost a third more CPU than this poll (bench_room).
        loop = asyncio.get_running_loop()
        notified = self.store.watch_changes(lambda: loop.call_soon_threadsafe(self._check_changes), self._stop_poller)
        self.set_interval(self.poll_interval * (4 if notified else 1), self._check_changes)
        self.set_interval(HEARTBEAT_EVERY, self._heartbeat)
        if not self.is_headless:
            self.set_interval(self.link.probe_every, self._probe_link)
            self._probe_link()
        # Who is here is read on its own, slower timer: with 50 sessions their heartbeats are
        # several commits a second, and each must not make every screen re-read presence.
        self.set_interval(self.poll_interval * 10, self._refresh_presence)
        if self.poll_vendors and (self.config.vendors or self.config.webhooks or any(s.probe for s in self.config.services)):
            # After the first frame: the poller's imports (httpx) and TLS set-up must not race the first paint.
            self.call_after_refresh(self._run_poller)
        if self.store.readonly:
            self.notify("This database is read-only for you: you can watch, not write.", severity="warning", timeout=8)
        if self.check_setup or (self.check_setup is None and not self.is_headless and not self.demo):
            self.call_after_refresh(check_setup, self)
        self.call_after_refresh(_settle_memory, freeze=not self.is_headless)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one handler for background work that died: said out loud, and the writer and the
        poller restarted (a few times, then left stopped with the reason on screen)."""
        if event.state != WorkerState.ERROR or event.worker.name not in ("writer", "poller"):
            return
        name, error = event.worker.name, event.worker.error
        why = said(error) if error else "no reason given"
        restarts = self._restarts[name] = self._restarts.get(name, 0) + 1
        if restarts > 3:
            self.notify(
                f"The {name} stopped again: {why}; it is not restarted. Quit and open mopstui again.",
                title=f"{name} stopped",
                severity="error",
                timeout=30,
                markup=False,
            )
            return
        self.notify(
            f"The {name} stopped: {why}; restarting it.",
            title=f"{name} restarted",
            severity="error",
            timeout=10,
            markup=False,
        )
        if name == "writer":
            self._writer()
        else:
            self._run_poller()

    async def action_quit(self) -> None:
        pending = self.incident_pane.timeline.pending if self._store is not None else []
        unsaved = len([p for p in pending if not p.failed])
        if unsaved:
            wait = int(self.store.write_timeout)
            self.notify(
                f"Saving {unsaved} entr{'y' if unsaved == 1 else 'ies'} before leaving (up to {wait}s while "
                "another process holds the database)…",
                timeout=wait,
            )
            await self._writes_drained(self.store.write_timeout)
        self.exit()

    def on_unmount(self) -> None:
        self._stop_poller.set()
        self._writes.put(None)
        if self._store is not None and not self.store.readonly:
            try:
                self.store.write_timeout = 2
                self.store.leave(self.session_id)
            except StoreError:
                pass  # the heartbeat stops anyway; the others drop us within a minute


def run_app(config: Config, user: str, *, demo: bool = False) -> int:
    app = WarRoomApp(config, user, demo=demo)
    app.run()
    return app.return_code or 0


def _settle_memory(*, freeze: bool) -> None:
    """After the first frame, the objects made so far (Textual's CSS, the widgets, the config, the
    imports) live as long as the screen: leave them out of the garbage collector's rounds. Every
    repaint makes thousands of short-lived strips; each collection walked the ~300,000 settled
    objects too, a third of the CPU an entry cost each of 50 screens on one host (bench_room).
    Not in a test process, which runs many apps one after the other: it would keep them all."""
    if freeze:
        gc.freeze()
    gc.enable()  # off until the first frame, when mopstui runs as a screen (cli.main)
