"""The war-room's commands, in one place: each one's id, default keys, what it does, its label
and its words. The screen builds its key bindings (with these ids) and its command palette from
this list, the help is held to it by a test, and the config's `keys:` section remaps a command by
its id (a Textual keymap, as posting's keymaps do). Plain data, so that checking a config needs
no screen."""

from __future__ import annotations

from dataclasses import dataclass

from .checks import Checks
from .tree import _Map


@dataclass(frozen=True)
class Command:
    id: str  # the name in `keys:` and the binding's id
    keys: str  # default keys, Textual's names, comma-separated; "" for a palette-only command
    action: str  # the app's action, as Textual writes it: "entry('note')"
    label: str  # in the footer (and the key panel)
    words: str = ""  # what it does, in the palette
    palette: str = ""  # the palette's name, the same as the CLI's where there is one; "" for none
    show: bool = False  # in the footer
    priority: bool = False  # handled as the key arrives (the keys that open the entry line)
    section: str = ""  # where the help (`?`) lists it; "" for none
    help: str = ""  # what the help says after the key (at most 32 columns to sit two to a line)


COMMANDS: tuple[Command, ...] = (
    Command(
        "help",
        "question_mark",
        "help",
        "Help",
        "Keys, prefixes and symbols",
        "help",
        show=True,
        section="Everywhere",
        help="this help",
    ),
    # The keys that open the entry line are priority bindings, handled as the key arrives (not
    # after it has gone round the focused widget), so that focus moves before the rest of the same
    # burst is routed: those keys become text, never commands. check_action turns them off while
    # any text field has focus.
    Command(
        "note",
        "n",
        "entry('note')",
        "Note",
        "Log a note on the current incident",
        "log",
        True,
        True,
        section="Logging",
        help="note",
    ),
    Command(
        "action",
        "a",
        "entry('action')",
        "Action",
        "Log an action",
        "log --kind action",
        True,
        True,
        section="Logging",
        help="action",
    ),
    Command(
        "decision",
        "d",
        "entry('decision')",
        "Decision",
        "Log a decision",
        "log --kind decision",
        priority=True,
        section="Logging",
        help="decision",
    ),
    Command(
        "comms",
        "c",
        "entry('comms')",
        "Comms",
        "Log a customer update (resets the update-due clock)",
        "log --kind comms",
        True,
        True,
        section="Logging",
        help="comms (update)",
    ),
    Command(
        "customer",
        "u",
        "entry('customer')",
        "Customer",
        "Log a customer report",
        "log --kind customer",
        priority=True,
        section="Logging",
        help="customer report",
    ),
    Command(
        "todo",
        "t",
        "entry('action_item')",
        "Todo",
        "Log an action item (owner:sam due:+3d)",
        "log --kind todo",
        priority=True,
        section="Logging",
        help="todo",
    ),
    Command(
        "lesson",
        "l",
        "entry('lesson')",
        "Lesson",
        "Log a lesson learned",
        "log --kind lesson",
        priority=True,
        section="Logging",
        help="lesson learned",
    ),
    Command("input", "i", "entry('')", "Input", priority=True, section="Logging", help="the entry line, with the last kind"),
    Command(
        "status",
        "s",
        "set_status",
        "Status",
        "Change the incident's status",
        "set-status",
        show=True,
        section="The incident",
        help="status (s reopens if resolved)",
    ),
    Command("reopen", "", "set_status", "Reopen", "Reopen the resolved incident", "reopen"),
    Command(
        "severity",
        "v",
        "set_severity",
        "Severity",
        "Change the incident's severity",
        "set-severity",
        section="The incident",
        help="severity",
    ),
    Command("role", "r", "role", "Role", "Take or assign a role", "role", section="The incident", help="role"),
    Command(
        "declare",
        "N",
        "declare",
        "Declare",
        "Declare a new incident",
        "declare",
        show=True,
        section="The incident",
        help="declare a new incident",
    ),
    Command("resolve", "R", "resolve", "Resolve", "Resolve the incident", "resolve", section="The incident", help="resolve"),
    Command(
        "star",
        "asterisk",
        "star",
        "Star",
        "Star the selected entry for the postmortem (again: unstar)",
        "star",
        section="The incident",
        help="star or unstar the highlighted entry",
    ),
    Command("unstar", "", "star", "Unstar", "Take the star off the selected entry", "unstar"),
    Command(
        "withdraw",
        "w",
        "withdraw",
        "Withdraw",
        "Withdraw the selected entry (it stays in the log, marked withdrawn)",
        "withdraw",
        section="The incident",
        help="withdraw it (kept, struck)",
    ),
    Command(
        "correct",
        "e",
        "correct",
        "Correct",
        "Correct the selected entry's words or kind",
        "correct",
        section="The incident",
        help="correct its words or kind",
    ),
    Command(
        "edit",
        "E",
        "edit_incident",
        "Edit incident",
        "Change what was declared: title, summary, services",
        "edit",
        section="The incident",
        help="change the title, summary or services",
    ),
    Command(
        "draft",
        "D",
        "draft_update",
        "Draft update",
        "Draft a customer update from a template",
        "draft",
        section="The incident",
        help="draft a customer update from a template (Enter logs it)",
    ),
    Command(
        "followup",
        "f",
        "followup",
        "Follow-up",
        "Move the selected action item along: done, won't do, owner, due",
        "followup",
        section="The incident",
        help="the highlighted todo: done, won't do, owner, due date",
    ),
    Command(
        "search",
        "slash",
        "search",
        "Search",
        "Search the timeline",
        "search",
        show=True,
        section="The incident",
        help="search: words, kind:comms, author:sam",
    ),
    Command("previous", "left_square_bracket", "switch(-1)", "Prev incident", section="The incident", help="previous incident"),
    Command("next", "right_square_bracket", "switch(1)", "Next incident", section="The incident", help="next incident"),
    Command(
        "poll",
        "p",
        "poll_now",
        "Poll",
        "Poll vendor status now",
        "status",
        section="Services and vendors",
        help="read the vendors' pages now",
    ),
    Command(
        "runbook",
        "o",
        "runbook",
        "Runbook",
        "Show the selected service's runbook link",
        "runbook",
        section="Services and vendors",
        help="the service's runbook link",
    ),
    Command(
        "override",
        "O",
        "override",
        "Overrule vendor",
        "Overrule the highlighted vendor's page (down for us / not us)",
        "override",
        section="Services and vendors",
        help="overrule the vendor's page: down for us, or not us (why)",
    ),
    Command(
        "export",
        "x",
        "export",
        "Export",
        "Export the postmortem as Markdown",
        "export",
        section="The incident",
        help="write the postmortem (Markdown and a picture of the timeline)",
    ),
    Command("back", "escape", "leave_input", "Back", section="The incident", help="back: clears a search, leaves the line"),
    Command(
        "retry",
        "ctrl+r",
        "retry_unsaved",
        "Retry unsaved",
        "Save again the entries shown as NOT SAVED",
        "retry",
        section="The incident",
        help="save again the entries shown as NOT SAVED",
    ),
    Command("pane-incident", "1", "pane('incident')", "Incident", section="Reading the story", help="the incident"),
    Command("pane-services", "2", "pane('services')", "Services", section="Reading the story", help="the services"),
    Command("pane-vendors", "3", "pane('vendors')", "Vendors", section="Reading the story", help="the vendors"),
    Command("quit", "q", "quit", "Quit", show=True, section="Everywhere", help="quit"),
)
BY_ID = {command.id: command for command in COMMANDS}
# The names a person may write for a key, as Textual names it (for telling that two clash).
_KEY_NAMES = {
    "?": "question_mark",
    "*": "asterisk",
    "/": "slash",
    "[": "left_square_bracket",
    "]": "right_square_bracket",
    "esc": "escape",
    " ": "space",
}


