"""Google's status dashboards (`incidents.json` of Workspace, Cloud, Ads): a list of incidents,
open while they have no `end`; `product` in the vendor's config keeps only that product's."""

from __future__ import annotations

import json

from ...config import Vendor
from ..model import DEGRADED, MAJOR, OPERATIONAL, PARTIAL, Component, Parsed, VendorIncident, worst
from . import Fetched, ParseError, Provider, configured_url
from ._json import items, mapping, text

IMPACTS = {"SERVICE_OUTAGE": MAJOR, "SERVICE_DISRUPTION": PARTIAL, "SERVICE_INFORMATION": DEGRADED}
SEVERITIES = {"high": MAJOR, "medium": PARTIAL, "low": DEGRADED}


def _products(incident: dict) -> list[str]:
    names = [text(p.get("title")) for p in items(incident.get("affected_products"))]
    return names or [text(incident.get("service_name"))]


def parse(fetched: Fetched, vendor: Vendor) -> Parsed:
    body = fetched.body.strip()
    if not body or body[:1] == b"<":
        raise ParseError("empty body" if not body else "HTML instead of JSON")
    try:
        data = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise ParseError("invalid UTF-8") from None
    except json.JSONDecodeError as error:
        raise ParseError(f"bad JSON ({error.msg} at {error.pos})") from None
    except ValueError as error:  # e.g. an integer too long to convert: not a JSONDecodeError
        raise ParseError(f"bad JSON ({error})") from None
    # A list is not enough (a Salesforce Trust payload is one too): Google's incidents each carry
    # a description and a start.
    if not isinstance(data, list) or not all(isinstance(i, dict) and "external_desc" in i and "begin" in i
                                             for i in data[:50]):
        raise ParseError("not a Google incidents list (each incident needs external_desc and begin)")
    incidents: list = []
    affected: dict[str, str] = {}
    for incident in items(data):
        if incident.get("end"):
            continue
        products = _products(incident)
        if vendor.product and vendor.product not in products:
            continue
        impact = IMPACTS.get(text(incident.get("status_impact"))) or SEVERITIES.get(text(incident.get("severity")), DEGRADED)
        latest = mapping(incident.get("most_recent_update"))
        incidents.append(VendorIncident(text(incident.get("external_desc")), impact, text(latest.get("status")).lower(),
                                        text(latest.get("modified") or incident.get("modified")) or None,
                                        text(latest.get("text"))))
        for name in products:
            affected[name] = worst([affected.get(name), impact])
    components = [Component(name, state) for name, state in affected.items()]
    components += [Component(c.name, OPERATIONAL) for c in vendor.components if c.name not in affected]
    return Parsed(worst([OPERATIONAL] + [i.impact for i in incidents]), tuple(components), tuple(incidents), (), None)


PROVIDER = Provider("google", configured_url, parse)
