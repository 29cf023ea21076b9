"""The timeline: a virtual list drawn line by line (Textual's Line API), so 100,000 events cost
only the lines on screen. Newest at the bottom, followed unless the user scrolls up.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import datetime, tzinfo

from rich.text import Text
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ..base.textsafe import clean_line
from ..base.timeutil import format_duration, local_clock
from ..domain.model import KIND_LABELS, Event
from ..domain.takeback import new_words
from ..domain.timeline import Annotations, account_note, entry_text, kind_note, marks, withdrawn_note

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


@dataclass
class Pending:
    """An entry the user submitted that the database has not confirmed yet."""

    token: int
    kind: str
    text: str
    author: str
    occurred_at: datetime
    failed: str = ""


class TimelineView(ScrollView, can_focus=True):
    """Events of one incident in `occurred_at` order, with a cursor for star and correct."""

    BINDINGS = [
        Binding("up,k", "cursor(-1)", "Up", show=False),
        Binding("down,j", "cursor(1)", "Down", show=False),
        Binding("pageup", "cursor_page(-1)", "Page up", show=False),
        Binding("pagedown", "cursor_page(1)", "Page down", show=False),
        Binding("home,g", "cursor_to(0)", "First", show=False),
        Binding("end,G", "cursor_to(-1)", "Last", show=False),
    ]

    cursor = reactive(-1, repaint=False)

    class Selected(Message):
        def __init__(self, event: Event | None) -> None:
            super().__init__()
            self.event = event

    def __init__(self, *, tz: tzinfo, id: str | None = None) -> None:
        super().__init__(id=id)
        self.tz = tz
        self._keys: list[tuple[datetime, int]] = []
        self._events: list[Event] = []
        self._pending: list[Pending] = []
        self.notes = Annotations()
        self.start: datetime | None = None
        self.follow = True
        # Drawn lines by (event id, width, highlighted): a new entry scrolls every line up one, and
        # redrawing them all cost each of 50 screens on a host ~18 ms an entry at 200x50.
        self._cache: dict[tuple[int, int, bool], Strip] = {}
        self.filter_label = ""

    # ------------------------------------------------------------------ content

    def load(self, events: list[Event], start: datetime, *, filter_label: str = "") -> None:
        """Replace the whole content (switching incident, or a search result)."""
        selected = self.selected
        self.start = start
        self.filter_label = filter_label
        self._events = sorted(events, key=lambda e: (e.occurred_at, e.id))
        self._keys = [(e.occurred_at, e.id) for e in self._events]
        self.notes = Annotations.of(self._events)
        self._pending = []
        self.follow = True
        # The selected entry stays selected when it is still shown (a search cleared, a reload).
        ids = [e.id for e in self._events]
        self.cursor = ids.index(selected.id) if selected is not None and selected.id in ids else -1
        self._cache.clear()
        self._refresh_size()
        self._follow_to_end()

    def add(self, events: list[Event]) -> None:
        """New events from any session; back-dated ones go to their `occurred_at` place."""
        at_bottom = self.follow or self.is_vertical_scroll_end
        for event in events:
            key = (event.occurred_at, event.id)
            index = bisect.bisect(self._keys, key)
            if index and self._keys[index - 1] == key:
                continue
            self._keys.insert(index, key)
            self._events.insert(index, event)
            if self.cursor >= index:
                self.cursor += 1
            self.notes.add(event)
            if event.ref is not None:  # a star or a correction changes how the line it marks looks
                self._forget(event.ref)
        self._refresh_size()
        if at_bottom:
            self._follow_to_end()

    def add_pending(self, pending: Pending) -> None:
        self._pending.append(pending)
        self._refresh_size()
        self._follow_to_end()

    def settle_pending(self, token: int, failed: str = "") -> None:
        """Confirmed (the event itself arrives through `add`), or failed with a reason."""
        item = next((p for p in self._pending if p.token == token), None)
        if item is None:
            return  # a write that showed no pending line (heartbeat, status change …)
        if failed:
            item.failed = failed
        else:
            self._pending.remove(item)
        self._refresh_size()

    def retry_pending(self, token: int) -> None:
        """A NOT SAVED entry goes back to "saving…" while it is written again."""
        for item in self._pending:
            if item.token == token:
                item.failed = ""
        self._refresh_size()

    @property
    def events(self) -> list[Event]:
        return self._events

    @property
    def pending(self) -> list[Pending]:
        return list(self._pending)

    @property
    def selected(self) -> Event | None:
        if 0 <= self.cursor < len(self._events):
            return self._events[self.cursor]
        return None

    def _follow_to_end(self) -> None:
        # After the refresh: the new virtual height (and perhaps a new scrollbar) must be laid
        # out first, or the scroll stops at the old bottom.
        self.follow = True
        self.call_after_refresh(self.scroll_end, animate=False, immediate=True)

    def _refresh_size(self) -> None:
        # Lines are cut to the width, never scrolled sideways.
        self.virtual_size = Size(self.scrollable_content_region.width, len(self._events) + len(self._pending))
        self.refresh()

    # ------------------------------------------------------------------ cursor and scrolling

    def action_cursor(self, step: int) -> None:
        if not self._events:
            return
        current = self.cursor if self.cursor >= 0 else len(self._events)
        self.move_cursor(max(0, min(len(self._events) - 1, current + step)))

    def action_cursor_page(self, direction: int) -> None:
        self.action_cursor(direction * max(1, self.size.height - 1))

    def action_cursor_to(self, index: int) -> None:
        if self._events:
            self.move_cursor(index % len(self._events))

    def move_cursor(self, index: int) -> None:
        self.cursor = index
        self.follow = index == len(self._events) - 1
        self.scroll_to_region_line(index)
        self._cache.clear()
        self.refresh()
        self.post_message(self.Selected(self.selected))

    def scroll_to_region_line(self, index: int) -> None:
        top = self.scroll_offset.y
        height = max(1, self.size.height)
        if index < top:
            self.scroll_to(y=index, animate=False, immediate=True)
        elif index >= top + height:
            self.scroll_to(y=index - height + 1, animate=False, immediate=True)

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        # Scrolling up stops following; coming back to the bottom resumes it.
        self.follow = self.is_vertical_scroll_end

    def on_resize(self) -> None:
        self._cache.clear()
        self._refresh_size()

    # ------------------------------------------------------------------ drawing

    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y
        width = self.scrollable_content_region.width
        if index < len(self._events):
            event = self._events[index]
            key = (event.id, width, index == self.cursor and self.has_focus)
            strip = self._cache.get(key)
            if strip is None:
                strip = self._render_event(event, width, key[2])
                if len(self._cache) > 2000:
                    self._cache.clear()
                self._cache[key] = strip
            return strip
        pending_index = index - len(self._events)
        if 0 <= pending_index < len(self._pending):
            return self._render_pending(self._pending[pending_index], width)
        return Strip.blank(width, self.rich_style)

    def _forget(self, event_id: int) -> None:
        for key in [k for k in self._cache if k[0] == event_id]:
            del self._cache[key]

    def _prefix(self, occurred_at: datetime) -> str:
        elapsed = format_duration(occurred_at - self.start, signed=True) if self.start else ""
        return f"{local_clock(occurred_at, self.tz)} {elapsed:>7} "

    def _render_event(self, event: Event, width: int, highlighted: bool) -> Strip:
        wide = width >= 90
        line = Text(no_wrap=True, overflow="ellipsis")
        elapsed = format_duration(event.occurred_at - self.start, signed=True) if self.start else ""
        line.append(self._prefix(event.occurred_at) if wide else f"{elapsed:>7} ", "bright_black")
        line.append(marks(event, self.notes) + " ", "bold yellow")
        author_width = 10 if wide else 7
        line.append(f"{clean_line(event.author)[:author_width]:<{author_width}} ", "bold")
        line.append(f"{KIND_LABELS.get(event.kind, event.kind)[:8]:<8} ", KIND_STYLES.get(event.kind, ""))
        withdrawal = self.notes.withdrawn.get(event.id)
        if withdrawal:  # who took it back, and why, first: a narrow line cuts the end
            line.append(f"{withdrawn_note(withdrawal)} ", "italic")
        line.append(kind_note(event, self.notes) + entry_text(event), "dim strike" if withdrawal else "")
        line.append(account_note(event), "bright_black")
        for correction in self.notes.corrections.get(event.id, ())[-1:]:
            words = new_words(correction)
            if words:
                line.append(f"  ✎ {clean_line(words)}", "yellow")
        return self._to_strip(line, width, highlighted)

    def _render_pending(self, item: Pending, width: int) -> Strip:
        line = Text(no_wrap=True, overflow="ellipsis")
        state = f"NOT SAVED ({item.failed})" if item.failed else "saving…"
        line.append(f"{'':>7} ⋯  {clean_line(item.author)[:7]:<7} {item.kind[:8]:<8} {clean_line(item.text)}  [{state}]")
        return self._to_strip(line, width, False, style="bold red" if item.failed else KIND_STYLES["pending"])

    def _to_strip(self, line: Text, width: int, highlighted: bool, style: str = "") -> Strip:
        if style:
            line.stylize(style)
        if highlighted:
            line.stylize("reverse")
        line.truncate(width, overflow="ellipsis", pad=True)
        segments = list(line.render(self.app.console))
        return Strip(segments, width).apply_style(self.rich_style)

    def on_focus(self) -> None:
        if self.cursor < 0 and self._events:
            self.cursor = len(self._events) - 1
        self._cache.clear()
        self.refresh()

    def on_blur(self) -> None:
        self._cache.clear()
        self.refresh()

