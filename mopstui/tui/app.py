"""The war-room screen. It renders and dispatches; the store, clocks and catalog do the work.

Reads (cheap, never blocked in WAL mode) happen on the UI thread; every write goes through one
writer thread, in order, so a slow lock never freezes the screen: the entry shows as pending,
then confirmed, and is never dropped.
"""

from __future__ import annotations

import asyncio
import functools
import os
import queue
import threading
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events, on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Static
from textual.worker import Worker, WorkerState

from ..config import Config
from ..domain import catalog as cat
from ..domain.clocks import crossed, incident_clocks
from ..domain.grammar import parse_entry, parse_search
from ..domain.history import state_series
from ..domain.model import ROLES, SEVERITIES, STATUSES, Event, Incident, InputError
from ..domain.pagelag import lags as page_lags
from ..identity import hostname, ssh_client
from ..room import lift_override, record_crossings, set_override, statuses_as_ruled
from ..status.model import RANK, VendorStatus
from ..store import ReadOnlyStore, SQLStore, StoreBusy, StoreError, open_store
from ..textsafe import clean_line
from ..timeutil import TimeError, local_clock, utcnow
from . import incident_extras
from .hangup import Hangup
from .link import PROBE, PROBE_EVERY, LinkWatch
from .messages import WriteDone, WriteFailed, WriteWaiting
from .screens import ChoiceScreen, Declaration, DeclareScreen, DetailScreen, HelpScreen, PromptScreen
from .timeline_view import Pending, TimelineView
from .vendor_pane import HOURS, VendorDetailScreen, VendorHistory

if TYPE_CHECKING:
    from ..status.poller import Poller

from .widgets import (
    CatalogTable,
    ClockBar,
    EntryInput,
    FittedTable,
    IncidentSummary,
    VendorTable,
    badge_text,
    service_row,
    vendor_rows,
)

# Presence: a heartbeat every 15 s; three missed and a session is gone (a dead one drops out
# within a minute). $MOPSTUI_HEARTBEAT_SECONDS shortens it, for tests.
HEARTBEAT_EVERY = float(os.environ.get("MOPSTUI_HEARTBEAT_SECONDS") or 15.0)
PRESENCE_WINDOW = timedelta(seconds=3 * HEARTBEAT_EVERY)


def _skip_when_screen_gone(method):
    """Timers and resizes can fire while the war-room screen is being built or torn down:
    there is nothing to draw then, and nothing is lost (the next tick redraws)."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except NoMatches:
            return None

    return wrapper


def _said_when_unreachable(method):
    """A read of a war-room on a server that has gone away: said once, tried again on the next
    tick, and the return said too (entries written meanwhile wait as NOT SAVED)."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            result = method(self, *args, **kwargs)
        except StoreError as error:
            if not self.unreachable:
                self.unreachable = True
                self.notify(f"{error}. Entries you write are kept as NOT SAVED (ctrl+r saves them once it is back).",
                            title="Database unreachable", severity="error", timeout=10)
            return None
        if self.unreachable:
            self.unreachable = False
            self.notify("The war-room database is back; what happened meanwhile is on screen.", title="Reconnected")
        return result

    return wrapper


def _if_given(action: Callable[[str], object]) -> Callable[[str | None], None]:
    """A dialog's callback that acts only on a non-empty answer (Escape or "No" give nothing)."""

    def callback(value: str | None) -> None:
        if value:
            action(value)

    return callback


def _unless_cancelled(action: Callable[[str], object]) -> Callable[[str | None], None]:
    """A dialog's callback that acts on any answer, the empty one included, but not on Escape."""

    def callback(value: str | None) -> None:
        if value is not None:
            action(value)

    return callback


# --------------------------------------------------------------------------- the screen


class WarRoom(Screen):
    def __init__(self, config: Config) -> None:
        super().__init__()
        self.config = config

    def compose(self) -> ComposeResult:
        yield Static(id="room")
        with Horizontal(id="main"):
            with Vertical(id="side"):
                with Vertical(id="catalog-pane", classes="pane"):
                    yield Static(id="touchpoints")
                    yield CatalogTable(id="catalog", cursor_type="row", zebra_stripes=False)
                with Vertical(id="vendor-pane", classes="pane"):
                    yield VendorTable(id="vendors", cursor_type="row")
                    yield VendorHistory(id="vendor-history")
            with Vertical(id="incident-pane", classes="pane"):
                yield IncidentSummary(id="summary")
                with Vertical(id="clocks"):
                    pass
                yield Static(id="impact")
                yield Static(id="filter-bar")
                yield TimelineView(tz=self.config.tz, id="timeline")
                yield Static(id="selected-entry")
                with Horizontal(id="entry-row"):
                    yield Static("note ▸", id="entry-kind")
                    yield EntryInput(placeholder="n note · a action · c comms … type, Enter to log", id="entry")
        yield Static("The terminal is too small for the war-room: make it at least 60 columns by 16 lines "
                     "(80x24 is best). Nothing is lost meanwhile.", id="too-small")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#catalog-pane").border_title = "Services"
        self.query_one("#vendor-pane").border_title = "Vendors"
        self.query_one("#incident-pane").border_title = "Incident"


