"""status.io pages (`api.status.io/1.0/status/<page id>`), e.g. Docker and GitLab."""

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
from . import Fetched, ParseError, Provider, configured_url
from ._json import items, load_object, mapping, text

# status.io's documented codes. 600 is a "Security Event": treated as a partial outage, the
# status text is kept as the incident's title so nobody mistakes it for an ordinary one.
CODES = {100: OPERATIONAL, 200: MAINTENANCE, 300: DEGRADED, 400: PARTIAL, 500: MAJOR, 600: PARTIAL}


def _state(code: object) -> str:
    return CODES.get(code, UNKNOWN) if isinstance(code, int) else UNKNOWN


def parse(fetched: Fetched, vendor: Vendor) -> Parsed:
    result = mapping(load_object(fetched).get("result"))
    overall = mapping(result.get("status_overall"))
    if "status_code" not in overall:
        raise ParseError("not a status.io status (no status_overall)")
    components = tuple(Component(text(c.get("name")), _state(c.get("status_code"))) for c in items(result.get("status")))
    incidents = []
    for incident in items(result.get("incidents")):
        messages = items(incident.get("messages"))
        latest = max(messages, key=lambda m: text(m.get("datetime")), default={})
        incidents.append(
            VendorIncident(
                text(incident.get("name")),
                _state(latest.get("status")) if latest else DEGRADED,
                "open",
                text(latest.get("datetime") or incident.get("datetime_open")) or None,
                text(latest.get("details")),
            )
        )
    if overall.get("status_code") == 600:
        incidents.append(
            VendorIncident(
                text(overall.get("status")) or "Security event", PARTIAL, "open", text(overall.get("updated")) or None, ""
            )
        )
    maintenance = mapping(result.get("maintenance"))
    maintenances = tuple(
        Maintenance(
            text(m.get("name")),
            status,
            text(m.get("datetime_planned_start")) or None,
            text(m.get("datetime_planned_end")) or None,
        )
        for status in ("active", "upcoming")
        for m in items(maintenance.get(status))
    )
    state = worst([_state(overall.get("status_code"))] + [c.state for c in components] + [i.impact for i in incidents])
    return Parsed(state, components, tuple(incidents), maintenances, text(overall.get("updated")) or None)


PROVIDER = Provider("statusio", configured_url, parse)
