"""Atom/RSS history feeds (AWS, Azure, Statuspage's own feeds, pages with nothing better), read
with feedparser.

A feed is history, not state. Each entry is an incident or a maintenance whose summary lists its
updates, the latest first ("Identified - We found …"). An entry is open while its latest update
is not a resolution, however long ago that update was (within a week: older unresolved entries
are vendors forgetting to close them); a maintenance is `maintenance` while in progress and
listed as upcoming otherwise, never an incident. Feed HTML is reduced to text, and feed dates
(RFC 822 or ISO) become ISO 8601. Feeds that declare XML entities are refused before any parser
sees them (no entity expansion, ever).
"""

from __future__ import annotations

import calendar
import html
import re
import time
from datetime import UTC, datetime

from ...config import Vendor
from ..model import DEGRADED, MAINTENANCE, OPERATIONAL, Maintenance, Parsed, VendorIncident
from . import Fetched, ParseError, Provider, configured_url

OPEN_FOR_SECONDS = 7 * 24 * 3600  # an unresolved entry older than this is a vendor forgetting to close it
_RESOLVED = re.compile(r"^\s*(?:\[?resolved\]?|completed|recovered|postmortem|fixed)\b|operating normally",
                       re.IGNORECASE)
_MAINTENANCE = re.compile(r"scheduled (?:event|maintenance)|\bmaintenance\b|^\s*(?:scheduled|in progress|verifying)\b",
                          re.IGNORECASE)
_IN_PROGRESS = re.compile(r"^\s*(?:in progress|verifying)\b", re.IGNORECASE)
_ENTITY = re.compile(rb"<!ENTITY|<!DOCTYPE[^>]*\[", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
_BREAK = re.compile(r"<\s*(?:br|/p|/li|/div)\s*/?>", re.IGNORECASE)


def plain(markup: str) -> str:
    """Feed HTML as the text a person reads: tags gone, entities decoded, one line per paragraph."""
    text = html.unescape(_TAG.sub("", _BREAK.sub("\n", markup or "")))
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def latest_update(summary: str) -> str:
    """The first update of a summary that lists them latest first, without its timestamp line."""
    lines = plain(summary).splitlines()
    if lines and re.match(r"^[A-Z][a-z]{2} +\d{1,2}, +\d", lines[0]):  # "Jan 21, 21:00 UTC"
        lines = lines[1:]
    return lines[0] if lines else ""


def iso(stamp: time.struct_time | None) -> str | None:
    return datetime.fromtimestamp(calendar.timegm(stamp), UTC).isoformat() if stamp else None


def parse(fetched: Fetched, vendor: Vendor, *, now: float | None = None) -> Parsed:
    import feedparser  # only pollers of feeds pay for it

    body = fetched.body.strip()
    if not body:
        raise ParseError("empty body")
    if _ENTITY.search(body[:65536]):
        raise ParseError("feed declares XML entities; refused")
    feed = feedparser.parse(body)
    if not feed.entries and (feed.bozo or not feed.feed):
        raise ParseError("not an RSS or Atom feed")
    now = time.time() if now is None else now
    incidents, maintenances = [], []
    for entry in feed.entries[:50]:
        # Ask only for keys the entry has: feedparser's fallbacks between them are deprecated.
        keys = entry.keys()
        stamp = next((entry[k] for k in ("updated_parsed", "published_parsed") if k in keys and entry[k]), None)
        if stamp is None or now - calendar.timegm(stamp) > OPEN_FOR_SECONDS:
            continue
        title, summary = plain(entry.get("title", "")), entry.get("summary", "")
        latest = latest_update(summary) or plain(summary)
        if _RESOLVED.search(title) or _RESOLVED.search(latest):
            continue
        when = iso(stamp)
        if _MAINTENANCE.search(title) or _MAINTENANCE.search(latest):
            status = "in progress" if _IN_PROGRESS.search(latest) else "scheduled"
            maintenances.append(Maintenance(title, status, when, None))
            continue
        status = latest.split(" - ", 1)[0].strip().lower() if " - " in latest else "open"
        incidents.append(VendorIncident(title, DEGRADED, status[:30], when, latest))
    if incidents:
        state = DEGRADED
    elif any(m.status == "in progress" for m in maintenances):
        state = MAINTENANCE
    else:
        state = OPERATIONAL
    return Parsed(state, (), tuple(incidents), tuple(maintenances), iso(feed.feed.get("updated_parsed")))


PROVIDER = Provider("rss", configured_url, parse)
