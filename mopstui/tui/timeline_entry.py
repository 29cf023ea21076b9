"""One timeline entry drawn as its wrapped lines: an event with its marks (star, correction,
withdrawal, a todo's owner and due date), or an entry typed here that the database has not
confirmed yet. How lines wrap is timeline_lines.py's; which entries are on screen, the view's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from rich.text import Text
from textual.strip import Strip

from ..base.textsafe import clean_line
from ..domain.model import KIND_LABELS, Event
from ..domain.takeback import new_words
from ..domain.timeline import Annotations, author_mark, entry_text, kind_note, marks, todo_words, withdrawn_note
from .timeline_lines import KIND_STYLES, EntryDrawing


@dataclass
class Pending:
    """An entry the user submitted that the database has not confirmed yet."""

    token: int
    kind: str
    text: str
    author: str
    occurred_at: datetime
    failed: str = ""


def draw_event(
    drawing: EntryDrawing, event: Event, notes: Annotations, today: date, width: int, highlighted: bool
) -> list[Strip]:
    head = drawing.head(
        drawing.time_column(event.occurred_at, width),
        marks(event, notes),
        author_mark(event),
        KIND_LABELS.get(event.kind, event.kind),
        KIND_STYLES.get(event.kind, ""),
    )
    body = Text()
    withdrawal = notes.withdrawn.get(event.id)
    if withdrawal:  # who took it back, and why, first
        body.append(f"{withdrawn_note(withdrawal)} ", "italic")
    body.append(kind_note(event, notes) + entry_text(event), "dim strike" if withdrawal else "")
    todo = todo_words(event, notes, today)
    if todo and not withdrawal:  # who owns it and by when, on the line itself: never cut, wrapped
        body.append(f" — {todo[0]}", "bold red" if todo[1] else "cyan")
    for correction in notes.corrections.get(event.id, ())[-1:]:
        words = new_words(correction)
        if words:
            body.append(f"  ✎ {clean_line(words)}", "yellow")
    return drawing.wrap(head, body, width, highlighted)


def draw_pending(drawing: EntryDrawing, item: Pending, width: int) -> list[Strip]:
    state = f"NOT SAVED ({item.failed})" if item.failed else "saving…"
    head = drawing.head(f"{'':>7} ", "⋯ ", clean_line(item.author), KIND_LABELS.get(item.kind, item.kind), "")
    body = Text(f"{clean_line(item.text)}  [{state}]")
    return drawing.wrap(head, body, width, False, style="bold red" if item.failed else KIND_STYLES["pending"])
