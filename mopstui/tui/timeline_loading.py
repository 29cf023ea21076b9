"""Opening an incident's timeline: its newest entries are read and drawn at once, the earlier ones
are read behind them in a worker on a connection of its own, and put in front when they are in.
On an incident of 100,000 entries the first frame waited seconds for all of them to be read;
the screen needs the few that fit it."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .state import AppState

from typing import TYPE_CHECKING

from textual.worker import get_current_worker

from ..base.plain import said
from ..domain.model import Event, Incident
from ..domain.timeline import ANNOTATION_KINDS
from ..store import open_store
from .timeline_view import TimelineView


def entries_read_first(height: int) -> int:
    """Entries read before the first frame: a few screens (an entry is at least one line), so
    that scrolling up has somewhere to go while the rest is read."""
    return max(200, 4 * height)


def show_timeline(app: AppState, timeline: TimelineView, incident: Incident) -> None:
    first = entries_read_first(app.size.height)
    newest = app.store.newest_events(incident.id, first)
    if len(newest) < first:  # the whole incident
        timeline.load(newest, incident.started_at)
        return
    # The marks (stars, corrections, withdrawals) come from the whole incident, read by kind.
    timeline.load(newest, incident.started_at, notes=app.store.events_of_kinds(ANNOTATION_KINDS, incident.id))
    generation, oldest = timeline.generation, newest[0]
    config = app.config

    def read() -> None:
        worker = get_current_worker()
        earlier: list[Event] = []
        try:
            with open_store(config.database_location, group=config.database_group) as store:
                for batch in store.events_before(incident.id, oldest.occurred_at, oldest.id):
                    if worker.is_cancelled:  # the screen is closing: quitting never waits for this
                        return
                    earlier += batch
            message = TimelineView.EarlierRead(generation, earlier)
        except Exception as error:  # said on screen, never a dead worker nobody hears of
            message = TimelineView.EarlierRead(generation, [], said(error))
        try:
            timeline.post_message(message)
        except RuntimeError:  # the screen closed meanwhile
            pass

    # After the first frame: reading 100,000 entries must not race the first paint.
    timeline.call_after_refresh(
        timeline.run_worker, read, name="earlier entries", group="earlier", exclusive=True, thread=True, exit_on_error=False
    )
