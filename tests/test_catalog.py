import json

import pytest

from mopstui.config import ConfigError, load
from mopstui.config.backstage import import_backstage, parse_ref
from mopstui.domain import catalog as cat
from mopstui.status.model import Component, VendorStatus

from .conftest import FIXTURES, run_cli, write

CONFIG = """\
vendors:
  - {id: hubspot, name: HubSpot, kind: statuspage, url: "https://status.hubspot.com", components: [Forms]}
  - {id: cloudflare, name: Cloudflare, kind: statuspage, url: "https://www.cloudflarestatus.com"}
  - {id: intercom, name: Intercom, kind: statuspage, url: "https://www.intercomstatus.com"}
services:
  - {id: cdn, name: CDN, tier: 1, touchpoint: website, vendor: cloudflare}
  - {id: tracking, name: Tracking, tier: 2, touchpoint: analytics, depends_on: [cdn]}
  - {id: forms, name: Lead form, tier: 1, touchpoint: lead capture, vendor: hubspot, components: [Forms], depends_on: [tracking, cdn]}
  - {id: landing, name: Landing pages, tier: 1, touchpoint: lead capture, vendor: hubspot, depends_on: [cdn]}
  - {id: chat, name: Chat, tier: 1, touchpoint: chat, vendor: intercom}
  - {id: top, name: Diamond top, tier: 3, touchpoint: reports, depends_on: [forms, landing]}
"""


@pytest.fixture
def config(tmp_path):
    return load([write(tmp_path / "c.yaml", CONFIG)])


def status(vendor_id, state, components=(), **kw):
    return VendorStatus(
        vendor_id,
        vendor_id.title(),
        "statuspage",
        state=state,
        last_good_at="2026-01-01T00:00:00+00:00",
        components=tuple(Component(n, s) for n, s in components),
        **kw,
    )


def test_everything_unknown_before_any_poll(config):
    health = cat.service_health(config, {})
    assert {h.state for h in health.values()} == {"unknown"}


def test_a_vendor_outage_propagates_as_at_risk_through_chains(config):
    statuses = {
        "cloudflare": status("cloudflare", "major_outage"),
        "hubspot": status("hubspot", "operational", [("Forms", "operational")]),
        "intercom": status("intercom", "operational"),
    }
    health = cat.service_health(config, statuses)
    assert health["cdn"].state == "major_outage"
    assert health["tracking"].state == "at_risk"  # no vendor of its own, depends on cdn
    assert health["forms"].state == "at_risk" and "CDN" in health["forms"].reason
    assert health["top"].state == "at_risk"  # transitively, through a diamond
    assert health["top"].via.count("cdn") == 1  # each upstream once, however many paths
    assert health["chat"].state == "operational"


def test_own_state_wins_over_at_risk(config):
    statuses = {
        "cloudflare": status("cloudflare", "degraded"),
        "hubspot": status("hubspot", "partial_outage", [("Forms", "major_outage")]),
    }
    health = cat.service_health(config, statuses)
    assert health["forms"].state == "major_outage"
    assert health["landing"].state == "partial_outage"  # no watched component: the vendor's overall state


def test_a_stale_vendor_is_unknown_not_up(config):
    stale = status("intercom", "operational", stale=True, reason="timeout after 10s")
    health = cat.service_health(config, {"intercom": stale})
    assert health["chat"].state == "unknown" and "stale" in health["chat"].reason


def test_touchpoint_roll_up(config):
    statuses = {
        "hubspot": status("hubspot", "major_outage", [("Forms", "major_outage")]),
        "cloudflare": status("cloudflare", "operational"),
        "intercom": status("intercom", "operational"),
    }
    health = cat.service_health(config, statuses)
    rollup = {t.name: t for t in cat.touchpoints(config, health)}
    assert rollup["lead capture"].state == "major_outage"
    assert set(rollup["lead capture"].culprits) == {"forms", "landing"}
    assert rollup["chat"].state == "operational"
    assert cat.touchpoints(config, health)[0].name == "lead capture"  # worst first
    ordered = [s.id for s in cat.sorted_services(config, health)]
    assert set(ordered[:2]) == {"forms", "landing"} and ordered[-1] in ("cdn", "chat")


