"""The war-room's panes. They only render what the app gives them; the app does all I/O."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.coordinate import Coordinate
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import DataTable, Input, Static

from ..base.textsafe import clean_line
from ..config import Config, Service
from ..domain import catalog as cat
from ..domain.clocks import Clock
from ..domain.model import Incident
from ..domain.rules import MAX_TEXT
from .messages import EntrySubmitted, SubmitEntry

STATE_STYLES = {
    "operational": "green",
    "degraded": "yellow",
    "partial_outage": "bold dark_orange",
    "major_outage": "bold red",
    "maintenance": "blue",
    "unknown": "bright_black",
    cat.AT_RISK: "yellow",
    cat.DISAGREE: "bold magenta",
}
SEVERITY_STYLES = {"SEV1": "bold white on red", "SEV2": "bold red", "SEV3": "bold yellow", "SEV4": "bold"}
STATUS_SYMBOLS = {"investigating": "🔍", "identified": "◎", "monitoring": "◑", "resolved": "✓"}


def badge_text(state: str, *, mark: str = "") -> Text:
    """Symbol and word (never colour alone), after a vendor's mark (`vendor_mark`: `~` stale,
    `!` the room's override, which is underlined too)."""
    return Text(mark + cat.badge(state), style=STATE_STYLES.get(state, "") + (" underline" if mark == "!" else ""))


def plain(value: object, width: int | None = None) -> Text:
    """Untrusted text as a Rich Text that is never parsed as markup; cut with an ellipsis where its
    table column is narrower (never a silent "Online shop c")."""
    return Text(clean_line(value, width), no_wrap=True, overflow="ellipsis")


class _ClockPart(Widget):
    """One piece of a clock line; repaints only when its own text changes."""

    DEFAULT_CSS = """
    _ClockPart { height: 1; width: auto; }
    """

    shown: reactive[tuple] = reactive(())

    def render(self) -> Text:
        if not self.shown:
            return Text("")
        return Text.assemble(*self.shown, no_wrap=True)


class ClockBar(Widget):
    """One customer-patience clock: a label, a bar that fills and changes style when crossed,
    and the time left or over.

    The three parts repaint separately: a tick changes the time text every second, but the bar
    only every few seconds, so a tick costs the bytes of a few characters, not of a whole line.
    """

    DEFAULT_CSS = """
    ClockBar { height: 1; layout: horizontal; }
    ClockBar > #bar { width: 1fr; }
    ClockBar > #time { width: 19; }  /* ` resolved in 1h16m` */
    """

    def __init__(self) -> None:
        super().__init__()
        self.clock: Clock | None = None

    def compose(self) -> ComposeResult:
        yield _ClockPart(id="label")
        yield _ClockPart(id="bar")
        yield _ClockPart(id="time")

    def set_clock(self, clock: Clock) -> None:
        self.clock = clock
        if self.is_mounted:
            self._paint(clock)

    def on_mount(self) -> None:
        # Not when it was removed before its mount came (an incident switched, the screen quit at
        # once): its parts are gone, and painting them ended the screen.
        if self.clock is not None and self.children:
            self._paint(self.clock)

    def _paint(self, clock: Clock) -> None:
        # A bar whose parts are not mounted yet, or already gone (the clocks change in number when
        # an incident is resolved or reopened, and two ticks can replace the bars twice): on_mount
        # paints it when they come; painting now raised NoMatches and ended the screen.
        if not self.query("#time"):
            return
        label, bar, time = (self.query_one(part, _ClockPart) for part in ("#label", "#bar", "#time"))
        label.shown = ((f"{clock.label()[:12]:<13}", "bold"),)
        bar_width = max(4, bar.size.width or 20)
        filled = round(clock.fraction * bar_width)
        fill_style = "bold red" if clock.crossed else "green"
        bar.shown = (("█" * filled, fill_style), ("░" * (bar_width - filled), "bright_black"))
        time.shown = ((f" {clock.status_text()}", "bold red" if clock.crossed else ""),)
        self.set_class(clock.crossed, "-crossed")

    def on_resize(self) -> None:
        if self.clock is not None:
            self.call_after_refresh(self._paint, self.clock)

    def render_text(self) -> str:
        """The clock line as plain text (tests read it)."""
        return "".join(str(part.render()) for part in self.query(_ClockPart))


