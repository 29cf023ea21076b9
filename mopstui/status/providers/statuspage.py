"""Atlassian Statuspage v2 (`/api/v2/summary.json`, or `components.json`), and the
incident.io pages that imitate it (they send `null` for empty arrays, may leave out `incidents`,
have no groups and repeat component names: components carry the page's ids).

An incident's `impact` is what it was declared at, not what it causes now: once the page's own
indicator says something (say "minor" after mitigation), the indicator and the components are the
current word, and an incident listing its components is as bad as they are now.
"""

from __future__ import annotations

from ...config import Vendor
from ..model import (
    DEGRADED,
    MAINTENANCE,
    MAJOR,
    OPERATIONAL,
    PARTIAL,
    UNKNOWN,
    Component,
    Group,
    Maintenance,
    Parsed,
    VendorIncident,
    worst,
)
from . import Fetched, ParseError, Provider
from ._json import items, load_object, mapping, text

COMPONENT_STATES = {
    "operational": OPERATIONAL, "degraded_performance": DEGRADED, "partial_outage": PARTIAL,
    "major_outage": MAJOR, "under_maintenance": MAINTENANCE,
}  # fmt: skip
INDICATOR_STATES = {"none": OPERATIONAL, "minor": DEGRADED, "major": PARTIAL, "critical": MAJOR, "maintenance": MAINTENANCE}
IMPACT_STATES = {"none": OPERATIONAL, "minor": DEGRADED, "major": PARTIAL, "critical": MAJOR, "maintenance": MAINTENANCE}
OPEN_MAINTENANCE = ("scheduled", "in_progress", "verifying")


def url(vendor: Vendor) -> str:
    return vendor.url if vendor.url.endswith(".json") else vendor.url.rstrip("/") + "/api/v2/summary.json"


def parse(fetched: Fetched, vendor: Vendor) -> Parsed:
    data = load_object(fetched)
    raw_components = items(data.get("components"))
    incidents_only = "components" not in data and "status" not in data and isinstance(data.get("incidents"), list)
    if "components" not in data and "status" not in data and not incidents_only:
        raise ParseError("not a Statuspage summary (no components, no status, no incidents)")
    raw_groups = [c for c in raw_components if c.get("group")]
    group_names = {c.get("id"): text(c.get("name")) for c in raw_groups}
    components = [
        Component(
            text(c.get("name")),
            COMPONENT_STATES.get(text(c.get("status")), UNKNOWN),
            group_names.get(c.get("group_id")),
            id=text(c.get("id")) or None,
        )
        for c in raw_components
        if not c.get("group")
    ]
    groups = tuple(
        Group(text(g.get("name")), COMPONENT_STATES.get(text(g.get("status")), UNKNOWN), text(g.get("id")) or None)
        for g in raw_groups
    )
    by_id = {c.id: c.state for c in components if c.id}
    indicator = INDICATOR_STATES.get(text(mapping(data.get("status")).get("indicator")))
    incidents = []
    for incident in items(data.get("incidents")):
        if text(incident.get("status")) in ("resolved", "postmortem"):
            continue
        updates = items(incident.get("incident_updates"))
        latest = max(updates, key=lambda u: text(u.get("created_at")), default={})
        impact = IMPACT_STATES.get(text(incident.get("impact")), DEGRADED)
        now = [by_id.get(text(c.get("id"))) for c in items(incident.get("components"))]
        if indicator not in (None, OPERATIONAL) and any(now):
            impact = worst(now)  # after mitigation: as bad as its components are now
        incidents.append(
            VendorIncident(
                title=text(incident.get("name")),
                impact=impact,
                status=text(incident.get("status")),
                updated_at=text(incident.get("updated_at")) or None,
                latest_update=text(latest.get("body")),
            )
        )
    maintenances = [
        Maintenance(
            text(m.get("name")),
            text(m.get("status")),
            text(m.get("scheduled_for")) or None,
            text(m.get("scheduled_until")) or None,
        )
        for m in items(data.get("scheduled_maintenances"))
        if text(m.get("status")) in OPEN_MAINTENANCE
    ]
    if indicator not in (None, OPERATIONAL):
        # The page's current word: an incident's declared impact is history once it has one.
        state = worst([indicator] + [c.state for c in components])
    else:
        # The indicator can say "none" while an incident is open: the worst of all three wins.
        state = worst([indicator] + [c.state for c in components] + [i.impact for i in incidents])
    if incidents_only:
        # incidents.json or incidents/unresolved.json: exactly which incidents are open, nothing
        # else; no open incident means none the page admits to.
        state = worst([OPERATIONAL] + [i.impact for i in incidents])
    elif state == UNKNOWN and not components and indicator is None:
        raise ParseError("no status indicator and no components")
    return Parsed(
        state=state,
        components=tuple(components),
        incidents=tuple(incidents),
        maintenances=tuple(maintenances),
        updated_at=text(mapping(data.get("page")).get("updated_at")) or None,
        groups=groups,
    )


PROVIDER = Provider("statuspage", url, parse)
