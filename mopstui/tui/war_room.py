"""The war-room screen's layout: the room bar, the catalog and vendor panes on the side, the
incident pane (summary, clocks, impact, timeline, the entry line), and a word when the terminal
is too small. WarRoomApp (app.py) fills it."""

from __future__ import annotations

import asyncio

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Static

from .incident_pane import IncidentPane
from .room_bar import RoomBar, RoomStrip
from .room_state import RoomState
from .services_pane import ServicesPane
from .vendor_pane import VendorPane


class WarRoom(Screen):
    AUTO_FOCUS = "#timeline"  # focused as it is made: moving focus there later re-styled both panes

    def __init__(self, state: RoomState, *, width: int = 0, breakpoints: list[tuple[int, str]] | None = None) -> None:
        # The width's class from the start, not from the first resize: the tables were laid out
        # for the narrow side pane in the first second (4-wide columns) and again a second later.
        chosen = [name for edge, name in (breakpoints or []) if width >= edge][-1:]
        super().__init__(classes=" ".join(chosen) or None)
        self.state = state
        self._composed = asyncio.Event()

    async def composed(self) -> None:
        """Until the screen's widgets are mounted, ready to be filled."""
        await self._composed.wait()

    def compose(self) -> ComposeResult:
        yield RoomBar(id="room")
        yield RoomStrip(id="room-strip")  # below 100 columns, where the side panes fold away
        with Horizontal(id="main"):
            with Vertical(id="side"):
                yield ServicesPane(id="catalog-pane")
                yield VendorPane(id="vendor-pane")
            yield IncidentPane(self.state, id="incident-pane")
        yield Static(
            "The terminal is too small for the war-room: make it at least 60 columns by 16 lines "
            "(80x24 is best). Nothing is lost meanwhile.",
            id="too-small",
        )
        yield Footer(compact=True)  # at 80 columns the roomy footer ran its last keys under the palette key

    def on_mount(self) -> None:
        self._composed.set()