class IncidentSummary(Static):
    """Title, severity, status, roles and affected services of the current incident."""

    _last: Text | None = None

    def _show_text(self, text: Text) -> None:
        if text != self._last:  # an update re-lays the screen out: only when it changed
            self._last = text
            self.update(text)

    def show(self, incident: Incident | None, position: str, config: Config, followups: str = "") -> None:
        if incident is None:
            self._show_text(Text("No active incident.  Press N to declare one.", style="bold"))
            return
        text = Text(no_wrap=False)
        text.append(f" {incident.severity} ", SEVERITY_STYLES.get(incident.severity, ""))
        text.append(f" {incident.label} ", "bold")
        text.append(
            f"{STATUS_SYMBOLS.get(incident.status, '')} {incident.status.upper()}",
            "bold reverse" if incident.resolved else "bold",
        )
        text.append(f"  {position}\n", "bright_black")
        text.append(clean_line(incident.title, 200) + "\n", "bold")
        roles = " · ".join(f"{role} {clean_line(user)}" for role, user in incident.roles.items())
        services = ", ".join(clean_line(config.service_name(s)) for s in incident.services)
        text.append(roles or "no roles")
        if services:
            text.append(f"  ⟶ {services}", "bright_black")
        if incident.summary:
            text.append("\n" + clean_line(incident.summary, 300))
        if followups:
            text.append(f"\n{followups} · f on a selected /todo changes it", "bright_black")
        self._show_text(text)


class FittedTable(DataTable):
    """A pane's table of keyed rows, its columns sized to the pane; it says when its width changes.

    `show_rows` is the one way rows change: the table is rebuilt only when the rows, their order,
    the columns or the width change, and otherwise only the cells whose text changed are touched
    (an unchanged row costs nothing on the wire)."""

    # Column weights: the first column is the state badge (symbol + word); where the cells do not
    # all fit, columns give way by weight, names the least.
    BADGE_WIDTH = 10
    WEIGHTS = {"Service": 4, "Vendor": 5, "Tier": 0, "Owner": 2, "Touchpoint": 2, "Heard": 3, "Note": 2}

    # k9s / lazygit habits, as in the timeline
    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
        Binding("g", "scroll_top", "First", show=False),
        Binding("G", "scroll_bottom", "Last", show=False),
    ]

    class Resized(Message):
        pass

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._laid_out_at: int | None = None  # the width the columns were sized for
        # Until the person moves the highlight here, it follows the top row (the worst: a vendor
        # that went down moves up, and the line under the table spoke of AWS meanwhile); once they
        # have, it stays on the row they chose wherever a re-sort moves it.
        self.chosen_by_person = False
        self._placing = False  # show_rows is moving the cursor, not the person

    def watch_cursor_coordinate(self, old: Coordinate, new: Coordinate) -> None:
        super().watch_cursor_coordinate(old, new)
        if old != new and not self._placing:
            self.chosen_by_person = True

    def on_resize(self) -> None:
        self.post_message(self.Resized())

    def show_rows(self, columns: list[str], rows: list[tuple[str, tuple]], *, rebuild: bool = False) -> None:
        keys = [key for key, _ in rows]
        width_changed = self._laid_out_at is not None and self._laid_out_at != self.size.width
        self._laid_out_at = self.size.width
        widths = self._widths(columns, rows)
        if (
            rebuild
            or len(self.columns) != len(columns)
            or keys != [r.value for r in self.rows]
            or width_changed
            or widths != [c.width for c in self.columns.values()]
        ):
            cursor = self.cursor_row
            # The highlight stays on the same row (vendor, service), wherever a re-sort moves it:
            # kept by row number, it silently moved to another vendor, and O overruled that one.
            was_on = self.ordered_rows[cursor].key.value if 0 <= cursor < len(self.ordered_rows) else None
            self._placing = True
            try:
                self.clear(columns=True)
                for name, width in zip(columns, widths):
                    self.add_column(name, key=name.lower(), width=width)
                for key, cells in rows:
                    self.add_row(*cells, key=key)
                if rows:
                    row = min(cursor, len(rows) - 1)
                    if not self.chosen_by_person:
                        row = 0
                    elif was_on in keys:
                        row = keys.index(was_on)
                    self.move_cursor(row=row, animate=False)
            finally:
                self._placing = False
            return
        for key, cells in rows:
            for column, value in zip(columns, cells):
                if str(self.get_cell(key, column.lower())) != str(value):
                    self.update_cell(key, column.lower(), value)

    def fitted_widths(self, columns: list[str], rows: list[tuple[str, tuple]]) -> list[int]:
        return self._widths(columns, rows)

    def _widths(self, columns: list[str], rows: list[tuple[str, tuple]]) -> list[int]:
        """Each column as wide as its widest cell (or header), all of them within the pane: where
        they do not fit, the column widest for its weight gives way first, down to its header. What is left
        over goes to the names. Sized from the rows themselves, so the first frame is right."""
        available = (self.size.width or 28) - 1 - 2 * self.cell_padding * len(columns)
        widths = [len(name) for name in columns]
        for _, cells in rows:
            for index, cell in enumerate(cells):
                widths[index] = max(widths[index], cell.cell_len if isinstance(cell, Text) else len(str(cell)))
        widths[0] = self.BADGE_WIDTH
        weights = [0] + [self.WEIGHTS[c] for c in columns[1:]]
        while sum(widths) > available:
            shrinkable = [i for i in range(1, len(widths)) if weights[i] and widths[i] > max(4, len(columns[i]))]
            if not shrinkable:
                break
            widest = max(shrinkable, key=lambda i: widths[i] / weights[i])
            widths[widest] -= 1
        if len(widths) > 1 and sum(widths) < available:
            widths[1] += available - sum(widths)
        return widths


