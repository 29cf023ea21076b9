"""Heroku's status API (`/api/v4/current-status`): systems green/yellow/red/blue."""

from __future__ import annotations

from ...config import Vendor
from ..model import DEGRADED, MAINTENANCE, MAJOR, OPERATIONAL, UNKNOWN, Component, Maintenance, Parsed, VendorIncident, worst
from . import Fetched, ParseError, Provider, configured_url
from ._json import items, load_object, text

COLOURS = {"green": OPERATIONAL, "yellow": DEGRADED, "red": MAJOR, "blue": MAINTENANCE}


def parse(fetched: Fetched, vendor: Vendor) -> Parsed:
    data = load_object(fetched)
    systems = items(data.get("status"))
    if not systems:
        raise ParseError("no systems in the Heroku status")
    components = tuple(Component(text(s.get("system")), COLOURS.get(text(s.get("status")), UNKNOWN)) for s in systems)
    incidents = []
    for incident in items(data.get("incidents")):
        if incident.get("resolved"):
            continue
        updates = items(incident.get("updates"))
        latest = max(updates, key=lambda u: text(u.get("created_at")), default={})
        impact = COLOURS.get(text(latest.get("status_prod")), DEGRADED)
        incidents.append(
            VendorIncident(
                text(incident.get("title")),
                impact,
                text(incident.get("state")),
                text(incident.get("updated_at")) or None,
                text(latest.get("contents")),
            )
        )
    maintenances = tuple(
        Maintenance(text(m.get("title")), "upcoming" if m.get("upcoming") else ("done" if m.get("resolved") else "in progress"))
        for m in items(data.get("scheduled"))
        if not m.get("resolved") or any(c.state == MAINTENANCE for c in components)
    )
    state = worst([c.state for c in components] + [i.impact for i in incidents])
    return Parsed(state, components, tuple(incidents), maintenances, None)


PROVIDER = Provider("heroku", configured_url, parse)
