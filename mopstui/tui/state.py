"""What the screen's parts share: the app's machinery (set in WarRoomApp's __init__), declared
once so that each part is typed against the same; the room's state is `state` (room_state.py)."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import App

from ..config import Config
from ..store import SQLStore
from .keyguard import KeyGuard
from .link import LinkWatch
from .room_state import RoomState

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
    _shown: dict[str, Text]
    _writes: queue.Queue
    _waiting_notice: bool
    bells: int
    key_guard: KeyGuard
