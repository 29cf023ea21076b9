"""What a pass over raw rows needs per row, computed once per distinct value (the exports and
`mopstui timeline`): a 100,000-event timeline has a few thousand distinct seconds, a handful of
authors and kinds, so the local clock, the elapsed time and the escaped name are looked up, not
recomputed, for most rows.

Only rows whose times are in the store's own format (`YYYY-MM-DDTHH:MM:SS.ffffffZ`) take this
way; any other row (an older or foreign writer's) is formatted from its `Event`, the slow and
obviously right way, by the caller. `tests/test_export.py` and `tests/test_cli.py` hold both
ways to the same bytes."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from ..base.timeutil import format_duration, short_duration

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROS = 1_000_000


def store_shaped(occurred: str, recorded: str) -> bool:
    """Both times as `2026-12-04T10:00:00.123456Z`: the only shape the store writes."""
    return len(occurred) == 27 == len(recorded) and occurred[19] == "." == recorded[19] and occurred[26] == "Z" == recorded[26]


class RowTimes:
    """Times of rows relative to the incident's start, in the export's zone."""

    def __init__(self, start: datetime, tz: tzinfo) -> None:
        self.tz = tz
        self.start_us = (start - _EPOCH) // timedelta(microseconds=1)
        self._seconds: dict[str, tuple[int, str]] = {}  # "YYYY-MM-DDTHH:MM:SS" -> (µs since the start, local)
        self._durations: dict[tuple[int, bool, bool], str] = {}

    def at(self, stored: str) -> tuple[int, str]:
        """(microseconds from the start, negative before it; `YYYY-MM-DD HH:MM:SS` in the export's
        zone, to the second as the Python way cuts it) of a store-shaped time."""
        known = self._seconds.get(stored[:19])
        if known is None:
            key = stored[:19]
            moment = datetime.fromisoformat(key).replace(tzinfo=UTC)
            local = moment.astimezone(self.tz).strftime("%Y-%m-%d %H:%M:%S")
            known = self._seconds[key] = ((moment - _EPOCH) // timedelta(microseconds=1) - self.start_us, local)
        return known[0] + int(stored[20:26]), known[1]

    def elapsed(self, micros: int, *, signed: bool = False, units: bool = False) -> str:
        """`format_duration` of the span (`short_duration`, `+4m40s`, with `units`: what a person
        reads; the clock form stays for data files): whole seconds, cut toward zero as `int()` cuts."""
        whole = micros // _MICROS if micros >= 0 else -(-micros // _MICROS)
        text = self._durations.get((whole, signed, units))
        if text is None:
            shape = short_duration if units else format_duration
            text = self._durations[(whole, signed, units)] = shape(timedelta(seconds=whole), signed=signed)
        return text


def utc_iso(stored: str) -> str:
    """A store-shaped time as `datetime.isoformat()` writes it (`+00:00`, no zero microseconds)."""
    return (stored[:19] if stored[20:26] == "000000" else stored[:26]) + "+00:00"


class Memo(dict[Hashable, Any]):
    """`escape(value)` remembered: authors and kinds repeat on every row."""

    def __init__(self, escape: Callable[[Any], Any]) -> None:
        super().__init__()
        self.escape = escape

    def __missing__(self, key: Hashable) -> Any:
        value = self[key] = self.escape(key)
        return value
