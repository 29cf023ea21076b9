"""Details on demand: a service, a vendor (its history and detail), overrides, runbooks, the
postmortem export, help and the command palette."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import timedelta

from rich.text import Text
from textual import on, work
from textual.app import SystemCommand
from textual.screen import Screen

from ..base.files import UnsafeFile
from ..base.plain import said
from ..base.textsafe import clean_line
from ..config import Service
from ..config.keymap import COMMANDS
from ..domain import catalog as cat
from ..domain.history import state_series
from ..domain.model import InputError
from ..domain.pagelag import lags as page_lags
from ..room.duties import lift_override, set_override
from ..store import StoreError, open_store
from .guards import _if_given, _said_when_unreachable
from .help import HelpScreen
from .messages import OverrideRequested, RunbookRequested, ServiceChosen, VendorChosen, VendorHighlighted
from .screens import ChoiceScreen, DetailScreen, PromptScreen
from .services_pane import ServicesPane
from .state import AppState
from .vendor_detail import HOURS, VendorDetailScreen
from .vendor_pane import VendorPane
from .war_room import WarRoom
from .widgets import (
    badge_text,
)


class Details(AppState):
    """Part of WarRoomApp (app.py), by concern."""

    @on(ServiceChosen)
    def _service_detail(self, message: ServiceChosen) -> None:
        self.show_service(message.service_id)

    def show_service(self, service_id: str) -> None:
        service = self.config.service(service_id)
        if service is None:
            return
        health = self.state.health.get(service.id, cat.Health("unknown"))
        body = Text()
        body.append_text(badge_text(health.state))
        body.append(f"  {clean_line(health.reason)}\n\n")
        for label, value in cat.service_facts(self.config, service):
            body.append(f"{label:<12}", "bold")
            body.append(clean_line(value) + "\n")
        self._signal_facts(service, body)
        vendor = self.state.statuses.get(service.vendor or "")
        if vendor is not None:
            body.append("\nVendor components\n", "bold")
            for component in vendor.components:
                body.append_text(badge_text(component.state))
                body.append(f"  {clean_line(component.label())}\n")
            history = self.store.observations(vendor_id=vendor.id, latest=8)
            if history:
                body.append("\nRecent status changes\n", "bold")
                for change in reversed(history):
                    body.append(clean_line(cat.change_line(change, self.config.tz, self.now())) + "\n")
        self.push_screen(DetailScreen(f"{clean_line(service.name)} ({service.id})", body))

    def _signal_facts(self, service: Service, body: Text) -> None:
        """The signals that speak for this service (its own and its touchpoint's), with their
        evidence: state, why, since, the last value, and their recent changes."""
        from ..domain.evidence import local_time

        signals = self.config.signals_of(service)
        if not signals:
            return
        body.append("\nSignals (our own measurement)\n", "bold")
        for signal in signals:
            state = self.state.signal_states.get(signal.id)
            if state is None:
                continue
            body.append_text(badge_text(state.vendor_state))
            kind = cat.SIGNAL_KIND_WORDS.get(signal.kind, signal.kind)
            body.append(f"  {clean_line(signal.label, 40)} ({kind}): {clean_line(state.why, 200)}")
            since = f"since {local_time(state.since, self.config.tz)}" if state.since else "not checked yet"
            value = clean_line(state.value, 40) if state.value else ""
            # `last: last 8 min ago`: a value that says it is the last one is not labelled again
            value = f" · {value}" if value.startswith("last ") else f" · last: {value}" if value else ""
            body.append(f"\n      {since}{value}\n")
            for change in reversed(self.store.observations(vendor_id=signal.source_id, latest=3)):
                line = cat.change_line(change, self.config.tz, self.now())
                body.append("      " + clean_line(line) + "\n", "bright_black")

    @on(VendorHighlighted)
    @_said_when_unreachable  # a database gone away is said, never a crash of the screen
    def _vendor_history(self, message: VendorHighlighted | None = None) -> None:
        if not any(isinstance(screen, WarRoom) for screen in self.screen_stack):
            return  # highlighted as the screen goes away: nothing to show it on
        pane = self.war_room.query_one(VendorPane)
        status = self.state.statuses.get(message.vendor_id) if message is not None else pane.highlighted()[0]
        if status is not None:
            since = (self.now() - timedelta(hours=HOURS)).isoformat()
            pane.show_history(status, self.store.observations(vendor_id=status.id, since=since), self.now())

    @on(VendorChosen)
    @_said_when_unreachable
    def _vendor_detail(self, message: VendorChosen) -> None:
        status = self.state.statuses.get(message.vendor_id)
        if status is None:
            return
        observations = self.store.observations(vendor_id=status.id)
        probes = [
            o
            for s in self.config.services
            if s.vendor == status.id and s.probe
            for o in self.store.observations(vendor_id=cat.probe_id(s.id))
        ]
        lags = page_lags(self.config, observations + probes, vendor_id=status.id)
        series = state_series(observations, now=self.now(), current=status.state, hours=HOURS)
        self.push_screen(VendorDetailScreen(status, lags, series, self.config.tz))

    def action_override(self) -> None:
        """O: the room overrules the highlighted vendor's (or component's) page, with a reason."""
        room = self.war_room
        if room.has_class("-compact") and not room.has_class("-show-vendors"):
            # The vendors are not on screen (below 100 columns): a highlight the person cannot see
            # once overruled AWS's page. Show them first; O again acts on the row in sight.
            self.action_pane("vendors")
            self.notify("Here are the vendors: highlight the one to overrule (↑ ↓), then O again.", timeout=6)
            return
        room.query_one(VendorPane).request_override()  # it says which vendor: OverrideRequested

    @on(OverrideRequested)
    def _override(self, message: OverrideRequested) -> None:
        status, component = self.state.statuses.get(message.vendor_id or ""), message.component
        if status is None or status.kind == "probe" or self.config.vendor(status.id) is None:
            self.notify("Highlight a vendor (or one of its components) in the Vendors pane first.", severity="warning")
            return
        target = f"{status.name}{' · ' + component if component else ''}"
        choices = [("down", "It is down for us"), ("unaffected", "It does not affect us")]
        if status.override:
            choices.append(("lift", "Lift the override"))

        def picked(verdict: str | None) -> None:
            if verdict == "lift":
                self._queue_write(
                    None, lambda s: lift_override(s, self.config, vendor_id=status.id, component=component, author=self.user)
                )
            elif verdict:
                self.push_screen(
                    PromptScreen(
                        f"{target}: {'down for us' if verdict == 'down' else 'not us'} — why?",
                        placeholder="the reason, for the log (holds until the page changes)",
                        required="Write the reason first: the log keeps why the room overruled the page",
                    ),
                    _if_given(
                        lambda reason: self._queue_write(
                            None,
                            lambda s: set_override(
                                s,
                                self.config,
                                vendor_id=status.id,
                                component=component,
                                verdict=verdict,
                                reason=reason,
                                until="page-changes",
                                author=self.user,
                            ),
                        )
                    ),
                )

        self.push_screen(ChoiceScreen(f"Overrule {target}'s page", choices), picked)

    def action_runbook(self) -> None:
        self.war_room.query_one(ServicesPane).request_runbook()  # it says which service: RunbookRequested

    @on(RunbookRequested)
    def _runbook(self, message: RunbookRequested) -> None:
        if message.service_id is None:
            return
        service = self.config.service(message.service_id)
        if service is None or not service.runbook:
            self.notify("No runbook for this service.", severity="warning")
            return
        # Over SSH the browser is on the other side: show the link for the terminal to open.
        self.copy_to_clipboard(service.runbook)
        self.notify(f"{service.runbook}  (copied)", title=f"Runbook: {clean_line(service.name)}", timeout=12, markup=False)

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
        except (OSError, StoreError, InputError, UnsafeFile) as error:
            self.call_from_thread(self.notify, f"Export failed, nothing written: {said(error)}", severity="error", markup=False)
            return
        self.exported = path
        self.call_from_thread(
            self.notify,
            f"{path} (and a picture of the timeline, SVG, beside it)",
            title="Postmortem written",
            timeout=10,
            markup=False,
        )

    def action_help(self) -> None:
        self.push_screen(HelpScreen(dict(self.config.keys)))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The palette: Textual's own, then every war-room command that has a palette name (the
        CLI's, where there is one), from the same list as the keys."""
        yield from super().get_system_commands(screen)
        for command in COMMANDS:
            if command.palette:
                yield SystemCommand(command.palette, command.words, functools.partial(self.run_action, command.action))
