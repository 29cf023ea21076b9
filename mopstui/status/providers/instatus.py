"""Instatus pages: `/summary.json` (the page's overall status and its active incidents) or
`/v2/components.json` (each component's status, groups' children under `children`)."""

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
from ._json import items, load_any, mapping, text

PAGE_STATES = {"UP": OPERATIONAL, "HASISSUES": DEGRADED, "UNDERMAINTENANCE": MAINTENANCE}
IMPACT_STATES = {
    "OPERATIONAL": OPERATIONAL, "DEGRADEDPERFORMANCE": DEGRADED, "PARTIALOUTAGE": PARTIAL, "MAJOROUTAGE": MAJOR,
    "UNDERMAINTENANCE": MAINTENANCE,
}  # fmt: skip


def url(vendor: Vendor) -> str:
    return vendor.url if vendor.url.endswith(".json") else vendor.url.rstrip("/") + "/summary.json"


def _components(rows: list[dict], group: str | None = None) -> list[Component]:
    found = []
    for row in rows:
        children = items(row.get("children"))
        if children:
            found += _components(children, text(row.get("name")))
        else:
            found.append(
                Component(
                    text(row.get("name")),
                    IMPACT_STATES.get(text(row.get("status")).upper(), UNKNOWN),
                    group,
                    id=text(row.get("id")) or None,
                )
            )
    return found


def parse(fetched: Fetched, vendor: Vendor) -> Parsed:
    raw = load_any(fetched)
    rows = raw if isinstance(raw, list) else mapping(raw).get("components")
    if isinstance(rows, list) and "page" not in mapping(raw):  # v2/components.json
        listed = items(rows)
        if not listed or not all("name" in r and "status" in r for r in listed):
            raise ParseError("not an Instatus components list (no name and status)")
        components = _components(listed)
        groups = tuple(
            Group(
                text(r.get("name")),
                worst(c.state for c in components if c.group == text(r.get("name"))),
                text(r.get("id")) or None,
            )
            for r in listed
            if items(r.get("children"))
        )
        return Parsed(worst([OPERATIONAL, *(c.state for c in components)]), tuple(components), groups=groups)
    data = mapping(raw)
    if not data:
        raise ParseError("JSON list where an Instatus summary was expected")
    page = mapping(data.get("page"))
    page_state = PAGE_STATES.get(text(page.get("status")).upper())
    if page_state is None:
        raise ParseError(f"unknown Instatus page status {text(page.get('status'))[:30]!r}")
    incidents = tuple(
        VendorIncident(
            text(i.get("name")),
            IMPACT_STATES.get(text(i.get("impact")).upper(), DEGRADED),
            text(i.get("status")).lower(),
            text(i.get("updatedAt") or i.get("started")) or None,
            "",
        )
        for i in items(data.get("activeIncidents"))
    )
    maintenances = tuple(
        Maintenance(text(m.get("name")), text(m.get("status")).lower(), text(m.get("start")) or None, None)
        for m in items(data.get("activeMaintenances"))
    )
    return Parsed(worst([page_state] + [i.impact for i in incidents]), (), incidents, maintenances, None)


PROVIDER = Provider("instatus", url, parse)
