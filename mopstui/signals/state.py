"""A signal's state and how one reading moves it: `ok | degraded | down | unknown`, since when,
why, the last value. The same words as for vendors: *unknown* is "we cannot see", never down,
and a form is down only after `after` failures in a row (one bad fetch is not an outage)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

from ..base.textsafe import clean_line

OK, DEGRADED, DOWN, UNKNOWN = "ok", "degraded", "down", "unknown"
STATES = (OK, DEGRADED, DOWN, UNKNOWN)
# A reading: the check passed, failed, or could not see (a bot wall, a challenge, nothing answered).
PASS, FAIL, BLIND = "pass", "fail", "blind"
# How a signal's word reads in the vendors' vocabulary, for health and "map ≠ territory".
AS_VENDOR_STATE = {OK: "operational", DEGRADED: "degraded", DOWN: "major_outage", UNKNOWN: "unknown"}
SYMBOLS = {OK: "✓", DEGRADED: "◐", DOWN: "✖", UNKNOWN: "?"}
MAX_WHY = 300


@dataclass(frozen=True)
class Reading:
    """What one check found: PASS, FAIL or BLIND, in plain words, with the value it read."""

    outcome: str
    why: str
    value: str | None = None
    source_time: str | None = None  # the source's own time (last lead's, the report's), if it gave one
    level: str = DOWN  # how bad a FAIL is once confirmed: down, or degraded (a silence not yet long)
    number: float | None = None  # a metric's number, kept as its history (the baseline, blind spend)


@dataclass(frozen=True)
class SignalState:
    id: str
    name: str
    kind: str
    touchpoint: str
    service: str | None = None
    state: str = UNKNOWN
    since: str | None = None  # when this state began, as we observed it
    why: str = "not checked yet"
    value: str | None = None
    checked_at: str | None = None
    source_time: str | None = None
    failures: int = 0  # failed readings in a row
    suppressed_by: str | None = None  # silence: the form signal already down (one cause, one alarm)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SignalState | None:
        """A stored state, or None when the row is not one (every field is checked: a row is
        something a group member could have written)."""
        try:
            fields = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
            state = cls(**fields)
        except (TypeError, KeyError):
            return None
        if (
            state.state not in STATES
            or not isinstance(state.failures, int)
            or not all(isinstance(getattr(state, k), str) for k in ("id", "name", "kind", "touchpoint", "why"))
        ):
            return None
        return replace(
            state,
            why=clean_line(state.why, MAX_WHY),
            name=clean_line(state.name, 80),
            value=clean_line(state.value, 80) if isinstance(state.value, str) else None,
        )

    @property
    def vendor_state(self) -> str:
        return AS_VENDOR_STATE[self.state]

    def badge(self) -> str:
        return f"{SYMBOLS[self.state]} {self.state}"


def blank(signal: Any) -> SignalState:
    return SignalState(signal.id, signal.label, signal.kind, signal.touchpoint, signal.service)


def step(previous: SignalState, reading: Reading, *, after: int, now: str) -> SignalState:
    """The state after one reading. A failure short of `after` in a row keeps the state it had
    and says a second look is coming; a blind reading is unknown and leaves the count alone."""
    base = replace(
        previous,
        checked_at=now,
        value=reading.value if reading.value is not None else previous.value,
        source_time=reading.source_time or previous.source_time,
        suppressed_by=None,
    )
    if reading.outcome == PASS:
        return _moved(base, OK, reading.why, now, failures=0)
    if reading.outcome == BLIND:
        return _moved(base, UNKNOWN, f"cannot see: {reading.why}", now, failures=previous.failures)
    failures = previous.failures + 1
    if failures >= after:
        return _moved(base, reading.level, reading.why, now, failures=failures)
    more = after - failures
    return replace(
        base,
        failures=failures,
        why=clean_line(f"{reading.why} (once so far; {reading.level} after {more} more in a row)", MAX_WHY),
    )


def _moved(base: SignalState, state: str, why: str, now: str, *, failures: int) -> SignalState:
    since = base.since if base.state == state and base.since else now
    return replace(base, state=state, since=since, why=clean_line(why, MAX_WHY), failures=failures)


def changes(before: SignalState | None, after: SignalState) -> list[dict]:
    """The state change to store and write as evidence, as the vendors' history holds them. A
    first reading is a change only when it is already a problem; unknown (cannot see) is never
    one: not seeing is not news about the form. Nor is a silence another signal already explains."""
    if after.state == UNKNOWN or after.suppressed_by:
        return []
    old = before.state if before is not None and before.since and not before.suppressed_by else None
    if old == after.state or (old in (None, UNKNOWN) and after.state == OK):
        return []
    return [{
        "vendor_id": f"signal:{after.id}", "component": None, "group_name": None, "state": after.state,
        "previous_state": old or UNKNOWN, "vendor_time": after.source_time, "seen_at": after.checked_at,
        "reason": after.why,
    }]  # fmt: skip


def worst(states: list[str]) -> str:
    """The worst known state; unknown only when nothing is known."""
    order = (DOWN, DEGRADED, OK)
    for state in order:
        if state in states:
            return state
    return UNKNOWN
