"""Google's status dashboards (`incidents.json` of Workspace, Cloud, Ads, Analytics): a list of
incidents, open while they have no `end`; `product` in the vendor's config keeps only that
product's (by title, id or service name)."""

from __future__ import annotations

from ...config import Vendor
from ..model import DEGRADED, MAJOR, OPERATIONAL, PARTIAL, Component, Parsed, VendorIncident, worst
from . import Fetched, ParseError, Provider, configured_url
from ._json import items, load_any, mapping, text

IMPACTS = {"SERVICE_OUTAGE": MAJOR, "SERVICE_DISRUPTION": PARTIAL, "SERVICE_INFORMATION": DEGRADED}
SEVERITIES = {"high": MAJOR, "medium": PARTIAL, "low": DEGRADED}


def _products(incident: dict) -> list[str]:
    names = [text(p.get("title")) for p in items(incident.get("affected_products"))]
    return names or [text(incident.get("service_name"))]


def _concerns(incident: dict, product: str) -> bool:
    """Whether an incident is about `product`: by a product's title or id, or the dashboard's
    service name, compared as people write them (the Ads and Analytics dashboards name a product
    "Google Ads", "google ads " or by id, and some incidents carry only `service_name`)."""
    wanted = product.strip().casefold()
    names = [text(p.get(key)) for p in items(incident.get("affected_products")) for key in ("title", "id")]
    names += [text(incident.get("service_name")), text(incident.get("service_key"))]
    return any(name.strip().casefold() == wanted for name in names if name)


def parse(fetched: Fetched, vendor: Vendor) -> Parsed:
    data = load_any(fetched)
    # A list is not enough (a Salesforce Trust payload is one too): Google's incidents each carry
    # a description and a start.
    if not isinstance(data, list) or not all(isinstance(i, dict) and "external_desc" in i and "begin" in i for i in data[:50]):
        raise ParseError("not a Google incidents list (each incident needs external_desc and begin)")
    incidents: list = []
    affected: dict[str, str] = {}
    for incident in items(data):
        if incident.get("end"):
            continue
        products = _products(incident)
        if vendor.product and not _concerns(incident, vendor.product):
            continue
        impact = IMPACTS.get(text(incident.get("status_impact"))) or SEVERITIES.get(text(incident.get("severity")), DEGRADED)
        latest = mapping(incident.get("most_recent_update"))
        incidents.append(
            VendorIncident(
                text(incident.get("external_desc")),
                impact,
                text(latest.get("status")).lower(),
                text(latest.get("modified") or incident.get("modified")) or None,
                text(latest.get("text")),
            )
        )
        for name in products:
            affected[name] = worst([affected.get(name), impact])
    components = [Component(name, state) for name, state in affected.items()]
    components += [Component(c.name, OPERATIONAL) for c in vendor.components if c.name not in affected]
    return Parsed(worst([OPERATIONAL] + [i.impact for i in incidents]), tuple(components), tuple(incidents), (), None)


PROVIDER = Provider("google", configured_url, parse)
