"""incident.io's widget API (opt-in per page, public pages only): `<page>/api/v1/summary`.

`{page_title, page_url, ongoing_incidents, in_progress_maintenances, scheduled_maintenances}`;
each incident has `id`, `name`, `status` (investigating, identified, monitoring), `url`,
`current_worst_impact` (degraded_performance, partial_outage, full_outage), `last_update_at`,
`last_update_message` and `affected_components` (`id`, `name`, `group_name`, `current_status`);
a maintenance has the same plus `started_at`/`scheduled_end_at` (in progress) or
`starts_at`/`ends_at` (scheduled). Only affected components are listed, so a watched component
no incident or maintenance names is operational by the page's word (incident.io asks users to
cache this answer: the poller's interval does).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from ...config import Vendor
from ..model import (
    DEGRADED,
    MAINTENANCE,
    OPERATIONAL,
    RANK,
    Component,
    Maintenance,
    Parsed,
    VendorIncident,
    worst,
)
from . import Fetched, ParseError, Provider
from ._json import items, load_object, text
from .incidentio import STATES

KEYS = ("ongoing_incidents", "in_progress_maintenances", "scheduled_maintenances")


def url(vendor: Vendor) -> str:
    """The page's `/api/v1/summary`; a URL that is already an endpoint (the one the page's Widget
    API settings show, pasted whole) is taken as it is."""
    path = urlsplit(vendor.url).path.rstrip("/")
    if "/api/" in path or "/proxy/" in path or path.endswith("widget"):
        return vendor.url
    return vendor.url.rstrip("/") + "/api/v1/summary"


def parse(fetched: Fetched, vendor: Vendor) -> Parsed:
    data = load_object(fetched)
    if not any(isinstance(data.get(k), list) for k in KEYS) or not all(k in data for k in KEYS):
        raise ParseError("not an incident.io widget answer (no ongoing incidents, maintenances)")
    affected: dict[str, Component] = {}

    def touch(raw: dict, state: str) -> None:
        key = text(raw.get("id")) or f"{text(raw.get('group_name'))}/{text(raw.get('name'))}"
        before = affected.get(key)
        if before is None or RANK.get(state, -1) > RANK.get(before.state, -1):
            group = text(raw.get("group_name")) or None
            affected[key] = Component(text(raw.get("name")), state, group, id=text(raw.get("id")) or None)

    incidents = []
    for incident in items(data.get("ongoing_incidents")):
        if text(incident.get("status")) == "resolved":
            continue
        impact = STATES.get(text(incident.get("current_worst_impact")), DEGRADED)
        for component in items(incident.get("affected_components")):
            touch(component, STATES.get(text(component.get("current_status")), impact))
        incidents.append(
            VendorIncident(
                text(incident.get("name")),
                impact,
                text(incident.get("status")),
                text(incident.get("last_update_at")) or None,
                text(incident.get("last_update_message")),
            )
        )
    maintenances = []
    for maintenance in items(data.get("in_progress_maintenances")):
        for component in items(maintenance.get("affected_components")):
            touch(component, MAINTENANCE)
        maintenances.append(
            Maintenance(
                text(maintenance.get("name")),
                "in progress",
                text(maintenance.get("started_at") or maintenance.get("starts_at")) or None,
                text(maintenance.get("scheduled_end_at") or maintenance.get("ends_at")) or None,
            )
        )
    maintenances += [
        Maintenance(
            text(m.get("name")),
            "scheduled",
            text(m.get("starts_at")) or None,
            text(m.get("ends_at") or m.get("scheduled_end_at")) or None,
        )
        for m in items(data.get("scheduled_maintenances"))
    ]
    components = tuple(affected.values())
    in_progress = [MAINTENANCE] if items(data.get("in_progress_maintenances")) else []
    state = worst([OPERATIONAL, *in_progress, *(c.state for c in components), *(i.impact for i in incidents)])
    return Parsed(state, components, tuple(incidents), tuple(maintenances), affected_only=True)


PROVIDER = Provider("incidentio_widget", url, parse)
