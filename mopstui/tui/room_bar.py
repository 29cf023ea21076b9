"""The two lines about the room as a whole: the bar on top (the war-room, who you are, who else is
here, and while the server does not answer, that it does not) and, below 100 columns where the
side panes fold away, the strip that keeps the worst touchpoint and vendor in sight."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from ..base.textsafe import clean_line
from ..domain import catalog as cat
from ..domain.vendor_line import vendor_mark
from .room_state import RoomState
from .vendor_pane import worst_first
from .widgets import badge_text


class _Line(Static):
    """One line, updated only when its text changes: Static.update() lays the screen out again and
    repaints what it covers, and on a shared host over a slow link unchanged text must cost nothing."""

    shown: Text | None = None

    def _say(self, text: Text) -> None:
        if text != self.shown:
            self.shown = text
            self.update(text)


class RoomBar(_Line):
    def show(self, state: RoomState) -> None:
        others = sorted({clean_line(p["user"]) for p in state.present} - {state.user})
        room = Text(no_wrap=True, overflow="ellipsis")
        room.append(" mopstui ", "bold reverse")
        room.append(f" {state.config.database_name}", "bold")
        if state.demo:
            room.append(" (demo)", "italic")
        if state.new_war_room:
            room.append(" (new war-room)", "bold")
        if state.readonly:
            room.append(" READ-ONLY" + (" snapshot (no live updates)" if state.snapshot else ""), "bold red")
        if state.unreachable:  # until it is back (a toast fades, the outage may not)
            room.append(" DATABASE UNREACHABLE: entries wait as NOT SAVED", "bold red")
        room.append(f" · you: {clean_line(state.user)}")
        room.append(" · here: " + (", ".join(others) if others else "nobody else"))
        self._say(room)


# The keys to the panes the strip stands for (`2 services · 3 vendors` read as counts).
STRIP_KEYS = "keys: 2 services, 3 vendors"


class RoomStrip(_Line):
    def show(self, state: RoomState) -> None:
        """The worst touchpoint and the worst vendor, and where the rest is."""
        line = Text()
        rollup = cat.touchpoints(state.config, state.health) if state.health else []
        if rollup and rollup[0].state not in ("unknown",):
            worst = rollup[0]
            line.append_text(badge_text(worst.state))
            line.append(" " + clean_line(worst.name), "bold")
            culprits = cat.culprits_line(state.config, worst, limit=1)
            if culprits:
                line.append(" " + clean_line(culprits), "bright_black")
        else:
            line.append("? touchpoints not known yet", "bright_black")
        ordered = worst_first(state.statuses)
        if ordered:
            line.append(" · ")
            if ordered[0].state == "operational" and not vendor_mark(ordered[0]):
                # a healthy vendor in the worst vendor's place read as the one to watch
                line.append(f"{cat.SYMBOLS['operational']} all vendors ok", "green")
            else:
                line.append_text(badge_text(ordered[0].state, mark=vendor_mark(ordered[0])))
                line.append(" " + clean_line(ordered[0].name), "bold")
        hint = STRIP_KEYS
        # Where the rest is goes on a line of its own when the names leave no room, never cut.
        fits = not self.size.width or line.cell_len + 2 + len(hint) <= self.size.width
        line.append("  " if fits else "\n", "bright_black")
        line.append(hint, "bright_black")
        self._say(line)