def key_names(keys: str) -> list[str]:
    return [_KEY_NAMES.get(key.strip(), key.strip()) for key in keys.split(",") if key.strip()]


def keys_section(check: Checks, data: _Map) -> tuple[tuple[str, str], ...]:
    """`keys:` — a command's id and the keys that run it instead of its default, e.g.
    `keys: {note: m, search: "ctrl+f,/"}`. Unknown commands, empty keys and a key two commands
    would share are refused, each as FILE:LINE."""
    section = check.mapping(data, "keys")
    if section is None:
        return ()
    check.keys(section, [c.id for c in COMMANDS if c.keys], "keys")
    remapped: list[tuple[str, str]] = []
    for command_id in section:
        if command_id not in BY_ID or not BY_ID[command_id].keys:
            continue
        value = check.text(section, command_id)
        if value is None or not key_names(value) or any(" " in key.strip() for key in value.split(",")):
            check.fail(
                check.at(section, command_id),
                f'keys.{command_id}: write a key, or keys with commas between them (m, ctrl+k, f5, "ctrl+f,/")',
            )
            continue
        remapped.append((command_id, value))
    chosen = dict(remapped)
    taken: dict[str, str] = {}
    for command in COMMANDS:
        for key in key_names(chosen.get(command.id, command.keys)):
            other = taken.setdefault(key, command.id)
            if other != command.id and (command.id in chosen or other in chosen):
                mine = command.id if command.id in chosen else other
                check.fail(
                    check.at(section, mine),
                    f"keys.{mine}: {key} is already the key of {other if mine == command.id else command.id}",
                )
    return tuple(remapped)
