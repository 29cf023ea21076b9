"""Silence: something the business does (a lead, an order, a CRM sync) stopped arriving.

The usual gap is learned per hour of the week from the signal's own history (`learn: 7d`): each
gap between two arrivals counts for every hour of the week it spans, and the threshold for now
is the 90th percentile of the gaps that spanned this hour. Nights and weekends learn their own,
longer gaps; too little history falls back to `expect_every`. Silence is not alarmed while a
form signal on the same touchpoint is already down: one cause, one alarm."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from itertools import pairwise
from typing import TYPE_CHECKING

from .state import DEGRADED, DOWN, FAIL, PASS, Reading

if TYPE_CHECKING:
    from ..config.signals import Signal

MIN_SAMPLES = 5  # gaps an hour of the week needs before its own threshold is trusted
MAX_HOURS_SPANNED = 24  # a gap longer than a day says little about any one hour


def hour_of_week(moment: datetime, tz: tzinfo) -> int:
    local = moment.astimezone(tz)
    return local.weekday() * 24 + local.hour


def p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]


def learned_gaps(arrivals: Iterable[datetime], tz: tzinfo) -> dict[int, list[float]]:
    """Seconds between consecutive arrivals, filed under each hour of the week the gap spans."""
    ordered = sorted(arrivals)
    buckets: dict[int, list[float]] = {}
    for start, end in pairwise(ordered):
        gap = (end - start).total_seconds()
        if gap <= 0:
            continue  # a batch: several at once
        hour = start.astimezone(tz).replace(minute=0, second=0, microsecond=0)
        spanned = 0
        while hour <= end and spanned < MAX_HOURS_SPANNED:
            buckets.setdefault(hour_of_week(hour, tz), []).append(gap)
            hour += timedelta(hours=1)
            spanned += 1
    return buckets


@dataclass(frozen=True)
class Threshold:
    seconds: float
    words: str  # "usually every 6 min at this hour" | "expected every 30 min"


def threshold(signal: Signal, arrivals: list[datetime], now: datetime, tz: tzinfo) -> Threshold | None:
    if signal.learn is not None:
        recent = [a for a in arrivals if a >= now - signal.learn]
        gaps = learned_gaps(recent, tz).get(hour_of_week(now, tz), [])
        if len(gaps) >= MIN_SAMPLES:
            usual = p90(gaps)
            if signal.expect_every is not None:
                usual = max(usual, 60.0)  # a learned gap below a minute is a burst, not a rhythm
            return Threshold(usual, f"usually every {_span(usual)} at this hour")
    if signal.expect_every is not None:
        return Threshold(signal.expect_every.total_seconds(), f"expected every {_span(signal.expect_every.total_seconds())}")
    return None


def judge_silence(signal: Signal, arrivals: list[datetime], now: datetime, tz: tzinfo) -> Reading:
    """How long since the last arrival, against the usual gap for this hour."""
    what = signal.what or "arrivals"
    if not arrivals:
        return Reading(PASS, f"nothing received yet; waiting for the first {what}", "none yet")
    last = max(arrivals)
    quiet = max(0.0, (now - last).total_seconds())
    limit = threshold(signal, arrivals, now, tz)
    last_words = f"last {_span(quiet)} ago"
    source = last.isoformat()
    if limit is None:
        return Reading(PASS, f"{last_words}; still learning the usual gap for this hour", last_words, source)
    if quiet <= limit.seconds:
        return Reading(PASS, f"{what} arriving ({last_words}; {limit.words})", last_words, source)
    level = DOWN if quiet > limit.seconds * signal.down_after else DEGRADED
    return Reading(FAIL, f"no {what} for {_span(quiet)} ({limit.words})", last_words, source, level=level)


def span_words(delta: timedelta) -> str:
    return _span(delta.total_seconds())


def _span(seconds: float) -> str:
    """ "45 s", "23 min", "2 h 5 min", "3 days": how a person says a silence."""
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{hours // 24} days"
