"""Blind spend, measured: what a `metric` signal that gives spend says was spent while a `tag`
signal, or a `metric` that gives conversions, said the tracking was blind. No I/O: the caller
hands over the signals' state changes and the spend readings.

Spend readings are running totals for the day (Ads `DURING TODAY`, Meta `date_preset=today`): what
flowed between two readings is their difference, and a smaller number after a bigger one is a new
day starting from zero."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Any

from ..base.timeutil import to_store
from ..config import Config
from .model import Incident

BLINDING = ("down", "degraded")
Period = tuple[datetime, datetime, str]  # start, end, which signal said so


def read_history(store: Any, config: Config, until: datetime) -> tuple | None:
    """What `measured` needs, read through the store (None when no metric gives spend)."""
    spending = [s.id for s in config.signals if s.kind == "metric" and s.gives == "spend"]
    if not spending:
        return None
    return store.signal_history(
        [s.id for s in blinding_signals(config)], spending, to_store(until), to_store(until - timedelta(days=8))
    )


def blinding_signals(config: Config) -> list:
    return [s for s in config.signals if s.kind == "tag" or (s.kind == "metric" and s.gives == "conversions")]


def blind_periods(
    config: Config, changes: Mapping[str, list[tuple[datetime, str]]], start: datetime, end: datetime
) -> list[Period]:
    """When each blinding signal was down or degraded inside [start, end], from its state changes
    (oldest first; those before `start` say what it was when the window opened)."""
    periods: list[Period] = []
    for signal in blinding_signals(config):
        since: datetime | None = None
        for at, state in changes.get(signal.id, []):
            if state in BLINDING and since is None:
                since = at
            elif state not in BLINDING and since is not None:
                if at > start:
                    periods.append((max(since, start), min(at, end), signal.label))
                since = None
        if since is not None and since < end:
            periods.append((max(since, start), end, signal.label))
    return [p for p in periods if p[1] > p[0]]


def spent_between(readings: list[tuple[datetime, float]], start: datetime, end: datetime) -> float:
    """What a running daily total grew by between the last reading at or before `start` (or the
    first after it) and the last reading at or before `end`."""
    ordered = sorted(readings)
    before = [r for r in ordered if r[0] <= start]
    inside = [r for r in ordered if start < r[0] <= end]
    chain = ([before[-1]] if before else []) + inside
    total = 0.0
    for (_, previous), (_, current) in pairwise(chain):
        total += current - previous if current >= previous else current  # a new day starts from zero
    return max(0.0, total)


def measured(
    config: Config,
    incident: Incident,
    now: datetime,
    changes: Mapping[str, list[tuple[datetime, str]]],
    spend: Mapping[str, list[tuple[datetime, float]]],
) -> list[tuple[str, float, str, str]]:
    """(touchpoint, amount, text, inputs) for each spend metric that spent while tracking was blind."""
    end = incident.resolved_at or now
    periods = blind_periods(config, changes, incident.impact_start, end)
    found: list[tuple[str, float, str, str]] = []
    for signal in config.signals:
        if signal.kind != "metric" or signal.gives != "spend" or not spend.get(signal.id) or not periods:
            continue
        amount = sum(spent_between(spend[signal.id], a, b) for a, b in _merged(periods))
        rates = config.economics.get(signal.touchpoint)
        currency = rates.currency if rates else ""
        blinded = ", ".join(dict.fromkeys(label for _, _, label in periods))
        first, last = min(p[0] for p in periods), max(p[1] for p in periods)
        found.append(
            (
                signal.touchpoint,
                amount,
                f"{currency}{amount:,.0f} {signal.touchpoint} spend while {blinded} was blind (measured)",
                f"{signal.label}: spent between {first.astimezone(config.tz):%H:%M} and "
                f"{last.astimezone(config.tz):%H:%M}, from its running total; "
                "consider pausing spend",
            )
        )
    return found


def _merged(periods: list[Period]) -> list[tuple[datetime, datetime]]:
    """Overlapping blind periods counted once."""
    merged: list[list[datetime]] = []
    for start, end, _ in sorted(periods):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(a, b) for a, b in merged]
