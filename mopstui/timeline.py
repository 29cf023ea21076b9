"""How a timeline reads: which entries are starred, corrected or back-dated, and one line each.

Shared by the CLI, the screen and the export so that the three never disagree.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, tzinfo

from .domain.model import KIND_LABELS, Event
from .textsafe import clean_line
from .timeutil import format_duration, local_clock


@dataclass
class Annotations:
    """What later events say about earlier ones: stars and corrections."""

    starred: set[int] = field(default_factory=set)
    corrections: dict[int, list[Event]] = field(default_factory=dict)

    def add(self, event: Event) -> None:
        if event.kind == "star" and event.ref:
            self.starred.add(event.ref)
        elif event.kind == "correction" and event.ref:
            self.corrections.setdefault(event.ref, []).append(event)

    @classmethod
    def of(cls, events: Iterable[Event]) -> Annotations:
        notes = cls()
        for event in events:
            notes.add(event)
        return notes


def marks(event: Event, notes: Annotations) -> str:
    """A two-character margin: ★ starred, ↶ back-dated, ✎ corrected later."""
    star = "★" if event.id in notes.starred else " "
    if event.id in notes.corrections:
        other = "✎"
    elif event.backdated:
        other = "↶"
    else:
        other = " "
    return star + other


def entry_text(event: Event) -> str:
    return entry_words(event.kind, event.ref, event.text)


def entry_words(kind: str, ref: int | None, text: str) -> str:
    """An entry's text as a timeline shows it, from its parts (exports format raw rows)."""
    if kind == "correction" and ref:
        return f"correction of #{ref}: {clean_line(text)}"
    return clean_line(text)


def format_line(event: Event, start: datetime, tz: tzinfo, notes: Annotations, *, author_width: int = 10) -> str:
    elapsed = format_duration(event.occurred_at - start, signed=True)
    author = clean_line(event.author)[:author_width]
    kind = KIND_LABELS.get(event.kind, event.kind)[:8]
    return (
        f"{local_clock(event.occurred_at, tz)} {elapsed:>8} {marks(event, notes)} "
        f"{author:<{author_width}} {kind:<8} {entry_text(event)}{account_note(event)}"
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
