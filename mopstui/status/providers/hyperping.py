"""Hyperping status pages: `<page>/status.json`.

Hyperping documents two shapes under that name. Today's page answers only the page's real-time
`indicator` (`up`, `incident` when some but not every service is down or in an incident, `outage`
when every one is, `maintenance`) and a 90-day `uptime`. The older API
(`api.hyperping.io/v1/<host>/status.json`) adds `name`, `status` and `services`, each with its own
`indicator` (`up`, `down`, `maintenance`), the page's being `partialoutage` or `down` when some or
all are down. Both are read; a page of the first shape lists no components.
"""

from __future__ import annotations

from ...config import Vendor
from ..model import MAINTENANCE, MAJOR, OPERATIONAL, PARTIAL, Component, Parsed, worst
from . import Fetched, ParseError, Provider
from ._json import items, load_object, text

PAGE_STATES = {
    "up": OPERATIONAL,
    "incident": PARTIAL,
    "partialoutage": PARTIAL,
    "outage": MAJOR,
    "down": MAJOR,
    "maintenance": MAINTENANCE,
}
SERVICE_STATES = {"up": OPERATIONAL, "down": MAJOR, "maintenance": MAINTENANCE}


def url(vendor: Vendor) -> str:
    return vendor.url if vendor.url.endswith(".json") else vendor.url.rstrip("/") + "/status.json"


def parse(fetched: Fetched, vendor: Vendor) -> Parsed:
    data = load_object(fetched)
    indicator = data.get("indicator")
    if not isinstance(indicator, str):
        raise ParseError("not a Hyperping status (no indicator)")
    if indicator not in PAGE_STATES:
        raise ParseError(f"a Hyperping indicator mopstui does not know ({text(indicator)[:40]!r})")
    components = []
    for service in items(data.get("services")):
        said = text(service.get("indicator"))
        if said not in SERVICE_STATES:
            raise ParseError(f"a Hyperping service indicator mopstui does not know ({said[:40]!r})")
        components.append(Component(text(service.get("name")), SERVICE_STATES[said]))
    return Parsed(worst([PAGE_STATES[indicator], *(c.state for c in components)]), tuple(components))


PROVIDER = Provider("hyperping", url, parse)
