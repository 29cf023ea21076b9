"""Instatus pages (`/summary.json`): the page's overall status and its active incidents."""

from __future__ import annotations

from ...config import Vendor
from ..model import DEGRADED, MAINTENANCE, MAJOR, OPERATIONAL, PARTIAL, Maintenance, Parsed, VendorIncident, worst
from . import Fetched, ParseError, Provider
from ._json import items, load_object, mapping, text

PAGE_STATES = {"UP": OPERATIONAL, "HASISSUES": DEGRADED, "UNDERMAINTENANCE": MAINTENANCE}
IMPACT_STATES = {
    "OPERATIONAL": OPERATIONAL, "DEGRADEDPERFORMANCE": DEGRADED, "PARTIALOUTAGE": PARTIAL, "MAJOROUTAGE": MAJOR,
    "UNDERMAINTENANCE": MAINTENANCE,
}  # fmt: skip


def url(vendor: Vendor) -> str:
    return vendor.url if vendor.url.endswith(".json") else vendor.url.rstrip("/") + "/summary.json"


def parse(fetched: Fetched, vendor: Vendor) -> Parsed:
    data = load_object(fetched)
    page = mapping(data.get("page"))
    page_state = PAGE_STATES.get(text(page.get("status")).upper())
    if page_state is None:
        raise ParseError(f"unknown Instatus page status {text(page.get('status'))[:30]!r}")
    incidents = tuple(
        VendorIncident(text(i.get("name")), IMPACT_STATES.get(text(i.get("impact")).upper(), DEGRADED),
                       text(i.get("status")).lower(), text(i.get("updatedAt") or i.get("started")) or None, "")
        for i in items(data.get("activeIncidents"))
    )
    maintenances = tuple(
        Maintenance(text(m.get("name")), text(m.get("status")).lower(), text(m.get("start")) or None, None)
        for m in items(data.get("activeMaintenances"))
    )
    return Parsed(worst([page_state] + [i.impact for i in incidents]), (), incidents, maintenances, None)


PROVIDER = Provider("instatus", url, parse)
