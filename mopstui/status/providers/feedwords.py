"""How vendors word a feed entry: whether it closes what it is about, how bad it says it is, and
when a maintenance window runs. A vocabulary, tested on the wording of several vendors; no I/O.

Statuspage's structured wording ("Resolved - …", "THIS IS A SCHEDULED EVENT Dec 18, 02:00 - 04:00
UTC") is one dialect among others ("[RESOLVED] …", "… is now operational", "Recovered: …",
"Maintenance completed", "The issue has been fixed").
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from ..model import DEGRADED, MAJOR, PARTIAL

# Words that close an incident or a maintenance, when they are its latest words. A negation
# ("not yet resolved", "is not operational") closes nothing.
_CLOSING = re.compile(
    r"\b(?:resolved|recovered|completed?|fixed|restored|postmortem|post-mortem|"
    r"(?:is|are|now|fully|back|remains?)\s+(?:fully\s+)?operational|operational again|all systems operational|"
    r"operating normally|back to normal|back online|back up|up and running|"
    r"no longer (?:affected|impacted|experiencing|seeing)|has ended|have ended|is over|all clear)\b",
    re.IGNORECASE,
)
_NEGATED = re.compile(
    r"\b(?:not|n't|no|yet to be|until|once|when|if|before)\s+(?:\w+\s+){0,2}?"
    r"(?:be\s+)?(?:resolved|recovered|completed?|fixed|restored|operational|back)\b",
    re.IGNORECASE,
)
_LEADING_STATUS = re.compile(
    r"^\s*\[?\s*(resolved|recovered|completed|postmortem|fixed|investigating|identified|"
    r"monitoring|update|scheduled|in progress|verifying)\s*\]?\s*[-:\u2013]?\s*",
    re.IGNORECASE,
)
_OPEN_STATUS = re.compile(r"^\s*\[?\s*(investigating|identified|monitoring|update|in progress|verifying)\b", re.IGNORECASE)


def closes(words: str) -> bool:
    """Whether these latest words say it is over."""
    if not words:
        return False
    first = words.strip().splitlines()[0] if words.strip() else ""
    if _OPEN_STATUS.match(first):  # "Monitoring - … should now be operational" is not closed yet
        return False
    found = _CLOSING.search(first)
    return found is not None and not _NEGATED.search(first)


def subject(title: str) -> str:
    """What an entry is about, without the status words vendors put around it, for folding
    "Investigating: Email delays" and "Resolved: Email delays" into one incident."""
    text = _LEADING_STATUS.sub("", title or "", count=1)
    text = re.sub(
        r"\s*[-:\u2013(\[]\s*(?:resolved|recovered|completed|fixed|update[sd]?|investigating|identified|monitoring)"
        r"\s*[)\]]?\s*$",
        "",
        text,
        flags=re.IGNORECASE,
    )
    # "Control plane is experiencing delays" and "Control plane is now operational": one subject.
    text = re.split(r"\s+(?:is|are|has|have|was|were|will|experiencing|remains?)\s+", text, maxsplit=1)[0]
    return " ".join(text.split()).casefold()


_MAJOR = re.compile(
    r"\b(?:major outage|complete outage|full outage|fully unavailable|completely unavailable|"
    r"(?:is|are) down|all (?:services|systems) (?:are )?(?:down|unavailable))\b",
    re.IGNORECASE,
)
_PARTIAL = re.compile(
    r"\b(?:partial outage|outage|unavailable|unable to|cannot|can't|failing|failures?|"
    r"not (?:working|loading|sending|delivering)|errors? for all|down)\b",
    re.IGNORECASE,
)


def impact(words: str) -> str:
    """How bad the words say it is: a degradation unless they say outage, unavailable, failing."""
    if _MAJOR.search(words or ""):
        return MAJOR
    if _PARTIAL.search(words or ""):
        return PARTIAL
    return DEGRADED


# --------------------------------------------------------------------------- maintenance windows

_MONTHS = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}
_ZONES = {
    "utc": 0,
    "gmt": 0,
    "z": 0,
    "pst": -8,
    "pdt": -7,
    "mst": -7,
    "mdt": -6,
    "cst": -6,
    "cdt": -5,
    "est": -5,
    "edt": -4,
    "bst": 1,
    "cet": 1,
    "cest": 2,
    "ist": 5.5,
    "jst": 9,
    "aest": 10,
    "aedt": 11,
}
_DAY = (
    r"(?P<{p}mon>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(?P<{p}day>\d{{1,2}})(?:st|nd|rd|th)?,?\s*"
    r"(?:(?P<{p}year>\d{{4}}),?\s*)?"
)
_TIME = r"(?P<{p}h>\d{{1,2}}):(?P<{p}m>\d{{2}})\s*(?P<{p}ampm>[ap]\.?m\.?)?"
_ZONE = r"(?:\s*(?P<{p}zone>UTC|GMT|Z|[PMCE][SD]T|BST|CES?T|IST|JST|AES?T|AEDT)\b)?"
_WINDOW = re.compile(
    "(?:"
    + _DAY.format(p="a")
    + ")"
    + _TIME.format(p="a")
    + _ZONE.format(p="a")
    + r"\s*(?:-|\u2013|\u2014|to|until)\s*(?:"
    + _DAY.format(p="b")
    + ")?"
    + _TIME.format(p="b")
    + _ZONE.format(p="b"),
    re.IGNORECASE,
)
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2})?(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?")


def _stamp(parts: dict, p: str, posted: datetime, zone: float | None, day: datetime | None) -> tuple[datetime, float | None]:
    hour, minute = int(parts[p + "h"]), int(parts[p + "m"])
    ampm = (parts.get(p + "ampm") or "").replace(".", "").lower()
    if ampm == "pm" and hour < 12:
        hour += 12
    elif ampm == "am" and hour == 12:
        hour = 0
    named = parts.get(p + "zone")
    zone = _ZONES.get(named.lower(), 0) if named else zone
    if parts.get(p + "mon"):
        month, dom = _MONTHS[parts[p + "mon"][:3].lower()], int(parts[p + "day"])
        year = int(parts[p + "year"]) if parts.get(p + "year") else posted.year
        base = datetime(year, month, dom, tzinfo=UTC)
        if not parts.get(p + "year"):  # the text leaves out the year: the one nearest the post
            if base < posted - timedelta(days=183):
                base = base.replace(year=year + 1)
            elif base > posted + timedelta(days=183):
                base = base.replace(year=year - 1)
    else:
        base = (day or posted).replace(hour=0, minute=0, second=0, microsecond=0)
    return base + timedelta(hours=hour - (zone or 0), minutes=minute), zone


def window(
    text: str, posted: datetime, *, end_hint: str | None = None, start_hint: str | None = None
) -> tuple[datetime | None, datetime | None]:
    """A maintenance's window from its words ("Dec 18, 02:00 - 04:00 UTC", "December 18 2026 at
    10:00 PM PST to December 19 2:00 AM PST"), or from the feed's own start and end fields."""
    start = end = None
    found = _WINDOW.search((text or "").replace(" at ", " "))
    if found:
        parts = found.groupdict()
        try:
            start, zone = _stamp(parts, "a", posted, None, None)
            # A zone said only at the end ("02:00 - 04:00 UTC") is the start's zone too.
            if not parts.get("azone") and parts.get("bzone"):
                start, zone = _stamp(parts, "a", posted, _ZONES.get(parts["bzone"].lower(), 0), None)
            end, _ = _stamp(parts, "b", posted, zone, start)
            if end <= start:
                end += timedelta(days=1)  # "23:00 - 01:00": over midnight
        except (ValueError, KeyError):
            start = end = None
    else:
        stamps = _ISO.findall(text or "")
        parsed = [_iso(s) for s in stamps[:2]]
        if len(parsed) == 2 and parsed[0] and parsed[1]:
            start, end = parsed[0], parsed[1]
    start = _iso(start_hint) or start
    end = _iso(end_hint) or end
    return start, end


def _iso(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        stamp = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace(" ", "T", 1))
    except ValueError:
        try:
            from email.utils import parsedate_to_datetime

            stamp = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)
