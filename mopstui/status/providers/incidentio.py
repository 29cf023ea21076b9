"""incident.io status pages through their `<origin>/proxy/<host>` JSON (the page's own data):
`{summary: {name, components: [{id, name}], affected_components: [{component_id, status}],
ongoing_incidents: [...], scheduled_maintenances: [...], structure: {items: [...]}}}`.

Components are keyed by id (incident.io pages repeat names); a component not listed as affected is
operational; groups come from `structure`. Their Statuspage-compatible `summary.json` is read by
the `statuspage` kind, their `feed.rss` by `rss`.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from ...config import Vendor
from ..model import (
    DEGRADED,
    MAINTENANCE,
    MAJOR,
    OPERATIONAL,
    PARTIAL,
    Component,
    Group,
    Maintenance,
    Parsed,
    VendorIncident,
    worst,
)
from . import Fetched, ParseError, Provider
from ._json import items, load_object, mapping, text

STATES = {
    "operational": OPERATIONAL,
    "degraded_performance": DEGRADED,
    "partial_outage": PARTIAL,
    "full_outage": MAJOR,
    "major_outage": MAJOR,
    "under_maintenance": MAINTENANCE,
}


def url(vendor: Vendor) -> str:
    if "/proxy/" in vendor.url:
        return vendor.url
    parts = urlsplit(vendor.url)
    return f"{parts.scheme}://{parts.netloc}/proxy/{parts.hostname}"


def _groups(structure: dict) -> dict[str, tuple[str, str]]:
    """component id -> (group name, group id), from the page's layout."""
    found = {}
    for item in items(structure.get("items")):
        group = mapping(item.get("group"))
        for child in items(group.get("components")):
            found[text(child.get("component_id") or child.get("id"))] = (text(group.get("name")), text(group.get("id")))
    return found


def parse(fetched: Fetched, vendor: Vendor) -> Parsed:
    data = load_object(fetched)
    summary = mapping(data.get("summary"))
    if not summary or "components" not in summary:
        raise ParseError("not an incident.io page (no summary with components)")
    affected = {
        text(a.get("component_id")): STATES.get(text(a.get("status")), DEGRADED)
        for a in items(summary.get("affected_components"))
    }
    in_group = _groups(mapping(summary.get("structure")))
    components = tuple(
        Component(
            text(c.get("name")),
            affected.get(text(c.get("id")), OPERATIONAL),
            in_group.get(text(c.get("id")), ("", ""))[0] or None,
            id=text(c.get("id")) or None,
        )
        for c in items(summary.get("components"))
    )
    groups = tuple(
        Group(name, worst(c.state for c in components if c.group == name), gid or None)
        for name, gid in dict.fromkeys(in_group.values())
    )
    incidents = tuple(
        VendorIncident(
            text(i.get("name")),
            STATES.get(text(i.get("current_worst_impact")), DEGRADED),
            text(i.get("status")),
            text(i.get("last_update_at") or i.get("published_at")) or None,
            text(i.get("last_update_message")),
        )
        for i in items(summary.get("ongoing_incidents"))
    )
    maintenances = tuple(
        Maintenance(
            text(m.get("name")),
            text(m.get("status")) or "scheduled",
            text(m.get("starts_at")) or None,
            text(m.get("ends_at")) or None,
        )
        for m in items(summary.get("scheduled_maintenances")) + items(summary.get("in_progress_maintenances"))
    )
    state = worst([OPERATIONAL, *(c.state for c in components), *(i.impact for i in incidents)])
    return Parsed(state, components, incidents, maintenances, None, groups)


PROVIDER = Provider("incidentio", url, parse)
