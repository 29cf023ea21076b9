"""A list of entries of varying height drawn line by line (Textual's Line API), with a cursor:
the scrolling and the selection under the timeline, apart from what its entries are.

Heights vary, so the scroll position counts entries, not lines: it names the entry drawn at the
bottom of the pane, and the lines above it are laid out backwards from there. Only the entries on
screen are ever drawn. TimelineView (timeline_view.py) says what the entries are and draws them."""

from __future__ import annotations

from textual.binding import Binding
from textual.geometry import Size
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from .timeline_lines import items_fitting, lay_out


class EntryList(ScrollView, can_focus=True):
    """Entries 0 … `_selectable()` - 1 can carry the cursor; any after them (up to `_count()`) are
    drawn below and cannot. Newest at the bottom, followed unless the user scrolls up."""

    BINDINGS = [
        Binding("up,k", "cursor(-1)", "Up", show=False),
        Binding("down,j", "cursor(1)", "Down", show=False),
        Binding("pageup", "cursor_page(-1)", "Page up", show=False),
        Binding("pagedown", "cursor_page(1)", "Page down", show=False),
        Binding("home,g", "cursor_to(0)", "First", show=False),
        Binding("end,G", "cursor_to(-1)", "Last", show=False),
    ]

    cursor = reactive(-1, repaint=False)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.follow = True
        self._screen_key: tuple | None = None
        self._screen: list[Strip] = []
        self._owners: list[int] = []  # the item each line on screen belongs to
        self._first_screen = 1  # how many items the top of the list shows on its first screen

    # ------------------------------------------------------------------ what the subclass gives

    def _count(self) -> int:
        raise NotImplementedError

    def _selectable(self) -> int:
        raise NotImplementedError

    def _lines(self, index: int) -> list[Strip]:
        raise NotImplementedError

    def _notice(self) -> str:
        """A line the top of the first screen gives to saying something ("" for none)."""
        return ""

    def _notice_line(self, text: str, width: int) -> Strip:
        raise NotImplementedError

    def _forget_drawn(self) -> None:
        """Every entry's drawn lines are stale (the highlight moved, the width changed)."""
        self._screen_key = None

    def _selection_moved(self) -> None:
        pass

    # ------------------------------------------------------------------ size and position

    def _follow_to_end(self) -> None:
        # After the refresh: the new virtual height (and perhaps a new scrollbar) must be laid
        # out first, or the scroll stops at the old bottom.
        self.follow = True
        self.call_after_refresh(self.scroll_end, animate=False, immediate=True)

    def _refresh_size(self) -> None:
        """One scroll step per entry: the position names the bottom entry, from the last one of
        the top screen (everything above it is on that screen) to the newest."""
        height = max(1, self.scrollable_content_region.height)
        # While a notice is shown, the top screen gives its first line to it.
        self._first_screen = self._items_fitting_from(0, max(1, height - bool(self._notice())))
        rows = self._count() - self._first_screen + height
        # Lines are cut to the width, never scrolled sideways.
        self.virtual_size = Size(self.scrollable_content_region.width, rows)
        self._screen_key = None
        self.refresh()

    def _bottom(self) -> int:
        return int(self.scroll_offset.y) + self._first_screen - 1

    def _items_fitting_from(self, index: int, height: int) -> int:
        return items_fitting(self._lines, self._count(), index, height)

    # ------------------------------------------------------------------ cursor and scrolling

    def action_cursor(self, step: int) -> None:
        count = self._selectable()
        if not count:
            return
        current = self.cursor if self.cursor >= 0 else count
        self.move_cursor(max(0, min(count - 1, current + step)))

    def action_cursor_page(self, direction: int) -> None:
        shown = len(set(self._owners) - {-1}) if self._owners else self.size.height
        self.action_cursor(direction * max(1, shown - 1))

    def action_cursor_to(self, index: int) -> None:
        if self._selectable():
            self.move_cursor(index % self._selectable())

    def move_cursor(self, index: int) -> None:
        self.cursor = index
        self.follow = index == self._selectable() - 1
        self._forget_drawn()
        self.scroll_to_region_line(index)
        self.refresh()
        self._selection_moved()

    def scroll_to_region_line(self, index: int) -> None:
        """Scroll the least that shows the entry whole (its top, if it is taller than the pane)."""
        height = max(1, self.size.height)
        self._visible()
        owners = self._owners
        if owners.count(index) == min(len(self._lines(index)), height):
            return
        # Below the screen: it becomes the bottom entry; above: the top one.
        room = height - (bool(self._notice()) and index == 0)  # the first entry under the notice
        bottom = index if index > self._bottom() else index + self._items_fitting_from(index, max(1, room)) - 1
        self.scroll_to(y=max(0, bottom - self._first_screen + 1), animate=False, immediate=True)

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        # Scrolling up stops following; coming back to the bottom resumes it.
        self.follow = self.is_vertical_scroll_end

    def on_resize(self) -> None:
        self._forget_drawn()
        self._refresh_size()

    def on_focus(self) -> None:
        if self.cursor < 0 and self._selectable():
            self.cursor = self._selectable() - 1
        self._forget_drawn()
        self.refresh()

    def on_blur(self) -> None:
        self._forget_drawn()
        self.refresh()

    # ------------------------------------------------------------------ laying out the screen

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        lines = self._visible()
        if 0 <= y < len(lines):
            return lines[y]
        return Strip.blank(width, self.rich_style)

    def visible_lines(self) -> list[str]:
        """The text on screen, line by line (what a reader sees)."""
        return [strip.text for strip in self._visible()]

    def entry_text_shown(self, index: int) -> str:
        """An item's drawn text with its wrapping undone (its lines joined by one space)."""
        return " ".join(strip.text.strip() for strip in self._lines(index))

    def _visible(self) -> list[Strip]:
        height = max(1, self.size.height)
        notice = self._notice()
        key = (
            int(self.scroll_offset.y),
            self.scrollable_content_region.width,
            height,
            self._count(),
            self._selectable(),
            self.cursor,
            self.has_focus,
            notice,
        )
        if key != self._screen_key:
            self._screen_key = key
            top = bool(notice) and int(self.scroll_offset.y) == 0
            self._screen, self._owners = lay_out(self._lines, self._count(), self._bottom(), max(1, height - top))
            if top and height > 1:
                self._screen.insert(0, self._notice_line(notice, self.scrollable_content_region.width))
                self._owners.insert(0, -1)
        return self._screen
