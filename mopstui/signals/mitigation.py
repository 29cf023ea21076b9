"""Marketing mitigations read back: a person logs "pause ads" (or pause sends, banner up, switch
channel) and a `gives: status` metric that `confirms` it reads the campaign's status until it
says so: "Ads campaign status: PAUSED, confirmed 14:32". mopstui never pauses anything itself.
No I/O."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import tzinfo
from typing import Any

from ..base.textsafe import clean_line
from ..config.signals import MITIGATIONS


def mitigation_value(what: str) -> str:
    return json.dumps({"mitigation": what})


def mitigation_of(event: Any) -> str | None:
    """The mitigation an action entry logged, or None."""
    if event.kind != "action" or not event.value:
        return None
    try:
        value = json.loads(event.value)
    except (TypeError, ValueError):
        return None
    found = value.get("mitigation") if isinstance(value, dict) else None
    return found if found in MITIGATIONS else None


@dataclass(frozen=True)
class Confirmation:
    incident_id: int
    text: str
    dedupe: str


def confirmations(config: Any, actions: Iterable[Any], states: dict, tz: tzinfo) -> list[Confirmation]:
    """For each logged mitigation, the read-back of each signal that confirms it, once its status
    reads as expected."""
    found = []
    for event in actions:
        what = mitigation_of(event)
        if what is None:
            continue
        for signal in config.signals:
            state = states.get(signal.id)
            if signal.confirms != what or state is None or not state.value or not state.checked_at:
                continue
            if state.value.strip().lower() != (signal.expect or "").strip().lower():
                continue
            from ..base.timeutil import from_store

            seen = from_store(state.checked_at).astimezone(tz).strftime("%H:%M")
            logged = event.occurred_at.astimezone(tz).strftime("%H:%M")
            text = (
                f"{clean_line(signal.label, 60)}: {clean_line(state.value, 40)}, confirmed {seen} "
                f"({MITIGATIONS[what]}, logged by {clean_line(event.author, 40)} at {logged})"
            )
            found.append(Confirmation(event.incident_id, text, f"INC-{event.incident_id}:confirmed:{event.id}:{signal.id}"))
    return found
