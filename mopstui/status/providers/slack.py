"""Slack's status API (`/api/v2.0.0/current`): active incidents, outages and notices by service."""

from __future__ import annotations

from ...config import Vendor
from ..model import DEGRADED, MAINTENANCE, MAJOR, OPERATIONAL, PARTIAL, Component, Parsed, VendorIncident, worst
from . import Fetched, ParseError, Provider, configured_url
from ._json import items, load_object, text

TYPE_STATES = {"outage": MAJOR, "incident": PARTIAL, "notice": DEGRADED, "maintenance": MAINTENANCE}


def parse(fetched: Fetched, vendor: Vendor) -> Parsed:
    data = load_object(fetched)
    status = text(data.get("status"))
    if status not in ("ok", "active", "broken"):
        raise ParseError(f"unknown Slack status {status[:30]!r}")
    incidents: list = []
    affected: dict[str, str] = {}
    for incident in items(data.get("active_incidents")):
        impact = TYPE_STATES.get(text(incident.get("type")), DEGRADED)
        notes = items(incident.get("notes"))
        latest = max(notes, key=lambda n: text(n.get("date_created")), default={})
        incidents.append(
            VendorIncident(
                text(incident.get("title")),
                impact,
                text(incident.get("status")),
                text(incident.get("date_updated")) or None,
                text(latest.get("body")),
            )
        )
        for service in incident.get("services") or []:
            affected[text(service)] = worst([affected.get(text(service)), impact])
    # Slack names only the services an incident touches: a watched service it does not name is up.
    watched = {c.name for c in vendor.components}
    components = [Component(name, state) for name, state in affected.items()]
    components += [Component(name, OPERATIONAL) for name in sorted(watched - set(affected))]
    overall = MAJOR if status == "broken" else worst([OPERATIONAL] + [i.impact for i in incidents])
    return Parsed(overall, tuple(components), tuple(incidents), (), text(data.get("date_updated")) or None)


PROVIDER = Provider("slack", configured_url, parse)
