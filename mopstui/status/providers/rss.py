"""Atom/RSS history feeds (AWS, Azure, pages with nothing better), read with feedparser.

A feed is history, not state: a recent entry that does not say it is resolved is taken as an
open problem of unknown size (degraded); otherwise the vendor is taken as operational. Feeds that
declare XML entities are refused before any parser sees them (no entity expansion, ever).
"""

from __future__ import annotations

import calendar
import re
import time

from ...config import Vendor
from ..model import DEGRADED, OPERATIONAL, Parsed, VendorIncident
from . import Fetched, ParseError, Provider, configured_url

RECENT_SECONDS = 6 * 3600
_RESOLVED = re.compile(r"resolved|operating normally|completed|recovered|no longer|fixed", re.IGNORECASE)
_ENTITY = re.compile(rb"<!ENTITY|<!DOCTYPE[^>]*\[", re.IGNORECASE)


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
    incidents = []
    for entry in feed.entries[:20]:
        # Ask only for keys the entry has: feedparser's fallbacks between them are deprecated.
        keys = entry.keys()
        stamp = next((entry[k] for k in ("updated_parsed", "published_parsed") if k in keys and entry[k]), None)
        if stamp is None or now - calendar.timegm(stamp) > RECENT_SECONDS:
            continue
        words = f"{entry.get('title', '')} {entry.get('summary', '')}"
        if _RESOLVED.search(words):
            continue
        when = next((entry[k] for k in ("updated", "published") if k in keys), None)
        incidents.append(VendorIncident(entry.get("title", ""), DEGRADED, "open", when, entry.get("summary", "")))
    state = DEGRADED if incidents else OPERATIONAL
    return Parsed(state, (), tuple(incidents), (), feed.feed.get("updated"))


PROVIDER = Provider("rss", configured_url, parse)
