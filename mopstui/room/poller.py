"""Polling vendors and probes for a war-room, and turning what changed into evidence.

`Poller` runs rounds (polling_round.py) forever for a database: only the session holding the
"poller" lease polls, the others read its results from the database. Every state change is
stored, and written to the timeline of each active incident whose affected services depend on
that vendor.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from datetime import timedelta

from ..base.timeutil import utcnow
from ..config import Config
from ..domain import catalog as cat
from ..status.fetch import Fetcher, Validators
from ..status.model import UNKNOWN, Component, VendorStatus, from_payloads
from ..store import SQLStore, StoreError
from .duties import lapse_overrides, record_evidence
from .moves import announce_moves
from .polling_round import poll, targets

LEASE = "poller"


def changes(before: VendorStatus | None, after: VendorStatus) -> list[dict]:
    """State changes between two known answers: the vendor's overall state and each component.

    A stale answer changes nothing (we do not know). The first answer is a change only when it
    is already a problem, so a new session does not log "unknown → operational" for everyone.
    """
    if after.stale or after.state == UNKNOWN or not after.last_good_at:
        return []
    first = before is None or not before.last_good_at
    seen_at = after.checked_at or utcnow().isoformat()
    found = []

    def add(component: Component | None, old: str | None, new: str) -> None:
        if new == UNKNOWN or old == new:
            return
        if first and new in ("operational", "maintenance"):
            return
        found.append({
            "vendor_id": after.id, "component": component.name if component else None,
            "group_name": component.group if component else None, "state": new,
            "previous_state": old or UNKNOWN, "vendor_time": after.vendor_updated_at, "seen_at": seen_at,
        })  # fmt: skip

    previous_state = before.state if before is not None and not first else None
    add(None, previous_state, after.state)
    old_components = {(c.group, c.name): c.state for c in before.components} if before is not None and not first else {}
    for component in after.watched_components:  # a component nobody here watches is no evidence
        add(component, old_components.get((component.group, component.name)), component.state)
    return found


class Poller:
    """Polls for one database while it holds the lease; otherwise waits to take over."""

    def __init__(
        self,
        config: Config,
        store: SQLStore,
        holder: str,
        *,
        on_round: Callable[[dict], None] | None = None,
        tick: float | None = None,
    ) -> None:
        self.config = config
        self.store = store
        self.holder = holder
        self.on_round = on_round
        self.interval = min((t.interval for t in targets(config)), default=config.polling.interval.total_seconds())
        # Notifications should not wait for the next vendor round.
        self.tick = tick if tick is not None else max(0.2, min(5.0 if config.webhooks else 15.0, self.interval / 4))
        # Another session takes over within two intervals of the holder dying.
        self.lease_ttl = timedelta(seconds=max(self.interval * 1.5, self.tick * 3))
        self.validators: dict[str, Validators] = {}
        self.due: dict[str, float] = {}
        self.now_requested = threading.Event()
        self.standing_down = threading.Event()  # set: do not hold the lease (a screen whose terminal is away)
        self.holding = False
        self.duties_with: str | None = None  # who holds the duties, as last said (None: not said yet)

    def _claim(self) -> None:
        """Claim the duties; say once a void claim set aside, and each time who holds them changes."""
        claim = self.store.claim_lease(LEASE, self.holder, self.lease_ttl)
        self.holding = claim.held
        if claim.void and self.on_round:
            self.on_round({"problem": claim.void_words()})
        if claim.holder != self.duties_with:
            self.duties_with = claim.holder
            if self.on_round:
                self.on_round({"duties": claim.holder, "ours": claim.held})

    def statuses(self) -> dict[str, VendorStatus]:
        return from_payloads(self.store.vendor_status_payloads())

    async def run(self, stop: threading.Event) -> None:
        import httpx

        from .duties import Room
        from .signals import SignalDuty

        room = Room(self.config, self.store, service=self.holder.startswith("watch:"))
        signal_duty = SignalDuty(self.config, self.store)
        fetcher = Fetcher(self.config.polling)
        webhooks = httpx.AsyncClient(trust_env=True)
        try:
            while not stop.is_set():
                try:
                    if self.standing_down.is_set():  # this session's terminal is away: someone else's turn
                        if self.holding:
                            self.store.release_lease(LEASE, self.holder)
                        self.holding = False
                    else:
                        self._claim()
                    if self.holding:
                        forced = self.now_requested.is_set()
                        await self.round(fetcher, force=forced)
                        signals_done = await signal_duty.round(fetcher, force=forced)
                        if signals_done.get("signal_changes") and self.on_round:
                            self.on_round(signals_done)
                        self.now_requested.clear()
                        for problem in await room.tick(webhooks):
                            if self.on_round:
                                self.on_round({"problem": problem})
                except StoreError:
                    self.holding = False  # the database is busy or read-only: try again next tick
                deadline = time.monotonic() + self.tick
                while time.monotonic() < deadline and not stop.is_set() and not self.now_requested.is_set():
                    await asyncio.sleep(min(0.1, self.tick))
        finally:
            await fetcher.aclose()
            await webhooks.aclose()
            if self.holding:
                try:
                    self.store.release_lease(LEASE, self.holder)
                except StoreError:
                    pass

    async def round(self, fetcher: Fetcher, *, force: bool = False) -> dict:
        now = time.monotonic()
        chosen = [t for t in targets(self.config) if force or self.due.get(t.id, 0) <= now]
        if not chosen:
            return {}
        for target in chosen:
            self.due[target.id] = now + target.interval
        previous = self.statuses()
        fresh = await poll(self.config, fetcher=fetcher, previous=previous, validators=self.validators, only=chosen)
        summary = self.record(previous, fresh) | {"forced": force}
        if self.on_round:
            self.on_round(summary)
        return summary

    def record(self, previous: dict[str, VendorStatus], fresh: dict[str, VendorStatus]) -> dict:
        found = [c for vendor_id, status in fresh.items() for c in changes(previous.get(vendor_id), status)]
        merged = {**previous, **fresh}
        found += self._disagreements(previous, merged)
        ids = self.store.save_vendor_statuses({k: v.to_dict() for k, v in fresh.items()}, found)
        names = {vendor_id: status.name for vendor_id, status in merged.items()}
        record_evidence(self.store, self.config, found, ids, names)
        announce_moves(self.store, self.config, fresh)
        lapse_overrides(self.store, self.config, merged)
        return {"polled": len(fresh), "changes": len(found), "unknown": sum(s.shown_state == UNKNOWN for s in fresh.values())}

    def _disagreements(self, previous: dict[str, VendorStatus], merged: dict[str, VendorStatus]) -> list[dict]:
        """Map versus territory: one observation when a vendor and our probe start to disagree,
        one when they agree again."""
        before = cat.service_health(self.config, previous)
        after = cat.service_health(self.config, merged)
        found = []
        seen_at = utcnow().isoformat()
        for service in self.config.services:
            if not (service.vendor and service.probe):
                continue
            was, now = before[service.id].state == cat.DISAGREE, after[service.id].state == cat.DISAGREE
            if was != now:
                found.append({
                    "vendor_id": f"service:{service.id}", "component": None, "group_name": None,
                    "state": cat.DISAGREE if now else "agree", "previous_state": "agree" if now else cat.DISAGREE,
                    "vendor_time": None, "seen_at": seen_at,
                    "reason": after[service.id].reason if now else before[service.id].reason,
                })  # fmt: skip
        return found
