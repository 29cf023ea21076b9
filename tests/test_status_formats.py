"""The formats marketing stacks use beyond Statuspage: payloads written from each format's
documented shape, served over real HTTP on 127.0.0.1; a payload of the wrong shape is refused by name."""

import json

import pytest

from .status_server import StatusServer
from .test_status import poll_one

TRUST_INSTANCE = {
    "key": "NA224", "location": "NA", "environment": "production", "releaseVersion": "Winter '27", "status": "MINOR_INCIDENT_CORE",
    "isActive": True,
    "Incidents": [{
        "id": 17001, "isCore": True, "affectsAll": False, "instanceKeys": ["NA224"], "updatedAt": "2026-11-24T08:10:00.000Z",
        "message": {"pathToResolution": "Some users see errors logging in", "rootCause": ""},
        "IncidentImpacts": [{"startTime": "2026-11-24T07:55:00.000Z", "endTime": None, "type": "performanceDegradation"}],
        "IncidentEvents": [{"createdAt": "2026-11-24T08:05:00.000Z", "message": "We are investigating."}],
    }],
    "Maintenances": [{"id": 9, "plannedStartTime": "2026-11-28T02:00:00.000Z", "plannedEndTime": "2026-11-28T04:00:00.000Z",
                      "message": {"name": "NA224 Major Release Upgrade"}}],
}  # fmt: skip
TRUST_INCIDENTS = [
    {"id": 1, "isCore": True, "instanceKeys": ["NA224", "NA225"], "affectsAll": False, "updatedAt": "2026-11-24T08:00:00Z",
     "message": {"pathToResolution": "Marketing Cloud sends delayed"},
     "IncidentImpacts": [{"startTime": "2026-11-24T07:00:00Z", "endTime": None, "type": "serviceDisruption"}],
     "IncidentEvents": []},
    {"id": 2, "isCore": True, "instanceKeys": ["EU40"], "affectsAll": False,
     "IncidentImpacts": [{"startTime": "2026-11-24T07:00:00Z", "endTime": None, "type": "serviceDisruption"}]},
    {"id": 3, "isCore": True, "instanceKeys": ["NA224"], "affectsAll": False,
     "IncidentImpacts": [{"startTime": "2026-11-20T07:00:00Z", "endTime": "2026-11-20T09:00:00Z", "type": "serviceDisruption"}]},
]  # fmt: skip
ZENDESK_INCIDENTS = {
    "data": [
        {"id": "a1", "type": "incident", "attributes": {"name": "Help Center slow on Pod 13", "status": "investigating",
                                                         "outage": False, "startedAt": "2026-11-24T07:40:00Z", "resolvedAt": None}},
        {"id": "a0", "type": "incident", "attributes": {"name": "Old outage", "outage": True,
                                                         "startedAt": "2026-11-20T07:40:00Z", "resolvedAt": "2026-11-20T09:00:00Z"}},
    ],
    "included": [
        {"id": "s1", "type": "incidentService", "attributes": {"serviceName": "Help Center", "outage": False, "degradation": True,
                                                               "resolvedAt": None}},
        {"id": "s0", "type": "incidentService", "attributes": {"serviceName": "Support", "outage": True,
                                                               "resolvedAt": "2026-11-20T09:00:00Z"}},
    ],
}  # fmt: skip
META_ORGS = [
    {"id": "ads-manager", "name": "Ads Manager", "services": [
        {"id": 1, "name": "Ad delivery", "status": "No known issues"},
        {"id": 2, "name": "Reporting", "status": "Medium disruptions"}]},
    {"id": "whatsapp-business-api", "name": "WhatsApp Business API", "services": [
        {"id": 4, "name": "Cloud API", "status": "High disruptions"}]},
]  # fmt: skip


@pytest.fixture
def server():
    with StatusServer() as srv:
        yield srv


def test_salesforce_instance_status(tmp_path, server):
    url = server.serve("/v1/instances/NA224/status", json.dumps(TRUST_INSTANCE))
    status = poll_one(tmp_path, "salesforce", url)
    assert status.state == "degraded" and status.reason == ""
    assert [(c.group, c.name, c.state) for c in status.components] == [("NA", "NA224", "degraded")]
    assert status.incidents[0].title == "Some users see errors logging in"
    assert status.incidents[0].latest_update == "We are investigating."
    assert status.maintenances[0].title == "NA224 Major Release Upgrade"
    assert status.maintenances[0].starts_at == "2026-11-28T02:00:00.000Z"


