"""Follow-ups to closure: action items (`/todo …`) with an owner, a due date and a state, changed
by `followup` events that point at the item. No I/O.

    /todo Add a synthetic check on the lead form owner:sam due:2026-12-05
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from ..base.textsafe import clean_line
from .model import Event, InputError

STATES = ("open", "done", "wont_do")
STATE_WORDS = {"open": "open", "done": "done", "wont_do": "won't do"}
_TOKEN = re.compile(r"(?:^|\s)(owner|due):(\S+)", re.IGNORECASE)


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DUE_FORMS = "a date (2026-12-11), a day (friday, fri), today, tomorrow, next week, in 3 days, or +3d / +2w"
_IN = re.compile(r"(?:in\s+|\+)?(\d{1,3}|an?)\s*(d|days?|w|weeks?)")


def _weekday(word: str) -> int | None:
    """Monday 0 … Sunday 6 for a day's name or its first three letters or more (`fri`, `thurs`)."""
    if len(word) < 3:
        return None
    return next((i for i, day in enumerate(WEEKDAYS) if day.startswith(word)), None)


def parse_due(text: str, today: date) -> date:
    """A due date as a marketer writes it: `2026-12-05`, `today`, `tomorrow`, `friday` / `fri`
    (the next one, today if it is Friday), `next friday` (after today), `next week` (a week from
    today), `in 3 days`, `in 2 weeks`, `+3d` / `+2w`. `next-week`, `in_3_days` too (the entry
    line's `due:` word holds no space)."""
    said = " ".join(text.strip().lower().replace("_", " ").replace("-", " ").split())
    if said in ("today", "tomorrow"):
        return today + timedelta(days=said == "tomorrow")
    if said == "next week":
        return today + timedelta(weeks=1)
    following = said.startswith("next ")
    day = _weekday(said.removeprefix("next ").strip())
    if day is not None:
        ahead = (day - today.weekday()) % 7
        return today + timedelta(days=ahead or (7 if following else 0))
    relative = _IN.fullmatch(said)
    if relative:
        count = 1 if relative[1] in ("a", "an") else int(relative[1])
        return today + timedelta(days=count * (7 if relative[2].startswith("w") else 1))
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(f"{clean_line(text, 40)!r} is not a due date: write {DUE_FORMS}") from None


def owner_and_due(text: str, today: date) -> tuple[str, str | None]:
    """An action item's text without its `owner:` / `due:` words, and the value that keeps them."""
    found: dict[str, str] = {}
    for key, value in _TOKEN.findall(text):
        key = key.lower()
        found[key] = value.lstrip("@") if key == "owner" else parse_due(value, today).isoformat()
    if not found:
        return text, None
    return _TOKEN.sub("", text).strip(), json.dumps(found, sort_keys=True)


def change_value(state: str | None, owner: str | None, due: date | None) -> str:
    if state is not None and state not in STATES:
        raise InputError(f"a follow-up is {', '.join(STATE_WORDS.values())}, not {state!r}")
    change = {k: v for k, v in (("state", state), ("owner", owner), ("due", due.isoformat() if due else None)) if v}
    if not change:
        raise InputError("say what changes: --done, --wont-do, --reopen, --owner or --due")
    return json.dumps(change, sort_keys=True)


def change_text(value: str) -> str:
    change = json.loads(value)
    parts = []
    if change.get("state"):
        parts.append(STATE_WORDS[change["state"]])
    if change.get("owner"):
        parts.append(f"owner → {change['owner']}")
    if change.get("due"):
        parts.append(f"due → {change['due']}")
    return "follow-up " + ", ".join(parts)


@dataclass(frozen=True)
class FollowUp:
    incident_id: int
    event_id: int
    text: str
    author: str
    created_at: datetime
    owner: str | None = None
    due: str | None = None
    state: str = "open"
    changed_by: str | None = None
    changed_at: datetime | None = None

    def overdue(self, today: date) -> bool:
        return self.state == "open" and self.due is not None and self.due < today.isoformat()

    def to_dict(self) -> dict:
        return {
            "incident": self.incident_id,
            "entry": self.event_id,
            "text": self.text,
            "author": self.author,
            "created_at": self.created_at.isoformat(),
            "owner": self.owner,
            "due": self.due,
            "state": self.state,
            "changed_by": self.changed_by,
            "changed_at": self.changed_at.isoformat() if self.changed_at else None,
        }


def followups(events: Iterable[Event]) -> list[FollowUp]:
    """Every action item among `events` (of `FOLLOWUP_KINDS`; others are passed over), with its
    latest owner, due date and state; not those withdrawn."""
    items: dict[int, FollowUp] = {}
    changes: list[Event] = []
    withdrawn: set[int] = set()
    for event in events:
        if event.kind == "withdraw" and event.ref is not None:
            withdrawn.add(event.ref)
        if event.kind == "action_item" and event.incident_id is not None:
            extra = event.value_json()
            items[event.id] = FollowUp(
                event.incident_id, event.id, event.text, event.author, event.occurred_at, extra.get("owner"), extra.get("due")
            )
        elif event.kind == "followup" and event.ref is not None:
            changes.append(event)
    for event in sorted(changes, key=lambda e: e.id):
        item = items.get(event.ref or 0)
        if item is None:
            continue
        change = event.value_json()
        items[item.event_id] = FollowUp(
            item.incident_id, item.event_id, item.text, item.author, item.created_at,
            change.get("owner") or item.owner, change.get("due") or item.due,
            str(change["state"]) if change.get("state") in STATES else item.state, event.author, event.occurred_at,
        )  # fmt: skip
    return sorted((f for f in items.values() if f.event_id not in withdrawn), key=lambda f: (f.incident_id, f.event_id))


def due_words(due: str, today: date) -> str:
    """`due Tue 8 Dec` (with the year when it is not this year's); as stored when unreadable."""
    try:
        day = date.fromisoformat(due)
    except ValueError:
        return f"due {due}"
    shown = f"{day:%a} {day.day} {day:%b}" + (f" {day.year}" if day.year != today.year else "")
    return f"due {shown}"


def todo_line(item: FollowUp, today: date) -> tuple[str, bool]:
    """What a todo's line says after its words, and whether it is overdue:
    `Sam, due Tue 8 Dec`, `no owner, due Mon 7 Dec, overdue`, `Sam, done`."""
    parts = [item.owner or "no owner"]
    if item.state != "open":
        parts.append(STATE_WORDS.get(item.state, item.state))
    elif item.due:
        parts.append(due_words(item.due, today))
    overdue = item.overdue(today)
    if overdue:
        parts.append("overdue")
    return ", ".join(parts), overdue
