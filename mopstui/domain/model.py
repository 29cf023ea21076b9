"""The war-room's vocabulary: incidents, events, their kinds and states. Plain data, no I/O."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from ..base.errors import InputError

STATUSES = ("investigating", "identified", "monitoring", "resolved")
SEVERITIES = ("SEV1", "SEV2", "SEV3", "SEV4")
ROLES = ("commander", "comms", "scribe")

# Kinds a person writes with free text.
ENTRY_KINDS = ("note", "action", "decision", "comms", "customer", "action_item", "lesson")
# Kinds a person writes through a command rather than as free text (a person's doing all the same:
# they count as taking part, and the exports tick them). The last three take something back.
COMMAND_KINDS = (
    "declared",
    "status",
    "severity",
    "role",
    "star",
    "correction",
    "edit",
    "followup",
    "withdraw",
    "unstar",
    "reopen",
)
TOOL_KINDS = ("system", "vendor", "catalog")
# Kinds a program writes *for* a person (`mopstui mcp`): attributed to both, and never a decision.
CONTRIBUTED_KINDS = ("evidence",)
# Kinds about the war-room as a whole, on no incident's timeline of their own.
# (A room-wide vendor note: a vendor's page that moved platform while no incident was open.)
ROOM_KINDS = ("override", "vendor")
KINDS = tuple(dict.fromkeys(ENTRY_KINDS + COMMAND_KINDS + TOOL_KINDS + CONTRIBUTED_KINDS + ROOM_KINDS))

# The kinds an incident's current state is derived from (`derive_incident` reads these and no
# other): the store reads only these to list incidents, and a screen re-reads its incidents when
# one of them arrives. A new kind that changes title, status, severity or roles belongs here.
# A withdrawal is here because a withdrawn entry dated before the declaration no longer moves when
# the impact started.
INCIDENT_STATE_KINDS = ("declared", "status", "severity", "role", "edit", "reopen", "withdraw")
# An action item and the changes that move it along (done, won't do, owner, due): what
# `domain.followups.followups` folds.
# A withdrawn action item is off the list.
FOLLOWUP_KINDS = ("action_item", "followup", "withdraw")
# A customer update: what resets the update-due clock.
CUSTOMER_UPDATE_KIND = "comms"
# How each kind is shown in eight columns or fewer (the screen, `timeline`, exports), and the word
# that picks an entry kind in the entry grammar (`/todo …`).
KIND_LABELS = {
    "note": "note", "action": "action", "decision": "decision", "comms": "comms", "customer": "customer",
    "action_item": "todo", "lesson": "lesson", "declared": "declared", "status": "status", "severity": "severity",
    "role": "role", "star": "star", "correction": "correct", "system": "system", "vendor": "vendor", "catalog": "catalog",
    "override": "override", "edit": "edit", "followup": "followup", "evidence": "evidence", "withdraw": "withdraw",
    "unstar": "unstar", "reopen": "reopen",
}  # fmt: skip

# The word a person types or reads for each entry kind is its label (`todo`); the stored name
# (`action_item`) stays in the database, JSON and CSV, and is still accepted from older scripts.
ENTRY_KIND_WORDS = tuple(KIND_LABELS[kind] for kind in ENTRY_KINDS)


def entry_kind_named(word: str) -> str:
    """The entry kind a person named: its label (`todo`) or its stored name (`action_item`)."""
    text = word.strip().lower()
    for kind in ENTRY_KINDS:
        if text in (kind, KIND_LABELS[kind]):
            return kind
    from difflib import get_close_matches  # only when a kind is mistyped

    hint = get_close_matches(text, ENTRY_KIND_WORDS, n=1, cutoff=0.6)
    near = f"did you mean {hint[0]}? The" if hint else "the"
    raise InputError(f"{word!r} is not a kind of entry; {near} kinds are {', '.join(ENTRY_KIND_WORDS)}")


TOOL_AUTHORS = ("mopstui",)
MAX_ID = 2**63 - 1  # SQLite's largest integer


def account_label(author: str, login: str | None) -> str | None:
    """What to add to the author: the real account where it differs from the chosen name."""
    if author in TOOL_AUTHORS or login == author:
        return None
    return "account not recorded" if login is None else f"login {login}"


def who(author: str, login: str | None) -> str:
    """The author as shown everywhere: the chosen name, and the real account when it differs."""
    label = account_label(author, login)
    return f"{author} ({label})" if label else author


_INCIDENT_REF = re.compile(r"^(?:INC-?)?([0-9]+)$", re.IGNORECASE)


class TooLong(InputError):
    """Text over a limit: refused whole, never cut (the CLI exits 2)."""


def parse_incident_ref(text: str | int) -> int:
    """`7`, `INC-7`, `inc7` -> 7."""
    match = _INCIDENT_REF.match(str(text).strip())
    if not match or len(match[1]) > 19 or not 0 < int(match[1]) <= MAX_ID:
        raise InputError(f"{text!r} is not an incident (write 7 or INC-7)")
    return int(match[1])


def incident_label(incident_id: int) -> str:
    return f"INC-{incident_id}"


@dataclass(frozen=True)
class Event:
    id: int
    incident_id: int | None
    occurred_at: datetime
    recorded_at: datetime
    author: str
    kind: str
    text: str
    value: str | None = None
    ref: int | None = None
    dedupe: str | None = None
    hash: str = ""
    login: str | None = None  # the OS account that wrote it; None: written before accounts were recorded
    uid: int | None = None

    @property
    def account_label(self) -> str | None:
        return account_label(self.author, self.login)

    @property
    def who(self) -> str:
        return who(self.author, self.login)

    @property
    def backdated(self) -> bool:
        """Written more than a minute after it happened: shown with a mark."""
        return (self.recorded_at - self.occurred_at).total_seconds() > 60

    def value_json(self) -> dict:
        try:
            data = json.loads(self.value) if self.value else {}
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "incident_id": self.incident_id,
            "occurred_at": self.occurred_at.isoformat(),
            "recorded_at": self.recorded_at.isoformat(),
            "author": self.author,
            "kind": self.kind,
            "text": self.text,
            "value": self.value,
            "ref": self.ref,
            "backdated": self.backdated,
            "login": self.login,
            "uid": self.uid,
            "hash": self.hash,
        }


@dataclass(frozen=True)
class Incident:
    """An incident's current state, derived from its events (the log is the only truth)."""

    id: int
    title: str
    severity: str
    status: str
    started_at: datetime
    declared_by: str
    services: tuple[str, ...] = ()
    roles: dict[str, str] = field(default_factory=dict)
    status_times: dict[str, datetime] = field(default_factory=dict)
    last_event_id: int = 0
    summary: str = ""  # what the incident is about, beyond its title; changed by `edit` events
    # (resolved at, reopened at, why) for each time it was resolved and then reopened
    reopenings: tuple[tuple[datetime, datetime, str], ...] = ()
    # When customers were first hurt, where an entry was back-dated before the declaration.
    impact_started_at: datetime | None = None

    @property
    def label(self) -> str:
        return incident_label(self.id)

    @property
    def impact_start(self) -> datetime:
        """What the customer-facing figures count from: the earliest back-dated entry, or the start."""
        return min(self.impact_started_at or self.started_at, self.started_at)

    @property
    def resolved(self) -> bool:
        return self.status == "resolved"

    @property
    def resolved_at(self) -> datetime | None:
        return self.status_times.get("resolved") if self.resolved else None

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "label": self.label,
            "title": self.title,
            "severity": self.severity,
            "status": self.status,
            "started_at": self.started_at.isoformat(),
            "declared_by": self.declared_by,
            "summary": self.summary,
            "services": list(self.services),
            "roles": dict(self.roles),
            "resolved_at": self.resolved_at.isoformat() if self.resolved_at else None,
            "impact_started_at": self.impact_start.isoformat(),
            "reopenings": [
                {"resolved_at": resolved.isoformat(), "reopened_at": reopened.isoformat(), "reason": why}
                for resolved, reopened, why in self.reopenings
            ],
        }


