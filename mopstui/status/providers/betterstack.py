"""Better Stack status pages (`<page>/index.json`, JSON:API): the page's `data.attributes.
aggregate_state`, and `included[]` resources (`status_page_resource`: `public_name`, `status`,
`status_page_section_id`), sections (`status_page_section`) and reports (`status_report`)."""

from __future__ import annotations

from ...config import Vendor
from ..model import (
    DEGRADED,
    MAINTENANCE,
    MAJOR,
    OPERATIONAL,
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

STATES = {"operational": OPERATIONAL, "degraded": DEGRADED, "downtime": MAJOR, "maintenance": MAINTENANCE}


def url(vendor: Vendor) -> str:
    return vendor.url if vendor.url.endswith(".json") else vendor.url.rstrip("/") + "/index.json"


def parse(fetched: Fetched, vendor: Vendor) -> Parsed:
    data = load_object(fetched)
    page = mapping(mapping(data.get("data")).get("attributes"))
    if "aggregate_state" not in page:
        raise ParseError("not a Better Stack page (no data.attributes.aggregate_state)")
    included = items(data.get("included"))
    sections = {
        text(i.get("id")): text(mapping(i.get("attributes")).get("name"))
        for i in included
        if i.get("type") == "status_page_section"
    }
    components, incidents, maintenances = [], [], []
    for item in included:
        attributes = mapping(item.get("attributes"))
        if item.get("type") == "status_page_resource":
            section = sections.get(text(attributes.get("status_page_section_id"))) or None
            name = text(attributes.get("public_name") or attributes.get("name"))
            state = STATES.get(text(attributes.get("status")), UNKNOWN)
            components.append(Component(name, state, section, id=text(item.get("id")) or None))
        elif item.get("type") == "status_report" and not attributes.get("ends_at"):
            title, state = text(attributes.get("title")), STATES.get(text(attributes.get("aggregate_state")), DEGRADED)
            if text(attributes.get("report_type")) == "maintenance":
                maintenances.append(
                    Maintenance(
                        title,
                        "in progress" if state == MAINTENANCE else "scheduled",
                        text(attributes.get("starts_at")) or None,
                        None,
                    )
                )
            else:
                incidents.append(VendorIncident(title, state, "open", text(attributes.get("starts_at")) or None, ""))
    groups = tuple(
        Group(name, worst(c.state for c in components if c.group == name))
        for name in dict.fromkeys(c.group for c in components if c.group)
    )
    state = STATES.get(text(page.get("aggregate_state")), UNKNOWN)
    return Parsed(
        worst([state] + [c.state for c in components]) if state != UNKNOWN else UNKNOWN,
        tuple(components),
        tuple(incidents),
        tuple(maintenances),
        None,
        groups,
    )


PROVIDER = Provider("betterstack", url, parse)