def test_salesforce_instance_list_and_incidents_for_one_instance(tmp_path, server):
    instances = [
        {"key": "NA224", "location": "NA", "status": "OK", "isActive": True},
        {"key": "EU40", "location": "EMEA", "status": "MAJOR_INCIDENT_CORE", "isActive": True},
    ]
    url = server.serve("/v1/instances/status/preview", json.dumps(instances))
    status = poll_one(tmp_path, "salesforce", url, components=["NA224"])
    assert status.state == "operational", "EU40's outage is not ours: only NA224 is watched"
    url = server.serve("/v1/incidents", json.dumps(TRUST_INCIDENTS))
    ours = poll_one(tmp_path, "salesforce", url, product="na224")
    assert [i.title for i in ours.incidents] == ["Marketing Cloud sends delayed"] and ours.state == "major_outage"
    everyone = poll_one(tmp_path, "salesforce", url)
    assert len(everyone.incidents) == 2, "the resolved incident (every impact ended) is not open"


def test_stripe_current_full(tmp_path, server):
    payload = {
        "UptimeStatus": "degraded",
        "message": "Elevated API error rates",
        "uptimeData": [{"key": "api", "title": "API", "warning": "errors"}, {"key": "dashboard", "title": "Dashboard"}],
    }
    server.serve("/current/full", json.dumps(payload))
    status = poll_one(tmp_path, "stripe", server.base)
    assert status.state == "degraded" and status.incidents[0].title == "Elevated API error rates"
    assert [(c.name, c.state) for c in status.components] == [("API", "degraded"), ("Dashboard", "operational")]


def test_zendesk_open_incidents_from_resolved_at(tmp_path, server):
    server.serve("/api/ssp/incidents.json", json.dumps(ZENDESK_INCIDENTS))
    status = poll_one(tmp_path, "zendesk", server.base, components=["Help Center", "Support"])
    assert status.state == "degraded"
    assert [i.title for i in status.incidents] == ["Help Center slow on Pod 13"]
    assert {c.name: c.state for c in status.components} == {"Help Center": "degraded", "Support": "operational"}
    server.serve("/api/ssp/incidents.json", json.dumps({"data": [], "included": []}))
    assert poll_one(tmp_path, "zendesk", server.base).state == "operational"


def test_meta_organisations_and_product_filter(tmp_path, server):
    url = server.serve("/data/orgs.json", json.dumps(META_ORGS))
    ads = poll_one(tmp_path, "meta", url, product="ads-manager")
    assert ads.state == "partial_outage"
    assert [(c.group, c.name, c.state) for c in ads.components] == [
        ("Ads Manager", "Ad delivery", "operational"),
        ("Ads Manager", "Reporting", "partial_outage"),
    ]
    assert poll_one(tmp_path, "meta", url).state == "major_outage"
    missing = poll_one(tmp_path, "meta", url, product="nope")
    assert missing.state == "unknown" and "no organisation 'nope'" in missing.reason


def test_google_ads_and_analytics_by_product(tmp_path, server):
    payload = [
        {"id": "1", "begin": "2026-11-24T07:00:00Z", "external_desc": "Conversions delayed", "service_name": "Google Ads",
         "status_impact": "SERVICE_DISRUPTION", "affected_products": [{"title": "Google Ads", "id": "ads"}]},
        {"id": "2", "begin": "2026-11-24T07:00:00Z", "external_desc": "Realtime reports empty", "service_key": "analytics",
         "service_name": "Google Analytics", "status_impact": "SERVICE_OUTAGE"},
    ]  # fmt: skip
    url = server.serve("/status/publisher/incidents.json", json.dumps(payload))
    ads = poll_one(tmp_path, "google", url, product="google ads ")
    assert [i.title for i in ads.incidents] == ["Conversions delayed"] and ads.state == "partial_outage"
    analytics = poll_one(tmp_path, "google", url, product="analytics")
    assert [i.title for i in analytics.incidents] == ["Realtime reports empty"] and analytics.state == "major_outage"


@pytest.mark.parametrize("kind, payload, reason", [
    ("salesforce", {"status": {"indicator": "none"}, "components": []}, "not a Salesforce Trust payload"),
    ("salesforce", [{"external_desc": "x", "begin": "y"}], "not a Salesforce Trust payload"),
    ("stripe", {"status": {"indicator": "none"}}, "not Stripe's status"),
    ("zendesk", [1, 2], "JSON list where an object was expected"),
    ("zendesk", {"data": [{"id": "1", "type": "service", "attributes": {"name": "Support"}}]}, "carries no status"),
    ("zendesk", {"status": {"indicator": "none"}}, "not a Zendesk status payload"),
    ("meta", TRUST_INCIDENTS, "not Meta's status"),
    ("meta", {"data": []}, "not Meta's status"),
    ("google", [TRUST_INSTANCE], "not a Google incidents list"),
])  # fmt: skip
def test_a_payload_of_the_wrong_shape_is_refused_by_name(tmp_path, server, kind, payload, reason):
    url = server.serve("/payload.json", json.dumps(payload))
    status = poll_one(tmp_path, kind, url)
    assert status.state == "unknown" and reason in status.reason