def derive_incident(incident_id: int, events: list[Event]) -> Incident:
    """Fold an incident's state events (`INCIDENT_STATE_KINDS`; any other kind among `events` is
    passed over), in `occurred_at` order, into its current state. Entries dated before the
    declaration (and not withdrawn), when given, move when its impact started."""
    early_entries = [e for e in events if e.kind in ENTRY_KINDS]
    events = [e for e in events if e.kind in INCIDENT_STATE_KINDS]
    declared = next(e for e in events if e.kind == "declared")
    withdrawn = {e.ref for e in events if e.kind == "withdraw"}
    early = [e.occurred_at for e in early_entries if e.id not in withdrawn and e.occurred_at < declared.occurred_at]
    reopenings: list[tuple[datetime, datetime, str]] = []
    info = declared.value_json()
    severity = info.get("severity", "SEV3")
    status = "investigating"
    roles: dict[str, str] = {}
    status_times: dict[str, datetime] = {"investigating": declared.occurred_at}
    title, summary, services = declared.text, str(info.get("summary") or ""), tuple(info.get("services", ()))
    for event in sorted(events, key=lambda e: (e.occurred_at, e.id)):
        if event.kind == "edit":
            # What was declared, changed: each edit names only what it changes (in log order).
            change = event.value_json()
            title = str(change["title"]) if isinstance(change.get("title"), str) and change["title"] else title
            summary = str(change["summary"]) if isinstance(change.get("summary"), str) else summary
            if isinstance(change.get("services"), list):
                services = tuple(str(s) for s in change["services"])
        elif event.kind == "status" and event.value in STATUSES:
            status = event.value
            status_times.setdefault(event.value, event.occurred_at)
            if event.value == "resolved":  # resolved again after a reopening: the last time counts
                status_times["resolved"] = event.occurred_at
        elif event.kind == "reopen" and status == "resolved":
            reopenings.append((status_times["resolved"], event.occurred_at, event.text))
            status = event.value if event.value in STATUSES else "investigating"
        elif event.kind == "severity" and event.value in SEVERITIES:
            severity = event.value
        elif event.kind == "role":
            change = event.value_json()
            if change.get("role") in ROLES:
                if change.get("user"):
                    roles[change["role"]] = change["user"]
                else:
                    roles.pop(change["role"], None)
    # Whoever declares commands until someone takes or releases the role: a released command is
    # empty, not silently back with the declarer.
    commander_changed = any(e.kind == "role" and e.value_json().get("role") == "commander" for e in events)
    if "commander" not in roles and not commander_changed:
        roles = {"commander": declared.author, **roles}
    return Incident(
        id=incident_id,
        title=title,
        severity=severity,
        status=status,
        started_at=declared.occurred_at,
        declared_by=declared.author,
        services=services,
        roles=roles,
        status_times=status_times,
        last_event_id=max(e.id for e in events),
        summary=summary,
        reopenings=tuple(reopenings),
        impact_started_at=min(early) if early else None,
    )


class KindNow(Protocol):
    """The kind an entry counts as now, once what was taken back is read (takeback.TakeBacks):
    stated here, where it is used, so the vocabulary never imports the rules built on it."""

    def kind_of(self, event: Event) -> str | None: ...


def latest_customer_update(events: Iterable[Event | None], taken_back: KindNow | None = None) -> Event | None:
    """The latest customer update among `events` (others, and None, are passed over): the one that
    happened last, and of two at the same moment the one written last. The update-due clock
    counts from it; the screen keeps it current with `latest_customer_update((kept, new))`. With
    `taken_back`, an entry counts by its kind now: withdrawn ones not at all."""
    latest = None
    for event in events:
        if event is None:
            continue
        kind = event.kind if taken_back is None else taken_back.kind_of(event)
        if kind == CUSTOMER_UPDATE_KIND and (latest is None or (event.occurred_at, event.id) > (latest.occurred_at, latest.id)):
            latest = event
    return latest