def test_impact_of_a_vendor_component(config):
    reach = cat.impact(config, "cloudflare")
    assert reach["direct"] == ["cdn"]
    assert set(reach["at_risk"]) == {"tracking", "forms", "landing", "top"}
    assert reach["touchpoints"] == ["analytics", "lead capture", "reports", "website"]
    assert cat.impact(config, "hubspot", "Inbox")["direct"] == ["landing"]  # forms watches Forms only


def test_an_unknown_vendor_is_rejected_and_a_cycle_only_warned_at_load(tmp_path):
    cycle = CONFIG + "  - {id: loop1, depends_on: [loop2]}\n  - {id: loop2, depends_on: [loop1]}\n"
    config = load([write(tmp_path / "cycle.yaml", cycle)])
    assert any("depends_on cycle: loop1 -> loop2 -> loop1" in w for w in config.warnings)
    with pytest.raises(ConfigError) as info:
        load([write(tmp_path / "bad.yaml", cycle + "  - {id: x, vendor: nobody}\n")])
    assert "unknown vendor 'nobody'" in "\n".join(info.value.errors)


def test_parse_ref():
    assert str(parse_ref("component:default/web", default_kind=None)) == "component:default/web"
    assert str(parse_ref("web", default_kind="group")) == "group:default/web"
    assert str(parse_ref("resource:ops/db", default_kind=None)) == "resource:ops/db"
    assert parse_ref("web", default_kind=None) is None


def test_backstage_import(tmp_path):
    result = import_backstage([FIXTURES / "backstage"])
    by_id = {s["id"]: s for s in result.services}
    assert set(by_id) == {"website", "lead-form", "cdn", "crm-database", "marketing-cdn"}
    form = by_id["lead-form"]
    assert form["owner"] == "web-team" and form["tier"] == 1 and form["touchpoint"] == "lead capture"
    assert form["vendor"] == "hubspot" and form["components"] == ["Forms"]
    assert form["runbook"] == "https://wiki.example.com/runbooks/lead-form"
    assert form["contacts"] == ["#web-oncall", "priya@example.com"]
    assert form["depends_on"] == ["cdn", "crm-database"]  # across namespaces, resolved
    assert by_id["marketing-cdn"]["depends_on"] == ["crm-database"]  # its own namespace by default
    assert {v["id"] for v in result.vendors} == {"hubspot", "cloudflarestatus"}
    problems = "\n".join(result.problems)
    assert "API (used to resolve consumesApis, not a service)" in problems and "kind 'Group' is not a service" in problems
    assert "component:default/missing-thing: not in the files given" in problems
    assert "a reference needs a kind" in problems  # bare dependsOn "crm-database"
    assert "tier 'top' is not 1..4" in problems
    assert "not a Backstage entity" in problems
    assert "lifecycle deprecated" in problems


