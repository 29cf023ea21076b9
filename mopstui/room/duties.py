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

from ..base.textsafe import clean_line
from ..base.timeutil import utcnow
from ..config import Config
from ..domain import catalog as cat
from ..domain import overrides as ov
from ..domain.clocks import crossed, incident_clocks
from ..domain.evidence import evidence
from ..domain.model import Event, InputError
from ..status.model import VendorStatus, from_payloads
from ..store import SQLStore, StoreError
from .anchor import Anchor

if TYPE_CHECKING:
    from .notify import Notifier


def record_crossings(store: SQLStore, config: Config, now: datetime | None = None) -> int:
    """Write every crossing that is due and not yet written; returns how many were written."""
    now = now or utcnow()
    written = 0
    for incident in store.incidents():
        comms = store.last_customer_update(incident.id)
        done = store.dedupe_keys(incident.id)
        for clock in crossed(incident_clocks(incident, config, comms, now)):
            key = clock.dedupe_key(incident.id)
            if key in done:
                continue
            store.append(incident.id, "system", clock.crossing_text(), author="mopstui", dedupe=key, at=clock.crossed_at)
            written += 1
    return written


def record_evidence(
    store: SQLStore, config: Config, changes: list[dict], observation_ids: list[int], names: dict[str, str]
) -> int:
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


def statuses_as_ruled(store: SQLStore, raw: dict[str, VendorStatus] | None = None) -> dict[str, VendorStatus]:
    """Vendor statuses as every reader shows them: what the poller stored, with the room's
    overrides applied (health, impact, roll-up, webhooks and export all start from here)."""
    raw = raw if raw is not None else from_payloads(store.vendor_status_payloads())
    return ov.apply(raw, ov.current(store.room_events("override")).values())


def _override_incidents(store: SQLStore, config: Config, vendor_id: str, component: str | None) -> list[int]:
    """The active incidents an override concerns, by the one reach rule evidence uses."""
    group, _, name = component.rpartition(" / ") if component else ("", "", None)
    reach = cat.impact(config, vendor_id, name, group or None)  # the whole vendor reaches all its services
    reached = set(reach["direct"]) | set(reach["at_risk"])
    return [i.id for i in store.incidents() if reached & set(i.services)]


def _write_override(
    store: SQLStore,
    config: Config,
    vendor_id: str,
    component: str | None,
    verdict: str,
    reason: str,
    until: str,
    author: str,
    page: str,
) -> Event:
    value = ov.override_value(vendor_id, component, verdict, until, page)
    event = store.append_room("override", reason, author=author, value=value)
    vendor = config.vendor(vendor_id)
    what = f"{vendor.name if vendor else vendor_id}{' · ' + component if component else ''}"
    said = "override lifted" if verdict == "lift" else f"override: {ov.VERDICT_WORDS[verdict]}"
    for incident_id in _override_incidents(store, config, vendor_id, component):
        try:
            # The timeline's echo is the overruling person's (the log records their real account
            # too); only a lapse the tool writes itself is mopstui's.
            store.append(
                incident_id,
                "vendor",
                f"{what}: {said} ({reason})",
                author=author,
                dedupe=f"INC-{incident_id}:override:{event.id}",
            )
        except StoreError:
            pass  # the override itself is in the log; the timeline line is its echo
    return event


def set_override(
    store: SQLStore, config: Config, *, vendor_id: str, component: str | None, verdict: str, reason: str, until: str, author: str
) -> Event:
    """ "It is down for us" / "it does not affect us", in the log and on the affected timelines."""
    vendor = config.vendor(vendor_id)
    if vendor is None:
        known = ", ".join(v.id for v in config.vendors) or "none configured"
        raise InputError(
            f"there is no vendor {vendor_id!r}{_did_you_mean(vendor_id, [v.id for v in config.vendors])} "
            f"(vendors: {clean_line(known, 200)})"
        )
    if verdict not in ov.VERDICTS:
        raise InputError(f"an override says down or unaffected, not {verdict!r}")
    if not clean_line(reason):
        raise InputError("an override needs a reason: say why the room overrules the page")
    raw = from_payloads(store.vendor_status_payloads())
    if component is not None:
        on_page = [c.label() for c in raw[vendor_id].components] if raw.get(vendor_id) else []
        known_names = set(on_page) | {c.name for c in raw[vendor_id].components} if on_page else set()
        known_names |= {w.name for w in vendor.components} | {f"{w.group} / {w.name}" for w in vendor.components if w.group}
        if not known_names:
            raise InputError(
                f"{vendor.name}'s page has not been read (or could not be), so its components are not "
                f"known: override the whole vendor ({vendor_id}), or run `mopstui status` first"
            )
        if component not in known_names:
            raise InputError(
                f"{vendor_id} has no component {component!r}"
                f"{_did_you_mean(component, sorted(known_names))} (see `mopstui vendors components "
                f"{vendor_id}`)"
            )
    return _write_override(
        store, config, vendor_id, component, verdict, reason, until, author, ov.page_state(raw.get(vendor_id), component)
    )


def _did_you_mean(word: str, candidates: list[str]) -> str:
    import difflib

    same = [c for c in candidates if c.casefold() == word.casefold()]
    close = same or difflib.get_close_matches(word, candidates, n=1, cutoff=0.6)
    return f"; did you mean {clean_line(close[0], 80)!r}?" if close else ""


def lift_override(
    store: SQLStore, config: Config, *, vendor_id: str, component: str | None, author: str, reason: str = "lifted"
) -> Event:
    if (vendor_id, component) not in ov.current(store.room_events("override")):
        raise InputError(f"no override on {vendor_id}{' / ' + component if component else ''} to lift")
    return _write_override(store, config, vendor_id, component, "lift", reason, "lifted", author, "unknown")


def lapse_overrides(store: SQLStore, config: Config, raw: dict[str, VendorStatus] | None = None) -> int:
    """Lift, in the log, every override set until the page changes whose page has changed. The
    poller calls it with the statuses it just stored: a page only changes when a round says so."""
    raw = raw if raw is not None else from_payloads(store.vendor_status_payloads())
    lifted = 0
    for override in ov.current(store.room_events("override")).values():
        if ov.lapsed(override, raw):
            now = ov.page_state(raw.get(override.vendor_id), override.component)
            _write_override(
                store,
                config,
                override.vendor_id,
                override.component,
                "lift",
                f"the page changed: {override.page_state.replace('_', ' ')} → {now.replace('_', ' ')}",
                "lifted",
                "mopstui",
                "unknown",
            )
            lifted += 1
    return lifted


class Room:
    """The duties that run every tick while this process holds the lease."""

    def __init__(self, config: Config, store: SQLStore, *, service: bool = True) -> None:
        """`service`: run by the watch service (not a screen that took the duties for want of one)."""
        from .notify import Notifier

        self.config = config
        self.store = store
        self.notifier: Notifier = Notifier(config, store)
        self.anchor = Anchor(config.anchor_file, config.anchor_every, service=service)

    async def tick(self, webhooks: Any) -> list[str]:
        """Crossings, then notifications (so a crossing goes out in the same tick), then the anchor.
        Returns problems to say out loud."""
        record_crossings(self.store, self.config)
        await self.notifier.round(webhooks)
        problem = self.anchor.record(self.store)
        return [problem] if problem else []
