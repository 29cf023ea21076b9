"""What the keys do to incidents: the entry line, declare, status, severity, roles, stars,
corrections, switching incidents, search and the catalog filter."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.widgets import Input, Static

from ..base.textsafe import clean_line
from ..base.timeutil import local_clock
from ..domain import catalog as cat
from ..domain.grammar import parse_entry, parse_search
from ..domain.model import ROLES, SEVERITIES, STATUSES, Event, Incident
from ..domain.takeback import early_note
from ..store.sessions import MCP_CLIENT
from . import incident_extras, takeback
from .guards import _if_given, _skip_when_screen_gone, _unless_cancelled
from .screens import ChoiceScreen, Declaration, DeclareScreen, PromptScreen
from .state import AppState
from .timeline_view import TimelineView
from .war_room import WarRoom
from .widgets import (
    CatalogTable,
)


class IncidentActions(AppState):
    """Part of WarRoomApp (app.py), by concern."""

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

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Typing in a field, or a dialog is open: the key is text for it, not "open the entry line".
        typing = isinstance(self.focused, Input) or not isinstance(self.screen, WarRoom)
        return not (action == "entry" and typing)

    def action_entry(self, kind: str) -> None:
        if kind:
            self.entry_kind = kind
        label = "todo" if self.entry_kind == "action_item" else self.entry_kind
        self.q("#entry-kind", Static).update(f"{label} ▸")
        self.show_pane("incident")  # a narrow screen showing the services or vendors comes back
        # Focus now, not after the queue (Widget.focus defers): the keys of the same burst are
        # already queued behind this one and must reach the entry line, never the bindings.
        self.war_room.set_focus(self.q("#entry", Input))

    def action_leave_input(self) -> None:
        room = self.war_room
        side_shown = room.has_class("-show-services") or room.has_class("-show-vendors")
        if side_shown and not (self.state.catalog_filter and self.focused is self.q("#catalog")):
            self.action_pane("incident")
            return
        if self.state.filter_label:
            self._show_incident(reload=True)
            return
        if self.state.catalog_filter and self.focused is self.q("#catalog"):
            self.state.catalog_filter = ""
            self._render_catalog(rebuild=True)
            self.notify("Catalog filter cleared.", timeout=2)
            return
        if isinstance(self.focused, Input):
            # Now, not after the queue (Widget.focus defers): a kind key in the same burst as the
            # Escape must find the line closed and pick its kind, not be typed into it.
            self.war_room.set_focus(self.q("#timeline"))

    @on(Input.Submitted, "#entry")
    def _submit_entry(self, event: Input.Submitted) -> None:
        if not self._can_write():
            return
        incident = self._need_incident()
        if incident is None or not event.value.strip():
            return
        try:
            entry = parse_entry(event.value, self.entry_kind, self.config.tz, self.now())
        except ValueError as error:  # TimeError, InputError: a slip, said beside the line, the text kept
            self._entry_refused(str(error))
            return
        if not entry.text:
            self._entry_refused("The entry is empty: write what happened.")
            return
        self.log_entry(incident.id, entry.kind, entry.text, entry.at, entry.value)
        event.input.value = ""
        self._entry_refused("")
        # Logged: the line is left, so the next key picks the next entry's kind (`c` then the words
        # logs comms). Left open, a `c` typed into it made the customer update a note `cChat is…`.
        # Now, not after the queue: a kind key in the same burst as the Enter must find it closed.
        self.war_room.set_focus(self.q("#timeline"))
        if entry.at is not None:  # it lands where it happened, maybe far above: say so
            early = early_note(incident, entry.at, self.config.tz)
            self.notify(
                f"Logged at {local_clock(entry.at, self.config.tz)} (back-dated): it sits at that time in the "
                "timeline." + (f" {early}." if early else ""),
                timeout=10 if early else 4,
            )

    def _entry_refused(self, reason: str) -> None:
        """A refused entry: the reason on the line above the entry line, the typed text left in it
        to fix (never lost, never logged as something else); an empty reason clears the word."""
        line = self.q("#entry-error", Static)
        if reason:
            reason = reason if reason.endswith((".", "?", ".)")) else reason + "."
            line.update(Text(f"Not logged: {reason} Fix it and press Enter.", style="bold"))
        line.display = bool(reason)

    @on(Input.Changed, "#entry")
    @_skip_when_screen_gone  # the line cleared by the last Enter as the screen closes: nothing to say
    def _entry_changed(self, event: Input.Changed) -> None:
        if not event.value:
            self._entry_refused("")

    def action_declare(self) -> None:
        def declared(result: Declaration | None) -> None:
            if result is None:
                return
            snapshot = cat.catalog_snapshot(self.config)
            self._queue_write(
                None,
                lambda s: s.declare(
                    result.title, severity=result.severity, author=self.user, services=result.services, catalog=snapshot
                ),
                on_done=self._switch_to_declared,
            )

        self.push_screen(DeclareScreen(self.config), declared)

    def _switch_to_declared(self, incident: Incident) -> None:
        self._load_incidents()
        self.state.current_id = incident.id
        self._show_incident(reload=True)
        self.notify(f"{incident.label} declared", timeout=3)

    def action_set_status(self) -> None:
        incident = self._need_incident()
        if incident is None:
            return
        if incident.resolved:
            takeback.reopen(self, incident)
            return
        following = STATUSES.index(incident.status) + 1
        suggested = STATUSES[following] if following < len(STATUSES) else None
        choices = [(s, f"{'→ ' if s == suggested else '  '}{s}") for s in STATUSES]
        self.push_screen(
            ChoiceScreen(f"{incident.label}: status is {incident.status}", choices, current=incident.status, suggested=suggested),
            _if_given(lambda value: self.set_status(incident.id, value)),
        )

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
        self.push_screen(
            ChoiceScreen(f"{incident.label}: severity", choices, current=incident.severity),
            _if_given(lambda value: self.set_severity(incident.id, value)),
        )

    def set_severity(self, incident_id: int, severity: str) -> None:
        self._queue_write(None, lambda s: s.set_severity(incident_id, severity, author=self.user))

    def action_role(self) -> None:
        incident = self._need_incident()
        if incident is None:
            return

        def picked_role(role: str | None) -> None:
            if not role:
                return
            # People only: an MCP client present for someone takes no role.
            people = list(dict.fromkeys([self.user] + [p["user"] for p in self.state.present if p.get("client") != MCP_CLIENT]))
            choices = [(p, f"{clean_line(p)}{' (you)' if p == self.user else ''}") for p in people]
            choices.append(("\0other", "someone else…"))
            self.push_screen(ChoiceScreen(f"Who is {role}?", choices), lambda who: picked_person(role, who))

        def picked_person(role: str, who: str | None) -> None:
            if who == "\0other":
                self.push_screen(
                    PromptScreen(f"Who is {role}?", placeholder="name"),
                    _if_given(lambda name: self.assign_role(incident.id, role, name.strip())),
                )
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
        """Star the selected entry, or take its star off."""
        incident, event = self._need_incident(), self._selected_entry()
        if incident and event:
            takeback.toggle_star(self, incident, event)

    def action_correct(self) -> None:
        incident, event = self._need_incident(), self._selected_entry()
        if incident and event:
            takeback.correct(self, incident, event)

    def action_withdraw(self) -> None:
        incident, event = self._need_incident(), self._selected_entry()
        if incident and event:
            takeback.withdraw(self, incident, event)

    def action_switch(self, step: int) -> None:
        if not self.state.incidents:
            return
        ids = [i.id for i in self.state.incidents]
        index = ids.index(self.state.current_id) if self.state.current_id in ids else 0
        self.state.current_id = ids[(index + step) % len(ids)]
        self.state.incidents = [i for i in self.state.incidents if not i.resolved or i.id == self.state.current_id]
        self._show_incident(reload=True)

    def action_search(self) -> None:
        focused = self.focused
        if isinstance(focused, CatalogTable):
            self.filter_catalog()
            return
        incident = self._need_incident()
        if incident is None:
            return
        self.push_screen(
            PromptScreen(
                "Search the timeline",
                value=self.state.filter_label,
                placeholder="words · kind:comms · author:sam   (empty: show all)",
            ),
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
        self.state.filter_label = query
        bar = self.q("#filter-bar", Static)
        bar.update(Text(f"filter: {clean_line(query)} — {len(found)} entries · Escape shows all", style="bold"))
        bar.display = True

    @on(CatalogTable.FilterRequested)
    def filter_catalog(self) -> None:
        def apply(text: str | None) -> None:
            if text is None:
                return
            self.state.catalog_filter = text.strip()
            self._render_catalog(rebuild=True)

        self.push_screen(PromptScreen("Filter services (any column)", value=self.state.catalog_filter), apply)
