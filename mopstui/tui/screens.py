"""Modal screens: choices, prompts, declaring an incident, details (the help is help.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from rich.segment import Segment
from rich.text import Text
from textual._time import get_time  # the clock Textual stamps each key with
from textual.app import ComposeResult
from textual.await_complete import AwaitComplete
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.strip import Strip
from textual.widgets import Button, Input, Label, OptionList, Select, SelectionList, Static
from textual.widgets.option_list import Option
from textual.widgets.selection_list import Selection

from ..base.textsafe import clean_line
from ..config import Config
from ..domain.model import SEVERITIES, InputError

Answer = TypeVar("Answer")
READ_FIRST = 0.3  # seconds a dialog is on screen before a bare Enter takes its suggestion


class _Dialog(ModalScreen[Answer], Generic[Answer]):
    """A dialog answers once. A second Enter (a double press, or keys arriving in one burst over a
    slow link) used to dismiss the screen below it too, the war-room itself, and end the app.
    Keys made before it was on screen (`opened_at`) are the rest of the burst that opened it: the
    app drops them (keyguard.py)."""

    _answered = False
    opened_at = float("inf")
    key_made_at = float("inf")  # when the key being handled was made (set by the key guard)

    def on_mount(self) -> None:
        self.opened_at = get_time()

    def dismiss(self, result: Answer | None = None) -> AwaitComplete:
        if self._answered or not self.is_current:
            return AwaitComplete(asyncio.sleep(0))
        self._answered = True
        return super().dismiss(result)


class _Choices(OptionList):
    """The choices of a dialog, none highlighted at first. The first arrow moves from the current
    value (severity: ↑ one more severe, ↓ one less), the first ↓ goes to the suggested choice, and
    nothing wraps: ↑ once went from nothing to the bottom, a downgrade to SEV4. Enter takes the
    suggested choice the dialog shows (→), and with none says what to do (doing nothing looked stuck)."""

    def __init__(self, *options: Option, suggested: str | None = None, current: str | None = None, id: str | None = None) -> None:
        super().__init__(*options, id=id)
        self.suggested, self.current = suggested, current

    def _step(self, direction: int) -> None:
        index = self.highlighted
        if index is None:
            if direction > 0 and self.suggested is not None:
                self.highlighted = self.get_option_index(self.suggested)
                return
            if self.current is not None:
                index = self.get_option_index(self.current)
            else:
                index = -1 if direction > 0 else self.option_count
        index += direction
        while 0 <= index < self.option_count:  # the next choice that can be picked, never round the end
            if not self.get_option_at_index(index).disabled:
                self.highlighted = index
                return
            index += direction

    def action_cursor_down(self) -> None:
        self._step(1)

    def action_cursor_up(self) -> None:
        self._step(-1)

    def action_select(self) -> None:
        # The suggestion is taken by an Enter pressed after the dialog could be read, never by the
        # Enter of the burst that opened it (`s` Enter in one paste moved the status). Timed from when
        # the Enter was typed, not handled: on a busy host an Enter typed just after the dialog opened
        # can be handled long after, and it was no more read then than when it was typed.
        screen = self.screen
        typed = min(getattr(screen, "key_made_at", float("inf")), get_time())
        read = typed - getattr(screen, "opened_at", float("inf")) >= READ_FIRST
        if self.highlighted is None and self.suggested is not None and read:
            self.highlighted = self.get_option_index(self.suggested)
        if self.highlighted is None:
            self.screen.query_one(".hint", Label).update(
                Text("Nothing chosen yet: ↑ ↓ to choose, then Enter · Escape to cancel", style="bold")
            )
            return
        super().action_select()


class ChoiceScreen(_Dialog[str | None]):
    """Pick one of a few values (status, severity, role); the current one is marked and cannot be
    picked again."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(
        self,
        title: str,
        choices: list[tuple[str, str]],
        *,
        current: str | None = None,
        deliberate: bool = True,
        suggested: str | None = None,
    ) -> None:
        super().__init__()
        self.title_text = title
        self.choices = choices
        self.current = current
        self.suggested = suggested
        # Nothing highlighted until the user moves (an arrow key): the rest of a burst of typing,
        # a stray Enter, cannot change a status, a severity or a role, or resolve an incident.
        self.deliberate = deliberate

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            options = [
                Option(Text(label + ("  (now)" if value == self.current else "")), id=value, disabled=value == self.current)
                for value, label in self.choices
            ]
            yield _Choices(*options, suggested=self.suggested, current=self.current, id="choices")
            if self.deliberate and self.suggested is not None:
                yield Label(Text(f"Enter: {self.suggested} (→) · ↑ ↓ another, then Enter · Escape to cancel"), classes="hint")
            elif self.deliberate:
                yield Label("↑ ↓ to choose, then Enter · Escape to cancel", classes="hint")

    def on_mount(self) -> None:
        if self.deliberate:
            self.query_one("#choices", OptionList).highlighted = None

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class PromptScreen(_Dialog[str | None]):
    """Ask for one line of text. With `required`, an empty answer keeps the dialog open with that
    word (an empty override reason once closed it silently and wrote nothing)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(
        self,
        title: str,
        *,
        value: str = "",
        placeholder: str = "",
        required: str = "",
        check: Callable[[str], object] | None = None,
    ) -> None:
        super().__init__()
        self.title_text, self.value, self.placeholder, self.required = title, value, placeholder, required
        self.check = check  # raises InputError for an answer refused: said under the line, the text kept

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text(self.title_text), classes="dialog-title")
            yield Input(self.value, placeholder=self.placeholder, id="prompt")
            yield Label("Enter to confirm · Escape to cancel", classes="hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if self.required and not event.value.strip():
            self.query_one(".hint", Label).update(Text(f"{self.required} · Escape to cancel", style="bold"))
            return
        if self.check is not None and event.value.strip():
            try:
                self.check(event.value)
            except InputError as error:
                self.query_one(".hint", Label).update(Text(f"Not taken: {error}. Escape to cancel", style="bold"))
                return
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


@dataclass(frozen=True)
class Declaration:
    title: str
    severity: str
    services: tuple[str, ...]
    summary: str = ""


class CheckList(SelectionList[str]):
    """A SelectionList whose boxes say their state in characters, `[x]` or `[ ]`: Textual draws
    every box `▐X▌` and tells checked from not by the X's shade alone, which NO_COLOR, a
    monochrome terminal or a tired eye does not see. Same width as Textual's box (its gutter)."""

    CHECKED, UNCHECKED = "[x]", "[ ]"

    def render_line(self, y: int) -> Strip:
        line = super().render_line(y)
        segments = list(line)
        index = self.scroll_offset.y + y
        if len(segments) < 4 or index >= self.option_count:
            return line
        value = self.get_option_at_index(index).value
        box = self.CHECKED if value in self.selected else self.UNCHECKED
        style = segments[1].style  # the box's own colours, its option's mouse target kept
        return Strip([Segment(box, style), *segments[3:]])


