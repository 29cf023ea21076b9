"""Stripe's own status JSON (`status.stripe.com/current/full`): `UptimeStatus` (up, degraded,
down; pending and paused while a state is being set), a `message`, and `uptimeData` with a
`warning` on each part of the API that has one."""

from __future__ import annotations

from urllib.parse import urlsplit

from ...config import Vendor
from ..model import DEGRADED, MAINTENANCE, MAJOR, OPERATIONAL, UNKNOWN, Component, Parsed, VendorIncident
from . import Fetched, ParseError, Provider
from ._json import items, load_object, text

UPTIME = {"up": OPERATIONAL, "degraded": DEGRADED, "down": MAJOR, "pending": MAINTENANCE, "paused": MAINTENANCE}


def url(vendor: Vendor) -> str:
    """The page's address (`https://status.stripe.com`) gets the JSON's path; any other is the endpoint."""
    return vendor.url.rstrip("/") + "/current/full" if urlsplit(vendor.url).path in ("", "/") else vendor.url


def parse(fetched: Fetched, vendor: Vendor) -> Parsed:
    data = load_object(fetched)
    if "UptimeStatus" not in data:
        raise ParseError("not Stripe's status (no UptimeStatus)")
    state = UPTIME.get(text(data["UptimeStatus"]).lower(), UNKNOWN)
    components = tuple(
        Component(text(part.get("title") or part.get("key")), DEGRADED if part.get("warning") else OPERATIONAL)
        for part in items(data.get("uptimeData"))
        if part.get("title") or part.get("key")
    )
    message = text(data.get("message"))
    troubled = state in (DEGRADED, MAJOR)
    incidents = (VendorIncident(message or "Stripe reports a problem", state, "open", None, ""),) if troubled else ()
    return Parsed(state, components, incidents, (), None)


PROVIDER = Provider("stripe", url, parse)
