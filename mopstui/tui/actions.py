"""What the keys do to incidents: declare, status, severity, roles, stars,
corrections, switching incidents, search and the catalog filter."""

from __future__ import annotations

from textual import on
from textual.widgets import Input

from ..base.textsafe import clean_line
from ..domain import catalog as cat
from ..domain.grammar import parse_search
from ..domain.model import ROLES, SEVERITIES, STATUSES, Event, Incident, InputError
from ..store.sessions import MCP_CLIENT
from . import incident_extras, takeback
from .guards import _if_given, _unless_cancelled
from .screens import ChoiceScreen, Declaration, DeclareScreen, PromptScreen
from .state import AppState
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

    def action_leave_input(self) -> None:
        room = self.war_room
        side_shown = room.has_class("-show-services") or room.has_class("-show-vendors")
        if side_shown and not (self.state.catalog_filter and isinstance(self.focused, CatalogTable)):
            self.action_pane("incident")
            return
        if self.state.filter_label:
            self._show_incident(reload=True)
            return
        if self.state.catalog_filter and isinstance(self.focused, CatalogTable):
            self.state.catalog_filter = ""
            self._render_catalog(rebuild=True)
            self.notify("Catalog filter cleared.", timeout=2)
            return
        if isinstance(self.focused, Input):
            self.incident_pane.leave_entry()

    # The declaration typed and then left with Escape: the next N brings it back (a title typed
    # under stress was thrown away by one Escape, without a word).
    declare_draft: Declaration | None = None

    def action_declare(self) -> None:
        screen = DeclareScreen(self.config, draft=self.declare_draft)

        def declared(result: Declaration | None) -> None:
            self.declare_draft = screen.left if result is None else None
            if result is None:
                if screen.left is not None:
                    self.notify("Not declared. What you typed is kept: N brings it back.", timeout=5)
                return
            snapshot = cat.catalog_snapshot(self.config)
            self._queue_write(
                None,
                lambda s: s.declare(
                    result.title, severity=result.severity, author=self.user, services=result.services, catalog=snapshot
                ),
                on_done=self._switch_to_declared,
            )

        self.push_screen(screen, declared)

    def _switch_to_declared(self, incident: Incident) -> None:
        self._load_incidents()
        self.state.current_id = incident.id
        self._show_incident(reload=True)
        # The new incident's newest entry is the one selected, and the strip under the timeline
        # says so: it went on naming the entry selected in the incident before (#11 · priya …).
        timeline = self.incident_pane.timeline
        if timeline.events:
            timeline.move_cursor(len(timeline.events) - 1)
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
        event = self.incident_pane.timeline.selected
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
        try:
            parsed = parse_search(query)
        except InputError as error:  # `kind:commz`: said, with the near kind, not an empty timeline
            self.notify(str(error), severity="warning", markup=False)
            return
        if parsed.empty:
            self._show_incident(reload=True)
            return
        found = self.store.search(incident.id, parsed.words, kind=parsed.kind, author=parsed.author)
        self.incident_pane.timeline.load(found, incident.started_at, filter_label=query)
        self.state.filter_label = query
        self.incident_pane.show_filter(query, len(found))

    @on(CatalogTable.FilterRequested)
    def filter_catalog(self) -> None:
        def apply(text: str | None) -> None:
            if text is None:
                return
            self.state.catalog_filter = text.strip()
            self._render_catalog(rebuild=True)

        self.push_screen(PromptScreen("Filter services (any column)", value=self.state.catalog_filter), apply)
