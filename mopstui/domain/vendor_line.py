"""How a vendor's status reads in one line, the same on the screen's vendor table and in
`mopstui status`: a mark beside its state and a short note. No I/O."""

from __future__ import annotations

from ..status.model import VendorStatus


def vendor_mark(status: VendorStatus) -> str:
    """`!` where the room overruled the vendor's page, `~` where what is shown is an old reading
    (the page could not be read since), nothing otherwise. The override wins: it is what counts."""
    return "!" if status.override else "~" if status.stale else ""


def vendor_note(status: VendorStatus) -> str:
    """What to read beside the state, most pressing first: the room's override (and what the page
    itself says), then why the reading is old, unknown or bad (a timeout, an HTTP error, a probe's
    answer), then the vendor's first open incident. A stale vendor with an open incident shows
    both, the staleness first: the incident's title is from a page we can no longer read."""
    parts = []
    if status.override:
        page = (status.page_state or status.state).replace("_", " ")
        parts.append(f"override (page says {page}): {status.override}")
    if status.reason:
        parts.append(("stale: " if status.stale else "") + status.reason)
    if status.incidents:
        parts.append(status.incidents[0].title)
    return " · ".join(parts)


def source_words(kind: str) -> str:
    """What a vendor row is read from, in words (`AWS — statuspage` named the page's format):
    our own probe, or the vendor's status page whatever its platform."""
    return "our own check" if kind == "probe" else "status page"
