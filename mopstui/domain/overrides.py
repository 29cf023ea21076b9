"""The room overruling the map: "it is down for us" or "it does not affect us", on a vendor or one
of its components, with a reason. No I/O.

An override is an event in the log (kind `override`, on no incident), so it is hash-chained and
says who set it. It holds until it is lifted, or — the default — until the vendor's page changes
from the state it showed when the override was set (the lease holder then writes the lift, so a
page that flips back does not bring an old override back to life).

Applied where statuses are read (the screen, `status`, `catalog`, webhooks, export), so health,
impact, the touchpoint roll-up and everything after them honour it, shown distinctly: the page's
own word is kept beside it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from ..status.model import MAJOR, OPERATIONAL, UNKNOWN, VendorStatus, worst
from .model import Event, InputError

VERDICTS = {"down": MAJOR, "unaffected": OPERATIONAL}
VERDICT_WORDS = {"down": "down for us", "unaffected": "does not affect us"}
UNTIL = ("page-changes", "lifted")


@dataclass(frozen=True)
class Override:
    vendor_id: str
    component: str | None  # a component's label ("Group / Name" or "Name"); None: the whole vendor
    verdict: str  # down | unaffected
    reason: str
    until: str  # page-changes | lifted
    page_state: str  # what the page said when it was set
    author: str
    at: str  # ISO time it was set
    event_id: int

    @property
    def state(self) -> str:
        return VERDICTS[self.verdict]

    @property
    def target(self) -> str:
        return f"{self.vendor_id} / {self.component}" if self.component else self.vendor_id

    def label(self) -> str:
        until = "until lifted" if self.until == "lifted" else "until the page changes"
        return f"{VERDICT_WORDS[self.verdict]} ({self.reason}; {self.author}, {until})"


def override_value(vendor_id: str, component: str | None, verdict: str, until: str, page_state: str) -> str:
    """The event's value: what is overruled, how, and what the page said then."""
    if verdict not in (*VERDICTS, "lift"):
        raise InputError(f"unknown verdict {verdict!r} (use down, unaffected or lift)")
    if until not in UNTIL:
        raise InputError(f"an override holds until {' or '.join(UNTIL)}, not {until!r}")
    return json.dumps({"vendor": vendor_id, "component": component, "verdict": verdict, "until": until,
                       "page_state": page_state}, sort_keys=True)  # fmt: skip


def current(events: Iterable[Event]) -> dict[tuple[str, str | None], Override]:
    """The overrides in force after these `override` events (oldest first): the latest per target,
    a lift removing it."""
    found: dict[tuple[str, str | None], Override] = {}
    for event in events:
        try:
            data = json.loads(event.value or "")
            key = (str(data["vendor"]), data.get("component"))
            verdict = data["verdict"]
        except (ValueError, KeyError, TypeError):
            continue  # not ours to understand: never a crash on a row another version wrote
        if verdict == "lift":
            found.pop(key, None)
        elif verdict in VERDICTS:
            found[key] = Override(
                key[0],
                key[1],
                verdict,
                event.text,
                data.get("until", "page-changes"),
                data.get("page_state", UNKNOWN),
                event.author,
                event.occurred_at.isoformat(),
                event.id,
            )
    return found


def page_state(status: VendorStatus | None, component: str | None) -> str:
    """What the vendor's page says of the target now (unknown when we cannot tell)."""
    if status is None or status.stale:
        return UNKNOWN
    if component is None:
        return status.page_state or status.state
    for c in status.components:
        if component in (c.label(), c.name):
            return c.state
    return UNKNOWN


def lapsed(override: Override, statuses: dict[str, VendorStatus]) -> bool:
    """An override set until the page changes has lapsed once the page says something else
    (an unreachable page has not changed its mind)."""
    if override.until != "page-changes":
        return False
    now = page_state(statuses.get(override.vendor_id), override.component)
    return now != UNKNOWN and now != override.page_state


def apply(statuses: dict[str, VendorStatus], overrides: Iterable[Override]) -> dict[str, VendorStatus]:
    """Statuses as the room rules them: the overridden state where an override holds, the page's
    own state kept in `page_state`, and the override's words in `override`."""
    result = dict(statuses)
    for override in overrides:
        status = result.get(override.vendor_id)
        if status is None:  # a page never read: the room's word is all there is, and it counts
            status = VendorStatus(override.vendor_id, override.vendor_id, "unknown", reason="not read yet")
        elif lapsed(override, statuses):
            continue
        page = status.page_state or status.state
        if override.component is None:  # the whole vendor: every part the room watches follows
            components = tuple(replace(c, state=override.state) if c.watched else c for c in status.components)
            result[override.vendor_id] = replace(
                status, state=override.state, components=components, page_state=page, override=override.label()
            )
            continue
        components = tuple(
            replace(c, state=override.state) if override.component in (c.label(), c.name) else c for c in status.components
        )
        watched = [c.state for c in components if c.watched and c.state != UNKNOWN]
        note = f"{override.component}: {override.label()}"
        result[override.vendor_id] = replace(
            status,
            components=components,
            state=worst(watched) if watched else status.state,
            page_state=page,
            override="; ".join(filter(None, (status.override, note))),
        )
    return result


def ruling_line(event: Event, vendor_name: Callable[[str], str] = str) -> str:
    """One override event as a line: "HubSpot / Forms: down for us — forms fail (sam)", the vendor
    named by `vendor_name` (its id when not given)."""
    try:
        what = json.loads(event.value or "{}")
    except ValueError:
        what = {}
    target = vendor_name(str(what.get("vendor", "?"))) + (f" / {what['component']}" if what.get("component") else "")
    verdict = {**VERDICT_WORDS, "lift": "override lifted"}.get(what.get("verdict"), "?")
    return f"{target}: {verdict} — {event.text} ({event.who})"
