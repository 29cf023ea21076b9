"""Hyperping, Rootly and incident.io's widget API, each from its documented shape (fixtures and
their sources in fixtures/status/formats/SOURCES.md), over real HTTP on 127.0.0.1."""

import json
import os

import pytest

from .status_server import FIXTURES, StatusServer
from .test_status import poll_one

FORMATS = FIXTURES / "formats"


@pytest.fixture
def server():
    with StatusServer() as srv:
        yield srv


@pytest.fixture(autouse=True)
def own_cache(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    return cache / "mopstui"


def test_hyperping_page_indicator_alone(tmp_path, server):
    url = server.serve("/status.json", (FORMATS / "hyperping-status.json").read_bytes())
    status = poll_one(tmp_path, "hyperping", url)
    assert (status.state, status.components, status.reason) == ("partial_outage", (), "")
    for said, state in (("up", "operational"), ("outage", "major_outage"), ("maintenance", "maintenance")):
        server.serve("/status.json", json.dumps({"indicator": said, "uptime": "99.9%"}))
        assert poll_one(tmp_path, "hyperping", url).state == state


def test_hyperping_services_are_components(tmp_path, server):
    url = server.serve("/status.json", (FORMATS / "hyperping-services.json").read_bytes())
    status = poll_one(tmp_path, "hyperping", server.url("/"))  # the page's URL: status.json is added
    assert [(c.name, c.state) for c in status.components] == [
        ("Web app", "operational"), ("Campaign sending", "major_outage"), ("API", "maintenance"),
    ]  # fmt: skip
    assert status.state == "major_outage"
    watched = poll_one(tmp_path, "hyperping", url, components=["Web app"])
    assert watched.state == "operational", "Campaign sending is down, but only the web app is watched"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"indicator": "sideways"}, "a Hyperping indicator mopstui does not know ('sideways')"),
        ({"status": "up"}, "not a Hyperping status (no indicator)"),
        (
            {"indicator": "up", "services": [{"name": "A", "indicator": "?"}]},
            "a Hyperping service indicator mopstui does not know ('?')",
        ),
    ],
)
def test_hyperping_answers_of_the_wrong_shape_are_refused_by_name(tmp_path, server, body, reason):
    url = server.serve("/status.json", json.dumps(body))
    status = poll_one(tmp_path, "hyperping", url)
    assert (status.state, status.reason) == ("unknown", reason)


def test_rootly_status_and_its_open_incidents(tmp_path, server):
    url = server.serve("/api/v1/status.json", (FORMATS / "rootly-status.json").read_bytes())
    status = poll_one(tmp_path, "rootly", server.url("/"))
    assert status.state == "degraded" and status.reason == ""
    assert [(i.title, i.impact, i.status) for i in status.incidents] == [("Form submissions delayed", "degraded", "identified")]
    assert status.incidents[0].latest_update == "The cause is found; submissions are catching up."
    assert status.vendor_updated_at == "2026-12-01T10:40:00Z"
    quiet = {"page": {"name": "Acme"}, "status": {"indicator": "none", "description": "All Systems Operational"}, "incidents": []}
    server.serve("/api/v1/status.json", json.dumps(quiet))
    assert poll_one(tmp_path, "rootly", url).state == "operational"
    quiet["incidents"] = [{"name": "Just opened", "impact": "critical", "status": "started", "resolved_at": None}]
    server.serve("/api/v1/status.json", json.dumps(quiet))
    assert poll_one(tmp_path, "rootly", url).state == "major_outage", "an open incident the indicator has not caught up with"


def test_a_page_that_lists_no_components_says_so_when_components_are_watched(tmp_path, server):
    url = server.serve("/api/v1/status.json", (FORMATS / "rootly-status.json").read_bytes())
    status = poll_one(tmp_path, "rootly", url, components=["Forms"])
    assert status.state == "unknown"
    assert "this page lists no components, only the whole page" in status.reason
    assert status.watched_components[0].note.startswith("this page lists no components")


def test_rootly_refuses_a_statuspage_lookalike_without_page(tmp_path, server):
    url = server.serve("/api/v1/status.json", json.dumps({"status": {"indicator": "none"}}))
    status = poll_one(tmp_path, "rootly", url)
    assert (status.state, status.reason) == ("unknown", "not a Rootly status (no page, no status indicator)")


