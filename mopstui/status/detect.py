"""`kind: auto`: which format a vendor's status page speaks, found by asking it, and remembered.

From the page's URL, in this order (the census's most common first): Statuspage
(`/api/v2/summary.json`, incident.io's compatible JSON included), incident.io (`/proxy/<host>`,
then its opt-in widget API `/api/v1/summary`, then `feed.rss`), Instatus (`summary.json`,
`v2/components.json`), Better Stack (`index.json`), status.io (its API host), Sorry™
(`/api/v1/status`), Hyperping (`status.json`), Rootly (`/api/v1/status.json`), Cachet
(`/api/v1/components`), then RSS/Atom
(`history.rss`, `history.atom`, `feed.atom`, the URL itself). An answer counts only when its
format's reader reads it: a 200 HTML page (single-page apps answer one on every path) is never a
status. When every candidate fails and one HTML answer named a canonical host elsewhere, that
host is tried too.

What worked is remembered per configured URL in the user's own private cache (never a shared
file a colleague could plant). When a remembered format stops answering (a 4xx, or an answer its
reader refuses), the page is detected again, and a different answer says so: "the vendor's page
moved platform". A timeout or a 5xx is weather, not a move: nothing is re-detected for it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from ..base.timeutil import utcnow
from ..config import Vendor
from ..config.cache import read_private, write_private
from .addresses import may_go
from .fetch import Fetcher, Outcome, Validators
from .model import Parsed
from .providers import ParseError, provider

MEMORY_FILE = "detected-formats.json"
KIND_WORDS = {
    "statuspage": "Statuspage",
    "incidentio": "incident.io",
    "incidentio_widget": "incident.io (widget API)",
    "instatus": "Instatus",
    "betterstack": "Better Stack",
    "statusio": "status.io",
    "sorry": "Sorry",
    "hyperping": "Hyperping",
    "rootly": "Rootly",
    "cachet": "Cachet",
    "rss": "RSS/Atom feed",
}
# A vendor's page is untrusted: every pattern here is linear in the page's size. A link tag is
# bounded and cannot span another tag's start, so no input makes the search backtrack (the former
# one-regex form took 24 s on 6 KB of repeated `<link rel=canonical `, on the poller's loop).
_LINK_TAG = re.compile(rb"<link\b([^<>]{0,2048})>", re.IGNORECASE)
_ATTRIBUTE = re.compile(rb"""([^\s"'<>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'<>`]+)))?""")
_ENDPOINT = re.compile(r"\.(?:json|rss|atom|xml)$|/api/|/proxy/", re.IGNORECASE)


@dataclass(frozen=True)
class Candidate:
    kind: str
    url: str


def canonical_url(body: bytes) -> str | None:
    """The href of the page's `<link rel="canonical">`, if it names one."""
    for tag in _LINK_TAG.finditer(body):
        attributes = {
            match.group(1).lower(): match.group(2) or match.group(3) or match.group(4) or b""
            for match in _ATTRIBUTE.finditer(tag.group(1))
        }
        if b"canonical" in attributes.get(b"rel", b"").lower().split() and attributes.get(b"href", b"").strip():
            return attributes[b"href"].strip().decode("utf-8", "replace")
    return None


def candidates(url: str) -> list[Candidate]:
    """Where each format would answer for this page, in the order they are tried."""
    parts = urlsplit(url)
    origin = f"{parts.scheme}://{parts.netloc}"
    base = url.rstrip("/")
    if (parts.hostname or "").lower() == "api.status.io":
        return [Candidate("statusio", url)]
    found = []
    if _ENDPOINT.search(parts.path):  # already an endpoint: the readers that take one as it is
        kinds = [
            "statuspage",
            "incidentio",
            "incidentio_widget",
            "instatus",
            "betterstack",
            "sorry",
            "hyperping",
            "rootly",
            "cachet",
            "rss",
        ]
        found += [Candidate(kind, url) for kind in kinds]
        base = origin
    found += [
        Candidate("statuspage", base + "/api/v2/summary.json"),
        Candidate("incidentio", f"{origin}/proxy/{parts.hostname}"),
        Candidate("incidentio_widget", base + "/api/v1/summary"),
        Candidate("rss", base + "/feed.rss"),
        Candidate("instatus", base + "/summary.json"),
        Candidate("instatus", base + "/v2/components.json"),
        Candidate("betterstack", base + "/index.json"),
        Candidate("sorry", base + "/api/v1/status"),
        Candidate("hyperping", base + "/status.json"),
        Candidate("rootly", base + "/api/v1/status.json"),
        Candidate("cachet", base + "/api/v1/components"),
        Candidate("rss", base + "/history.rss"),
        Candidate("rss", base + "/history.atom"),
        Candidate("rss", base + "/feed.atom"),
        Candidate("rss", url),
    ]
    return list(dict.fromkeys(found))


class Memory:
    """What worked, per configured URL, in this user's private cache."""

    def __init__(self) -> None:
        raw = read_private(MEMORY_FILE)
        try:
            data = json.loads(raw) if raw else {}
        except ValueError:
            data = {}
        self.entries: dict[str, dict] = {
            k: v
            for k, v in (data.items() if isinstance(data, dict) else ())
            if isinstance(v, dict) and v.get("kind") in KIND_WORDS and isinstance(v.get("url"), str)
        }
        self.changed = False

    def get(self, page: str) -> Candidate | None:
        entry = self.entries.get(page)
        return Candidate(entry["kind"], entry["url"]) if entry else None

    def moved(self, page: str) -> tuple[str, str]:
        """The format this page spoke before it moved, and when the move was seen ("" if none)."""
        entry = self.entries.get(page) or {}
        before, at = entry.get("moved_from"), entry.get("moved_at")
        if before in KIND_WORDS and before != entry.get("kind") and isinstance(at, str):
            return before, at
        return "", ""

    def remember(self, page: str, found: Candidate, *, moved_from: str = "") -> None:
        """What worked; `moved_from` when it replaces another format (kept until the next move,
        so the move is said at every round until the config names the format)."""
        if self.get(page) == found:
            return
        before = self.entries.get(page) or {}
        entry = {"kind": found.kind, "url": found.url, "at": utcnow().isoformat(timespec="seconds")}
        if moved_from and moved_from != found.kind:
            entry |= {"moved_from": moved_from, "moved_at": entry["at"]}
        elif before.get("kind") == found.kind and before.get("moved_from"):  # the same format elsewhere
            entry |= {k: before[k] for k in ("moved_from", "moved_at") if k in before}
        self.entries[page] = entry
        self.changed = True

    def save(self) -> None:
        if self.changed:
            write_private(MEMORY_FILE, json.dumps(self.entries, indent=1, sort_keys=True).encode())
            self.changed = False


@dataclass
class Detection:
    """What one auto vendor's check found: the format and its answer, or why there is none."""

    kind: str = "auto"
    url: str = ""
    outcome: Outcome = field(default_factory=Outcome)
    parsed: Parsed | None = None
    note: str = ""  # said beside the state: the page moved platform
    reason: str = ""  # nothing to read: why
    moved_from: str = ""  # the format the page spoke before it moved platform, and when that was seen
    moved_at: str = ""


def _reads(candidate: Candidate, outcome: Outcome, vendor: Vendor) -> Parsed | None:
    if outcome.fetched is None:
        return None
    try:
        return provider(candidate.kind).parse(outcome.fetched, vendor)
    except ParseError:
        return None
    except Exception:  # a reader's bug on a page it was never meant for: not this format
        return None


async def detect(vendor: Vendor, fetcher: Fetcher, *, slot: int | None = None) -> tuple[Detection, list[str]]:
    """Try every candidate in order; the first its reader reads wins. Returns what the failures
    said too, for the reason when nothing answers."""
    said: list[str] = []
    tried_hosts: set[str] = set()
    queue = candidates(vendor.url)
    html_only = False
    while queue:
        candidate = queue.pop(0)
        outcome = await fetcher.fetch(candidate.url, conditional=False, slot=slot, on_behalf_of=vendor.url)
        parsed = _reads(candidate, outcome, vendor)
        if parsed is not None:
            return Detection(candidate.kind, candidate.url, outcome, parsed), said
        if outcome.unreachable and not said:
            return Detection(reason=outcome.reason, outcome=outcome), [outcome.reason]
        said.append(outcome.reason or "not a format mopstui reads")
        body = outcome.fetched.body[:65536] if outcome.fetched is not None else b""
        if body.lstrip()[:1] == b"<" and b"<html" in body[:2048].lower():
            html_only = True
            canonical = canonical_url(body)
            try:
                elsewhere = urlsplit(canonical) if canonical else None
                host = elsewhere.hostname if elsewhere else None
            except ValueError:  # a malformed link ("http://[::1"): nothing to follow
                elsewhere = host = None
            if elsewhere and host and host != urlsplit(vendor.url).hostname and host not in tried_hosts:
                tried_hosts.add(host)
                if not await may_follow(vendor.url, host):
                    said.append(f"its canonical host {host} is an internal address: not followed")
                    continue
                # The canonical host serves the data (custom hosts of hosted pages often do not).
                queue += candidates(f"{elsewhere.scheme or 'https'}://{elsewhere.netloc}")
    if html_only:
        reason = (
            "the page answers HTML only, nothing machine-readable: it cannot be read; "
            "a probe of your own on what customers use is the truth here"
        )
    else:
        reason = "no status format answered (" + ", ".join(dict.fromkeys(said))[:160] + ")"
    return Detection(reason=reason), said


async def may_follow(configured: str, host: str) -> bool:
    """A page may send us to its canonical host, as a redirect may: never into our own network
    (loopback, private, link-local, carrier NAT ...) unless the configured URL is in that same
    part of it."""
    parts = urlsplit(configured)
    if parts.scheme not in ("http", "https"):
        return False
    return await may_go(parts.hostname or "", host)


def moved(before: Candidate, now: Candidate) -> str:
    if before.kind == now.kind:
        return ""
    return (
        f"the vendor's page moved platform: it was {KIND_WORDS[before.kind]}, it is now {KIND_WORDS[now.kind]} "
        f"(set kind: {now.kind} in the config to confirm it)"
    )


async def check_auto(
    vendor: Vendor, fetcher: Fetcher, memory: Memory, validators: Validators, *, slot: int | None = None
) -> Detection:
    """One check of a `kind: auto` vendor: its remembered format, else (or when that stopped
    answering) a detection."""
    remembered = memory.get(vendor.url)
    if remembered is not None:
        before, at = memory.moved(vendor.url)
        said = moved(Candidate(before, ""), remembered) if before else ""
        outcome = await fetcher.fetch(remembered.url, validators, slot=slot, on_behalf_of=vendor.url)
        if outcome.not_modified or outcome.skipped:
            return Detection(remembered.kind, remembered.url, outcome, note=said, moved_from=before, moved_at=at)
        parsed = _reads(remembered, outcome, vendor)
        if parsed is not None:
            return Detection(remembered.kind, remembered.url, outcome, parsed, said, moved_from=before, moved_at=at)
        if outcome.fetched is None and not outcome.reason.startswith("HTTP 4"):  # weather, not a move
            return Detection(remembered.kind, remembered.url, outcome, reason=outcome.reason, moved_from=before, moved_at=at)
    found, _ = await detect(vendor, fetcher, slot=slot)
    if found.parsed is None:
        if remembered is not None:
            found.reason = (
                f"the vendor's page moved platform or went away: its {KIND_WORDS[remembered.kind]} "
                f"format no longer answers, and no other did ({found.reason})"
            )
        return found
    now = Candidate(found.kind, found.url)
    memory.remember(vendor.url, now, moved_from=remembered.kind if remembered is not None else "")
    found.moved_from, found.moved_at = memory.moved(vendor.url)
    if found.moved_from:
        found.note = moved(Candidate(found.moved_from, ""), now)
    return found
