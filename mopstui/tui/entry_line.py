"""The entry line: a kind key opens it, Enter logs what was typed (said beside the line when the
grammar refuses it, the text kept to fix), and a drafted customer update keeps its kind."""

from __future__ import annotations

from textual import on

from ..base.textsafe import clean_line
from ..base.timeutil import local_clock
from ..domain.grammar import parse_entry
from ..domain.takeback import early_note
from .messages import EntrySubmitted
from .state import AppState


class EntryLine(AppState):
    """Part of WarRoomApp (app.py), by concern."""

    def action_entry(self, kind: str) -> None:
        if kind and kind != "comms":
            kept = self.incident_pane.draft_kept()
            if kept is not None:
                self.notify(
                    "Your edited customer update stays a customer update (comms): Enter logs it; empty the line "
                    "(ctrl+u) to write another kind."
                    if kept
                    else "The customer update draft was cleared: D drafts it again.",
                    timeout=6,
                )
                kind = "comms" if kept else kind
        if kind:
            self.entry_kind = kind
        self.show_pane("incident")  # a narrow screen showing the services or vendors comes back
        self.incident_pane.open_entry(self.entry_kind)

    @on(EntrySubmitted)
    def _submit_entry(self, message: EntrySubmitted) -> None:
        kind = message.kind or self.entry_kind
        if not message.text.strip():
            return
        incident = self._need_incident() if self._can_write() else None
        if incident is None:
            self._give_back(message.text, kind, "")
            return
        try:
            entry = parse_entry(message.text, kind, self.config.tz, self.now())
        except ValueError as error:  # TimeError, InputError: a slip, said beside the line, the text kept
            self._give_back(message.text, kind, str(error))
            return
        if not entry.text:
            self._give_back(message.text, kind, "The entry is empty: write what happened.")
            return
        self.log_entry(incident.id, entry.kind, entry.text, entry.at, entry.value)
        self.incident_pane.entry_logged()
        if entry.at is not None:  # it lands where it happened, maybe far above: say so
            early = early_note(incident, entry.at, self.config.tz)
            self.notify(
                f"Logged at {local_clock(entry.at, self.config.tz)} (back-dated): it sits at that time in the "
                "timeline." + (f" {early}." if early else ""),
                timeout=10 if early else 4,
            )

    def _give_back(self, text: str, kind: str, reason: str) -> None:
        """Not logged: the text goes back into the line, in its kind, to fix (never lost). If the
        next entry was already begun behind the Enter, that one is left alone and the text is said;
        if other keys came behind the Enter, the line is filled but not focused."""
        pane = self.incident_pane
        if pane.entry.value:
            said = f"Not logged ({reason.rstrip('.')}): " if reason else "Not logged: "
            self.notify(said + clean_line(text, 200), severity="error", timeout=15, markup=False)
            return
        self.entry_kind = kind
        pane.open_entry(kind, focus=self.key_guard.keys == self.key_guard.enter_at)  # typed on (Escape, q): not taken back
        pane.fill_entry(text)
        pane.refuse(reason)