def test_incident_io_widget_incidents_maintenances_and_affected_components(tmp_path, server):
    url = server.serve("/api/v1/summary", (FORMATS / "incidentio-widget.json").read_bytes())
    status = poll_one(tmp_path, "incidentio_widget", server.url("/"))
    assert status.state == "partial_outage"
    assert [(c.group, c.name, c.state) for c in status.components] == [
        ("US Cloud", "Event ingestion", "partial_outage"), ("US Cloud", "App", "degraded"), ("EU Cloud", "App", "maintenance"),
    ]  # fmt: skip
    assert [(i.title, i.status) for i in status.incidents] == [("Events delayed in the US region", "identified")]
    assert [(m.title, m.status, m.starts_at) for m in status.maintenances] == [
        ("Session replay storage move", "in progress", "2026-12-01T09:00:00Z"),
        ("Database upgrade", "scheduled", "2026-12-20T02:00:00Z"),
    ]
    # Only affected components are listed: one no incident names is operational by the page's word.
    calm = poll_one(tmp_path, "incidentio_widget", url, components=["Feature flags", "EU Cloud / App"])
    assert [(c.name, c.state) for c in calm.watched_components] == [("Feature flags", "operational"), ("App", "maintenance")]
    assert calm.state == "maintenance" and calm.reason == ""
    both = poll_one(tmp_path, "incidentio_widget", url, components=["App"])
    assert both.state == "unknown" and "2 on the page have this name" in both.watched_components[0].note


def test_a_widget_with_nothing_going_on_is_operational_and_other_json_is_refused(tmp_path, server):
    empty = {"page_title": "X", "page_url": "https://x/", "ongoing_incidents": [], "in_progress_maintenances": [],
             "scheduled_maintenances": []}  # fmt: skip
    url = server.serve("/api/v1/summary", json.dumps(empty))
    assert poll_one(tmp_path, "incidentio_widget", url).state == "operational"
    pasted = server.serve("/proxy/status.example/widget", json.dumps(empty))  # the URL the page's settings show, whole
    assert poll_one(tmp_path, "incidentio_widget", pasted).state == "operational"
    server.serve("/api/v1/summary", json.dumps({"summary": {"components": []}}))
    refused = poll_one(tmp_path, "incidentio_widget", url)
    assert refused.state == "unknown" and refused.reason.startswith("not an incident.io widget answer")


def test_detection_asks_hyperping_and_rootly_after_sorry_and_before_cachet(tmp_path, server):
    server.serve("/api/v1/status.json", (FORMATS / "rootly-status.json").read_bytes())
    server.serve("/api/v1/components", (FORMATS / "cachet-components.json").read_bytes())
    assert poll_one(tmp_path, "auto", server.url("/")).kind == "rootly"
    assert server.requests["/api/v1/components"] == 0
    order = list(server.requests)
    assert order.index("/api/v1/summary") < order.index("/feed.rss") < order.index("/api/v1/status")
    assert order.index("/api/v1/status") < order.index("/status.json") < order.index("/api/v1/status.json")
    os.remove(tmp_path / "cache" / "mopstui" / "detected-formats.json")
    server.serve("/status.json", (FORMATS / "hyperping-status.json").read_bytes())
    assert poll_one(tmp_path, "auto", server.url("/")).kind == "hyperping"


def test_vendors_components_says_what_each_page_can_show(tmp_path, server):
    from .conftest import run_cli

    server.serve("/w/api/v1/summary", (FORMATS / "incidentio-widget.json").read_bytes())
    server.serve("/r/api/v1/status.json", (FORMATS / "rootly-status.json").read_bytes())
    path = tmp_path / "c.yaml"
    path.write_text(f"""polling: {{timeout: 2s}}
vendors:
  - {{id: posthog, name: PostHog, url: "{server.url("/w")}"}}
  - {{id: forms, name: Acme Forms, url: "{server.url("/r")}", components: [Forms]}}
""")
    widget = run_cli("--config", str(path), "vendors", "components", "posthog")
    assert widget.returncode == 0 and "(incidentio_widget)" in widget.stdout
    assert "lists only the components something affects right now" in widget.stdout
    assert "US Cloud / Event ingestion" in widget.stdout
    rootly = run_cli("--config", str(path), "vendors", "components", "forms")
    assert "(rootly)" in rootly.stdout and "the page lists no components" in rootly.stdout
    online = run_cli("--config", str(path), "check-config", "--online")
    assert online.returncode == 1
    assert "vendor forms (Acme Forms): this page lists no components, only the whole page" in online.stderr
