"""What may be appended to the log, as pure functions: the store calls them inside its write
transaction, with the incident's current state; a screen or a script can call them first."""

from __future__ import annotations

import json
from datetime import datetime

from ..base.textsafe import clean, clean_line
from .model import CONTRIBUTED_KINDS, ENTRY_KINDS, KINDS, ROLES, SEVERITIES, STATUSES, Event, Incident, InputError, TooLong
from .takeback import check_reopen, check_state_time, check_takeback

MAX_TEXT = 10_000
MAX_TITLE = 300
MAX_AUTHOR = 64


def entry_text(kind: str, text: str) -> str:
    """The text as it will be stored: plain (see textsafe), whole, within the limit."""
    if kind not in KINDS:
        raise InputError(f"unknown kind {kind!r} (use one of {', '.join(ENTRY_KINDS)})")
    text = clean(text).strip()
    if len(text) > MAX_TEXT:
        raise TooLong(
            f"the entry is {len(text):,} characters; the limit is {MAX_TEXT:,} (nothing was written: "
            "split it into several entries)"
        )
    if kind in (*ENTRY_KINDS, *CONTRIBUTED_KINDS, "system", "vendor", "withdraw", "reopen") and not text:
        if kind in ("withdraw", "reopen"):
            raise InputError(
                "say why (--reason): the others read it beside the " + ("entry" if kind == "withdraw" else "incident")
            )
        raise InputError("the entry is empty: write what happened")
    return text


def title_text(title: str) -> str:
    title = clean_line(title)
    if len(title) > MAX_TITLE:
        raise TooLong(f"the title is {len(title):,} characters; the limit is {MAX_TITLE:,}")
    if not title:
        raise InputError("an incident needs a title")
    return title


def author_name(author: str) -> str:
    author = clean_line(author, MAX_AUTHOR)
    if not author:
        raise InputError("who is writing? give --user NAME")
    return author


def severity_name(severity: str) -> str:
    severity = severity.upper()
    if severity not in SEVERITIES:
        raise InputError(f"unknown severity {severity!r} (use {', '.join(SEVERITIES)})")
    return severity


def validate_append(
    incident: Incident,
    kind: str,
    value: str | None,
    ref: int | None,
    target: Event | None,
    withdrawn: Event | None = None,
    at: datetime | None = None,
) -> None:
    """Refuse a state change that makes no sense now; `target` is the entry `ref` points at (None
    when there is no such entry), `withdrawn` the event that withdrew it, if one did, and `at`
    when the new event is dated (None: now)."""
    if kind == "status":
        if value not in STATUSES:
            raise InputError(f"unknown status {value!r} (use {' → '.join(STATUSES)})")
        if incident.resolved:
            raise InputError(
                f"{incident.label} is resolved; if the trouble is back, reopen it: mopstui reopen {incident.id} --reason '…'"
            )
        if value == incident.status:
            raise InputError(f"{incident.label} is already {value}")
    elif kind == "severity":
        if value not in SEVERITIES:
            raise InputError(f"unknown severity {value!r} (use {', '.join(SEVERITIES)})")
        if value == incident.severity:
            raise InputError(f"{incident.label} is already {value}")
    elif kind == "role":
        try:
            role = json.loads(value or "{}").get("role")
        except (ValueError, AttributeError):
            role = None
        if role not in ROLES:
            raise InputError(f"unknown role {role!r} (use {', '.join(ROLES)})")
    elif kind == "reopen":
        check_reopen(incident, value, at)
    if kind in ("status", "reopen"):
        check_state_time(incident, kind, at)
    if kind in ("withdraw", "unstar") or (kind == "correction" and value is not None):
        check_takeback(incident, kind, ref, target, withdrawn)
    in_incident = target is not None and target.incident_id == incident.id
    if kind == "followup" and in_incident and target is not None and target.kind != "action_item":
        raise InputError(f"entry #{ref} is not an action item (write one with /todo …)")
    if kind in ("star", "correction", "followup"):
        if ref is None:
            raise InputError(f"a {kind} must name the entry it is about")
        if not in_incident:
            raise InputError(f"entry #{ref} is not in {incident.label}")
