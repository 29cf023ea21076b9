"""Drawing the panes: the incident summary and timeline, the catalog and vendor tables (keyed
rows, only changed cells touched), the clocks once a second, and the layout for the size."""

from __future__ import annotations

import functools
from datetime import datetime, tzinfo

from rich.text import Text
from textual import events, on
from textual.css.query import NoMatches
from textual.widgets import Static

from ..base.timeutil import local_clock, short_duration, utcnow
from ..domain.clocks import Clock, crossed, incident_clocks
from ..domain.model import KIND_LABELS, Event
from ..domain.timeline import author_mark, todo_words
from ..room.duties import record_crossings
from . import incident_extras
from .guards import _skip_when_screen_gone
from .room_bar import RoomStrip
from .services_pane import ServicesPane
from .state import AppState
from .timeline_loading import show_timeline
from .timeline_view import TimelineView
from .vendor_pane import VendorPane
from .widgets import (
    ClockBar,
    IncidentSummary,
)


def entry_header(event: Event, tz: tzinfo, started: datetime | None, todo: tuple[str, bool] | None = None) -> Text:
    """`#12 · priya≠login sam · action · 14:22:05 (+4m40s) · written 14:30:02`; a todo's owner and
    due date right after its kind (`todo — Sam, due Tue 8 Dec`), red when overdue."""
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(f"#{event.id} · {author_mark(event)} · {KIND_LABELS.get(event.kind, event.kind)}", "bold")
    if todo is not None:
        text.append(f" — {todo[0]}", "bold red" if todo[1] else "cyan")
    text.append(f" · {local_clock(event.occurred_at, tz)}")
    if started is not None:
        text.append(f" ({short_duration(event.occurred_at - started, signed=True)})")
    if event.backdated:
        text.append(f" · written {local_clock(event.recorded_at, tz)}")
    text.append("  e correct · w withdraw · * star", "bright_black")
    return text


class Panes(AppState):
    """Part of WarRoomApp (app.py), by concern."""

    def _render_summary(self) -> None:
        incident = self.current
        ids = [i.id for i in self.state.incidents]
        position = f"[{ids.index(incident.id) + 1}/{len(ids)}]" if incident and len(ids) > 1 else ""
        self.q("#summary", IncidentSummary).show(incident, position, self.config, incident_extras.open_followups_line(self))

    def _show_incident(self, *, reload: bool) -> None:
        self._render_summary()
        incident = self.current
        timeline = self.q("#timeline", TimelineView)
        if reload:
            self.state.filter_label = ""
            self.q("#filter-bar", Static).update("")
            self.q("#filter-bar").display = False
            if incident is None:
                timeline.load([], utcnow())
            else:
                show_timeline(self, timeline, incident)
        clocks = self.q("#clocks")
        clocks.remove_children()
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

    def _update_if_changed(self, selector: str, content: Text) -> None:
        """Static.update() lays the screen out again and repaints what it covers: on a shared
        host over a slow link, unchanged content must cost nothing."""
        widget = self.q(selector, Static)
        if self._shown.get(selector) != content:
            self._shown[selector] = content
            widget.update(content)

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
        container = self.q("#clocks")
        bars = list(container.query(ClockBar))
        if len(bars) != len(clocks):
            container.remove_children()
            bars = [ClockBar() for _ in clocks]
            container.mount_all(bars)
        for bar, clock in zip(bars, clocks):
            bar.set_clock(clock)

    @on(TimelineView.Selected)
    def _show_selected_entry(self, message: TimelineView.Selected) -> None:
        """Under the timeline, the highlighted entry's number, author, kind and time first (one
        line, never pushed out by its text), then what is said about it."""
        strip = self.q("#selected-entry", Static)
        event = message.event
        if event is None:
            strip.display = False
            return
        notes, today = self.q("#timeline", TimelineView).notes, self.now().astimezone(self.config.tz).date()
        started = self.current.started_at if self.current else None
        strip.update(entry_header(event, self.config.tz, started, todo_words(event, notes, today)))
        strip.display = True

    def on_resize(self, event: events.Resize) -> None:
        self._fit_to(event.size.width, event.size.height)

    def _fit_to(self, width: int, height: int) -> None:
        try:
            room = self.war_room
        except NoMatches:
            return
        room.set_class(width < 60 or height < 16, "-too-small")
