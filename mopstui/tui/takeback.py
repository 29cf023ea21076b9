"""Taking back from the screen, append-only: withdraw the selected entry (w), star and unstar it
(*), correct its words or its kind (e), reopen a resolved incident (s). Each writes a new event;
the rules, and the sentences that refuse, are the domain's (domain/takeback.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .state import AppState

from typing import TYPE_CHECKING

from ..base.textsafe import clean_line
from ..domain.grammar import PREFIXES
from ..domain.model import KIND_LABELS, Event, Incident, InputError
from ..domain.takeback import REOPEN_STATUSES, check_takeback
from .guards import _if_given
from .screens import ChoiceScreen, PromptScreen


def _said(text: str, width: int = 40) -> str:
    text = clean_line(text)
    return text if len(text) <= width else text[: width - 1] + "…"


def withdraw(app: AppState, incident: Incident, event: Event) -> None:
    notes = app.incident_pane.timeline.notes
    try:
        check_takeback(incident, "withdraw", event.id, event, notes.withdrawn.get(event.id))
    except InputError as error:
        app.notify(f"Not withdrawn: {error}.", severity="warning", markup=False)
        return

    def answered(reason: str | None) -> None:
        if reason is None:
            return
        if not reason.strip():
            app.notify(
                f"Not withdrawn: say why (the others read it beside #{event.id}). Press w to try again.", severity="warning"
            )
            return
        app._queue_write(None, lambda s: s.withdraw(incident.id, event.id, reason, author=app.user))

    app.push_screen(
        PromptScreen(
            f"Withdraw #{event.id} ({clean_line(event.author)}: {_said(event.text)})? It stays in "
            "the log, marked withdrawn. Why?",
            placeholder="e.g. wrong incident: meant INC-2",
            required="Say why first: the others read it beside the entry",
        ),
        answered,
    )


def toggle_star(app: AppState, incident: Incident, event: Event) -> None:
    if event.id in app.incident_pane.timeline.notes.starred:
        app._queue_write(None, lambda s: s.unstar(incident.id, event.id, author=app.user))
        app.notify(f"Star taken off #{event.id}.", timeout=3)
    else:
        app._queue_write(None, lambda s: s.star(incident.id, event.id, author=app.user))


def correction_of(text: str, event: Event) -> tuple[str, str | None]:
    """(new words, new kind) from the correct dialog's line: `/comms …` first changes the kind;
    the words alone, or the kind alone, are fine."""
    words, kind = text.strip(), None
    if words.startswith("/"):
        label, _, rest = words[1:].partition(" ")
        kind = PREFIXES.get(label.lower())
        if kind is None:
            raise InputError(f"/{label} is not a kind (use {', '.join('/' + KIND_LABELS[k] for k in PREFIXES.values())})")
        words = rest.strip()
    if kind == event.kind:
        kind = None
    if words == event.text:
        words = ""
    if not words and kind is None:
        raise InputError("nothing to correct: change the words, or start with /comms, /note … to change the kind")
    return words, kind


def correct(app: AppState, incident: Incident, event: Event) -> None:
    def answered(text: str) -> None:
        try:
            words, kind = correction_of(text, event)
        except InputError as error:
            app.notify(f"Not corrected: {error}.", severity="warning", markup=False)
            return
        app._queue_write(None, lambda s: s.correct(incident.id, event.id, words, author=app.user, kind=kind))

    label = KIND_LABELS.get(event.kind, event.kind)
    app.push_screen(
        PromptScreen(
            f"Correct #{event.id} ({clean_line(event.author)}, {label}): the right words; start "
            "with /comms, /note … to change its kind",
            value=event.text,
            required="Write the right words (Escape leaves the entry as it is)",
        ),
        _if_given(answered),
    )


def reopen(app: AppState, incident: Incident) -> None:
    """The status dialog of a resolved incident: reopen it, with a reason."""

    def picked(status: str) -> None:
        def answered(reason: str | None) -> None:
            if reason is None:
                return
            if not reason.strip():
                app.notify(f"{incident.label} not reopened: say why. Press s to try again.", severity="warning")
                return
            app._queue_write(None, lambda s: s.reopen(incident.id, reason, author=app.user, status=status))
            app.notify(f"{incident.label} reopened ({status}): the clocks run again.", timeout=4)

        app.push_screen(
            PromptScreen(
                f"Reopen {incident.label} as {status}: why? (the trouble is back …)",
                required="Say why first: the log keeps why it was reopened",
            ),
            answered,
        )

    choices = [(s, f"Reopen it: {s}") for s in REOPEN_STATUSES]
    app.push_screen(ChoiceScreen(f"{incident.label} is resolved. The trouble is back?", choices), _if_given(picked))
