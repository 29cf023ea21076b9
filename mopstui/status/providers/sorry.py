"""Sorry™ pages (Postmark's): `/api/v1/status` answers the page's `state` (operational, degraded,
partially-degraded, under-maintenance) and its components, each with a `state`, under `response`."""

from __future__ import annotations

from ...config import Vendor
from ..model import DEGRADED, MAINTENANCE, OPERATIONAL, PARTIAL, UNKNOWN, Component, Parsed, worst
from . import Fetched, ParseError, Provider
from ._json import items, load_object, mapping, text

STATES = {
    "operational": OPERATIONAL,
    "degraded": DEGRADED,
    "partially-degraded": PARTIAL,
    "partially_degraded": PARTIAL,
    "under-maintenance": MAINTENANCE,
    "maintenance": MAINTENANCE,
}


def url(vendor: Vendor) -> str:
    return vendor.url if "/api/v1/" in vendor.url else vendor.url.rstrip("/") + "/api/v1/status"


def parse(fetched: Fetched, vendor: Vendor) -> Parsed:
    data = load_object(fetched)
    body = mapping(data.get("response")) or data
    page = mapping(body.get("page")) or body
    if "state" not in page:
        raise ParseError("not a Sorry status (no page state)")
    components = tuple(
        Component(text(c.get("name")), STATES.get(text(c.get("state")), UNKNOWN), None, id=text(c.get("id")) or None)
        for c in items(body.get("components") or page.get("components"))
    )
    state = STATES.get(text(page.get("state")), UNKNOWN)
    return Parsed(worst([state, *(c.state for c in components)]) if state != UNKNOWN else UNKNOWN, components)


PROVIDER = Provider("sorry", url, parse)
