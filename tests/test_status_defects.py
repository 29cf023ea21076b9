"""The smaller defects found on real payloads, each on a payload of the shape that broke."""

import json

import pytest

from .status_server import StatusServer
from .test_status import poll_one


@pytest.fixture
def server():
    with StatusServer() as srv:
        yield srv


def test_statuspage_incident_impact_is_history_once_the_page_says_it_is_mitigated(tmp_path, server):
    """The page says "Partially Degraded Service" (minor) and its one component is degraded; the
    incident was declared major. The vendor is degraded, not a partial outage."""
    page = {"page": {"name": "P"}, "status": {"indicator": "minor", "description": "Partially Degraded Service"},
            "components": [{"id": "c1", "name": "API", "status": "degraded_performance"}],
            "incidents": [{"name": "API errors", "status": "monitoring", "impact": "major", "components": [{"id": "c1"}],
                           "incident_updates": [{"body": "A fix is in place", "created_at": "2026-12-01T10:00:00Z"}]}]}
    url = server.serve("/p/api/v2/summary.json", json.dumps(page))
    status = poll_one(tmp_path, "statuspage", url)
    assert status.state == "degraded"
    assert [(i.title, i.impact) for i in status.incidents] == [("API errors", "degraded")]
    # With no word from the page (indicator "none"), an open incident still counts as declared.
    page["status"]["indicator"], page["components"][0]["status"] = "none", "operational"
    url = server.serve("/q/api/v2/summary.json", json.dumps(page))
    assert poll_one(tmp_path, "statuspage", url).state == "partial_outage"


def test_a_404_says_which_derived_url_was_fetched(tmp_path, server):
    status = poll_one(tmp_path, "statuspage", server.url("/moved"))
    assert status.reason == f"HTTP 404 from {server.url('/moved/api/v2/summary.json')}"
    configured = poll_one(tmp_path, "statuspage", server.url("/moved/api/v2/summary.json"))
    assert configured.reason == "HTTP 404"  # the configured URL itself: the user knows which
