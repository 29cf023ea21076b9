"""A vendor's state over the last hours, for a sparkline: from the stored observations of its
overall state. No I/O."""

from __future__ import annotations

from datetime import datetime, timedelta

from ..status.model import RANK, UNKNOWN


def height(state: str) -> float:
    """Sparkline height: 0 for unknown, then operational (1) up to a major outage (5)."""
    return float(RANK[state] + 1) if state in RANK else 0.0


def state_series(observations: list[dict], *, now: datetime, current: str, hours: int = 24, buckets: int = 48) -> list[float]:
    """The worst state in each of `buckets` slices of the last `hours`, oldest first. Before the
    first change in the window the vendor was in that change's previous state (or, with no change
    at all, in its current state)."""
    overall = sorted((o for o in observations if o.get("component") is None), key=lambda o: o["seen_at"])
    start = now - timedelta(hours=hours)
    inside = [o for o in overall if datetime.fromisoformat(o["seen_at"]) >= start]
    before = [o for o in overall if datetime.fromisoformat(o["seen_at"]) < start]
    state = before[-1]["state"] if before else (inside[0].get("previous_state") or UNKNOWN) if inside else current
    step = timedelta(hours=hours) / buckets
    series, index = [], 0
    for bucket in range(buckets):
        end = start + step * (bucket + 1)
        worst = height(state)
        while index < len(inside) and datetime.fromisoformat(inside[index]["seen_at"]) < end:
            state = inside[index]["state"]
            worst = max(worst, height(state))
            index += 1
        series.append(worst)
    return series
