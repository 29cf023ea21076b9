"""Durations, timestamps and the `--at` syntax. Everything is stored in UTC."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, tzinfo

UTC = UTC
# Fixed-width so that stored timestamps sort as text in the same order as in time.
_STORE_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
_DURATION = re.compile(
    r"^\s*(?:(\d+)\s*d)?\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m(?!s))?\s*(?:(\d+)\s*s)?\s*(?:(\d+)\s*ms)?\s*$", re.IGNORECASE
)
_HHMM = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")


MAX_DURATION = timedelta(days=365)


class TimeError(ValueError):
    """A duration, time or zone the user wrote that cannot be understood."""


def parse_duration(value: object) -> timedelta:
    """`90` (seconds), `60s`, `1m`, `30m`, `1h30m`, `7d` -> timedelta; zero and negative are refused."""
    if isinstance(value, bool):
        raise TimeError(f"{value!r} is not a duration (write e.g. 500ms, 60s, 1m, 30m, 1h30m)")
    if isinstance(value, (int, float)):
        seconds = float(value)
    else:
        text = str(value).strip()
        match = _DURATION.match(text)
        if not text or not match or not any(match.groups()):
            raise TimeError(f"{value!r} is not a duration (write e.g. 500ms, 60s, 1m, 30m, 1h30m)")
        days, hours, minutes, secs, millis = (int(g) if g else 0 for g in match.groups())
        seconds = days * 86400 + hours * 3600 + minutes * 60 + secs + millis / 1000
    if not seconds > 0:  # NaN too
        raise TimeError(f"{value!r} is not a positive duration")
    if seconds > MAX_DURATION.total_seconds():
        raise TimeError(f"{value!r} is too long a duration (at most {MAX_DURATION.days} days)")
    return timedelta(seconds=seconds)


def format_duration(delta: timedelta, *, signed: bool = False) -> str:
    """`+mm:ss` style for clocks and timelines: 0:45, 12:03, 1:02:03; with hours past 99 min."""
    total = int(delta.total_seconds())
    sign = "-" if total < 0 else ("+" if signed else "")
    total = abs(total)
    hours, rest = divmod(total, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{sign}{hours}:{minutes:02d}:{seconds:02d}"
    return f"{sign}{minutes:02d}:{seconds:02d}"


def humanize_duration(delta: timedelta) -> str:
    """`1h 5m`, `3m 20s`, `45s`: for sentences rather than columns."""
    total = int(abs(delta.total_seconds()))
    hours, rest = divmod(total, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes}m" if minutes else f"{hours}h"
    if minutes:
        return f"{minutes}m {seconds}s" if seconds else f"{minutes}m"
    return f"{seconds}s"


def short_duration(delta: timedelta, *, signed: bool = False) -> str:
    """`+45s`, `+4m40s`, `+1h16m`, `+2d03h`: a duration with its units in at most 7 columns, for
    the timeline's column (`01:16` read as a clock time, or as hours)."""
    total = int(delta.total_seconds())
    sign = "-" if total < 0 else ("+" if signed else "")
    total = abs(total)
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    if days:
        return f"{sign}{days}d{hours:02d}h"
    if hours:
        return f"{sign}{hours}h{minutes:02d}m"
    if minutes:
        return f"{sign}{minutes}m{seconds:02d}s"
    return f"{sign}{seconds}s"


def utcnow() -> datetime:
    return datetime.now(UTC)


def to_store(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise TimeError("naive datetime given to the store")
    return moment.astimezone(UTC).strftime(_STORE_FORMAT)


def from_store(text: str) -> datetime:
    # fromisoformat (C, reads the trailing Z since 3.11) is ~20x faster than strptime: it
    # matters when a 100,000-event timeline is opened.
    return datetime.fromisoformat(text)


def zone(name: str | None) -> tzinfo:
    if not name or name.upper() == "UTC":
        return UTC
    # zoneinfo (and sysconfig, to find the zone files) only for a zone of its own: 3 ms of start-up
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise TimeError(f"unknown time zone {name!r} (use an IANA name such as Europe/Berlin)") from error


# A minute of slack (a clock read a moment apart, seconds typed ahead); anything later is a typo.
FUTURE_TOLERANCE = timedelta(minutes=1)


def parse_at(text: str, tz: tzinfo, *, now: datetime | None = None) -> datetime:
    """`--at`: ISO 8601 (a zone-less one is in `tz`), or `HH:MM[:SS]`: the nearer of today's and
    yesterday's in `tz` (after midnight, `23:50` is the evening before); never the future."""
    now = now or utcnow()
    try:
        moment = _parse_at(text, tz, now)
    except (OverflowError, ValueError) as error:
        if isinstance(error, TimeError):
            raise
        raise TimeError(f"{text!r} is not a time mopstui can use") from None
    if moment.year < 2000:
        raise TimeError(f"{text!r} is too far in the past for an incident")
    if moment - now > FUTURE_TOLERANCE:
        shown = moment.astimezone(tz).strftime("%Y-%m-%d %H:%M")
        raise TimeError(f"{text!r} is in the future ({shown}); --at is for when something already happened")
    return moment


def _parse_at(text: str, tz: tzinfo, now: datetime) -> datetime:
    value = text.strip()
    match = _HHMM.match(value)
    if match:
        hour, minute, second = int(match[1]), int(match[2]), int(match[3] or 0)
        if hour > 23 or minute > 59 or second > 59:
            raise TimeError(f"{text!r} is not a time of day")
        today: date = now.astimezone(tz).date()
        moment = datetime.combine(today, time(hour, minute, second), tzinfo=tz).astimezone(UTC)
        if moment - now > timedelta(hours=12):
            # Incidents run past midnight: at 00:20, `23:50` is the evening before, not a typo. The
            # nearer of the two is meant, so `14:37` typed at 14:32 is still refused as the future.
            yesterday = today - timedelta(days=1)
            moment = datetime.combine(yesterday, time(hour, minute, second), tzinfo=tz).astimezone(UTC)
        return moment
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00") if value.endswith("Z") else value)
    except ValueError:
        raise TimeError(f"{text!r} is not a time (write HH:MM, or ISO 8601 like 2026-11-23T10:02)") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    return parsed.astimezone(UTC)


def local_clock(moment: datetime, tz: tzinfo) -> str:
    return moment.astimezone(tz).strftime("%H:%M:%S")
