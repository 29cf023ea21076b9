"""The incident pane: the summary, the customer-patience clocks, the impact estimate, the search's
filter line, the timeline, the strip about the highlighted entry, and the entry line. It draws
what the app gives it, opens and leaves the entry line, says why an entry was refused beside the
line (the text kept in it), and says what the person typed (`EntrySubmitted`); the app parses and
writes it."""

from __future__ import annotations

from datetime import datetime, tzinfo

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.widgets import Input, Static

from ..base.textsafe import clean_line
from ..base.timeutil import local_clock, short_duration
from ..domain.clocks import Clock
from ..domain.model import KIND_LABELS, Event
from ..domain.timeline import author_mark, todo_words
from .messages import EntrySubmitted
from .room_state import RoomState
from .timeline_view import TimelineView
from .widgets import ClockBar, EntryInput, IncidentSummary


def entry_header(
    event: Event, tz: tzinfo, started: datetime | None, todo: tuple[str, bool] | None = None, *, starred: bool = False
) -> Text:
    """`#12 · priya≠login sam · action · 14:22:05 (+4m40s) · written 14:30:02`; a todo's owner and
    due date right after its kind (`todo — Sam, due Tue 8 Dec`), red when overdue."""
    text = Text()
    text.append(f"#{event.id} · {author_mark(event)} · {KIND_LABELS.get(event.kind, event.kind)}", "bold")
    if todo is not None:
        text.append(f" — {todo[0]}", "bold red" if todo[1] else "cyan")
    text.append(f" · {local_clock(event.occurred_at, tz)}")
    if started is not None:
        text.append(f" ({short_duration(event.occurred_at - started, signed=True)})")
    if event.backdated:
        text.append(f" · written {local_clock(event.recorded_at, tz)}")
    # what * does to this entry: `* star` on a starred one read as if it were not
    text.append(f"  e correct · w withdraw · * {'unstar' if starred else 'star'}", "bright_black")
    return text


class IncidentPane(Vertical):
    """The Incident pane, everything about the current incident."""

    def __init__(self, state: RoomState, *, id: str | None = None) -> None:
        super().__init__(id=id, classes="pane")
        self._state = state
        self._impact: Text | None = None
        self.draft: str | None = None  # the customer update drafted into the line, until it is emptied

    def compose(self) -> ComposeResult:
        yield IncidentSummary(id="summary")
        with Vertical(id="clocks"):
            pass
        yield Static(id="impact")
        yield Static(id="filter-bar")
        yield TimelineView(tz=self._state.config.tz, id="timeline")
        yield Static(id="selected-entry")
        yield Static(id="entry-error")  # why the line was not logged, the text kept in it
        with Horizontal(id="entry-row"):
            yield Static("note ▸", id="entry-kind")
            yield EntryInput(placeholder="n note · a action · c comms … type, Enter to log", id="entry")

    def on_mount(self) -> None:
        self.border_title = "Incident"

    @property
    def timeline(self) -> TimelineView:
        return self.query_one("#timeline", TimelineView)

    @property
    def entry(self) -> EntryInput:
        return self.query_one("#entry", EntryInput)

    def show_summary(self, state: RoomState, followups: str) -> None:
        self._state = state
        incident = state.current
        ids = [i.id for i in state.incidents]
        position = f"[{ids.index(incident.id) + 1}/{len(ids)}]" if incident and len(ids) > 1 else ""
        self.query_one("#summary", IncidentSummary).show(incident, position, state.config, followups)

    def show_clocks(self, clocks: list[Clock], *, again: bool = False) -> None:
        """The clocks, one bar each; `again` makes the bars anew (another incident)."""
        container = self.query_one("#clocks")
        bars = list(container.query(ClockBar))
        if again or len(bars) != len(clocks):
            container.remove_children()
            bars = [ClockBar() for _ in clocks]
            container.mount_all(bars)
        for bar, clock in zip(bars, clocks):
            bar.set_clock(clock)

    def show_impact(self, line: str) -> None:
        """Under the clocks: what the incident is costing, as estimates; "" hides it."""
        widget = self.query_one("#impact", Static)
        if line:
            text = Text(f"est. {line}", style="bold")
            if text != self._impact:  # an update lays the screen out again: only when it changed
                self._impact = text
                widget.update(text)
        widget.display = bool(line)

    def show_filter(self, query: str, found: int) -> None:
        """The search the timeline shows; "" for none (all of it)."""
        bar = self.query_one("#filter-bar", Static)
        bar.update(Text(f"filter: {clean_line(query)} — {found} entries · Escape shows all", style="bold") if query else "")
        bar.display = bool(query)

    def open_entry(self, kind: str, *, focus: bool = True) -> None:
        label = "todo" if kind == "action_item" else kind
        self.query_one("#entry-kind", Static).update(f"{label} ▸")
        if not focus:
            return
        # Focus now, not after the queue (Widget.focus defers): the keys of the same burst are
        # already queued behind this one and must reach the entry line, never the bindings.
        self.screen.set_focus(self.entry)

    def fill_entry(self, text: str, *, draft: bool = False) -> None:
        self.entry.value = text
        self.entry.cursor_position = len(text)
        self.draft = text if draft else None

    def draft_kept(self) -> bool | None:
        """A kind key while the line holds a customer update draft (a note that says "we will
        update you" resets no update clock): untouched, the draft is cleared (False); edited, it
        stays a customer update (True); None when the line holds no draft."""
        value = self.entry.value
        if self.draft is None or not value:
            return None
        if value == self.draft:
            self.entry.value = ""
            return False
        return True

    def leave_entry(self) -> None:
        # Now, not after the queue (Widget.focus defers): a kind key in the same burst as the
        # Escape or Enter must find the line closed and pick its kind, not be typed into it.
        self.screen.set_focus(self.timeline)

    def entry_logged(self) -> None:
        """Logged: the word about a refused try goes. The line was emptied and left as the Enter
        arrived (app.on_event), so the next key picks the next entry's kind (`c` then the words
        logs comms; left open, a `c` typed into it made the update a note `cChat is…`)."""
        self.refuse("")

    def refuse(self, reason: str) -> None:
        """A refused entry: the reason on the line above the entry line, the typed text left in it
        to fix (never lost, never logged as something else); an empty reason clears the word."""
        line = self.query_one("#entry-error", Static)
        if reason:
            reason = reason if reason.endswith((".", "?", ".)")) else reason + "."
            line.update(Text(f"Not logged: {reason} Fix it and press Enter.", style="bold"))
        line.display = bool(reason)

    @on(Input.Submitted, "#entry")
    def _submitted(self, message: Input.Submitted) -> None:
        message.stop()
        self.post_message(EntrySubmitted(message.value))

    @on(Input.Changed, "#entry")
    def _changed(self, message: Input.Changed) -> None:
        if not message.value:
            self.draft = None
            try:
                self.refuse("")
            except NoMatches:  # the line cleared by the last Enter as the screen closes
                pass

    @on(TimelineView.Selected)
    def _selected(self, message: TimelineView.Selected) -> None:
        """Under the timeline, the highlighted entry's number, author, kind and time first (one
        line, never pushed out by its text), then what is said about it."""
        strip = self.query_one("#selected-entry", Static)
        event = message.event
        if event is None:
            strip.display = False
            return
        state = self._state
        today = state.now().astimezone(state.config.tz).date()
        started = state.current.started_at if state.current else None
        notes = self.timeline.notes
        strip.update(
            entry_header(event, state.config.tz, started, todo_words(event, notes, today), starred=event.id in notes.starred)
        )
        strip.display = True