class DeclareScreen(_Dialog[Declaration | None]):
    """Title, severity, and affected services picked from the catalog (a touchpoint picks its services)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel"), Binding("ctrl+s", "declare", "Declare")]

    def __init__(self, config: Config, editing: Declaration | None = None, draft: Declaration | None = None) -> None:
        super().__init__()
        self.config = config
        self.editing = editing  # what was declared, to change (the severity has its own key)
        self.draft = draft  # what was typed the last time, left with Escape: filled in again
        self.left: Declaration | None = None  # what was typed when Escape left it, a title given

    def compose(self) -> ComposeResult:
        touchpoints = sorted({s.touchpoint or "other" for s in self.config.services})
        editing = self.editing
        kept = editing or self.draft
        chosen = set(kept.services) if kept else set()
        with Vertical(classes="dialog", id="declare"):
            yield Label("Change what was declared" if editing else "Declare an incident", classes="dialog-title")
            yield Input(
                kept.title if kept else "",
                placeholder="What customers see, e.g. 'Lead form not submitting'",
                id="declare-title",
            )
            if editing:
                yield Input(editing.summary, placeholder="Summary: what is going on, in a sentence", id="declare-summary")
            else:
                yield Select(
                    [(f"{s} — {self.config.severities[s].description}", s) for s in SEVERITIES],
                    value=self.draft.severity if self.draft else "SEV2",
                    allow_blank=False,
                    id="declare-severity",
                )
            with Horizontal(id="declare-pickers"):
                yield CheckList(*[Selection(Text(f"◆ {t}"), t) for t in touchpoints], id="declare-touchpoints")
                yield CheckList(
                    *[
                        Selection(Text(f"{clean_line(s.name)} ({clean_line(s.touchpoint)})"), s.id, s.id in chosen)
                        for s in self.config.services
                    ],
                    id="declare-services",
                )
            with Horizontal(classes="buttons"):
                kept_words = "what you typed before is kept · " if self.draft and not editing else ""
                yield Label(kept_words + "ctrl+s " + ("saves" if editing else "declares") + " · Escape cancels", classes="hint")
                yield Button("Save" if editing else "Declare", variant="primary" if editing else "error", id="declare-ok")
                yield Button("Cancel", id="declare-cancel")

    def on_selection_list_selection_toggled(self, event: SelectionList.SelectionToggled) -> None:
        if event.selection_list.id != "declare-touchpoints":
            return
        touchpoint = event.selection.value
        on = touchpoint in event.selection_list.selected
        services = self.query_one("#declare-services", SelectionList)
        for service in self.config.services:
            if (service.touchpoint or "other") == touchpoint:
                services.select(service.id) if on else services.deselect(service.id)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "declare-ok":
            self.action_declare()
        else:
            self.action_cancel()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.action_declare()

    def action_declare(self) -> None:
        title = self.query_one("#declare-title", Input).value.strip()
        if not title:
            self.notify("An incident needs a title: what do customers see?", severity="error")
            self.query_one("#declare-title", Input).focus()
            return
        services = tuple(self.query_one("#declare-services", SelectionList).selected)
        if self.editing:
            summary = self.query_one("#declare-summary", Input).value.strip()
            self.dismiss(Declaration(title, self.editing.severity, services, summary))
            return
        severity = str(self.query_one("#declare-severity", Select).value)
        self.dismiss(Declaration(title, severity, services))

    def action_cancel(self) -> None:
        title = self.query_one("#declare-title", Input).value.strip()
        if title and not self.editing:
            severity = str(self.query_one("#declare-severity", Select).value)
            self.left = Declaration(title, severity, tuple(self.query_one("#declare-services", SelectionList).selected))
        self.dismiss(None)


class DetailScreen(_Dialog[None]):
    """Read-only detail of a service or a vendor: plain text, scrollable."""

    BINDINGS = [Binding("escape,q,enter", "dismiss", "Close")]

    def __init__(self, title: str, body: Text) -> None:
        super().__init__()
        self.title_text, self.body = title, body

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog detail"):
            yield Label(Text(self.title_text), classes="dialog-title")
            yield Static(self.body, id="detail-body")
            yield Label("Escape to close", classes="hint")
