"""The room's duties, whether or not anyone has a screen open.

Whichever process holds the lease (`mopstui watch` under systemd, or the first screen opened)
runs them: threshold and overdue-update crossings, written exactly once per incident at the
moment they were crossed (a dedupe key, however many sessions and watchers run); vendor and
probe evidence written to the incidents the catalog says are affected; webhook notifications;
and the chain's head anchored outside the war-room. A screen only shows what they wrote.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from .anchor import Anchor
from .config import Config
from .domain.clocks import crossed, incident_clocks
from .domain.evidence import evidence
from .store import Store, StoreError
from .timeutil import utcnow

if TYPE_CHECKING:
    from .notify import Notifier


def record_crossings(store: Store, config: Config, now: datetime | None = None) -> int:
    """Write every crossing that is due and not yet written; returns how many were written."""
    now = now or utcnow()
    written = 0
    for incident in store.incidents():
        comms = store.last_of_kind(incident.id, "comms")
        done = store.dedupe_keys(incident.id)
        for clock in crossed(incident_clocks(incident, config, comms, now)):
            key = clock.dedupe_key(incident.id)
            if key in done:
                continue
            store.append(incident.id, "system", clock.crossing_text(), author="mopstui", dedupe=key, at=clock.crossed_at)
            written += 1
    return written


def record_evidence(store: Store, config: Config, changes: list[dict], observation_ids: list[int],
                    names: dict[str, str]) -> int:
    """Write the timeline entries for what the poller just stored; returns how many."""
    if not changes:
        return 0
    written = 0
    for item in evidence(config, store.incidents(), changes, observation_ids, names):
        try:
            store.append(item.incident_id, "vendor", item.text, author="mopstui", dedupe=item.dedupe)
            written += 1
        except StoreError:
            pass  # the observation itself is stored; a busy database gets the next round
    return written


class Room:
    """The duties that run every tick while this process holds the lease."""

    def __init__(self, config: Config, store: Store) -> None:
        from .notify import Notifier

        self.config = config
        self.store = store
        self.notifier: Notifier = Notifier(config, store)
        self.anchor = Anchor(config.anchor_file, config.anchor_every)

    async def tick(self, webhooks: Any) -> list[str]:
        """Crossings, then notifications (so a crossing goes out in the same tick), then the anchor.
        Returns problems to say out loud."""
        record_crossings(self.store, self.config)
        await self.notifier.round(webhooks)
        problem = self.anchor.record(self.store)
        return [problem] if problem else []
