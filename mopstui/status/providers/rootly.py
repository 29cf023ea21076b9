"""Rootly status pages: `/api/v1/status.json` on the page's custom domain.

`{page: {name, url, updated_at}, status: {indicator, description}, incidents: [...]}`: the
indicator is `none`, `minor` (minor outage or degraded performance), `major` (major outage or a
critical incident) or `maintenance`; each active incident has `name`, `status`, `impact`
(`critical`, `major`, `minor`, `none`, from its severity), `started_at`, `resolved_at` and
`incident_updates` (`body`, `status`, `created_at`). The page lists no components: only the whole
page can be watched.
"""

from __future__ import annotations

from ...config import Vendor
from ..model import DEGRADED, MAINTENANCE, MAJOR, OPERATIONAL, PARTIAL, Parsed, VendorIncident, worst
from . import Fetched, ParseError, Provider
from ._json import items, load_object, mapping, text

INDICATOR_STATES = {"none": OPERATIONAL, "minor": DEGRADED, "major": PARTIAL, "maintenance": MAINTENANCE}
IMPACT_STATES = {"none": OPERATIONAL, "minor": DEGRADED, "major": PARTIAL, "critical": MAJOR}
CLOSED = ("resolved", "closed", "cancelled", "completed")


def url(vendor: Vendor) -> str:
    return vendor.url if vendor.url.endswith(".json") else vendor.url.rstrip("/") + "/api/v1/status.json"


def parse(fetched: Fetched, vendor: Vendor) -> Parsed:
    data = load_object(fetched)
    said = mapping(data.get("status")).get("indicator")
    if not isinstance(said, str) or "page" not in data:
        raise ParseError("not a Rootly status (no page, no status indicator)")
    if said not in INDICATOR_STATES:
        raise ParseError(f"a Rootly status indicator mopstui does not know ({said[:40]!r})")
    incidents = []
    for incident in items(data.get("incidents")):
        if incident.get("resolved_at") or text(incident.get("status")) in CLOSED:
            continue
        updates = items(incident.get("incident_updates"))
        latest = max(updates, key=lambda u: text(u.get("created_at")), default={})
        incidents.append(
            VendorIncident(
                title=text(incident.get("name")),
                impact=IMPACT_STATES.get(text(incident.get("impact")), DEGRADED),
                status=text(latest.get("status") or incident.get("status")),
                updated_at=text(latest.get("created_at") or incident.get("started_at")) or None,
                latest_update=text(latest.get("body")),
            )
        )
    indicator = INDICATOR_STATES[said]
    # The indicator is the page's current word; an open incident it does not yet reflect still counts.
    state = indicator if indicator != OPERATIONAL else worst([OPERATIONAL, *(i.impact for i in incidents)])
    updated = text(mapping(data.get("page")).get("updated_at")) or None
    return Parsed(state, (), tuple(incidents), (), updated)


PROVIDER = Provider("rootly", url, parse)
