"""The timeline: an incident's entries in the order they happened, drawn line by line (the
scrolling and the cursor are entry_list.py's), so 100,000 events cost only the lines on screen.

Every entry is shown whole: a long one wraps under the text column (timeline_entry.py draws one).
The newest entries are drawn first and the earlier ones read behind them (timeline_loading.py).
"""

from __future__ import annotations

import bisect
from datetime import date, datetime, tzinfo

from rich.cells import cell_len
from rich.text import Text
from textual.message import Message
from textual.strip import Strip

from ..base.textsafe import clean_line
from ..domain.model import Event
from ..domain.timeline import Annotations, author_mark
from .entry_list import EntryList
from .timeline_entry import Pending, draw_event, draw_pending
from .timeline_lines import EntryDrawing, merge_earlier


def _timeline_key(event: Event) -> tuple[datetime, int]:
    return (event.occurred_at, event.id)


class TimelineView(EntryList):
    """Events of one incident in `occurred_at` order, with a cursor for star and correct."""

    class Selected(Message):
        def __init__(self, event: Event | None) -> None:
            super().__init__()
            self.event = event

    class EarlierRead(Message):
        """The entries before the first ones drawn, read in a worker (timeline_loading.py) for the
        loading `generation`; or why they could not be."""

        def __init__(self, generation: int, events: list[Event], problem: str = "") -> None:
            super().__init__()
            self.generation, self.events, self.problem = generation, events, problem

    def __init__(self, *, tz: tzinfo, id: str | None = None) -> None:
        super().__init__(id=id)
        self.tz = tz
        self._keys: list[tuple[datetime, int]] = []
        self._events: list[Event] = []
        self._pending: list[Pending] = []
        self.notes = Annotations()
        self.start: datetime | None = None
        # Drawn lines by (event id, width, highlighted): a new entry scrolls every line up one, and
        # redrawing them all cost each of 50 screens on a host ~18 ms an entry at 200x50.
        self._cache: dict[tuple[int, int, bool, date], list[Strip]] = {}  # and the day: a todo falls overdue
        self.author_width = 5
        self.filter_label = ""
        # The newest entries are drawn first and the earlier ones read behind them (add_earlier):
        # until they are in, the top of the timeline says so. `generation` names one loading.
        self.reading_earlier = False
        self.earlier_problem = ""  # why they could not be read, said at the top instead
        self.generation = 0
        self._boundary: tuple[datetime, int] | None = None  # the oldest entry read first
        self._note_ids: set[int] = set()  # annotations read whole at load, not to be added twice

    # ------------------------------------------------------------------ content

    def load(self, events: list[Event], start: datetime, *, filter_label: str = "", notes: list[Event] | None = None) -> None:
        """Replace the whole content (switching incident, or a search result). Given `notes` (the
        whole incident's stars, corrections and withdrawals), `events` are only its newest
        entries: the earlier ones follow through `add_earlier`, and the marks are right meanwhile."""
        selected = self.selected
        self.start = start
        self.filter_label = filter_label
        self.generation += 1
        self._events = sorted(events, key=_timeline_key)
        self._keys = [_timeline_key(e) for e in self._events]
        self.reading_earlier = notes is not None
        self.earlier_problem = ""
        self._boundary = self._keys[0] if self._keys and notes is not None else None
        self._note_ids = {e.id for e in notes or ()}
        self.notes = Annotations.of(sorted(notes, key=_timeline_key) if notes is not None else self._events)
        self.author_width = 5
        self._widen_authors(self._events)
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
        bottom, shifted = self._bottom(), 0
        self._widen_authors(events)
        for event in events:
            key = (event.occurred_at, event.id)
            index = bisect.bisect(self._keys, key)
            if index and self._keys[index - 1] == key:
                continue
            self._keys.insert(index, key)
            self._events.insert(index, event)
            if self.cursor >= index:
                self.cursor += 1
            if index <= bottom:
                shifted += 1
            if event.id not in self._note_ids:
                self.notes.add(event)
            if event.ref is not None:  # a star or a correction changes how the line it marks looks
                self._forget(event.ref)
                if self.selected is not None and event.ref == self.selected.id:  # and the strip under it
                    self.post_message(self.Selected(self.selected))
        self._refresh_size()
        if at_bottom:
            self._follow_to_end()
        elif shifted:  # an entry written above the lines being read does not move them
            self.scroll_to(y=self.scroll_offset.y + shifted, animate=False, immediate=True)

    def on_timeline_view_earlier_read(self, message: EarlierRead) -> None:
        message.stop()
        if message.generation != self.generation or not self.reading_earlier:
            return  # another incident, or a search result, is shown now
        if message.problem:
            self.earlier_problem = message.problem
            self._screen_key = None
            self.refresh()
            self.notify(
                f"The earlier entries of this incident could not be read ({message.problem}); the newest are shown. "
                "Open the incident again (] then [) to try again.",
                title="Timeline",
                severity="error",
                timeout=15,
                markup=False,
            )
            return
        self.add_earlier(message.events)

    def add_earlier(self, earlier: list[Event]) -> None:
        """The entries before the first ones drawn, read behind them (in timeline order): put in
        front, the selection and the lines being read kept where they are."""
        if not self.reading_earlier:
            return
        selected, bottom, count = self.selected, self._bottom(), len(self._events)
        at_bottom = self.follow or self.is_vertical_scroll_end
        at_top = int(self.scroll_offset.y) == 0  # filled down from the first entry read
        self._events, self._keys = merge_earlier(self._events, self._keys, earlier, self._boundary)
        self.reading_earlier = False
        self._widen_authors(earlier)
        if selected is not None:
            self.cursor = bisect.bisect_left(self._keys, _timeline_key(selected))
        self._refresh_size()
        if at_bottom:
            self._follow_to_end()
        else:  # the same entry stays at the top of the pane (read from there), or at its bottom
            shift = len(self._events) - count
            height = max(1, self.scrollable_content_region.height)
            bottom = shift + self._items_fitting_from(shift, height) - 1 if at_top else bottom + shift
            self.scroll_to(y=max(0, bottom - self._first_screen + 1), animate=False, immediate=True)

    def _widen_authors(self, events: list[Event]) -> None:
        """The author column fits the room's longest name (up to 12); longer ones run on into the
        text, never cut. Measured once per name and account, not per entry."""
        names = {(e.author, e.login): e for e in events}
        widest = max((cell_len(author_mark(e)) for e in names.values()), default=0)
        widest = min(12, max(self.author_width, widest))
        if widest != self.author_width:
            self.author_width = widest
            self._cache.clear()
            self._screen_key = None

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

    def _lines(self, index: int) -> list[Strip]:
        width = self.scrollable_content_region.width
        if index >= len(self._events):
            return draw_pending(self._drawing(), self._pending[index - len(self._events)], width)
        event = self._events[index]
        key = (event.id, width, index == self.cursor and self.has_focus, self._today())
        strips = self._cache.get(key)
        if strips is None:
            strips = self._render_event(event, width, key[2])
            if len(self._cache) > 2000:
                self._cache.clear()
            self._cache[key] = strips
        return strips

    def _forget(self, event_id: int) -> None:
        for key in [k for k in self._cache if k[0] == event_id]:
            del self._cache[key]
        self._screen_key = None

    def _today(self) -> date:
        now = getattr(self.app, "now", None)
        return (now() if now else datetime.now(self.tz)).astimezone(self.tz).date()

    def _drawing(self) -> EntryDrawing:
        return EntryDrawing(self.app.console, self.tz, self.start, self.author_width, self.rich_style)

    def _render_event(self, event: Event, width: int, highlighted: bool) -> list[Strip]:
        return draw_event(self._drawing(), event, self.notes, self._today(), width, highlighted)

    # ------------------------------------------------------------------ what the list shows

    def _count(self) -> int:
        return len(self._events) + len(self._pending)

    def _selectable(self) -> int:
        return len(self._events)

    def _notice(self) -> str:
        """Not the beginning yet: the earlier entries are on their way, or could not be read."""
        if not self.reading_earlier:
            return ""
        if self.earlier_problem:
            return f"  ⋯ the earlier entries could not be read: {clean_line(self.earlier_problem)}"
        return "  ⋯ reading the earlier entries…"

    def _notice_line(self, text: str, width: int) -> Strip:
        return self._drawing().strip(Text(text), width, False, "dim italic")

    def _forget_drawn(self) -> None:
        self._cache.clear()
        self._screen_key = None

    def _selection_moved(self) -> None:
        self.post_message(self.Selected(self.selected))
