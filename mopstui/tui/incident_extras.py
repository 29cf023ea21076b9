"""The incident pane's marketing duties: change what was declared (E), draft a customer update
from a template (D), move an action item to closure (f), and the impact estimate under the clocks."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .state import AppState

from typing import TYPE_CHECKING

from ..base.textsafe import clean_line
from ..domain.drafts import draft, one_line
from ..domain.followups import followups, parse_due
from ..domain.impact import estimate
from ..domain.model import FOLLOWUP_KINDS
from .screens import ChoiceScreen, Declaration, DeclareScreen, PromptScreen


def edit_incident(app: AppState) -> None:
    incident = app._need_incident()
    if incident is None:
        return

    def edited(result: Declaration | None) -> None:
        if result is None:
            return
        services = result.services if result.services != incident.services else None
        app._queue_write(
            None,
            lambda s: s.edit_incident(
                incident.id, author=app.user, title=result.title, summary=result.summary, services=services
            ),
        )

    before = Declaration(incident.title, incident.severity, incident.services, incident.summary)
    app.push_screen(DeclareScreen(app.config, editing=before), edited)


def draft_update(app: AppState) -> None:
    incident = app._need_incident()
    if incident is None:
        return
    # each channel's text as it will be drafted (the incident's title, its touchpoints), never `{title}`
    now = app.now()
    choices = [
        (channel, f"{channel}: {clean_line(draft(app.config, incident, channel, now), 60)}")
        for channel in sorted(app.config.templates)
    ]

    def picked(channel: str | None) -> None:
        if not channel:
            return
        text = one_line(draft(app.config, incident, channel, app.now()))
        app.action_entry("comms")
        app.incident_pane.fill_entry(text, draft=True)
        app.notify(f"Drafted from the {channel} template: edit it, Enter logs it as a customer update.", timeout=4)

    app.push_screen(ChoiceScreen("Draft a customer update for…", choices, deliberate=False), picked)


STATE_SAID = {"open": "open", "done": "done", "wont_do": "won't do"}


def followup(app: AppState) -> None:
    incident, event = app._need_incident(), app._selected_entry()
    if incident is None or event is None:
        return
    if event.kind != "action_item":
        app.notify("Select an action item (a /todo entry) in the timeline first.", severity="warning")
        return
    item = next((f for f in followups(app.store.events_of_kinds(FOLLOWUP_KINDS, incident.id)) if f.event_id == event.id), None)
    state = item.state if item else "open"
    # Only what applies: "Open again" on an open item, "Done" on a done one, did nothing.
    choices = [
        (value, label) for value, label in (("done", "Done"), ("wont_do", "Won't do"), ("open", "Open again")) if value != state
    ] + [("\0owner", "Set the owner…"), ("\0due", "Set the due date…")]
    # What it is now, in the title: its owner and due date were shown nowhere.
    owner = clean_line(item.owner, 20) if item and item.owner else "none"
    now = f"{STATE_SAID.get(state, state)}, owner {owner}, due {item.due if item and item.due else 'none'}"

    def write(*, state: str | None = None, owner: str | None = None, due: date | None = None) -> None:
        app._queue_write(
            None, lambda s: s.change_followup(incident.id, event.id, author=app.user, state=state, owner=owner, due=due)
        )

    def due_of(text: str) -> date:
        return parse_due(text, app.now().astimezone(app.config.tz).date())

    def due_given(text: str | None) -> None:
        if text:  # refused ones kept the dialog open (check=), with the text and why
            write(due=due_of(text))

    def owner_given(name: str | None) -> None:
        if name and name.strip():
            write(owner=name.strip())

    def picked(choice: str | None) -> None:
        if choice == "\0owner":
            app.push_screen(PromptScreen("Who owns it?", placeholder="name"), owner_given)
        elif choice == "\0due":
            app.push_screen(
                PromptScreen("Due when?", placeholder="friday, tomorrow, next week, in 3 days, 2026-12-11", check=due_of),
                due_given,
            )
        elif choice:
            write(state=choice)

    app.push_screen(ChoiceScreen(f"Todo #{event.id}: {clean_line(event.text, 50)} ({now})", choices), picked)


def render_impact(app: AppState) -> None:
    """Under the clocks: what the current incident is costing, as estimates with their inputs."""
    incident = app.current
    impact = (
        estimate(app.config, incident, app.now(), app.state.touchpoint_states, app.state.signal_history) if incident else None
    )
    app.incident_pane.show_impact(impact.line() if impact and impact.figures else "")


def open_followups_line(app: AppState) -> str:
    incident = app.current
    if incident is None:
        return ""
    items = followups(app.store.events_of_kinds(FOLLOWUP_KINDS, incident.id))
    open_items = [f for f in items if f.state == "open"]
    if not items:
        return ""
    plural = "s" if len(open_items) != 1 else ""
    return f"{len(open_items)} open follow-up{plural} of {len(items)}"
