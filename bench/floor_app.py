"""The floor for the war-room's first frame: a Textual app with the same kinds of widgets as the
war-room screen (a top line, two tables, a sparkline line, a Line-API log, an input, a compact
footer with as many keys) filled from constants, started the same way as mopstui.

Whatever mopstui spends beyond this app before its first frame is its own: reading the config
and the war-room, its imports, its styling passes."""

from __future__ import annotations

from rich.segment import Segment
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import DataTable, Footer, Input, Static

LINES = [f"14:{n // 60:02d}:{n % 60:02d}  priya   note    Customer says the chat widget is gone on page {n}" for n in range(100)]


class Lines(ScrollView):
    def on_mount(self) -> None:
        self.virtual_size = Size(120, len(LINES))

    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y
        return Strip([Segment(LINES[index])]) if index < len(LINES) else Strip.blank(self.size.width)


class Floor(App):
    CSS = """
    #main { height: 1fr; }
    #side { width: 40%; }
    .pane { border: round $primary; height: 1fr; }
    DataTable { height: 1fr; }
    Lines { height: 1fr; }
    #entry { height: 1; border: none; }
    """
    BINDINGS = [Binding(key, "bell", key) for key in "nadcutlNEDfsvrR*eo/[]pxi?q"]

    def compose(self) -> ComposeResult:
        yield Static(" FLOOR-READY  warroom.db · you: bench · here: nobody else", id="room")
        with Horizontal(id="main"):
            with Vertical(id="side"):
                with Vertical(classes="pane"):
                    yield Static("✖ chat ✓ lead capture ✓ email")
                    yield DataTable(id="catalog", cursor_type="row")
                with Vertical(classes="pane"):
                    yield DataTable(id="vendors", cursor_type="row")
                    yield Static("Intercom 24h ▁▁▁▁▁▁▁▁▅▅█ down")
            with Vertical(classes="pane"):
                yield Static("INC-1 SEV2 investigating · Chat widget gone on the website")
                yield Static("⏱ 01:16 since start  1 min ✖  30 min ·  update due in 12 min")
                yield Lines(id="timeline")
                yield Static("#12 priya note 14:21:07")
                yield Input(placeholder="n note · a action · c comms … type, Enter to log", id="entry")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        catalog = self.query_one("#catalog", DataTable)
        catalog.add_columns("Service", "Tier", "Owner", "Touchpoint", "Health")
        for n in range(12):
            catalog.add_row(f"Service {n}", "1", "web team", "lead capture", "✓ ok")
        vendors = self.query_one("#vendors", DataTable)
        vendors.add_columns("Vendor", "State", "Note")
        for n in range(10):
            vendors.add_row(f"Vendor {n}", "✓ ok", "operational")
        self.query_one("#timeline").focus()


if __name__ == "__main__":
    Floor().run()
