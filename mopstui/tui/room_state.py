"""What the screen shows, in one object: the room's state, which the app reads from the store and
changes, and each pane is given to draw (`pane.show(state)`). Plain data: no screen, no store."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from ..config import Config
from ..domain import catalog as cat
from ..domain.model import Event, Incident
from ..status.model import VendorStatus


@dataclass
class RoomState:
    """The war-room as this screen knows it: what the store said last, and what the person chose
    to look at. The app changes it; the panes only read it."""

    config: Config
    user: str
    now: Callable[[], datetime]
    demo: bool = False
    incidents: list[Incident] = field(default_factory=list)
    current_id: int | None = None
    statuses: dict[str, VendorStatus] = field(default_factory=dict)
    health: dict[str, cat.Health] = field(default_factory=dict)
    signal_states: dict = field(default_factory=dict)
    signal_history: tuple | None = None  # state changes and spend readings, for measured blind spend
    touchpoint_states: dict[str, str] = field(default_factory=dict)
    present: list[dict] = field(default_factory=list)  # who is in the room
    comms: dict[int, Event | None] = field(default_factory=dict)  # each incident's last customer update
    filter_label: str = ""  # the timeline's search, "" for all of it
    catalog_filter: str = ""  # the services' filter, "" for all of them
    unreachable: bool = False  # the war-room's server did not answer the last read
    new_war_room: bool = False  # this screen started the war-room (a mistyped --db shows at once)
    readonly: bool = False
    snapshot: bool = False  # a read-only copy, without live updates

    @property
    def current(self) -> Incident | None:
        return next((i for i in self.incidents if i.id == self.current_id), None)
