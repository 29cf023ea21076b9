"""The services pane: the signals and touchpoints in trouble on top, then every service by health
and tier (filtered by `/`). It draws the room's state it is given (`show`), keeps the highlight on
the same service across re-sorts, and says what the person picked (`ServiceChosen`,
`CatalogTable.FilterRequested`); the app opens the detail and asks for the filter."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from ..base.textsafe import clean_line
from ..config import Config
from ..domain import catalog as cat
from ..domain.evidence import local_time
from ..signals import DEGRADED, DOWN
from .messages import RunbookRequested, ServiceChosen
from .room_state import RoomState
from .widgets import CatalogTable, FittedTable, badge_text, roomy, service_row


def signal_lines(config: Config, states: dict) -> list[Text]:
    """One line per signal in trouble, worst first: "✖ Contact form: the form is missing · since 10:03"."""
    troubled = [
        states[s.id]
        for s in config.signals
        if s.id in states and states[s.id].state in (DOWN, DEGRADED) and not states[s.id].suppressed_by
    ]
    lines = []
    for state in sorted(troubled, key=lambda st: (st.state != DOWN, st.name)):
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append_text(badge_text("major_outage" if state.state == DOWN else "degraded"))
        line.append(" " + clean_line(state.name, 40) + ": ", "bold")
        since = f" · since {local_time(state.since, config.tz)}" if state.since else ""
        line.append(clean_line(state.why, 160) + since, "bright_black")
        lines.append(line)
    return lines


def trouble_text(state: RoomState, wide: bool) -> Text:
    """The lines above the table: the worst signal, then the touchpoints in their order."""
    config = state.config
    lines = signal_lines(config, state.signal_states)[:1]  # the territory first
    rollup = cat.touchpoints(config, state.health, state.signal_states)
    if rollup and all(t.state == "unknown" for t in rollup):
        rollup = []
        lines.append(Text("? touchpoints unknown: no vendor status yet", style="bright_black", no_wrap=True, overflow="ellipsis"))
    for touchpoint in rollup[: (3 if wide else 2) - len(lines)]:
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append_text(badge_text(touchpoint.state))
        line.append(" ")
        line.append(clean_line(touchpoint.name) + " ", "bold")  # spaces inside spans survive SVG export
        line.append(clean_line(cat.culprits_line(config, touchpoint, limit=2)), "bright_black")
        lines.append(line)
    return Text("\n", no_wrap=True, overflow="ellipsis").join(lines)


def _names_fit(table: CatalogTable, columns: list[str], rows: list[tuple[str, tuple]]) -> bool:
    """Whether every service's name is shown whole with these columns."""
    longest = max((len(str(cells[1])) for _, cells in rows), default=0)
    return table.fitted_widths(columns, rows)[1] >= longest


class ServicesPane(Vertical):
    """The Services pane: the trouble lines and the table of services."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, classes="pane")
        self._state: RoomState | None = None
        self._trouble: Text | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="touchpoints")
        yield CatalogTable(id="catalog", cursor_type="row", zebra_stripes=False)

    def on_mount(self) -> None:
        self.border_title = "Services"

    @property
    def table(self) -> CatalogTable:
        return self.query_one(CatalogTable)

    def show(self, state: RoomState, *, rebuild: bool = False) -> None:
        """Draw the services of `state` (only the cells that changed, unless `rebuild`)."""
        self._state = state
        table = self.table
        wide = roomy(table)
        columns = ["Health", "Service"] + (["Tier", "Owner", "Touchpoint"] if wide else [])
        filter_text = state.catalog_filter.lower()
        health = state.health
        services = [
            s for s in cat.sorted_services(state.config, health)
            if not filter_text or filter_text in " ".join(
                (s.name, s.owner, s.touchpoint, s.vendor or "", s.id, cat.state_word(health[s.id].state))
            ).lower()
        ]  # fmt: skip
        rows = [(s.id, service_row(s, health[s.id], wide)) for s in services]
        if wide and not _names_fit(table, columns, rows):
            # The owner is for the engineers; a marketer finds the service by its whole name
            # (`Website lead f…` was cut for it at 120 columns).
            owner = columns.index("Owner")
            columns = columns[:owner] + columns[owner + 1 :]
            rows = [(key, cells[:owner] + cells[owner + 1 :]) for key, cells in rows]
        with self.app.batch_update():
            table.show_rows(columns, rows, rebuild=rebuild)
        trouble = trouble_text(state, wide)
        if trouble != self._trouble:
            # Static.update() lays the screen out again: on a slow link, unchanged lines cost nothing.
            self._trouble = trouble
            self.query_one("#touchpoints", Static).update(trouble)
        title = "Services" + (f" (filter: {clean_line(filter_text)})" if filter_text else "")
        if self.border_title != title:
            self.border_title = title

    def highlighted(self) -> str | None:
        """The highlighted service's id."""
        table = self.table
        if not table.row_count:
            return None
        return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    def request_runbook(self) -> None:
        """o pressed anywhere: say which service is highlighted here, by id."""
        self.post_message(RunbookRequested(self.highlighted()))

    @on(FittedTable.Resized)
    def _resized(self, message: FittedTable.Resized) -> None:
        message.stop()  # narrow and wide panes have other columns: drawn again here, for this pane alone
        if self._state is not None:
            self.show(self._state)

    @on(DataTable.RowSelected)
    def _selected(self, message: DataTable.RowSelected) -> None:
        message.stop()
        self.post_message(ServiceChosen(str(message.row_key.value)))
