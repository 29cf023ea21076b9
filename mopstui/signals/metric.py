"""Metric signals: a number read out of a JSON answer (GA4 runRealtimeReport, Google Ads
searchStream, Meta Insights ...), held to `below` / `above`, and, with `baseline: N`, to the
same hour of the N previous weeks. No I/O.

Paths: dotted names, `[N]` for an item, `[*]` for every item, `[?a.b=value]` for the items whose
`a.b` is `value`; wrapped in `sum(...)`, `count(...)`, `max(...)` or `min(...)` to fold every
match into one number, otherwise the first match. Numbers written as text ("12", Ads'
"costMicros") are read as numbers; `scale` multiplies (0.000001 turns micros into money).

Conversions arrive late (Google Ads: hours to days): a low number is judged against what this
hour looked like in earlier weeks, never against zero, and the words say how sure that is."""

from __future__ import annotations

import math
import re
from datetime import datetime, timedelta, tzinfo
from statistics import median
from typing import Any

from .state import FAIL, PASS, Reading


class PathError(ValueError):
    pass


def _segments(path: str) -> list[str]:
    """`rows[?dimensionValues[0].value=x].metricValues[0]` -> rows, [?…], metricValues, [0]
    (a filter may hold brackets of its own)."""
    found: list[str] = []
    text, at = path.strip(), 0
    while at < len(text):
        if text[at] == ".":
            at += 1
        elif text[at] == "[":
            depth, end = 0, at
            while end < len(text):
                depth += {"[": 1, "]": -1}.get(text[end], 0)
                if depth == 0:
                    break
                end += 1
            inner = text[at + 1 : end]
            if end >= len(text) or not (inner == "*" or re.fullmatch(r"-?\d+", inner) or inner.startswith("?")):
                raise PathError(f"cannot read the path at {text[at : at + 20]!r}")
            found.append(f"[{inner}]")
            at = end + 1
        else:
            match = re.compile(r"[^.\[\]]+").match(text, at)
            if match is None:
                raise PathError(f"cannot read the path at {text[at : at + 20]!r}")
            found.append(match.group(0))
            at = match.end()
    return found


def _step(values: list[Any], segment: str) -> list[Any]:
    result: list[Any] = []
    for value in values:
        if segment == "[*]":
            result.extend(value if isinstance(value, list) else [])
        elif segment.startswith("[?"):
            key, _, wanted = segment[2:-1].partition("=")
            for item in value if isinstance(value, list) else []:
                got = _walk(item, _segments(key))
                if any(str(g) == wanted.strip().strip("'\"") for g in got):
                    result.append(item)
        elif segment.startswith("["):
            index = int(segment[1:-1])
            if isinstance(value, list) and -len(value) <= index < len(value):
                result.append(value[index])
        elif isinstance(value, dict) and segment in value:
            result.append(value[segment])
    return result


def _walk(data: Any, segments: list[str]) -> list[Any]:
    values = [data]
    for segment in segments:
        values = _step(values, segment)
    return values


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    return None


def extract(data: Any, path: str, scale: float = 1.0) -> float:
    """The number at `path` in `data`; PathError in plain words when there is none."""
    fold = ""
    text = path.strip()
    match = re.fullmatch(r"(sum|count|max|min)\((.*)\)", text)
    if match:
        fold, text = match.group(1), match.group(2)
    found = _walk(data, _segments(text))
    if fold == "count":
        return float(len(found))
    numbers = [n for n in (_number(v) for v in found) if n is not None]
    if fold:
        if not numbers:
            # A report with no rows is a real zero for a sum (GA4 leaves out events that did not happen).
            if fold == "sum":
                return 0.0
            raise PathError(f"nothing at {path} to take the {fold} of")
        folded = sum(numbers) if fold == "sum" else max(numbers) if fold == "max" else min(numbers)
        return float(folded) * scale
    if not numbers:
        raise PathError(f"no number at {path} in the answer")
    return numbers[0] * scale


def first_text(data: Any, path: str) -> str:
    """The first thing at `path`, as words (a status: ENABLED, PAUSED, SENDING)."""
    found = [v for v in _walk(data, _segments(path)) if isinstance(v, (str, int, float)) and not isinstance(v, bool)]
    if not found:
        raise PathError(f"nothing at {path} in the answer")
    return str(found[0])[:80]


def format_number(value: float) -> str:
    if value == int(value) and abs(value) < 1e15:
        return f"{int(value):,}"
    return f"{value:,.2f}"


def baseline_at(history: list[tuple[datetime, float]], now: datetime, weeks: int, tz: tzinfo) -> list[float]:
    """The reading nearest this moment of each of the `weeks` previous weeks (within 30 min either
    side: this hour of the week, without losing 10:58 at 11:01)."""
    found = []
    for week in range(1, weeks + 1):
        moment = now - timedelta(weeks=week)
        near = [
            (abs((at - moment).total_seconds()), value) for at, value in history if abs((at - moment).total_seconds()) <= 1800
        ]
        if near:
            found.append(min(near)[1])
    return found


def judge_metric(signal: Any, value: float, history: list[tuple[datetime, float]], now: datetime, tz: tzinfo) -> Reading:
    what = signal.what or "value"
    shown = f"{format_number(value)} {what}".strip()
    if signal.gives == "status":
        return Reading(PASS, f"reads {shown}", shown)
    broken = None
    if signal.below is not None and value < signal.below:
        broken = f"{shown}, below {format_number(signal.below)}"
    elif signal.above is not None and value > signal.above:
        broken = f"{shown}, above {format_number(signal.above)}"
    if broken is None:
        return Reading(PASS, shown, shown)
    if signal.baseline and signal.below is not None and broken.endswith(f"below {format_number(signal.below)}"):
        earlier = baseline_at(history, now, signal.baseline, tz)
        if not earlier:
            return Reading(FAIL, f"{broken} (no earlier weeks to compare with yet: conversions can arrive late)", shown)
        usual = median(earlier)
        higher = sum(1 for e in earlier if e > value)
        if usual <= value or higher == 0:
            return Reading(
                PASS, f"{shown}, as usual at this hour (median {format_number(usual)} over {len(earlier)} earlier weeks)", shown
            )
        sure = "likely" if higher == len(earlier) else "possible"
        return Reading(
            FAIL,
            f"{broken}; usually {format_number(usual)} at this hour ({higher} of {len(earlier)} earlier "
            f"weeks had more): a real drop is {sure}, but conversions can arrive late",
            shown,
        )
    return Reading(FAIL, broken, shown)
