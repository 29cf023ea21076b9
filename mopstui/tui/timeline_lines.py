"""How the timeline draws: one entry as its wrapped lines (time, marks, author and kind, then the
text wrapped under the text column), and which lines fill the screen from the bottom entry up.
TimelineView (timeline_view.py) keeps the entries, the cursor and the scroll."""

from __future__ import annotations

import bisect
from collections.abc import Callable
from datetime import datetime, tzinfo

from rich.cells import cell_len
from rich.console import Console
from rich.style import Style
from rich.text import Text
from textual.strip import Strip

from ..base.timeutil import local_clock, short_duration

KIND_STYLES = {
    "comms": "bold cyan",
    "customer": "bold magenta",
    "decision": "bold yellow",
    "action": "green",
    "status": "bold blue",
    "severity": "bold red",
    "system": "italic bright_black",
    "vendor": "italic yellow",
    "evidence": "italic cyan",
    "declared": "bold",
    "correction": "yellow",
    "withdraw": "dim",
    "reopen": "bold blue",
    "pending": "dim italic",
}


class EntryDrawing:
    """Draws entries for one pane: its zone, the incident's start and the author column's width."""

    def __init__(self, console: Console, tz: tzinfo, start: datetime | None, author_width: int, base: Style) -> None:
        self.console, self.tz, self.start, self.author_width, self.base = console, tz, start, author_width, base

    def time_column(self, occurred_at: datetime | None, width: int) -> str:
        elapsed = short_duration(occurred_at - self.start, signed=True) if self.start and occurred_at else ""
        if width >= 90:
            return f"{local_clock(occurred_at, self.tz) if occurred_at else '':>8} {elapsed:>7} "
        return f"{elapsed:>7} "

    def head(self, time_column: str, mark: str, author: str, kind: str, kind_style: str) -> Text:
        head = Text(no_wrap=True)
        head.append(time_column, "bright_black")
        head.append(mark + " ", "bold yellow")
        head.append(author + " " * max(1, self.author_width - cell_len(author) + 1), "bold")
        head.append(f"{kind[:8]:<8} ", kind_style)
        return head

    def wrap(self, head: Text, body: Text, width: int, highlighted: bool, style: str = "") -> list[Strip]:
        """The head (time, marks, author, kind), then the text wrapped under the text column."""
        indent = len(self.time_column(None, width)) + 3 + self.author_width + 1 + 9
        text_width = max(10, width - indent)
        indent = min(indent, max(0, width - text_width))
        spill = head.cell_len - indent  # an author longer than the column runs on into the text
        rows: list[Text] = []
        if spill > text_width // 2:
            rows.append(head)
            spill = -1
        elif spill > 0:
            body = Text(" " * spill) + body
        wrapped = body.wrap(self.console, text_width) if body.plain else [Text()]
        for number, part in enumerate(wrapped):
            if number == 0 and spill >= 0:
                row = head.copy()
                row.append_text(part[max(0, spill) :] if spill > 0 else part)
            else:
                row = Text(" " * indent)
                row.append_text(part)
            rows.append(row)
        return [self.strip(row, width, highlighted, style) for row in rows]

    def strip(self, line: Text, width: int, highlighted: bool, style: str = "") -> Strip:
        if style:
            line.stylize(style)
        if highlighted:
            line.stylize("reverse")
        line.truncate(width, overflow="ellipsis", pad=True)
        return Strip(list(line.render(self.console)), width).apply_style(self.base)


def items_fitting(lines: Callable[[int], list[Strip]], count: int, index: int, height: int) -> int:
    """How many items from `index` on fit whole in `height` lines (at least one)."""
    used = fitting = 0
    for item in range(index, count):
        used += len(lines(item))
        if used > height:
            break
        fitting += 1
    return max(1, fitting)


def lay_out(lines: Callable[[int], list[Strip]], count: int, bottom: int, height: int) -> tuple[list[Strip], list[int]]:
    """The screen's lines ending with item `bottom`'s last line, and the item each belongs to; at
    the top of the timeline, filled downwards from the first item instead. Only the items on
    screen are drawn."""
    if not count:
        return [], []
    bottom = max(0, min(count - 1, bottom))
    shown: list[Strip] = []
    owners: list[int] = []
    index = bottom
    while index >= 0 and len(shown) < height:
        strips = lines(index)
        if index == bottom:
            strips = strips[:height]  # an entry taller than the pane: its beginning
        shown[:0] = strips
        owners[:0] = [index] * len(strips)
        index -= 1
    if len(shown) > height:
        del shown[: len(shown) - height], owners[: len(owners) - height]
    elif index < 0:
        index = bottom + 1
        while index < count and len(shown) < height:
            strips = lines(index)
            shown += strips
            owners += [index] * len(strips)
            index += 1
        del shown[height:], owners[height:]
    return shown, owners


def merge_earlier(events: list, keys: list[tuple], earlier: list, boundary: tuple | None) -> tuple[list, list[tuple]]:
    """A timeline drawn from its newest entries (`events`, ordered by `keys`, the oldest of those
    first read at `boundary`) with the entries before `boundary` put in front. Entries that came
    in meanwhile are there once, in order: one dated before the boundary (written back-dated while
    the rest was read) may also be among `earlier`."""
    cut = bisect.bisect_left(keys, boundary) if boundary is not None else len(keys)
    known = {event.id for event in events[:cut]}
    front = [event for event in earlier if event.id not in known]
    if cut:
        front = sorted(front + events[:cut], key=lambda e: (e.occurred_at, e.id))
    return front + events[cut:], [(e.occurred_at, e.id) for e in front] + keys[cut:]
