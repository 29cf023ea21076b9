"""A scripted incident with exact times, for the export's golden files.

It starts at 00:50 UTC on 2026-03-29, ten minutes before the UK moves its clocks forward, so
the Europe/London times in the documents cross a DST change.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from mopstui.config import load
from mopstui.domain.catalog import catalog_snapshot
from mopstui.store import Store

START = datetime(2026, 3, 29, 0, 50, tzinfo=UTC)
EXPORTED_AT = datetime(2026, 3, 29, 3, 0, tzinfo=UTC)
CONFIG = """\
timezone: Europe/London
comms: {update_every: 15m}
vendors:
  - {id: hubspot, name: HubSpot, kind: statuspage, url: "https://status.hubspot.com", components: [Forms]}
services:
  - {id: lead-form, name: Website lead form, owner: web-team, tier: 1, touchpoint: lead capture, vendor: hubspot, components: [Forms]}
"""
HOSTILE = "Form endpoint returns 500 | since deploy <script>alert(1)</script> `rm -rf` \x1b[2J*bold* [link](http://x)"


def at(minutes: float) -> datetime:
    return START + timedelta(minutes=minutes)


def write_config(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text(CONFIG)
    return load([path], database=str(tmp_path / "warroom.db"))


def build(store: Store, config, *, resolve: bool = True) -> int:
    incident = store.declare(
        "Lead form not submitting",
        severity="SEV1",
        author="priya",
        services=["lead-form"],
        at=START,
        catalog=catalog_snapshot(config),
        replay_recorded_at=START,
    )
    i = incident.id

    def log(minutes, kind, text, author, recorded=None, **extra):
        return store.append(i, kind, text, author=author, at=at(minutes), replay_recorded_at=at(recorded or minutes), **extra)

    log(1, "customer", "Prospect says the demo form spins forever", "sam")
    action = log(3, "action", "Rolled back the tag manager container", "priya")
    hostile = log(5, "note", HOSTILE, "sam")
    log(8, "comms", "Banner posted on the pricing page", "sam")
    log(9, "note", '=HYPERLINK("http://evil","click")', "mallory")
    log(15, "status", "status → identified", "priya", value="identified")
    log(2, "note", "First 500 in the logs at 00:52", "priya", recorded=16)  # back-dated
    log(17, "correction", "Form endpoint returns 500 since the 00:49 deploy", "sam", ref=hostile.id)
    log(17.5, "star", f"starred #{action.id}", "priya", ref=action.id)
    log(18, "role", "comms → sam", "priya", value=json.dumps({"role": "comms", "user": "sam"}))
    log(30, "status", "status → monitoring", "priya", value="monitoring")
    log(52, "comms", "Fixed. Apologies to everyone who could not reach us", "sam")
    log(55, "action_item", "Add a synthetic check for the demo form", "priya")
    log(56, "lesson", "Tag manager changes need a second pair of eyes", "sam")
    if resolve:
        log(60, "status", "status → resolved", "priya", value="resolved")
    store.save_vendor_statuses(
        {},
        [
            {
                "vendor_id": "hubspot",
                "component": "Forms",
                "group_name": None,
                "state": "major_outage",
                "previous_state": "operational",
                "vendor_time": "2026-03-29T00:53:00Z",
                "seen_at": at(4).isoformat(),
            },
            {
                "vendor_id": "hubspot",
                "component": "Forms",
                "group_name": None,
                "state": "operational",
                "previous_state": "major_outage",
                "vendor_time": "2026-03-29T01:28:00Z",
                "seen_at": at(40).isoformat(),
            },
            {
                "vendor_id": "hubspot",
                "component": "Forms",
                "group_name": None,
                "state": "degraded",
                "previous_state": "operational",
                "vendor_time": None,
                "seen_at": at(200).isoformat(),
            },  # after: not in the window
        ],
    )
    return i