class CatalogTable(FittedTable):
    """Services sorted by health then tier; Enter opens the detail, / filters."""

    BINDINGS = [Binding("slash", "filter", "Filter", show=False)]

    class FilterRequested(Message):
        pass

    def action_filter(self) -> None:
        self.post_message(self.FilterRequested())


class VendorTable(FittedTable):
    """Each vendor's state and its watched components; Enter opens the detail."""


def roomy(table: FittedTable) -> bool:
    """Room for a table's extra columns: a wide screen, or a narrow one showing the pane alone."""
    if table.size.width:
        return table.size.width >= 48
    return table.screen.has_class("-wide") or table.screen.has_class("-wider")


def service_row(service: Service, health: cat.Health, wide: bool) -> tuple:
    cells = [badge_text(health.state), plain(service.name, 60)]
    if wide:
        cells += [Text(str(service.tier)), plain(service.owner, 16), plain(service.touchpoint, 16)]
    return tuple(cells)


class EntryInput(Input):
    """The entry line, with the log's limit on an entry: typing stops there, with a word, and a
    paste that would pass it is refused whole (never cut, never a frozen screen). A paste of
    several lines is one entry, its lines joined with " / "."""

    def __init__(self, *args: Any, limit: int = MAX_TEXT, **kwargs: Any) -> None:
        super().__init__(*args, max_length=limit, **kwargs)
        self.limit = limit
        self._told_full = False

    def on_submit_entry(self, message: SubmitEntry) -> None:
        """Enter: the text typed before it, taken now; the line is emptied for the next entry."""
        message.stop()
        text, self.value = self.value, ""
        self.post_message(EntrySubmitted(text, message.kind))

    def _on_paste(self, event: events.Paste) -> None:
        """A paste goes in whole and in order: its lines joined with " / " into one entry (Input
        kept the first line and dropped the rest without a word), terminal control sequences
        taken out (never left as `^[31m`), and said when lines were joined."""
        event.prevent_default()  # Input's own handler keeps only the first line
        event.stop()
        lines = [line for line in (clean_line(raw) for raw in event.text.splitlines()) if line]
        text = " / ".join(lines)
        if len(self.value) + len(text) > self.limit:
            self.app.notify(
                f"Paste refused: {len(text):,} characters would pass the {self.limit:,}-character "
                "limit of an entry. Nothing was cut; paste it in parts.",
                title="Too long",
                severity="error",
            )
            return
        if self.selection.is_empty:
            self.insert_text_at_cursor(text)
        else:
            self.replace(text, *self.selection)
        if len(lines) > 1:
            self.app.notify(f'Pasted {len(lines)} lines as one entry, joined with " / ". Enter logs it.', timeout=5)

    def _on_input_changed(self, event: Input.Changed) -> None:
        full = len(self.value) >= self.limit
        if full and not self._told_full:
            self.app.notify(f"An entry holds at most {self.limit:,} characters.", severity="warning")
        self._told_full = full
