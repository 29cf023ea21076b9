"""Atlassian Statuspage v2 (`/api/v2/summary.json`, or `components.json`), and the
incident.io pages that imitate it (they send `null` for empty arrays and no incident components).
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
    groups = {c.get("id"): text(c.get("name")) for c in raw_components if c.get("group")}
    components = [
        Component(text(c.get("name")), COMPONENT_STATES.get(text(c.get("status")), UNKNOWN), groups.get(c.get("group_id")))
        for c in raw_components
        if not c.get("group")
    ]
    incidents = []
    for incident in items(data.get("incidents")):
        if text(incident.get("status")) in ("resolved", "postmortem"):
            continue
        updates = items(incident.get("incident_updates"))
        latest = max(updates, key=lambda u: text(u.get("created_at")), default={})
        incidents.append(
            VendorIncident(
                title=text(incident.get("name")),
                impact=IMPACT_STATES.get(text(incident.get("impact")), DEGRADED),
                status=text(incident.get("status")),
                updated_at=text(incident.get("updated_at")) or None,
                latest_update=text(latest.get("body")),
            )
        )
    maintenances = [
        Maintenance(text(m.get("name")), text(m.get("status")), text(m.get("scheduled_for")) or None,
                    text(m.get("scheduled_until")) or None)
        for m in items(data.get("scheduled_maintenances"))
        if text(m.get("status")) in OPEN_MAINTENANCE
    ]
    indicator = INDICATOR_STATES.get(text(mapping(data.get("status")).get("indicator")))
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
    )


PROVIDER = Provider("statuspage", url, parse)
