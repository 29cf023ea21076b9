"""Atom/RSS history feeds (AWS, Azure, Statuspage's and incident.io's own feeds, a vendor's own
`history.atom`), read with feedparser.

A feed is a log of updates, not a statement of the current state. Entries are folded into what
they are about, by guid and by subject ("Investigating: Email delays" and "Resolved: Email
delays" are one incident); the latest entry of each speaks for it. It is closed when its latest
words say so in any vendor's wording (`feedwords`: resolved, recovered, "is now operational",
completed …), open otherwise while that latest word is under a week old (older unresolved ones are
vendors forgetting to close them), and as bad as its words say (an outage is not a degradation).
A maintenance is never an incident: its window is read from its words ("Dec 18, 02:00 - 04:00
UTC") or the feed's `maintenanceStartDate`/`maintenanceEndDate`, however far ahead it was
announced; in progress inside the window, scheduled before it, gone after it. Feed HTML is reduced
to text. Feeds that declare XML entities are refused before any parser sees them.
"""

from __future__ import annotations

import calendar
import html
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from ...config import Vendor
from ..model import MAINTENANCE, OPERATIONAL, Maintenance, Parsed, VendorIncident, worst
from . import Fetched, ParseError, Provider, configured_url
from .feedwords import closes, impact, subject, window

OPEN_FOR_SECONDS = 7 * 24 * 3600  # an unresolved entry older than this is a vendor forgetting to close it
MAX_ENTRIES = 200
_MAINTENANCE = re.compile(
    r"scheduled (?:event|maintenance)|\bmaintenance\b|^\s*(?:scheduled|in progress|verifying)\b", re.IGNORECASE
)
_IN_PROGRESS = re.compile(r"^\s*(?:in progress|verifying)\b", re.IGNORECASE)
_ENTITY = re.compile(r"<!ENTITY|<!DOCTYPE[^>]*\[", re.IGNORECASE)
_DECLARED = re.compile(rb"encoding\s*=\s*[\"']([A-Za-z0-9._-]{1,40})[\"']")
_ENTITY_BYTES = re.compile(rb"<!ENTITY|<!DOCTYPE[^>]*\[", re.IGNORECASE)
_WIDE = ("utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be")
_TAG = re.compile(r"<[^>]*>")
_BREAK = re.compile(r"<\s*(?:br|/p|/li|/div)\s*/?>", re.IGNORECASE)


def plain(markup: str) -> str:
    """Feed HTML as the text a person reads: tags gone, entities decoded, one line per paragraph."""
    text = html.unescape(_TAG.sub("", _BREAK.sub("\n", markup or "")))
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def latest_update(summary: str) -> str:
    """The first update of a summary that lists them latest first, without its timestamp line
    and without a maintenance's "THIS IS A SCHEDULED EVENT …" heading."""
    lines = plain(summary).splitlines()
    while lines and (re.match(r"^[A-Z][a-z]{2} +\d{1,2}, +\d", lines[0]) or lines[0].upper().startswith("THIS IS A SCHEDULED")):
        lines = lines[1:]
    return lines[0] if lines else ""


def iso(stamp: time.struct_time | None) -> str | None:
    return datetime.fromtimestamp(calendar.timegm(stamp), UTC).isoformat() if stamp else None


@dataclass
class Entry:
    title: str
    text: str  # the whole summary as text
    latest: str  # its latest words
    posted: float
    guid: str
    start_hint: str | None
    end_hint: str | None


def _entries(feed: Any) -> list[Entry]:  # a feedparser result (the library has no types)
    found = []
    for entry in feed.entries[:MAX_ENTRIES]:
        # Ask only for keys the entry has: feedparser's fallbacks between them are deprecated.
        keys = entry.keys()
        stamp = next((entry[k] for k in ("updated_parsed", "published_parsed") if k in keys and entry[k]), None)
        if stamp is None:
            continue
        summary = entry.get("summary", "")
        found.append(
            Entry(
                plain(entry.get("title", "")),
                plain(summary),
                latest_update(summary) or plain(summary),
                calendar.timegm(stamp),
                str(entry.get("id") or ""),
                entry.get("maintenancestartdate"),
                entry.get("maintenanceenddate"),
            )
        )
    return found


