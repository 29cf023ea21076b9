"""Cachet pages (`/api/v1/components`): `{data: [{id, name, status, status_name, group_id}]}`,
status 1 operational, 2 performance issues, 3 partial outage, 4 major outage."""

from __future__ import annotations

from ...config import Vendor
from ..model import DEGRADED, MAJOR, OPERATIONAL, PARTIAL, UNKNOWN, Component, Parsed, worst
from . import Fetched, ParseError, Provider
from ._json import items, load_object, text

STATES = {1: OPERATIONAL, 2: DEGRADED, 3: PARTIAL, 4: MAJOR}


def url(vendor: Vendor) -> str:
    return vendor.url if "/api/v1/" in vendor.url else vendor.url.rstrip("/") + "/api/v1/components"


def _state(value: object) -> str:
    try:
        return STATES.get(int(str(value)), UNKNOWN)
    except ValueError:
        return UNKNOWN


def parse(fetched: Fetched, vendor: Vendor) -> Parsed:
    data = load_object(fetched)
    rows = items(data.get("data"))
    if not isinstance(data.get("data"), list) or (rows and not all("status" in r and "name" in r for r in rows)):
        raise ParseError("not a Cachet components list (no data[] with name and status)")
    components = tuple(
        Component(text(r.get("name")), _state(r.get("status")), None, id=text(r.get("id")) or None)
        for r in rows
        if r.get("enabled", True) is not False
    )
    return Parsed(worst([OPERATIONAL, *(c.state for c in components)]), components)


PROVIDER = Provider("cachet", url, parse)
