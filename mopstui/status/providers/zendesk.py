"""Zendesk's status API (JSON:API, `status.zendesk.com/api/ssp/incidents.json`): incidents in
`data`, open while `resolvedAt` is null; the services each one touches in `included`
(`incidentService`, with `serviceName`, `outage` and `degradation`). The page has no component
states of its own: a watched service with no open incident is operational.
"""

from __future__ import annotations

from ...config import Vendor
from ..model import DEGRADED, MAJOR, OPERATIONAL, PARTIAL, Component, Parsed, VendorIncident, worst
from . import Fetched, ParseError, Provider
from ._json import items, load_object, mapping, text


def url(vendor: Vendor) -> str:
    return vendor.url if vendor.url.endswith(".json") else vendor.url.rstrip("/") + "/api/ssp/incidents.json"


def _impact(attributes: dict) -> str:
    if attributes.get("outage"):
        return MAJOR
    return PARTIAL if text(attributes.get("impact")).lower() in ("major", "critical") else DEGRADED


def parse(fetched: Fetched, vendor: Vendor) -> Parsed:
    data = load_object(fetched)
    entries = data.get("data")
    if not isinstance(entries, list) or not all(isinstance(e, dict) and "attributes" in e for e in entries[:50]):
        raise ParseError("not a Zendesk status payload (JSON:API `data` with `attributes`)")
    if entries and all(text(e.get("type")) == "service" for e in entries):
        raise ParseError("Zendesk's services list carries no status: use /api/ssp/incidents.json")
    services: dict[str, str] = {}
    for ref in items(data.get("included")):
        attributes = mapping(ref.get("attributes"))
        if attributes.get("resolvedAt") or not attributes.get("serviceName"):
            continue
        name = text(attributes["serviceName"])
        state = MAJOR if attributes.get("outage") else DEGRADED
        services[name] = worst([services.get(name), state])
    incidents = []
    for entry in items(entries):
        attributes = mapping(entry.get("attributes"))
        if attributes.get("resolvedAt") or text(attributes.get("status")).lower() == "resolved":
            continue
        incidents.append(
            VendorIncident(
                text(attributes.get("name") or attributes.get("title")) or "Zendesk incident",
                _impact(attributes),
                text(attributes.get("status")) or "open",
                text(attributes.get("updatedAt") or attributes.get("startedAt")) or None,
                "",
            )
        )
    components = [Component(name, state) for name, state in services.items()]
    components += [Component(c.name, OPERATIONAL) for c in vendor.components if c.name not in services]
    return Parsed(worst([OPERATIONAL] + [i.impact for i in incidents]), tuple(components), tuple(incidents), (), None)


PROVIDER = Provider("zendesk", url, parse)
