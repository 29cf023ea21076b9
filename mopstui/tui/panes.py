"""Handing the room's state to the panes (each pane draws itself: incident_pane, services_pane,
vendor_pane, room_bar), the clocks once a second, and the layout for the size."""

from __future__ import annotations

import functools

from textual import events
from textual.css.query import NoMatches

from ..base.timeutil import utcnow
from ..domain.clocks import Clock, crossed, incident_clocks
from ..room.duties import record_crossings
from . import incident_extras
from .guards import _skip_when_screen_gone
from .room_bar import RoomStrip
from .services_pane import ServicesPane
from .state import AppState
from .timeline_loading import show_timeline
from .vendor_pane import VendorPane


class Panes(AppState):
    """Part of WarRoomApp (app.py), by concern."""

    def _render_summary(self) -> None:
        self.incident_pane.show_summary(self.state, incident_extras.open_followups_line(self))

    def _show_incident(self, *, reload: bool) -> None:
        self._render_summary()
        incident = self.current
        pane = self.incident_pane
        timeline = pane.timeline
        if reload:
            self.state.filter_label = ""
            pane.show_filter("", 0)
            if incident is None:
                timeline.load([], utcnow())
            else:
                show_timeline(self, timeline, incident)
        pane.show_clocks([], again=True)
        self._tick()

    def _render_catalog(self, *, rebuild: bool = False) -> None:
        self.war_room.query_one(ServicesPane).show(self.state, rebuild=rebuild)
        self._render_room_strip()

    def _render_vendors(self, *, rebuild: bool = False) -> None:
        self.war_room.query_one(VendorPane).show(self.state, rebuild=rebuild)
        self._vendor_history()  # now, not on a later message: the line under the table is never blank
        self._render_room_strip()

    def action_pane(self, name: str) -> None:
        """1 the incident, 2 the services, 3 the vendors (lazygit's panel keys). Below 100 columns
        only one of them is on screen at a time; wider, the key moves the focus there."""
        self.show_pane(name)
        target = {"incident": "#timeline", "services": "#catalog", "vendors": "#vendors"}[name]
        self.war_room.set_focus(self.q(target))

    def show_pane(self, name: str) -> None:
        room = self.war_room
        room.set_class(name == "services", "-show-services")
        room.set_class(name == "vendors", "-show-vendors")

    def _render_room_strip(self) -> None:
        self.war_room.query_one(RoomStrip).show(self.state)

    @_skip_when_screen_gone
    def _tick(self) -> None:
        """Once a second: repaint the clocks (only what changed) and log threshold crossings once."""
        if self._store is None:
            return
        now = self.now()
        newly_crossed = False
        for incident in self.state.incidents:
            clocks = incident_clocks(incident, self.config, self.state.comms.get(incident.id), now)
            for clock in crossed(clocks):
                key = clock.dedupe_key(incident.id)
                if key in self._seen_crossed:
                    continue
                self._seen_crossed.add(key)
                if not self._first_tick and self.config.bell:
                    self.bell()
                    self.bells += 1
                if key not in self._written_keys and not self.store.readonly:
                    self._written_keys.add(key)
                    newly_crossed = True
            if incident.id == self.state.current_id:
                self._render_clocks(clocks)
                incident_extras.render_impact(self)
        if newly_crossed:
            # The room's own rule writes them all in one pass (exactly once, whoever gets there
            # first): a screen on its own clock may see a crossing before the lease holder's tick.
            self._queue_write(None, functools.partial(record_crossings, config=self.config, now=now))
        if self.current is None:
            self._render_clocks([])
        self._first_tick = False

    def _render_clocks(self, clocks: list[Clock]) -> None:
        self.incident_pane.show_clocks(clocks)

    def on_resize(self, event: events.Resize) -> None:
        self._fit_to(event.size.width, event.size.height)

    def _fit_to(self, width: int, height: int) -> None:
        try:
            room = self.war_room
        except NoMatches:
            return
        room.set_class(width < 60 or height < 16, "-too-small")
