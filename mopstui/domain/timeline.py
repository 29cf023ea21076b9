"""How a timeline reads: which entries are starred, corrected or back-dated, and one line each.

Shared by the CLI, the screen and the export so that the three never disagree.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, tzinfo

from ..base.textsafe import clean_line
from ..base.timeutil import local_clock, short_duration
from .model import KIND_LABELS, Event
from .takeback import TakeBacks

# The kinds that say something about an earlier entry (Annotations.add): few, read on their own
# when a timeline is drawn before the whole of it is read.
ANNOTATION_KINDS = ("star", "unstar", "correction", "withdraw", "followup")


@dataclass
class Annotations:
    """What later events say about earlier ones: stars (and unstars), corrections (of the words,
    of the kind) and withdrawals. Added in the order they were written."""

    starred: set[int] = field(default_factory=set)
    corrections: dict[int, list[Event]] = field(default_factory=dict)
    taken_back: TakeBacks = field(default_factory=TakeBacks)
    changes: dict[int, list[Event]] = field(default_factory=dict)  # a todo's owner, due date, state

    def add(self, event: Event) -> None:
        if not event.ref:
            return
        if event.kind == "star":
            self.starred.add(event.ref)
        elif event.kind == "unstar":
            self.starred.discard(event.ref)
        elif event.kind == "correction":
            self.corrections.setdefault(event.ref, []).append(event)
            self.taken_back.add(event)
        elif event.kind == "withdraw":
            self.taken_back.add(event)
        elif event.kind == "followup":
            self.changes.setdefault(event.ref, []).append(event)

    @property
    def withdrawn(self) -> dict[int, Event]:
        return self.taken_back.withdrawn

    def kind_now(self, event: Event) -> str:
        """The entry's kind as last corrected (its written kind when it never was)."""
        return self.taken_back.kinds.get(event.id, event.kind)

    @classmethod
    def of(cls, events: Iterable[Event]) -> Annotations:
        notes = cls()
        for event in events:
            notes.add(event)
        return notes


def marks(event: Event, notes: Annotations) -> str:
    """A two-character margin: ★ starred, ↶ back-dated, ✎ corrected later, ⊘ withdrawn."""
    star = "★" if event.id in notes.starred else " "
    if event.id in notes.withdrawn:
        other = "⊘"
    elif event.id in notes.corrections:
        other = "✎"
    elif event.backdated:
        other = "↶"
    else:
        other = " "
    return star + other


def todo_words(event: Event, notes: Annotations, today: date) -> tuple[str, bool] | None:
    """A todo's owner and due date as they stand now (`Sam, due Tue 8 Dec`), and whether it is
    overdue; None for any other entry."""
    if notes.kind_now(event) != "action_item" or event.incident_id is None:
        return None
    from .followups import followups, todo_line  # only a todo's line: `incidents` reads none

    as_todo = event if event.kind == "action_item" else replace(event, kind="action_item")
    items = followups([as_todo, *notes.changes.get(event.id, ())])
    return todo_line(items[0], today) if items else None


def entry_text(event: Event) -> str:
    return entry_words(event.kind, event.ref, event.text)


# Evidence a program added for a person (`mopstui mcp`) is marked wherever an entry is shown, so
# that nobody reads it as something a person in the room wrote or decided.
EVIDENCE_MARK = "◇"


def entry_words(kind: str, ref: int | None, text: str) -> str:
    """An entry's text as a timeline shows it, from its parts (exports format raw rows)."""
    if kind == "correction" and ref:
        return f"correction of #{ref}: {clean_line(text)}"
    if kind == "evidence":
        return f"{EVIDENCE_MARK} {clean_line(text)}"
    if kind == "withdraw" and ref:
        return f"withdrew #{ref}: {clean_line(text)}"
    if kind == "reopen":
        return f"reopened: {clean_line(text)}"
    if kind == "catalog":
        return catalog_words(text)
    return clean_line(text)


def catalog_words(text: str) -> str:
    """The declaration's copy of the service list, as a reader says it (the stored words, kept in
    the log as written, were `catalog snapshot: 14 services`)."""
    stored = "catalog snapshot: "
    if not text.startswith(stored):
        return clean_line(text)
    count = text[len(stored) :].removesuffix(" services")
    said = ("1 service" if count == "1" else f"{count} services") if count.isdigit() else text[len(stored) :]
    return "the service list at the start: " + clean_line(said)


def withdrawn_note(withdrawal: Event) -> str:
    """What a withdrawn entry carries beside its text: who took it back, and why."""
    return f"[withdrawn by {clean_line(withdrawal.author)}: {clean_line(withdrawal.text)}]"


def kind_note(event: Event, notes: Annotations) -> str:
    """`[now comms]` on an entry whose kind was corrected."""
    return _kind_note(event.id, event.kind, notes)


def _kind_note(event_id: int, kind: str, notes: Annotations) -> str:
    now = notes.taken_back.kinds.get(event_id)
    return f"[now {KIND_LABELS.get(now, now)}] " if now and now != kind else ""


def annotated_text(event: Event, notes: Annotations) -> str:
    """The entry's words with what was said about it since: its new kind, its withdrawal."""
    return annotated_words(event.id, event.kind, entry_text(event), notes)


def annotated_words(event_id: int, kind: str, words: str, notes: Annotations) -> str:
    """`annotated_text` from a row's parts (the fast timeline and exports format raw rows)."""
    if event_id not in notes.withdrawn and event_id not in notes.taken_back.kinds:
        return words
    text = _kind_note(event_id, kind, notes) + words
    withdrawal = notes.withdrawn.get(event_id)
    return f"{withdrawn_note(withdrawal)} {text}" if withdrawal else text


def format_line(
    event: Event, start: datetime, tz: tzinfo, notes: Annotations, *, author_width: int = 10, today: date | None = None
) -> str:
    """One timeline line; given `today`, a todo's owner and due date after its words (as on screen)."""
    elapsed = short_duration(event.occurred_at - start, signed=True)
    author = clean_line(event.author)[:author_width]
    kind = KIND_LABELS.get(event.kind, event.kind)[:8]
    todo = todo_words(event, notes, today) if today is not None and event.id not in notes.withdrawn else None
    return (
        f"{local_clock(event.occurred_at, tz)} {elapsed:>8} {marks(event, notes)} "
        f"{author:<{author_width}} {kind:<8} {annotated_text(event, notes)}"
        f"{f' — {clean_line(todo[0])}' if todo else ''}{account_note(event)}"
    )


def author_mark(event: Event) -> str:
    """The author as the screen's author column shows it: `priya≠login sam` where the chosen name
    is not the account that wrote the entry (never cut: the column grows into the text)."""
    label = event.account_label
    author = clean_line(event.author)
    if not label:
        return author
    return f"{author}≠{clean_line(label)}" if label.startswith("login ") else f"{author}≠login unknown"


def account_note(event: Event) -> str:
    """Where the chosen name is not the account that wrote the entry, the account, after the text."""
    label = event.account_label
    return f"  ({clean_line(label)})" if label else ""
