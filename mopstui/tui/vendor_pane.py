"""The vendor pane: each vendor's state and its watched components, and under the table the
highlighted vendor's last 24 hours as a sparkline. It draws the room's state it is given
(`show`), keeps the highlight on the same vendor across re-sorts, and says what the person picked
(`VendorHighlighted`, `VendorChosen`, `OverrideRequested`); the app reads the history, opens
the detail and asks why the page is overruled."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Label, Sparkline

from ..base.textsafe import clean_line
from ..base.timeutil import humanize_duration
from ..domain.history import state_series
from ..domain.vendor_line import vendor_mark, vendor_note
from ..status.model import RANK, VendorStatus
from .messages import OverrideRequested, VendorChosen, VendorHighlighted
from .room_state import RoomState
from .widgets import FittedTable, VendorTable, badge_text, plain, roomy

HOURS = 24


def vendor_rows(status: VendorStatus, now: datetime, wide: bool) -> list[tuple[str, tuple]]:
    """(row key, cells) for a vendor and each of its watched components."""
    heard = "never"
    if status.last_good_at:
        heard = humanize_duration(now - datetime.fromisoformat(status.last_good_at)) + " ago"
    state = status.state
    rows = []
    cells = [badge_text(state, mark=vendor_mark(status)), plain(status.name, 48)]
    if wide:
        cells += [Text(heard, style="bright_black"), plain(vendor_note(status), 60)]
    rows.append((f"v:{status.id}", tuple(cells)))
    keys: set[str] = set()
    for component in status.watched_components:
        # Indented under its vendor, and marked so (the indent alone went: cleaning a cell strips it).
        label = Text.assemble("  └ ", plain(component.label(), 46), no_wrap=True, overflow="ellipsis")
        sub = [badge_text(component.state, mark="~" if status.stale else ""), label]
        if wide:
            sub += [Text(""), plain(component.note, 60)]  # why it is unknown: not on the page, or which of several
        key = f"c:{status.id}:{component.label()}"
        if key in keys:  # pages that repeat names, watched by id: one row each
            key += f" [{component.id or len(keys)}]"
        keys.add(key)
        rows.append((key, tuple(sub)))
    return rows


def worst_first(statuses: dict[str, VendorStatus]) -> list[VendorStatus]:
    """The vendors in trouble first, then by name; those we know nothing of last."""
    return sorted(statuses.values(), key=lambda s: (-RANK.get(s.state, -1) if s.state in RANK else 1, s.name.lower()))


def vendor_of_row(key: str, statuses: dict[str, VendorStatus]) -> tuple[VendorStatus | None, str | None]:
    """A vendor table row key (`v:ID`, `c:ID:COMPONENT`) as its vendor and component. An id may
    hold a colon itself (a probe is `probe:chat`): a split on colons named no vendor, so the line
    under the table kept showing the vendor highlighted before."""
    kind, _, rest = key.partition(":")
    if kind == "v":
        return statuses.get(rest), None
    for vendor_id, status in statuses.items():
        if rest.startswith(vendor_id + ":"):
            return status, rest[len(vendor_id) + 1 :]
    return None, None


class VendorHistory(Horizontal):
    """One line under the vendor table: whose history it is, and the sparkline."""

    def compose(self) -> ComposeResult:
        yield Label("", id="history-label")
        yield Sparkline([], summary_function=max, id="history")

    def show(self, name: str, observations: list[dict], current: str, now: datetime) -> None:
        series = state_series(observations, now=now, current=current, hours=HOURS)
        label = Text(f"{clean_line(name, 12)} {HOURS}h ", style="bold")
        if len(set(series)) <= 1:
            # A sparkline scales to its own range: a flat line would draw "down all day" as its
            # lowest bar. Say it instead.
            label.append_text(badge_text(current))
            label.append(" · steady" if observations or current != "unknown" else " · no history yet")
        self.query_one("#history-label", Label).update(label)
        sparkline = self.query_one("#history", Sparkline)
        sparkline.data = series
        sparkline.display = len(set(series)) > 1
        self.set_class(not sparkline.display, "-flat")
        self.refresh(layout=True)  # the label's width follows its new text


class VendorPane(Vertical):
    """The Vendors pane: the table and the history line under it."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, classes="pane")
        self._state: RoomState | None = None

    def compose(self) -> ComposeResult:
        yield VendorTable(id="vendors", cursor_type="row")
        yield VendorHistory(id="vendor-history")

    def on_mount(self) -> None:
        self.border_title = "Vendors"

    @property
    def table(self) -> VendorTable:
        return self.query_one(VendorTable)

    def show(self, state: RoomState, *, rebuild: bool = False) -> None:
        """Draw the vendors of `state` (only the cells that changed, unless `rebuild`)."""
        self._state = state
        table = self.table
        wide = roomy(table)
        columns = ["State", "Vendor"] + (["Heard", "Note"] if wide else [])
        now = state.now()
        rows = [row for status in worst_first(state.statuses) for row in vendor_rows(status, now, wide)]
        with self.app.batch_update():
            table.show_rows(columns, rows, rebuild=rebuild)

    def show_history(self, status: VendorStatus, observations: list[dict], now: datetime) -> None:
        self.query_one(VendorHistory).show(status.name, observations, status.state, now)

    def highlighted(self) -> tuple[VendorStatus | None, str | None]:
        """The highlighted vendor, and the component label when a component row is highlighted."""
        table = self.table
        if not table.row_count or self._state is None:
            return None, None
        key = str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        return vendor_of_row(key, self._state.statuses)

    def request_override(self) -> None:
        """O pressed anywhere: say which vendor (and component) is highlighted here, by id."""
        status, component = self.highlighted()
        self.post_message(OverrideRequested(status.id if status is not None else None, component))

    @on(FittedTable.Resized)
    def _resized(self, message: FittedTable.Resized) -> None:
        message.stop()  # narrow and wide panes have other columns: drawn again here, for this pane alone
        if self._state is not None:
            self.show(self._state)

    @on(DataTable.RowHighlighted)
    def _highlighted(self, message: DataTable.RowHighlighted) -> None:
        message.stop()
        status, _ = self.highlighted()
        if status is not None:
            self.post_message(VendorHighlighted(status.id))

    @on(DataTable.RowSelected)
    def _selected(self, message: DataTable.RowSelected) -> None:
        message.stop()
        status, component = self.highlighted()
        if status is not None:
            self.post_message(VendorChosen(status.id, component))
