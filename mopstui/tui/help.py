"""The help (`?`), built from the one command list (config/keymap.py) with the config's `keys:`
applied, so a remapped key is the key the help names; around the lists, how to read an entry,
the entry line's grammar and the legend of every mark. Lines of at most 70 columns: the dialog's
inside at 80x24 (a longer line wrapped mid-phrase)."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Label, Static

from ..config.keymap import COMMANDS, key_names
from ..domain.vocabulary import SYMBOLS
from .screens import _Dialog

WIDTH = 70
COLUMN = 34  # two commands to a line where each fits in half of it
SHOWN = {
    "question_mark": "?",
    "asterisk": "*",
    "slash": "/",
    "left_square_bracket": "[",
    "right_square_bracket": "]",
    "escape": "Escape",
}

# The words around the lists, by section: before the section's commands, and after them.
BEFORE = {
    "Reading the story": [
        "Every entry is shown whole: a long one wraps under its text.",
        "↑ ↓ (or j k) move the highlight; the line under the timeline",
        "shows the highlighted entry's number, author, kind and time.",
        "g G  first, last entry      PgUp PgDn  a screen at a time",
        "Below 100 columns one pane is on screen; these keys pick it:",
    ],
    "Services and vendors": ["Tab moves between panes; Enter opens the highlighted one's detail"],
    "Everywhere": ["ctrl+p  every command by name"],
}
AFTER = {
    "Logging": [
        "While typing:  /comms text  (or /note /action /decision",
        "               /customer /todo /lesson)   !text  an action",
        "               @10:02 text  back-dates the entry",
        "               /todo … owner:sam due:+3d  owner and due date",
    ],
}
TITLES = {"Logging": "Logging: a kind key opens the line; Enter logs and closes it"}
SECTIONS = ["Reading the story", "Logging", "The incident", "Services and vendors", "Everywhere"]


def shown_keys(keys: str) -> str:
    """`question_mark` as `?`, `ctrl+f,slash` as `ctrl+f /`: as the keyboard says them."""
    return " ".join(SHOWN.get(key, key) for key in key_names(keys))


def packed(items: list[str]) -> list[str]:
    """Two to a line where both are short, else one; never past WIDTH."""
    lines: list[str] = []
    waiting: str | None = None
    for item in items:
        if cell_len(item) <= COLUMN - 2:  # a gap of two before the next
            if waiting is None:
                waiting = item
                continue
            lines.append(waiting.ljust(COLUMN) + item)
            waiting = None
            continue
        if waiting is not None:
            lines.append(waiting)
            waiting = None
        lines.append(item)
    if waiting is not None:
        lines.append(waiting)
    return lines


def help_lines(remapped: dict[str, str] | None = None) -> list[str]:
    """The help's lines, each command under its key, the config's remapping applied."""
    keys = {command.id: command.keys for command in COMMANDS} | dict(remapped or {})
    lines = ["mopstui — the incident war-room"]
    for section in SECTIONS:
        lines += ["", TITLES.get(section, section)]
        lines += ["  " + line for line in BEFORE.get(section, [])]
        items = [f"{shown_keys(keys[c.id])}  {c.help}" for c in COMMANDS if c.section == section and keys[c.id]]
        lines += ["  " + line for line in packed(items)]
        lines += ["  " + line for line in AFTER.get(section, [])]
    lines += ["", "What the marks mean"]
    lines += [f"  {symbol}{' ' * (9 - cell_len(symbol))}{meaning}" for symbol, meaning in SYMBOLS]
    return lines


def help_text(remapped: dict[str, str] | None = None) -> Text:
    return Text("\n".join(help_lines(remapped)) + "\n")


class HelpScreen(_Dialog[None]):
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close")]

    def __init__(self, remapped: dict[str, str] | None = None) -> None:
        super().__init__()
        self.remapped = dict(remapped or {})  # the config's `keys:`, which replace the keys below

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body", classes="dialog"):
            # said first too: at 80x24 the last line is two pages down, and a first look closes nothing
            yield Label("Escape to close · ↑ ↓ to scroll", classes="hint", id="help-close")
            if self.remapped:
                said = " · ".join(f"{shown_keys(keys)} {command}" for command, keys in self.remapped.items())
                yield Static(Text(f"Your keys (the config's keys:): {said}", style="bold"), id="help-remapped")
            yield Static(help_text(self.remapped), id="help-text")
            yield Label("↑ ↓ to scroll · Escape to close", classes="hint")
