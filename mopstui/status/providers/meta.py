"""Meta's status (`metastatus.com/data/orgs.json`): a list of organisations (Ads Manager,
Marketing API, WhatsApp Business API ...), each with services whose `status` is a phrase
("No known issues", "Low disruptions", "High disruptions" ...). `product` in the vendor's config
keeps one organisation, by id or name."""

from __future__ import annotations

from ...config import Vendor
from ..model import DEGRADED, MAINTENANCE, MAJOR, OPERATIONAL, PARTIAL, UNKNOWN, Component, Parsed, worst
from . import Fetched, ParseError, Provider, configured_url
from ._json import items, load_any, text


def state_of(phrase: str) -> str:
    words = phrase.strip().lower()
    if not words:
        return UNKNOWN
    if "no known issues" in words or words in ("resolved", "operational", "healthy"):
        return OPERATIONAL
    if "maintenance" in words:
        return MAINTENANCE
    if "high" in words or "major" in words or "outage" in words:
        return MAJOR
    if "medium" in words:
        return PARTIAL
    if "low" in words or "disruption" in words or "degraded" in words:
        return DEGRADED
    return UNKNOWN


def parse(fetched: Fetched, vendor: Vendor) -> Parsed:
    data = load_any(fetched)
    if (
        not isinstance(data, list)
        or not data
        or not all(isinstance(o, dict) and isinstance(o.get("services"), list) for o in data[:50])
    ):
        raise ParseError("not Meta's status (a list of organisations, each with services)")
    orgs = items(data)
    if vendor.product:
        wanted = vendor.product.strip().casefold()
        orgs = [o for o in orgs if wanted in (text(o.get("id")).casefold(), text(o.get("name")).casefold())]
        if not orgs:
            raise ParseError(f"no organisation {vendor.product!r} on Meta's status")
    components = tuple(
        Component(
            text(service.get("name")), state_of(text(service.get("status"))), text(org.get("name") or org.get("id")) or None
        )
        for org in orgs
        for service in items(org.get("services"))
    )
    return Parsed(worst(c.state for c in components), components, (), (), None)


PROVIDER = Provider("meta", configured_url, parse)
