"""What the screen's parts share: the app's machinery (set in WarRoomApp's __init__), declared
once so that each part is typed against the same; the room's state is `state` (room_state.py)."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar, overload

from textual.app import App
from textual.css.query import NoMatches
from textual.widget import Widget

from ..config import Config
from ..domain.model import Event, Incident
from ..store import SQLStore
from .incident_pane import IncidentPane
from .keyguard import KeyGuard
from .link import LinkWatch
from .messages import VendorHighlighted
from .room_state import RoomState
from .timeline_entry import Pending
from .war_room import WarRoom

W = TypeVar("W", bound=Widget)

if TYPE_CHECKING:
    from ..room.poller import Poller


class AppState(App):
    state: RoomState
    config: Config
    user: str
    now: Callable[[], datetime]
    demo: bool
    poll_interval: float
    session_id: str
    poll_vendors: bool
    exported: Path | None  # where the last postmortem export was written
    _poller: Poller | None
    _stop_poller: threading.Event
    _store: SQLStore | None
    last_event_id: int
    data_version: int
    link: LinkWatch
    entry_kind: str
    _unsaved: dict[int, Callable[[SQLStore], object]]  # NOT SAVED entries, by token, to retry
    _restarts: dict[str, int]
    _vendor_mark: tuple
    _written_keys: set[str]
    _seen_crossed: set[str]
    _first_tick: bool
    _tokens: int
    _callbacks: dict[int, Callable | None]
    _writes: queue.Queue
    _waiting_notice: bool
    bells: int
    key_guard: KeyGuard

    @property
    def store(self) -> SQLStore:
        """The war-room's database, open from mount on (a failure to open ends the app)."""
        if self._store is None:
            raise RuntimeError("the war-room database is not open yet")
        return self._store

    @property
    def war_room(self) -> WarRoom:
        for screen in self.screen_stack:
            if isinstance(screen, WarRoom):
                return screen
        # NoMatches, not StopIteration: raised inside a message handler, StopIteration turns into
        # "coroutine raised StopIteration" and kills the app (a write confirmed while it exits).
        raise NoMatches("the war-room screen is not up")

    @property
    def incident_pane(self) -> IncidentPane:
        return self.war_room.query_one(IncidentPane)

    @overload
    def q(self, selector: str) -> Widget: ...
    @overload
    def q(self, selector: str, kind: type[W]) -> W: ...
    def q(self, selector: str, kind: type[W] | None = None) -> Widget | W:
        """One widget of the war-room screen, whichever screen is on top."""
        return self.war_room.query_one(selector, kind) if kind else self.war_room.query_one(selector)

    @property
    def current(self) -> Incident | None:
        return self.state.current

    if TYPE_CHECKING:  # what the parts call on each other (sync, writing, actions, details, panes)

        def _can_write(self) -> bool: ...
        def _check_changes(self) -> None: ...
        def _load_incidents(self) -> None: ...
        def _need_incident(self) -> Incident | None: ...
        def _queue_write(
            self, pending: Pending | None, action: Callable[[SQLStore], object], on_done: Callable | None = None
        ) -> int: ...
        def _render_catalog(self, *, rebuild: bool = False) -> None: ...
        def _render_room_bar(self) -> None: ...
        def _render_summary(self) -> None: ...
        def _render_vendors(self, *, rebuild: bool = False) -> None: ...
        def _selected_entry(self) -> Event | None: ...
        def _show_incident(self, *, reload: bool) -> None: ...
        def _vendor_history(self, message: VendorHighlighted | None = None) -> None: ...
        def _tick(self) -> None: ...
        def action_entry(self, kind: str) -> None: ...
        def action_pane(self, name: str) -> None: ...
        def show_pane(self, name: str) -> None: ...
        def log_entry(
            self, incident_id: int, kind: str, text: str, at: datetime | None = None, value: str | None = None
        ) -> int: ...