def test_imported_yaml_loads_as_mopstui_config(tmp_path):
    out = tmp_path / "imported.yaml"
    result = run_cli("catalog", "import-backstage", str(FIXTURES / "backstage"), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert "wrote 5 services and 2 vendors" in result.stderr
    config = load([out])
    assert config.service("lead-form").vendor == "hubspot"
    assert {s.id for s in config.services} >= {"lead-form", "cdn", "marketing-cdn"}


def test_import_of_nothing_useful_fails(tmp_path):
    path = write(tmp_path / "api.yaml", "kind: API\nmetadata: {name: x}\n")
    result = run_cli("catalog", "import-backstage", str(path))
    assert result.returncode == 1 and "not a service" in result.stderr


def test_catalog_cli(tmp_path):
    config = write(tmp_path / "c.yaml", CONFIG)
    db = str(tmp_path / "w.db")
    listed = json.loads(run_cli("--config", str(config), "--db", db, "catalog", "--json").stdout)
    assert {r["id"]: r["health"] for r in listed}["forms"] == "unknown"
    assert set(listed[0]) >= {"id", "name", "owner", "tier", "touchpoint", "health"}
    shown = run_cli("--config", str(config), "--db", db, "catalog", "show", "forms")
    assert "Depends on  Tracking, CDN" in shown.stdout and "Needed by   Diamond top" in shown.stdout  # by name
    missing = run_cli("--config", str(config), "--db", db, "catalog", "show", "froms")
    assert missing.returncode == 1 and "did you mean 'forms'" in missing.stderr
    impact = json.loads(run_cli("--config", str(config), "catalog", "impact", "cloudflare", "--json").stdout)
    assert impact["direct"] == ["cdn"]
    assert run_cli("--config", str(config), "catalog", "impact", "nobody").returncode == 1


ORG = FIXTURES / "backstage-org"


def test_an_organisation_s_catalog_imports_whole(tmp_path):
    result = import_backstage([ORG])
    by_id = {s["id"]: s for s in result.services}
    assert set(by_id) == {
        "marketing-site",
        "website",
        "lead-form",
        "api-gateway",
        "search-service",
        "analytics-service",
        "apps-service",
        "crm-db",
    }
    # every relation that means "depends on"
    assert sorted(by_id["api-gateway"]["depends_on"]) == ["analytics-service", "apps-service", "search-service"]  # + dependencyOf
    assert by_id["search-service"]["depends_on"] == ["api-gateway"]  # the cycle is kept
    assert by_id["website"]["depends_on"] == ["lead-form"]  # consumesApis forms-api -> its provider
    assert by_id["marketing-site"]["depends_on"] == ["website", "lead-form"]  # a system is made of its members
    assert by_id["lead-form"]["depends_on"] == ["crm-db"]
    # nothing silently lost
    assert by_id["lead-form"]["description"] == "Captures demo requests into the CRM"
    assert by_id["website"]["tags"] == ["website", "cms"] and by_id["website"]["system"] == "marketing-site"
    assert by_id["website"]["runbook"] == "https://wiki.example.com/runbooks/website"
    assert by_id["website"]["links"] == [{"title": "Dashboard", "url": "https://grafana.example.com/d/web"}]
    # proposals, marked as such
    assert by_id["lead-form"]["touchpoint"] == "lead capture" and by_id["lead-form"]["tier"] == 1
    assert by_id["lead-form"]["vendor"] == "hubspot" and by_id["lead-form"]["proposed"] == ["touchpoint", "tier", "vendor"]
    assert by_id["analytics-service"]["touchpoint"] == "analytics"
    assert "hubspot" in {v["id"] for v in result.vendors}
    assert "proposed" not in by_id["apps-service"] and "touchpoint" not in by_id["apps-service"]  # nothing to go on
    # skipped, each with its reason, counted
    assert result.skipped["template skeleton (a scaffolder template, not a live service)"] == 1
    assert result.skipped["decommissioned"] == 1
    assert result.skipped["API (used to resolve consumesApis, not a service)"] == 1
    assert not any("${{" in s["id"] or "${{" in s.get("owner", "") for s in result.services)
    decide = "\n".join(result.to_decide)
    assert "apps-service: choose the customer touchpoint it serves; add a vendor or a probe" in decide
    assert "lead-form: confirm the proposed touchpoint, tier, vendor" in decide


@pytest.mark.parametrize("fixture", ["backstage", "backstage-org"])
def test_every_import_loads_with_check_config(tmp_path, fixture):
    out = tmp_path / "imported.yaml"
    result = run_cli("catalog", "import-backstage", str(FIXTURES / fixture), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert "mopstui: imported " in result.stderr and "skipped" in result.stderr
    checked = run_cli("--config", str(out), "check-config")
    assert checked.returncode == 0, checked.stderr
    if fixture == "backstage-org":
        assert checked.stderr.count("depends_on cycle: api-gateway -> search-service -> api-gateway") == 1
        shown = run_cli("--config", str(out), "--db", str(tmp_path / "w.db"), "catalog")
        assert shown.returncode == 0 and "TO DO" in shown.stdout and "apps-service" in shown.stdout.split("TO DO")[1]
