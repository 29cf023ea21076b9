"""Salesforce Trust (`api.status.salesforce.com`): one instance's status (`/v1/instances/{key}/status`),
a list of instances (`/v1/instances/status/preview`), or the incidents list (`/v1/incidents`).

An instance's `status` is a code (`OK`, `MINOR_INCIDENT_CORE`, `MAINTENANCE_NONCORE` ...); an
incident is open while one of its impacts has no `endTime`. `product` in the vendor's config
keeps only that instance key (e.g. `NA224`): its incidents, its line of the instances list.
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
from . import Fetched, ParseError, Provider, configured_url
from ._json import items, load_any, mapping, text

STATUS_CODES = {
    "OK": OPERATIONAL,
    "MAINTENANCE_CORE": MAINTENANCE, "MAINTENANCE_NONCORE": MAINTENANCE,
    "MINOR_INCIDENT_NONCORE": DEGRADED, "MINOR_INCIDENT_CORE": DEGRADED,
    "MAJOR_INCIDENT_NONCORE": PARTIAL, "MAJOR_INCIDENT_CORE": MAJOR,
}  # fmt: skip
# Impact types as the Trust API names them; anything else open is at least a degradation.
IMPACT_TYPES = {
    "serviceDisruption": MAJOR,
    "partialServiceDisruption": PARTIAL,
    "performanceDegradation": DEGRADED,
    "minorPerformanceDegradation": DEGRADED,
    "featureDisruption": PARTIAL,
}
NOT_TRUST = "not a Salesforce Trust payload (expected an instance status, a list of instances or a list of incidents)"


def _is_instance(item: object) -> bool:
    return isinstance(item, dict) and "key" in item and "status" in item


def _is_incident(item: object) -> bool:
    return isinstance(item, dict) and ("IncidentImpacts" in item or "instanceKeys" in item)


def _open_incidents(incidents: list[dict], instance: str | None) -> list[VendorIncident]:
    found = []
    for incident in incidents:
        impacts = items(incident.get("IncidentImpacts"))
        open_impacts = [i for i in impacts if not i.get("endTime")]
        if impacts and not open_impacts:
            continue  # every impact has ended: resolved
        keys = [text(k) for k in incident.get("instanceKeys") or [] if k]
        if instance and keys and instance.casefold() not in (k.casefold() for k in keys) and not incident.get("affectsAll"):
            continue
        events = sorted(items(incident.get("IncidentEvents")), key=lambda e: text(e.get("createdAt")))
        latest = events[-1] if events else {}
        impact = worst([IMPACT_TYPES.get(text(i.get("type")), DEGRADED) for i in open_impacts]) if open_impacts else DEGRADED
        if incident.get("isCore") is False and impact == MAJOR:
            impact = PARTIAL  # a non-core service's disruption is not the instance being down
        message = mapping(incident.get("message"))
        title = text(message.get("pathToResolution") or message.get("rootCause")) if message else text(incident.get("message"))
        title = title or f"Incident {text(incident.get('id'))} on {', '.join(keys) or 'all instances'}"
        found.append(
            VendorIncident(
                title,
                impact,
                "open",
                text(incident.get("updatedAt") or latest.get("createdAt")) or None,
                text(latest.get("message")),
            )
        )
    return found


def _maintenances(instance: dict) -> tuple[Maintenance, ...]:
    found = []
    for m in items(instance.get("Maintenances")):
        message = mapping(m.get("message"))
        found.append(
            Maintenance(
                text(message.get("name") or m.get("name")) or f"Maintenance {text(m.get('id'))}",
                "in progress" if STATUS_CODES.get(text(instance.get("status"))) == MAINTENANCE else "scheduled",
                text(m.get("plannedStartTime")) or None,
                text(m.get("plannedEndTime")) or None,
            )
        )
    return tuple(found)


def parse(fetched: Fetched, vendor: Vendor) -> Parsed:
    data = load_any(fetched)
    if _is_instance(data):
        state = STATUS_CODES.get(text(data["status"]), UNKNOWN)
        incidents = _open_incidents(items(data.get("Incidents")), None)
        component = Component(text(data["key"]), state, text(data.get("location")) or None)
        return Parsed(
            worst([state] + [i.impact for i in incidents]) if state != UNKNOWN else UNKNOWN,
            (component,),
            tuple(incidents),
            _maintenances(data),
            None,
        )
    if isinstance(data, list) and data and all(_is_instance(i) for i in data[:50]):
        components = tuple(
            Component(text(i["key"]), STATUS_CODES.get(text(i["status"]), UNKNOWN), text(i.get("location")) or None)
            for i in items(data)
            if i.get("isActive", True) is not False
        )
        if vendor.product:  # one instance is ours: the others' troubles are not
            ours = [c for c in components if c.name.casefold() == vendor.product.strip().casefold()]
            if not ours:
                raise ParseError(f"instance {vendor.product[:30]!r} is not in the instances list")
            return Parsed(ours[0].state, tuple(ours), (), (), None)
        return Parsed(worst(c.state for c in components), components, (), (), None)
    if isinstance(data, list) and all(_is_incident(i) for i in data[:50]):
        incidents = _open_incidents(items(data), vendor.product)
        return Parsed(worst([OPERATIONAL] + [i.impact for i in incidents]), (), tuple(incidents), (), None)
    raise ParseError(NOT_TRUST)


PROVIDER = Provider("salesforce", configured_url, parse)
