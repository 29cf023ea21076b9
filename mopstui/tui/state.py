"""What the screen's parts share: the state WarRoomApp keeps (set in its __init__), declared
once so that each part (sync, writing, actions, details, panes) is typed against the same."""

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
from ..domain import catalog as cat
from ..domain.model import Event, Incident
from ..status.model import VendorStatus
from ..store import SQLStore
from .keyguard import KeyGuard
from .link import LinkWatch

if TYPE_CHECKING:
    from ..room.poller import Poller


class AppState(App):
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
    incidents: list[Incident]
    current_id: int | None
    last_event_id: int
    data_version: int
    unreachable: bool  # the war-room's server did not answer the last read
    link: LinkWatch
    entry_kind: str
    statuses: dict[str, VendorStatus]
    health: dict[str, cat.Health]
    _unsaved: dict[int, Callable[[SQLStore], object]]  # NOT SAVED entries, by token, to retry
    _restarts: dict[str, int]
    _vendor_mark: tuple
    touchpoint_states: dict[str, str]
    present: list[dict]
    filter_label: str
    _comms: dict[int, Event | None]
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
