"""Reading the war-room: incidents, vendor statuses and presence from the store, only what changed
(a heartbeat repaints nothing, a poller round reloads the vendors, an entry appends a line);
the heartbeat; the link to the terminal (link.py); the vendor poller and its lease."""

from __future__ import annotations

import asyncio
import os

from textual import events, work

from ..base.identity import hostname, ssh_client
from ..domain import catalog as cat
from ..domain.blind import read_history
from ..domain.leases import holder_name, holder_words
from ..domain.model import CUSTOMER_UPDATE_KIND, ENTRY_KINDS, INCIDENT_STATE_KINDS, Event, InputError, latest_customer_update
from ..domain.takeback import TAKEBACK_KINDS
from ..room.duties import statuses_as_ruled
from ..room.signals import stored_states
from ..status.model import VendorStatus
from ..store import open_store
from .guards import PRESENCE_WINDOW, _said_when_unreachable, _skip_when_screen_gone
from .link import PROBE
from .room_bar import RoomBar
from .state import AppState


class StoreSync(AppState):
    """Part of WarRoomApp (app.py), by concern."""

    def _load_incidents(self) -> None:
        self.state.incidents = self.store.incidents()
        if self.state.current_id is not None and self.state.current_id not in [i.id for i in self.state.incidents]:
            resolved_now = self.state.current_id
            try:
                current = self.store.incident(resolved_now)
            except InputError:
                current = None
            if current is not None and current.resolved:
                # Keep a just-resolved incident on screen until the user switches away.
                self.state.incidents.append(current)
        if self.state.current_id is None and self.state.incidents:
            self.state.current_id = self.state.incidents[-1].id
        for incident in self.state.incidents:
            if incident.id not in self.state.comms:
                self.state.comms[incident.id] = self.store.last_customer_update(incident.id)
                self._written_keys.update(self.store.dedupe_keys(incident.id))

    def _load_vendor_statuses(self) -> None:
        known = statuses_as_ruled(self.store)
        for vendor in self.config.vendors:
            known.setdefault(vendor.id, VendorStatus(vendor.id, vendor.name, vendor.kind))
        self.state.statuses = known
        self.state.signal_states = stored_states(self.store, self.config) if self.config.signals else {}
        self.state.signal_history = read_history(self.store, self.config, self.now()) if self.config.signals else None
        self.state.health = cat.service_health(self.config, self.state.statuses, self.state.signal_states)
        self.state.touchpoint_states = {
            t.name: t.state for t in cat.touchpoints(self.config, self.state.health, self.state.signal_states)
        }

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
        mark = (self.store.vendor_status_mark(), self.store.signal_status_mark() if self.config.signals else None)
        if mark != self._vendor_mark or any(e.kind == "override" for e in new):
            self._vendor_mark = mark
            self._load_vendor_statuses()
            self._render_catalog()
            self._render_vendors()

    def _moves_impact_start(self, event: Event) -> bool:
        """An entry dated before its incident's impact started moves it: the clocks count from there."""
        incident = next((i for i in self.state.incidents if i.id == event.incident_id), None)
        return incident is not None and event.kind in ENTRY_KINDS and event.occurred_at < incident.impact_start

    def _apply_new_events(self, events: list[Event]) -> None:
        state_changed = False
        for event in events:
            if event.dedupe:
                self._written_keys.add(event.dedupe)
            if event.kind == CUSTOMER_UPDATE_KIND and event.incident_id is not None:
                self.state.comms[event.incident_id] = latest_customer_update((self.state.comms.get(event.incident_id), event))
            elif event.kind in TAKEBACK_KINDS and event.incident_id is not None:  # it may take back the last update
                self.state.comms[event.incident_id] = self.store.last_customer_update(event.incident_id)
            if event.kind in INCIDENT_STATE_KINDS or self._moves_impact_start(event):
                state_changed = True
        if state_changed:
            self._load_incidents()
            if self.state.current_id is None and self.state.incidents:
                self.state.current_id = self.state.incidents[-1].id
                self._show_incident(reload=True)
                return
        mine = [e for e in events if e.incident_id == self.state.current_id]
        if mine and not self.state.filter_label:
            self.incident_pane.timeline.add(mine)
        self._render_summary()

    @_skip_when_screen_gone
    @_said_when_unreachable
    def _refresh_presence(self) -> None:
        if self._store is None:
            return
        self.state.present = self.store.present(within=PRESENCE_WINDOW)
        self._render_room_bar()

    def _render_room_bar(self) -> None:
        self.war_room.query_one(RoomBar).show(self.state)

    def _heartbeat(self) -> None:
        if self._store is None or self.store.readonly or self.link.away:
            return
        current = self.state.current_id
        self._queue_write(
            None,
            lambda s: s.heartbeat(
                self.session_id, user=self.user, host=hostname(), client=ssh_client(), pid=os.getpid(), incident_id=current
            ),
        )

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
        self.notify(
            f"Your terminal did not answer for {silent:.0f} s: the others saw you as away, and the room's duties "
            "went to another session. You are back in the room.",
            title="Link back",
            timeout=10,
        )

    @work(thread=True, exit_on_error=False, group="poller", name="poller")
    def _run_poller(self) -> None:
        """Vendor polling in its own thread and event loop (httpx is imported only here). Only
        the session holding the database's lease polls; the others read its results."""

        from ..room.poller import Poller

        if self._store is None or self.store.readonly:
            return
        with open_store(self.config.database_location, group=self.config.database_group) as store:
            self._poller = Poller(
                self.config,
                store,
                holder_name("tui", store.account.login, hostname(), os.getpid(), self.session_id),
                on_round=self._poller_report,
            )
            if self.link.away:  # restarted while nobody reads this screen: it stays down
                self._poller.standing_down.set()
            asyncio.run(self._poller.run(self._stop_poller))

    def _poller_report(self, summary: dict) -> None:
        """From the poller's thread: problems of the lease holder's duties are said on screen."""
        if "problem" in summary:
            self.call_from_thread(self.notify, summary["problem"], severity="warning", timeout=10)
        elif summary.get("forced"):  # the round `p` asked for: say that it is done, and what it found
            self.call_from_thread(
                self.notify,
                f"Polled {summary['polled']} vendors and probes: {summary['changes']} changes, {summary['unknown']} unknown.",
                timeout=4,
            )

    def action_poll_now(self) -> None:
        if self._poller is None:
            self.notify("Vendor polling is not running in this session.", severity="warning")
        elif not self._poller.holding:
            holder = self.store.lease_holder("poller")
            self.notify(
                f"Vendors are polled by {holder_words(holder) if holder else 'another session'}; this screen shows its results.",
                timeout=5,
            )
        else:
            self._poller.now_requested.set()
            self.notify("Polling vendors now…", timeout=2)

    def _release_on_hangup(self) -> None:
        """From the hang-up watchdog: a connection of its own, a short timeout, no waiting."""
        with open_store(self.config.database_location, group=self.config.database_group) as store:
            store.write_timeout = 1
            store.leave(self.session_id)
            if self._poller is not None and self._poller.holding:
                store.release_lease("poller", self._poller.holder)