class WarRoomApp(App):
    CSS_PATH = "app.tcss"
    TITLE = "mopstui"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide"), (160, "-wider")]

    BINDINGS = [
        Binding("question_mark", "help", "Help"),
        # The keys that open the entry line are priority bindings, handled as the key arrives
        # (not after it has gone round the focused widget), so that focus moves before the rest
        # of the same burst is routed: those keys become text, never commands. check_action
        # turns them off while any text field has focus.
        Binding("n", "entry('note')", "Note", priority=True),
        Binding("a", "entry('action')", "Action", priority=True),
        Binding("d", "entry('decision')", "Decision", show=False, priority=True),
        Binding("c", "entry('comms')", "Comms", priority=True),
        Binding("u", "entry('customer')", "Customer", show=False, priority=True),
        Binding("t", "entry('action_item')", "Todo", show=False, priority=True),
        Binding("l", "entry('lesson')", "Lesson", show=False, priority=True),
        Binding("i", "entry('')", "Input", show=False, priority=True),
        Binding("s", "set_status", "Status"),
        Binding("v", "set_severity", "Severity", show=False),
        Binding("r", "role", "Role", show=False),
        Binding("N", "declare", "Declare"),
        Binding("R", "resolve", "Resolve", show=False),
        Binding("asterisk", "star", "Star", show=False),
        Binding("e", "correct", "Correct", show=False),
        Binding("E", "edit_incident", "Edit incident", show=False),
        Binding("D", "draft_update", "Draft update", show=False),
        Binding("f", "followup", "Follow-up", show=False),
        Binding("slash", "search", "Search"),
        Binding("left_square_bracket", "switch(-1)", "Prev incident", show=False),
        Binding("right_square_bracket", "switch(1)", "Next incident", show=False),
        Binding("p", "poll_now", "Poll", show=False),
        Binding("o", "runbook", "Runbook", show=False),
        Binding("O", "override", "Overrule vendor", show=False, id="override"),
        Binding("x", "export", "Export", show=False),
        Binding("escape", "leave_input", "Back", show=False),
        Binding("ctrl+r", "retry_unsaved", "Retry unsaved", show=False),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(
        self,
        config: Config,
        user: str,
        *,
        now: Callable[[], datetime] = utcnow,
        demo: bool = False,
        poll_interval: float = 0.5,
        animations: bool | None = None,
        poll_vendors: bool = True,
    ) -> None:
        super().__init__()
        self.config = config
        self.user = user
        self.now = now
        self.demo = demo
        self.poll_interval = poll_interval
        self.session_id = uuid.uuid4().hex[:12]
        self.poll_vendors = poll_vendors
        self.exported: Path | None = None  # where the last postmortem export was written
        self._poller: Poller | None = None
        self._stop_poller = threading.Event()
        self._store: SQLStore | None = None
        self.incidents: list[Incident] = []
        self.current_id: int | None = None
        self.last_event_id = 0
        self.data_version = -1
        self.unreachable = False  # the war-room's server did not answer the last read
        self.link = LinkWatch(config.away_after.total_seconds(), self._link_away, self._link_back)
        self.entry_kind = "note"
        self.statuses: dict[str, VendorStatus] = {}
        self.health: dict[str, cat.Health] = {}
        self._unsaved: dict[int, Callable[[SQLStore], object]] = {}  # NOT SAVED entries, by token, to retry
        self._restarts: dict[str, int] = {}
        self._vendor_mark: tuple = ()
        self.touchpoint_states: dict[str, str] = {}
        self.present: list[dict] = []
        self.filter_label = ""
        self._comms: dict[int, Event | None] = {}
        self._written_keys: set[str] = set()
        self._seen_crossed: set[str] = set()
        self._first_tick = True
        self._tokens = 0
        self._callbacks: dict[int, Callable | None] = {}
        self._table_widths: dict[str | None, int] = {}
        self._shown: dict[str, Text] = {}
        self._writes: queue.Queue = queue.Queue()
        self._waiting_notice = False
        self.bells = 0
        if animations is None:
            animations = config.animations
        if animations is None:
            animations = not (os.environ.get("SSH_CONNECTION") or os.environ.get("SSH_TTY"))
        if not animations:
            self.animation_level = "none"

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = False) -> None:
        """Every notice is plain text: notices quote what people typed and vendors wrote (an entry
        starting `@[/nope]` once crashed the screen through markup in its error notice)."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    @property
    def store(self) -> SQLStore:
        """The war-room's database, open from mount on (a failure to open ends the app)."""
        if self._store is None:
            raise RuntimeError("the war-room database is not open yet")
        return self._store

    # ------------------------------------------------------------------ start-up

    async def on_mount(self) -> None:
        try:
            self._store = open_store(self.config.database_location, group=self.config.database_group)
        except StoreError as error:
            self.exit(message=f"mopstui: {error}", return_code=1)
            return
        try:
            # A dropped SSH connection hangs up the terminal: leave within seconds (presence,
            # lease released), never spin on a dead terminal (see hangup.py).
            loop = asyncio.get_running_loop()
            Hangup(lambda: loop.call_soon_threadsafe(self.exit), self._release_on_hangup).install()
        except (ValueError, OSError):  # not the main thread (tests drive the app from elsewhere)
            pass
        await self.push_screen(WarRoom(self.config))
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
        self.q("#timeline").focus()
        self._heartbeat()
        self._refresh_presence()
        if not self.config.services and not self.config.vendors:
            self.notify("No catalog configured: no services or vendors to show. Start from config.example.yaml "
                        "(mopstui --help says where configs are read from; mopstui check-config checks one).",
                        title="Empty catalog", timeout=15)
        self._tick()
        self.set_interval(1.0, self._tick)
        self.set_interval(self.poll_interval, self._check_changes)
        # On a server the store wakes us on each commit (another host's entry in milliseconds);
        # the interval above stays as the catch-up. SQLite has no notifications: the poll it is.
        loop = asyncio.get_running_loop()
        self.store.watch_changes(lambda: loop.call_soon_threadsafe(self._check_changes), self._stop_poller)
        self.set_interval(HEARTBEAT_EVERY, self._heartbeat)
        if not self.is_headless:
            self.set_interval(PROBE_EVERY, self._probe_link)
            self._probe_link()
        # Who is here is read on its own, slower timer: with 50 sessions their heartbeats are
        # several commits a second, and each must not make every screen re-read presence.
        self.set_interval(self.poll_interval * 10, self._refresh_presence)
        if self.poll_vendors and (self.config.vendors or self.config.webhooks or any(s.probe for s in self.config.services)):
            self._run_poller()
        if self.store.readonly:
            self.notify("This database is read-only for you: you can watch, not write.", severity="warning", timeout=8)

    @property
    def war_room(self) -> WarRoom:
        for screen in self.screen_stack:
            if isinstance(screen, WarRoom):
                return screen
        # NoMatches, not StopIteration: raised inside a message handler, StopIteration turns into
        # "coroutine raised StopIteration" and kills the app (a write confirmed while it exits).
        raise NoMatches("the war-room screen is not up")

    def q(self, selector: str, kind=None):
        return self.war_room.query_one(selector, kind) if kind else self.war_room.query_one(selector)

    # ------------------------------------------------------------------ reading the store

    def _load_incidents(self) -> None:
        self.incidents = self.store.incidents()
        if self.current_id is not None and self.current_id not in [i.id for i in self.incidents]:
            resolved_now = self.current_id
            try:
                current = self.store.incident(resolved_now)
            except InputError:
                current = None
            if current is not None and current.resolved:
                # Keep a just-resolved incident on screen until the user switches away.
                self.incidents.append(current)
        if self.current_id is None and self.incidents:
            self.current_id = self.incidents[-1].id
        for incident in self.incidents:
            if incident.id not in self._comms:
                self._comms[incident.id] = self.store.last_of_kind(incident.id, "comms")
                self._written_keys.update(self.store.dedupe_keys(incident.id))

    def _load_vendor_statuses(self) -> None:
        known = statuses_as_ruled(self.store)
        for vendor in self.config.vendors:
            known.setdefault(vendor.id, VendorStatus(vendor.id, vendor.name, vendor.kind))
        self.statuses = known
        self.health = cat.service_health(self.config, self.statuses)
        self.touchpoint_states = {t.name: t.state for t in cat.touchpoints(self.config, self.health)}

    @property
    def current(self) -> Incident | None:
        return next((i for i in self.incidents if i.id == self.current_id), None)

    @_skip_when_screen_gone
    @_said_when_unreachable
    def _check_changes(self) -> None:
        """The cheap check: has anyone committed? Then read only what is new."""
        if self._store is None:
            return
        version = self.store.data_version()
        if version == self.data_version:
            return
        new = self.store.events_since(self.last_event_id)
        self.data_version = version  # only once read: a read that failed (server away) is tried again
        if new:
            self.last_event_id = new[-1].id
            self._apply_new_events(new)
        # Separate kinds of change: a heartbeat repaints nothing; a poller round or an override
        # reloads the vendors; an entry appends a line (above).
        mark = self.store.vendor_status_mark()
        if mark != self._vendor_mark or any(e.kind == "override" for e in new):
            self._vendor_mark = mark
            self._load_vendor_statuses()
            self._render_catalog()
            self._render_vendors()

    def _apply_new_events(self, events: list[Event]) -> None:
        state_changed = False
        for event in events:
            if event.dedupe:
                self._written_keys.add(event.dedupe)
            if event.kind == "comms" and event.incident_id is not None:
                previous = self._comms.get(event.incident_id)
                if previous is None or (event.occurred_at, event.id) > (previous.occurred_at, previous.id):
                    self._comms[event.incident_id] = event
            if event.kind in ("declared", "status", "severity", "role", "edit"):
                state_changed = True
        if state_changed:
            self._load_incidents()
            if self.current_id is None and self.incidents:
                self.current_id = self.incidents[-1].id
                self._show_incident(reload=True)
                return
        mine = [e for e in events if e.incident_id == self.current_id]
        if mine and not self.filter_label:
            self.q("#timeline", TimelineView).add(mine)
        self._render_summary()

    # ------------------------------------------------------------------ rendering

    def _render_summary(self) -> None:
        incident = self.current
        ids = [i.id for i in self.incidents]
        position = f"[{ids.index(incident.id) + 1}/{len(ids)}]" if incident and len(ids) > 1 else ""
        self.q("#summary", IncidentSummary).show(incident, position, self.config, incident_extras.open_followups_line(self))

    def _show_incident(self, *, reload: bool) -> None:
        self._render_summary()
        incident = self.current
        timeline = self.q("#timeline", TimelineView)
        if reload:
            self.filter_label = ""
            self.q("#filter-bar", Static).update("")
            self.q("#filter-bar").display = False
            if incident is None:
                timeline.load([], utcnow())
            else:
                timeline.load(self.store.events(incident.id), incident.started_at)
        clocks = self.q("#clocks")
        clocks.remove_children()
        self._tick()

    def _render_catalog(self, *, rebuild: bool = False) -> None:
        table = self.q("#catalog", CatalogTable)
        wide = self.war_room.has_class("-wide") or self.war_room.has_class("-wider")
        columns = ["Health", "Service"] + (["Tier", "Owner", "Touchpoint"] if wide else [])
        filter_text = getattr(self, "catalog_filter", "").lower()
        services = [
            s for s in cat.sorted_services(self.config, self.health)
            if not filter_text or filter_text in " ".join(
                (s.name, s.owner, s.touchpoint, s.vendor or "", s.id, cat.state_word(self.health[s.id].state))
            ).lower()
        ]  # fmt: skip
        keys = [s.id for s in services]
        current_keys = [row.value for row in table.rows]
        with self.batch_update():
            if rebuild or len(table.columns) != len(columns) or keys != current_keys or self._width_changed(table):
                cursor = table.cursor_row
                table.clear(columns=True)
                self._add_columns(table, columns, wide)
                for service in services:
                    table.add_row(*service_row(service, self.health[service.id], wide), key=service.id)
                if services:
                    table.move_cursor(row=min(cursor, len(services) - 1), animate=False)
            else:
                # Same rows in the same order: touch only the cells whose text changed.
                for service in services:
                    new = service_row(service, self.health[service.id], wide)
                    for column, value in zip(columns, new):
                        if str(table.get_cell(service.id, column.lower())) != str(value):
                            table.update_cell(service.id, column.lower(), value)
        lines = []
        rollup = cat.touchpoints(self.config, self.health)
        if rollup and all(t.state == "unknown" for t in rollup):
            rollup = []
            lines.append(Text("? touchpoints unknown: no vendor status yet", style="bright_black", no_wrap=True,
                              overflow="ellipsis"))
        for touchpoint in rollup[: 3 if wide else 2]:
            line = Text(no_wrap=True, overflow="ellipsis")
            line.append_text(badge_text(touchpoint.state))
            line.append(" ")
            line.append(clean_line(touchpoint.name) + " ", "bold")  # spaces inside spans survive SVG export
            line.append(clean_line(cat.culprits_line(self.config, touchpoint, limit=2)), "bright_black")
            lines.append(line)
        rollup_text = Text("\n", no_wrap=True, overflow="ellipsis").join(lines)
        self._update_if_changed("#touchpoints", rollup_text)
        title = "Services" + (f" (filter: {clean_line(filter_text)})" if filter_text else "")
        pane = self.q("#catalog-pane")
        if pane.border_title != title:
            pane.border_title = title

    @staticmethod
    def _add_columns(table: DataTable, columns: list[str], wide: bool) -> None:
        """Columns sized to the pane, so nothing hides behind a horizontal scrollbar.

        The first column is the health badge (symbol + word); the remaining width is shared
        out by weight: names get the most.
        """
        badge_width = 10
        weights = {"Service": 4, "Vendor": 3, "Tier": 0, "Owner": 3, "Touchpoint": 3, "Heard": 2, "Note": 5}
        fixed = {"Tier": 4}
        if not wide:
            columns = columns[:2]
        available = (table.size.width or 28) - 1 - 2 * table.cell_padding * len(columns) - badge_width
        available -= sum(fixed.get(c, 0) for c in columns)
        total = sum(weights[c] for c in columns[1:]) or 1
        table.add_column(columns[0], key=columns[0].lower(), width=badge_width)
        for name in columns[1:]:
            width = fixed.get(name) or max(4, available * weights[name] // total)
            table.add_column(name, key=name.lower(), width=width)

    def _width_changed(self, table: DataTable) -> bool:
        seen = self._table_widths.get(table.id)
        self._table_widths[table.id] = table.size.width
        return seen is not None and seen != table.size.width

    def _render_vendors(self, *, rebuild: bool = False) -> None:
        table = self.q("#vendors", VendorTable)
        wide = self.war_room.has_class("-wide") or self.war_room.has_class("-wider")
        columns = ["State", "Vendor"] + (["Heard", "Note"] if wide else [])
        now = self.now()
        ordered = sorted(self.statuses.values(), key=lambda s: (-RANK.get(s.state, -1) if s.state in RANK else 1, s.name.lower()))
        rows = [row for status in ordered for row in vendor_rows(status, now, wide)]
        keys = [key for key, _ in rows]
        with self.batch_update():
            changed_rows = keys != [r.value for r in table.rows]
            if rebuild or len(table.columns) != len(columns) or changed_rows or self._width_changed(table):
                cursor = table.cursor_row
                table.clear(columns=True)
                self._add_columns(table, columns, wide)
                for key, cells in rows:
                    table.add_row(*cells, key=key)
                if rows:
                    table.move_cursor(row=min(cursor, len(rows) - 1), animate=False)
            else:
                for key, cells in rows:
                    for column, value in zip(columns, cells):
                        if str(table.get_cell(key, column.lower())) != str(value):
                            table.update_cell(key, column.lower(), value)
        self._vendor_history()  # now, not on a later message: the line under the table is never blank

    @_skip_when_screen_gone
    @_said_when_unreachable
    def _refresh_presence(self) -> None:
        if self._store is None:
            return
        self.present = self.store.present(within=PRESENCE_WINDOW)
        others = sorted({clean_line(p["user"]) for p in self.present} - {self.user})
        room = Text(no_wrap=True, overflow="ellipsis")
        room.append(" mopstui ", "bold reverse")
        room.append(f" {self.config.database.name if self.config.database_url is None else self.config.database_label}", "bold")
        if self.demo:
            room.append(" (demo)", "italic")
        if self.store.readonly:
            room.append(" READ-ONLY" + (" snapshot (no live updates)" if self.store.snapshot else ""), "bold red")
        room.append(f" · you: {clean_line(self.user)}")
        room.append(" · here: " + (", ".join(others) if others else "nobody else"))
        self._update_if_changed("#room", room)

    def _update_if_changed(self, selector: str, content: Text) -> None:
        """Static.update() lays the screen out again and repaints what it covers: on a shared
        host over a slow link, unchanged content must cost nothing."""
        widget = self.q(selector, Static)
        if self._shown.get(selector) != content:
            self._shown[selector] = content
            widget.update(content)

    @on(FittedTable.Resized)
    @_skip_when_screen_gone
    def _redraw_tables(self) -> None:
        # The breakpoint class may have changed too: narrow and wide panes have other columns.
        if self._store is not None:
            self._render_catalog()
            self._render_vendors()

    # ------------------------------------------------------------------ clocks

    @_skip_when_screen_gone
    def _tick(self) -> None:
        """Once a second: repaint the clocks (only what changed) and log threshold crossings once."""
        if self._store is None:
            return
        now = self.now()
        newly_crossed = False
        for incident in self.incidents:
            clocks = incident_clocks(incident, self.config, self._comms.get(incident.id), now)
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
            if incident.id == self.current_id:
                self._render_clocks(clocks)
                incident_extras.render_impact(self)
        if newly_crossed:
            # The room's own rule writes them all in one pass (exactly once, whoever gets there
            # first): a screen on its own clock may see a crossing before the lease holder's tick.
            self._queue_write(None, functools.partial(record_crossings, config=self.config, now=now))
        if self.current is None:
            self._render_clocks([])
        self._first_tick = False

    def _render_clocks(self, clocks) -> None:
        container = self.q("#clocks")
        bars = list(container.query(ClockBar))
        if len(bars) != len(clocks):
            container.remove_children()
            bars = [ClockBar() for _ in clocks]
            container.mount_all(bars)
        for bar, clock in zip(bars, clocks):
            bar.set_clock(clock)

    # ------------------------------------------------------------------ writing

    def _queue_write(self, pending: Pending | None, action: Callable[[SQLStore], object], on_done: Callable | None = None) -> int:
        if self._store is not None and self.store.readonly:
            if pending is not None:  # background writes (heartbeats) are skipped silently
                self._can_write()
            return 0
        if pending is None:
            self._tokens += 1
        token = pending.token if pending else self._tokens
        if pending is not None:
            self.q("#timeline", TimelineView).add_pending(pending)
        self._callbacks[token] = on_done
        self._writes.put((token, action))
        return token

    @work(thread=True, exit_on_error=False, group="writer", name="writer")
    def _writer(self) -> None:
        """The one writer: jobs in order, retried while the database is locked, never dropped."""
        store = open_store(self.config.database_location, group=self.config.database_group, readonly=self.store.readonly)
        try:
            while True:
                job = self._writes.get()
                if job is None:
                    return
                token, action = job
                while True:
                    try:
                        result = action(store)
                    except StoreBusy as error:
                        self.post_message(WriteWaiting(str(error)))
                        continue
                    except (InputError, ReadOnlyStore, StoreError, TimeError) as error:
                        self.post_message(WriteFailed(token, str(error), action))
                    except Exception as error:  # anything else: said out loud, the entry kept, the writer alive
                        self.post_message(WriteFailed(token, f"unexpected {type(error).__name__}: {error}", action))
                    else:
                        self.post_message(WriteDone(token, result))
                    break
        finally:
            store.close()

    @_skip_when_screen_gone
    def on_write_done(self, message: WriteDone) -> None:
        self._waiting_notice = False
        timeline = self.q("#timeline", TimelineView)
        self._check_changes()  # bring in the confirmed event before dropping the pending line
        timeline.settle_pending(message.token)
        callback = self._callbacks.pop(message.token, None)
        if callback:
            callback(message.result)

    @_skip_when_screen_gone
    def on_write_failed(self, message: WriteFailed) -> None:
        self._callbacks.pop(message.token, None)
        timeline = self.q("#timeline", TimelineView)
        kept = any(p.token == message.token for p in timeline.pending)
        timeline.settle_pending(message.token, failed=message.reason)
        if kept and message.action is not None:  # an entry on screen: its text is kept, ctrl+r tries again
            self._unsaved[message.token] = message.action
        hint = " It stays on screen as NOT SAVED: ctrl+r tries again." if kept else ""
        if not kept and self.unreachable:
            return  # a heartbeat while the server is away: already said once, and said again when it is back
        self.notify(message.reason + hint, title="Not saved", severity="error", timeout=10, markup=False)

    @on(TimelineView.Selected)
    def _show_selected_entry(self, message: TimelineView.Selected) -> None:
        """The selected entry whole, wrapped, under the timeline: a narrow pane cuts every line."""
        strip = self.q("#selected-entry", Static)
        event = message.event
        if event is None:
            strip.display = False
            return
        text = Text(f"#{event.id} {clean_line(event.who)} · {event.kind}: ", style="bold")
        text.append(clean_line(event.text, 2000))
        strip.update(text)
        strip.display = True

    def on_resize(self, event: events.Resize) -> None:
        self._fit_to(event.size.width, event.size.height)

    def _fit_to(self, width: int, height: int) -> None:
        try:
            room = self.war_room
        except NoMatches:
            return
        room.set_class(width < 60 or height < 16, "-too-small")

    def action_retry_unsaved(self) -> None:
        """ctrl+r: write the entries shown as NOT SAVED again, in their order."""
        if not self._unsaved:
            self.notify("Nothing to retry: every entry is saved.", timeout=3)
            return
        timeline = self.q("#timeline", TimelineView)
        for token, action in sorted(self._unsaved.items()):
            timeline.retry_pending(token)
            self._writes.put((token, action))
        self.notify(f"Saving {len(self._unsaved)} unsaved entr{'y' if len(self._unsaved) == 1 else 'ies'} again…", timeout=3)
        self._unsaved.clear()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one handler for background work that died: said out loud, and the writer and the
        poller restarted (a few times, then left stopped with the reason on screen)."""
        if event.state != WorkerState.ERROR or event.worker.name not in ("writer", "poller"):
            return
        name, error = event.worker.name, event.worker.error
        restarts = self._restarts[name] = self._restarts.get(name, 0) + 1
        if restarts > 3:
            self.notify(f"The {name} stopped again ({type(error).__name__}: {error}); it is not restarted. "
                        "Quit and open mopstui again.", title=f"{name} stopped", severity="error", timeout=30, markup=False)
            return
        self.notify(f"The {name} stopped ({type(error).__name__}: {error}); restarting it.", title=f"{name} restarted",
                    severity="error", timeout=10, markup=False)
        if name == "writer":
            self._writer()
        else:
            self._run_poller()

    def on_write_waiting(self, message: WriteWaiting) -> None:
        if not self._waiting_notice:
            self._waiting_notice = True
            self.notify("Another process holds the database lock; your entry is kept and will be saved.",
                        severity="warning", timeout=6)

    def _heartbeat(self) -> None:
        if self._store is None or self.store.readonly or self.link.away:
            return
        current = self.current_id
        self._queue_write(None, lambda s: s.heartbeat(
            self.session_id, user=self.user, host=hostname(), client=ssh_client(), pid=os.getpid(), incident_id=current))

    # ------------------------------------------------------------------ the link to the terminal (link.py)

    def _probe_link(self) -> None:
        self.link.check()
        if self._driver is not None:
            self._driver.write(PROBE)

    def on_cursor_position(self, event: events.CursorPosition) -> None:
        """The terminal's answer to the link probe: it is there."""
        self.link.answered()

    def _link_away(self, silent: float) -> None:
        """Nobody is reading this screen: stop saying we are in the room, leave the duties to others."""
        if self._poller is not None:
            self._poller.standing_down.set()
        if self._store is not None and not self.store.readonly:
            self._queue_write(None, lambda s: s.leave(self.session_id))

    def _link_back(self, silent: float) -> None:
        if self._poller is not None:
            self._poller.standing_down.clear()
        self._heartbeat()
        self.notify(f"Your terminal did not answer for {silent:.0f} s: the others saw you as away, and the room's duties "
                    "went to another session. You are back in the room.", title="Link back", timeout=10)

    def action_edit_incident(self) -> None:
        incident_extras.edit_incident(self)

    def action_draft_update(self) -> None:
        incident_extras.draft_update(self)

    def action_followup(self) -> None:
        incident_extras.followup(self)

    def _need_incident(self) -> Incident | None:
        incident = self.current
        if incident is None:
            self.notify("No incident yet: press N to declare one.", severity="warning")
        return incident

    # ------------------------------------------------------------------ logging

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Typing in a field, or a dialog is open: the key is text for it, not "open the entry line".
        typing = isinstance(self.focused, Input) or not isinstance(self.screen, WarRoom)
        return not (action == "entry" and typing)

    def action_entry(self, kind: str) -> None:
        if kind:
            self.entry_kind = kind
        label = "todo" if self.entry_kind == "action_item" else self.entry_kind
        self.q("#entry-kind", Static).update(f"{label} ▸")
        # Focus now, not after the queue (Widget.focus defers): the keys of the same burst are
        # already queued behind this one and must reach the entry line, never the bindings.
        self.war_room.set_focus(self.q("#entry", Input))

    def action_leave_input(self) -> None:
        if self.filter_label:
            self._show_incident(reload=True)
            return
        if getattr(self, "catalog_filter", "") and self.focused is self.q("#catalog"):
            self.catalog_filter = ""
            self._render_catalog(rebuild=True)
            self.notify("Catalog filter cleared.", timeout=2)
            return
        if isinstance(self.focused, Input):
            self.q("#timeline").focus()

    def _can_write(self) -> bool:
        if self._store is not None and self.store.readonly:
            self.notify(f"You can watch but not write: {self.config.database_label} is read-only for you "
                        "(ask for the war-room group).", severity="warning", timeout=8, markup=False)
            return False
        return True

    @on(Input.Submitted, "#entry")
    def _submit_entry(self, event: Input.Submitted) -> None:
        if not self._can_write():
            return
        incident = self._need_incident()
        if incident is None or not event.value.strip():
            return
        try:
            entry = parse_entry(event.value, self.entry_kind, self.config.tz, self.now())
        except TimeError as error:
            self.notify(str(error), severity="error")
            return
        if not entry.text:
            self.notify("The entry is empty: write what happened.", severity="error")
            return
        self.log_entry(incident.id, entry.kind, entry.text, entry.at, entry.value)
        event.input.value = ""
        if entry.at is not None:  # it lands where it happened, maybe far above: say so
            self.notify(f"Logged at {local_clock(entry.at, self.config.tz)} (back-dated): it sits at that time in the "
                        "timeline.", timeout=4)

    def log_entry(self, incident_id: int, kind: str, text: str, at: datetime | None = None, value: str | None = None) -> int:
        self._tokens += 1
        pending = Pending(self._tokens, kind, text, self.user, at or self.now())
        return self._queue_write(pending, lambda s: s.append(incident_id, kind, text, author=self.user, at=at, value=value))

    # ------------------------------------------------------------------ incident actions

    def action_declare(self) -> None:
        def declared(result: Declaration | None) -> None:
            if result is None:
                return
            snapshot = cat.catalog_snapshot(self.config)
            self._queue_write(
                None,
                lambda s: s.declare(result.title, severity=result.severity, author=self.user,
                                    services=result.services, catalog=snapshot),
                on_done=self._switch_to_declared,
            )

        self.push_screen(DeclareScreen(self.config), declared)

    def _switch_to_declared(self, incident: Incident) -> None:
        self._load_incidents()
        self.current_id = incident.id
        self._show_incident(reload=True)
        self.notify(f"{incident.label} declared", timeout=3)

    def action_set_status(self) -> None:
        incident = self._need_incident()
        if incident is None:
            return
        choices = [(s, f"{'→ ' if STATUSES.index(s) == STATUSES.index(incident.status) + 1 else '  '}{s}") for s in STATUSES]
        self.push_screen(ChoiceScreen(f"{incident.label}: status is {incident.status}", choices, current=incident.status),
                         _if_given(lambda value: self.set_status(incident.id, value)))

    def set_status(self, incident_id: int, status: str) -> None:
        self._queue_write(None, lambda s: s.set_status(incident_id, status, author=self.user))

    def action_resolve(self) -> None:
        incident = self._need_incident()
        if incident is None:
            return
        self.push_screen(
            ChoiceScreen(f"Resolve {incident.label}?", [("resolved", "Yes, resolve it"), ("", "No")]),
            _if_given(lambda _: self.set_status(incident.id, "resolved")),
        )

    def action_set_severity(self) -> None:
        incident = self._need_incident()
        if incident is None:
            return
        choices = [(s, f"{s} — {self.config.severities[s].description}") for s in SEVERITIES]
        self.push_screen(ChoiceScreen(f"{incident.label}: severity", choices, current=incident.severity),
                         _if_given(lambda value: self.set_severity(incident.id, value)))

    def set_severity(self, incident_id: int, severity: str) -> None:
        self._queue_write(None, lambda s: s.set_severity(incident_id, severity, author=self.user))

    def action_role(self) -> None:
        incident = self._need_incident()
        if incident is None:
            return

        def picked_role(role: str | None) -> None:
            if not role:
                return
            people = list(dict.fromkeys([self.user] + [p["user"] for p in self.present]))
            choices = [(p, f"{clean_line(p)}{' (you)' if p == self.user else ''}") for p in people]
            choices.append(("\0other", "someone else…"))
            self.push_screen(ChoiceScreen(f"Who is {role}?", choices), lambda who: picked_person(role, who))

        def picked_person(role: str, who: str | None) -> None:
            if who == "\0other":
                self.push_screen(PromptScreen(f"Who is {role}?", placeholder="name"),
                                 _if_given(lambda name: self.assign_role(incident.id, role, name.strip())))
            elif who:
                self.assign_role(incident.id, role, who)

        choices = [(r, f"{r}: {clean_line(incident.roles.get(r, '—'))}") for r in ROLES]
        self.push_screen(ChoiceScreen("Take or assign a role", choices), picked_role)

    def assign_role(self, incident_id: int, role: str, user: str) -> None:
        self._queue_write(None, lambda s: s.assign_role(incident_id, role, user, author=self.user))

    def _selected_entry(self) -> Event | None:
        event = self.q("#timeline", TimelineView).selected
        if event is None:
            self.notify("Select an entry in the timeline first (Tab to it, then ↑ ↓).", severity="warning")
        return event

    def action_star(self) -> None:
        incident, event = self._need_incident(), self._selected_entry()
        if incident and event:
            self._queue_write(None, lambda s: s.star(incident.id, event.id, author=self.user))

    def action_correct(self) -> None:
        incident, event = self._need_incident(), self._selected_entry()
        if not (incident and event):
            return
        self.push_screen(
            PromptScreen(f"Correct #{event.id} ({clean_line(event.author)}): the corrected text", value=event.text),
            _if_given(lambda text: text.strip() and self._queue_write(
                None, lambda s: s.correct(incident.id, event.id, text, author=self.user))),
        )

    def action_switch(self, step: int) -> None:
        if not self.incidents:
            return
        ids = [i.id for i in self.incidents]
        index = ids.index(self.current_id) if self.current_id in ids else 0
        self.current_id = ids[(index + step) % len(ids)]
        self.incidents = [i for i in self.incidents if not i.resolved or i.id == self.current_id]
        self._show_incident(reload=True)

    # ------------------------------------------------------------------ search

    def action_search(self) -> None:
        focused = self.focused
        if isinstance(focused, CatalogTable):
            self.filter_catalog()
            return
        incident = self._need_incident()
        if incident is None:
            return
        self.push_screen(
            PromptScreen("Search the timeline", value=self.filter_label,
                         placeholder="words · kind:comms · author:sam   (empty: show all)"),
            _unless_cancelled(self.search),
        )

    def search(self, query: str) -> None:
        incident = self.current
        if incident is None:
            return
        parsed = parse_search(query)
        if parsed.empty:
            self._show_incident(reload=True)
            return
        found = self.store.search(incident.id, parsed.words, kind=parsed.kind, author=parsed.author)
        timeline = self.q("#timeline", TimelineView)
        timeline.load(found, incident.started_at, filter_label=query)
        self.filter_label = query
        bar = self.q("#filter-bar", Static)
        bar.update(Text(f"filter: {clean_line(query)} — {len(found)} entries · Escape shows all", style="bold"))
        bar.display = True

    @on(CatalogTable.FilterRequested)
    def filter_catalog(self) -> None:
        def apply(text: str | None) -> None:
            if text is None:
                return
            self.catalog_filter = text.strip()
            self._render_catalog(rebuild=True)

        self.push_screen(PromptScreen("Filter services (any column)", value=getattr(self, "catalog_filter", "")), apply)

    # ------------------------------------------------------------------ details

    @on(DataTable.RowSelected, "#catalog")
    def _service_detail(self, event: DataTable.RowSelected) -> None:
        self.show_service(str(event.row_key.value))

    def show_service(self, service_id: str) -> None:
        service = self.config.service(service_id)
        if service is None:
            return
        health = self.health.get(service.id, cat.Health("unknown"))
        body = Text()
        body.append_text(badge_text(health.state))
        body.append(f"  {clean_line(health.reason)}\n\n")
        for label, value in cat.service_facts(self.config, service):
            body.append(f"{label:<12}", "bold")
            body.append(clean_line(value) + "\n")
        vendor = self.statuses.get(service.vendor or "")
        if vendor is not None:
            body.append("\nVendor components\n", "bold")
            for component in vendor.components:
                body.append_text(badge_text(component.state))
                body.append(f"  {clean_line(component.label())}\n")
            history = self.store.observations(vendor_id=vendor.id, latest=8)
            if history:
                body.append("\nRecent status changes\n", "bold")
                for change in reversed(history):
                    body.append(clean_line(cat.change_line(change)) + "\n")
        self.push_screen(DetailScreen(f"{clean_line(service.name)} ({service.id})", body))

    def _vendor_under_cursor(self) -> tuple[VendorStatus | None, str | None]:
        """The highlighted vendor, and the component label when a component row is highlighted."""
        table = self.q("#vendors", VendorTable)
        if not table.row_count:
            return None, None
        key = str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        parts = key.split(":", 2)
        return self.statuses.get(parts[1]), (parts[2] if parts[0] == "c" and len(parts) > 2 else None)

    @on(DataTable.RowHighlighted, "#vendors")
    def _vendor_history(self, event: DataTable.RowHighlighted | None = None) -> None:
        if not any(isinstance(screen, WarRoom) for screen in self.screen_stack):
            return  # highlighted as the screen goes away: nothing to show it on
        status, _ = self._vendor_under_cursor()
        if status is not None:
            since = (self.now() - timedelta(hours=HOURS)).isoformat()
            self.q("#vendor-history", VendorHistory).show(
                status.name, self.store.observations(vendor_id=status.id, since=since), status.state, self.now())

    @on(DataTable.RowSelected, "#vendors")
    def _vendor_detail(self, event: DataTable.RowSelected) -> None:
        status, _ = self._vendor_under_cursor()
        if status is None:
            return
        observations = self.store.observations(vendor_id=status.id)
        probes = [o for s in self.config.services if s.vendor == status.id and s.probe
                  for o in self.store.observations(vendor_id=cat.probe_id(s.id))]
        lags = page_lags(self.config, observations + probes, vendor_id=status.id)
        series = state_series(observations, now=self.now(), current=status.state, hours=HOURS)
        self.push_screen(VendorDetailScreen(status, lags, series))

    def action_override(self) -> None:
        """O: the room overrules the highlighted vendor's (or component's) page, with a reason."""
        status, component = self._vendor_under_cursor()
        if status is None or status.kind == "probe" or self.config.vendor(status.id) is None:
            self.notify("Highlight a vendor (or one of its components) in the Vendors pane first.", severity="warning")
            return
        target = f"{status.name}{' · ' + component if component else ''}"
        choices = [("down", "It is down for us"), ("unaffected", "It does not affect us")]
        if status.override:
            choices.append(("lift", "Lift the override"))

        def picked(verdict: str | None) -> None:
            if verdict == "lift":
                self._queue_write(None, lambda s: lift_override(s, self.config, vendor_id=status.id, component=component,
                                                                author=self.user))
            elif verdict:
                self.push_screen(PromptScreen(f"{target}: {'down for us' if verdict == 'down' else 'not us'} — why?",
                                              placeholder="the reason, for the log (holds until the page changes)"),
                                 _if_given(lambda reason: self._queue_write(None, lambda s: set_override(
                                     s, self.config, vendor_id=status.id, component=component, verdict=verdict,
                                     reason=reason, until="page-changes", author=self.user))))

        self.push_screen(ChoiceScreen(f"Overrule {target}'s page", choices), picked)

    def action_runbook(self) -> None:
        table = self.q("#catalog", CatalogTable)
        if not table.row_count:
            return
        service = self.config.service(str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value))
        if service is None or not service.runbook:
            self.notify("No runbook for this service.", severity="warning")
            return
        # Over SSH the browser is on the other side: show the link for the terminal to open.
        self.copy_to_clipboard(service.runbook)
        self.notify(f"{service.runbook}  (copied)", title=f"Runbook: {clean_line(service.name)}", timeout=12, markup=False)

    @work(thread=True, exit_on_error=False, group="poller", name="poller")
    def _run_poller(self) -> None:
        """Vendor polling in its own thread and event loop (httpx is imported only here). Only
        the session holding the database's lease polls; the others read its results."""

        from ..status.poller import Poller

        if self._store is None or self.store.readonly:
            return
        with open_store(self.config.database_location, group=self.config.database_group) as store:
            self._poller = Poller(self.config, store, f"tui:{hostname()}:{os.getpid()}:{self.session_id}",
                                  on_round=self._poller_report)
            if self.link.away:  # restarted while nobody reads this screen: it stays down
                self._poller.standing_down.set()
            asyncio.run(self._poller.run(self._stop_poller))

    def _poller_report(self, summary: dict) -> None:
        """From the poller's thread: problems of the lease holder's duties are said on screen."""
        if "problem" in summary:
            self.call_from_thread(self.notify, summary["problem"], severity="warning", timeout=10)
        elif summary.get("forced"):  # the round `p` asked for: say that it is done, and what it found
            self.call_from_thread(self.notify, f"Polled {summary['polled']} vendors and probes: {summary['changes']} "
                                  f"changes, {summary['unknown']} unknown.", timeout=4)

    def action_poll_now(self) -> None:
        if self._poller is None:
            self.notify("Vendor polling is not running in this session.", severity="warning")
        elif not self._poller.holding:
            holder = self.store.lease_holder("poller") or "another session"
            self.notify(f"Vendors are polled by {holder}; this screen shows its results.", timeout=5)
        else:
            self._poller.now_requested.set()
            self.notify("Polling vendors now…", timeout=2)

    def action_export(self) -> None:
        incident = self._need_incident()
        if incident is not None:
            self._export(incident.id)

    @work(thread=True, exit_on_error=False, group="export")
    def _export(self, incident_id: int) -> None:
        """Markdown next to the database, in a thread: a big incident must not freeze the screen."""
        from ..export import default_filename, export_to_file

        path = self.config.database.parent / default_filename(incident_id, "md")
        try:
            with open_store(self.config.database_location, readonly=True) as store:
                export_to_file(store, incident_id, self.config, "md", path)
        except (OSError, StoreError, InputError) as error:
            self.call_from_thread(self.notify, f"Export failed: {error}", severity="error", markup=False)
            return
        self.exported = path
        self.call_from_thread(self.notify, f"{path} (and its SVG timeline beside it)", title="Postmortem written",
                              timeout=10, markup=False)

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    # ------------------------------------------------------------------ command palette

    def get_system_commands(self, screen: Screen):
        yield from super().get_system_commands(screen)
        commands = [
            ("declare", "Declare a new incident", self.action_declare),
            ("log", "Log a note on the current incident", lambda: self.action_entry("note")),
            ("log --kind action", "Log an action", lambda: self.action_entry("action")),
            ("log --kind decision", "Log a decision", lambda: self.action_entry("decision")),
            ("log --kind comms", "Log a customer update (resets the update-due clock)", lambda: self.action_entry("comms")),
            ("log --kind customer", "Log a customer report", lambda: self.action_entry("customer")),
            ("set-status", "Change the incident's status", self.action_set_status),
            ("set-severity", "Change the incident's severity", self.action_set_severity),
            ("role", "Take or assign a role", self.action_role),
            ("star", "Star the selected entry for the postmortem", self.action_star),
            ("correct", "Correct the selected entry", self.action_correct),
            ("resolve", "Resolve the incident", self.action_resolve),
            ("edit", "Change what was declared: title, summary, services", self.action_edit_incident),
            ("draft", "Draft a customer update from a template", self.action_draft_update),
            ("followup", "Move the selected action item along: done, won't do, owner, due", self.action_followup),
            ("search", "Search the timeline", self.action_search),
            ("status", "Poll vendor status now", self.action_poll_now),
            ("override", "Overrule the highlighted vendor's page (down for us / not us)", self.action_override),
            ("export", "Export the postmortem as Markdown", self.action_export),
            ("help", "Keys and prefixes", self.action_help),
        ]
        for title, help_text, callback in commands:
            yield SystemCommand(title, help_text, callback)

    # ------------------------------------------------------------------ shutdown

    async def action_quit(self) -> None:
        pending = self.q("#timeline", TimelineView).pending if self._store is not None else []
        unsaved = len([p for p in pending if not p.failed])
        if unsaved:
            wait = int(self.store.write_timeout)
            self.notify(f"Saving {unsaved} entr{'y' if unsaved == 1 else 'ies'} before leaving (up to {wait}s while "
                        "another process holds the database)…", timeout=wait)
            await self._writes_drained(self.store.write_timeout)
        self.exit()

    async def _writes_drained(self, timeout: float) -> None:
        deadline = asyncio.get_running_loop().time() + timeout
        timeline = self.q("#timeline", TimelineView)
        while [p for p in timeline.pending if not p.failed] and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.1)

    def _release_on_hangup(self) -> None:
        """From the hang-up watchdog: a connection of its own, a short timeout, no waiting."""
        with open_store(self.config.database_location, group=self.config.database_group) as store:
            store.write_timeout = 1
            store.leave(self.session_id)
            if self._poller is not None and self._poller.holding:
                store.release_lease("poller", self._poller.holder)

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
