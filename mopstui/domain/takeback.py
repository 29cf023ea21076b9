"""Taking back, append-only: withdrawing an entry, changing its kind, unstarring it, reopening a
resolved incident. Each is a new event that points at what it takes back; nothing in the log is
edited, so the timeline and the export still show what was written, and by whom. No I/O.

What was withdrawn or re-kinded stays on the timeline, marked, but stops feeding the clocks and
figures: a withdrawn customer update no longer resets the update-due clock, a withdrawn first
action no longer counts for time to first action."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo

from ..base.timeutil import humanize_duration
from .model import CONTRIBUTED_KINDS, ENTRY_KINDS, KIND_LABELS, Event, Incident, InputError

# What a person wrote (or a program wrote for them) can be withdrawn; a state change is changed by
# its own command instead.
WITHDRAWABLE = ENTRY_KINDS + CONTRIBUTED_KINDS
# The events that say something about an earlier entry (read together to know its state now).
TAKEBACK_KINDS = ("withdraw", "correction")
# Everything later events say about earlier entries (the timeline's marks: timeline.Annotations).
ANNOTATION_KINDS = ("star", "unstar", "correction", "withdraw")
REOPEN_STATUSES = ("investigating", "identified", "monitoring")


@dataclass
class TakeBacks:
    """Which entries were withdrawn (by which event) and which were given another kind."""

    withdrawn: dict[int, Event] = field(default_factory=dict)
    kinds: dict[int, str] = field(default_factory=dict)

    def add(self, event: Event) -> None:
        if event.ref is None:
            return
        if event.kind == "withdraw":
            self.withdrawn.setdefault(event.ref, event)
        elif event.kind == "correction":
            kind = new_kind(event)
            if kind:
                self.kinds[event.ref] = kind

    @classmethod
    def of(cls, events: Iterable[Event]) -> TakeBacks:
        found = cls()
        for event in sorted(events, key=lambda e: e.id):
            found.add(event)
        return found

    def kind_of(self, event: Event) -> str | None:
        """The kind an entry counts as now; None once it is withdrawn."""
        if event.id in self.withdrawn:
            return None
        return self.kinds.get(event.id, event.kind)

    def changed(self) -> set[int]:
        """Entries that no longer count as the kind they were written as."""
        return set(self.withdrawn) | set(self.kinds)

    def now_of_kind(self, kind: str) -> set[int]:
        """Entries re-kinded to `kind` and not withdrawn."""
        return {ref for ref, k in self.kinds.items() if k == kind and ref not in self.withdrawn}


def new_kind(event: Event) -> str | None:
    """The kind a correction gives its entry, if it changes it."""
    kind = event.value_json().get("kind") if event.kind == "correction" else None
    return kind if kind in ENTRY_KINDS else None


def rekind_text(kind: str) -> str:
    """A correction's words when it changes only the kind."""
    return f"kind now {KIND_LABELS.get(kind, kind)}"


def new_words(correction: Event) -> str | None:
    """The words a correction gives its entry; None when it changes only the kind."""
    kind = new_kind(correction)
    return None if kind and correction.text == rekind_text(kind) else correction.text


def rekind_value(kind: str | None) -> str | None:
    """A correction's value: the entry's new kind, or None when only the words change."""
    if kind is None:
        return None
    if kind not in ENTRY_KINDS:
        labels = ", ".join(KIND_LABELS[k] for k in ENTRY_KINDS)
        raise InputError(f"{kind!r} is not a kind of entry (use one of {labels})")
    return json.dumps({"kind": kind})


def check_takeback(incident: Incident, kind: str, ref: int | None, target: Event | None, withdrawn: Event | None) -> None:
    """Refuse withdrawing, re-kinding or unstarring what cannot be: one sentence each."""
    if ref is None:
        raise InputError(f"a {KIND_LABELS.get(kind, kind)} must name the entry it is about")
    if target is None or target.incident_id != incident.id:
        raise InputError(f"entry #{ref} is not in {incident.label}")
    if withdrawn is not None:
        raise InputError(f"entry #{ref} was already withdrawn by {withdrawn.author}; nothing more to take back")
    if kind == "withdraw" and target.kind not in WITHDRAWABLE:
        what = "a withdrawal" if target.kind == "withdraw" else f"a {KIND_LABELS.get(target.kind, target.kind)} entry"
        raise InputError(f"entry #{ref} is {what}; only what someone wrote (a note, action, comms …) can be withdrawn")
    if kind == "correction" and target.kind not in ENTRY_KINDS:
        raise InputError(
            f"entry #{ref} is a {KIND_LABELS.get(target.kind, target.kind)} entry; only what someone wrote "
            "(a note, action, comms …) can change kind"
        )


def check_reopen(incident: Incident, value: str | None, at: datetime | None, tz: tzinfo = UTC) -> None:
    if not incident.resolved:
        raise InputError(f"{incident.label} is not resolved ({incident.status}): there is nothing to reopen")
    if value not in REOPEN_STATUSES:
        raise InputError(f"reopen to {value!r}? use one of {', '.join(REOPEN_STATUSES)}")
    if at is not None and incident.resolved_at is not None and at < incident.resolved_at:
        raise InputError(
            f"{incident.label} was resolved at {_clock(incident.resolved_at, tz)}; it cannot be reopened before that"
        )


def check_state_time(incident: Incident, kind: str, at: datetime | None, tz: tzinfo = UTC) -> None:
    """A status change or reopening cannot come before the incident was declared (nor a status
    change before the latest reopening): refused, never filed out of order in silence."""
    if at is None:
        return
    if at < incident.started_at:
        word = {"status": "a status change", "reopen": "a reopening"}.get(kind, "that")
        raise InputError(
            f"{incident.label} was declared at {_clock(incident.started_at, tz)}; {word} cannot be dated "
            f"before that ({_clock(at, tz)})"
        )
    if kind == "status" and incident.reopenings and at < incident.reopenings[-1][1]:
        raise InputError(
            f"{incident.label} was reopened at {_clock(incident.reopenings[-1][1], tz)}; its status cannot "
            f"change before that ({_clock(at, tz)})"
        )


def early_note(incident: Incident, at: datetime, tz: tzinfo, *, entry_id: int | None = None) -> str | None:
    """Said plainly when an entry is dated before the declaration: accepted (impact often starts
    before anyone declares), and it moves when the incident's impact started. `incident` as it
    stood before the entry was written."""
    if at >= incident.started_at:
        return None
    before = humanize_duration(incident.started_at - at)
    said = (
        f"{f'#{entry_id} is' if entry_id else 'It is'} dated {_hm(at, tz)}, {before} before {incident.label} "
        f"was declared ({_hm(incident.started_at, tz)})"
    )
    if at < incident.impact_start:
        return said + f"; the impact now counts from {_hm(at, tz)}"
    return said


def _hm(moment: datetime, tz: tzinfo) -> str:
    return moment.astimezone(tz).strftime("%H:%M:%S")


def _clock(moment: datetime, tz: tzinfo) -> str:
    """A time as said to a person: the room's clock, to the second, with its day."""
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S %Z").strip()