def fold(entries: list[Entry]) -> list[list[Entry]]:
    """Entries about the same thing, oldest first: one guid, or one subject."""
    threads: list[list[Entry]] = []
    by_key: dict[str, int] = {}
    for entry in sorted(entries, key=lambda e: e.posted):
        keys = [
            k for k in (f"guid:{entry.guid}" if entry.guid else "", f"subject:{subject(entry.title)}") if k and k != "subject:"
        ]
        index = next((by_key[k] for k in keys if k in by_key), None)
        if index is None:
            index = len(threads)
            threads.append([])
        threads[index].append(entry)
        for key in keys:
            by_key[key] = index
    return threads


def _maintenance(thread: list[Entry], now: datetime) -> Maintenance | None:
    latest = thread[-1]
    if closes(latest.latest) or closes(latest.title):
        return None
    posted = datetime.fromtimestamp(latest.posted, UTC)
    start = end = None
    for entry in reversed(thread):  # the newest words that give a window
        start, end = window(
            entry.text, datetime.fromtimestamp(entry.posted, UTC), start_hint=entry.start_hint, end_hint=entry.end_hint
        )
        if start or end:
            break
    if start is None and end is None:  # no window given: as the words say, while it is recent
        if (now - posted).total_seconds() > OPEN_FOR_SECONDS:
            return None
        return Maintenance(latest.title, "in progress" if _IN_PROGRESS.search(latest.latest) else "scheduled", None, None)
    if end is not None and end <= now:
        return None  # over
    if end is None and start is not None and start < now - timedelta(days=1):
        return None  # began long ago and said no end: over by now
    status = "in progress" if (start is None or start <= now) else "scheduled"
    return Maintenance(latest.title, status, start.isoformat() if start else None, end.isoformat() if end else None)


def declares_entities(head: bytes) -> bool:
    """An entity declaration in the feed's first bytes, in any encoding an XML parser could read
    them in: as bytes (every ASCII-compatible one), UTF-16 and UTF-32 with or without a byte-order
    mark, and the one the feed declares."""
    if _ENTITY_BYTES.search(head):
        return True
    encodings = list(_WIDE) if b"\x00" in head[:512] or head[:2] in (b"\xff\xfe", b"\xfe\xff") else []
    declared = _DECLARED.search(head.replace(b"\x00", b"")[:200])
    if declared:
        encodings.append(declared.group(1).decode("ascii"))
    for encoding in encodings:
        try:
            text = head.decode(encoding, errors="ignore")
        except LookupError:
            continue
        if _ENTITY.search(text):
            return True
    return False


def parse(fetched: Fetched, vendor: Vendor, *, now: float | None = None) -> Parsed:
    import feedparser  # only pollers of feeds pay for it

    body = fetched.body.strip()
    if not body:
        raise ParseError("empty body")
    if re.match(rb"(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)\b", body[:4096], re.IGNORECASE | re.DOTALL):
        raise ParseError("HTML page, not a feed")  # a 200 page where a feed was expected says nothing of the status
    if declares_entities(body[:65536]):
        raise ParseError("feed declares XML entities; refused")
    feed = feedparser.parse(body)
    if not feed.entries and (feed.bozo or not feed.feed):
        raise ParseError("not an RSS or Atom feed")
    now = time.time() if now is None else now
    moment = datetime.fromtimestamp(now, UTC)
    incidents, maintenances = [], []
    for thread in fold(_entries(feed)):
        latest = thread[-1]
        if any(_MAINTENANCE.search(e.title) or _MAINTENANCE.search(e.latest) for e in thread):
            maintenance = _maintenance(thread, moment)
            if maintenance is not None:
                maintenances.append(maintenance)
            continue
        if now - latest.posted > OPEN_FOR_SECONDS or closes(latest.latest) or closes(latest.title):
            continue
        status = latest.latest.split(" - ", 1)[0].strip().lower() if " - " in latest.latest else "open"
        incidents.append(
            VendorIncident(
                latest.title,
                impact(f"{latest.title}\n{latest.latest}"),
                status[:30],
                datetime.fromtimestamp(latest.posted, UTC).isoformat(),
                latest.latest,
            )
        )
    incidents.reverse()  # the latest first, as the feed lists them
    if incidents:
        state = worst(i.impact for i in incidents)
    elif any(m.status == "in progress" for m in maintenances):
        state = MAINTENANCE
    else:
        state = OPERATIONAL
    return Parsed(state, (), tuple(incidents), tuple(maintenances), iso(feed.feed.get("updated_parsed")))


PROVIDER = Provider("rss", configured_url, parse)
