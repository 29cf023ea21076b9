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
    page = {
        "page": {"name": "P"},
        "status": {"indicator": "minor", "description": "Partially Degraded Service"},
        "components": [{"id": "c1", "name": "API", "status": "degraded_performance"}],
        "incidents": [
            {
                "name": "API errors",
                "status": "monitoring",
                "impact": "major",
                "components": [{"id": "c1"}],
                "incident_updates": [{"body": "A fix is in place", "created_at": "2026-12-01T10:00:00Z"}],
            }
        ],
    }
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


def test_salesforce_instances_list_keeps_only_the_named_instance(tmp_path, server):
    """1,463 instances, one degraded: the vendor is degraded only for the team on that instance."""
    instances = [{"key": f"NA{n}", "location": "NA", "status": "OK", "isActive": True} for n in range(1, 1464)]
    instances[99]["status"] = "MINOR_INCIDENT_CORE"  # NA100
    url = server.serve("/v1/instances/status/preview", json.dumps(instances))
    ours = poll_one(tmp_path, "salesforce", url, product="NA224")
    assert ours.state == "operational" and [c.name for c in ours.components] == ["NA224"]
    assert poll_one(tmp_path, "salesforce", url, product="na100").state == "degraded"
    gone = poll_one(tmp_path, "salesforce", url, product="EU999")
    assert gone.state == "unknown" and "'EU999' is not in the instances list" in gone.reason


def backstage(tmp_path, *documents: str):
    path = tmp_path / "catalog-info.yaml"
    path.write_text("\n---\n".join(documents))
    from mopstui.config.backstage import import_backstage

    return import_backstage([path])


def component_doc(name: str, spec: str = "", links: str = "", tags: str = "") -> str:
    return (
        f"apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\n{tags}{links}"
        f"spec:\n  type: service\n  owner: web-team\n  lifecycle: production\n{spec}"
    )


def test_backstage_subcomponent_of_a_single_reference(tmp_path):
    result = backstage(tmp_path, component_doc("website"), component_doc("search-box", "  subcomponentOf: website\n"))
    by_id = {s["id"]: s for s in result.services}
    assert by_id["website"]["depends_on"] == ["search-box"]
    assert not [p for p in result.problems if "component:default/w:" in p]  # not read letter by letter


def test_backstage_a_slack_channel_is_not_the_vendor_slack(tmp_path):
    links = "  links:\n    - {url: 'https://acme.slack.com/archives/C0123', title: '#web-oncall'}\n"
    result = backstage(tmp_path, component_doc("website", links=links))
    assert "vendor" not in result.services[0] and not result.vendors


def test_backstage_order_is_not_checkout(tmp_path):
    result = backstage(tmp_path, component_doc("work-order-sync", tags="  tags: [order, internal]\n"))
    service = result.services[0]
    assert service.get("touchpoint") != "checkout" and service.get("tier") != 1
    assert backstage(tmp_path, component_doc("web-checkout")).services[0]["touchpoint"] == "checkout"


def test_catalog_prints_ids_whole(tmp_path):
    from .conftest import run_cli

    path = tmp_path / "c.yaml"
    path.write_text(
        "services:\n  - {id: lead-capture-form-europe, name: Form EU}\n  - {id: lead-capture-form-america, name: Form US}\n"
    )
    out = run_cli("--config", str(path), "--db", str(tmp_path / "w.db"), "catalog").stdout
    assert "lead-capture-form-europe " in out and "lead-capture-form-america " in out
