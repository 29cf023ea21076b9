"""Components as people watch them, on pages of the shapes that misled the old reader: a watched
name the page does not have, a group, a top-level component with same-named copies in regions,
names repeated on an incident.io page. Served over real HTTP on 127.0.0.1."""

import json

import pytest

from .conftest import run_cli
from .status_server import StatusServer
from .test_status import poll_one


@pytest.fixture
def server():
    with StatusServer() as srv:
        yield srv


def component(cid, name, status="operational", group_id=None):
    return {"id": cid, "name": name, "status": status, "group_id": group_id, "group": False}


def group(gid, name, children, status="operational"):
    return {"id": gid, "name": name, "status": status, "group": True, "components": children}


def summary(components, *, indicator="none", incidents=()):
    return {
        "page": {"id": "p", "name": "Page", "updated_at": "2026-12-01T10:00:00Z"},
        "status": {"indicator": indicator, "description": "x"},
        "components": components,
        "incidents": list(incidents),
        "scheduled_maintenances": [],
    }


# Claude's page, in the shape of its summary: the API component's name carries its host, and an
# incident is open on the Console only.
CLAUDE = summary(
    [
        component("c1", "claude.ai"),
        component("c2", "Console (console.anthropic.com)", "partial_outage"),
        component("c3", "Claude API (api.anthropic.com)"),
    ],
    indicator="major",
    incidents=[
        {
            "name": "Console errors",
            "status": "investigating",
            "impact": "major",
            "components": [{"id": "c2"}],
            "incident_updates": [],
        }
    ],
)
# SendGrid: "Mail Sending" is a group; its own status says degraded.
SENDGRID = summary(
    [
        component("s1", "SMTP", group_id="g1"),
        component("s2", "API v3", group_id="g1"),
        group("g1", "Mail Sending", ["s1", "s2"], "degraded_performance"),
        component("s3", "Marketing Campaigns"),
    ]
)
# Intercom: a top-level component and the same name in the Europe and Australia groups.
INTERCOM = summary(
    [
        component("i1", "Intercom Web Application"),
        component("i2", "Intercom Web Application", "major_outage", "ge"),
        component("i3", "Intercom Web Application", group_id="ga"),
        group("ge", "Europe", ["i2"], "major_outage"),
        group("ga", "Australia", ["i3"]),
        component("i4", "Messenger"),
    ]
)
# An incident.io page through its Statuspage-compatible JSON: no incidents key, no groups, names repeat.
INCIDENT_IO = {
    "page": {"name": "Zap"},
    "status": {"indicator": "minor"},
    "components": [
        {"id": "01HB1", "name": "Production - Billing", "status": "operational"},
        {"id": "01HB2", "name": "Production - Billing", "status": "degraded_performance"},
        {"id": "01HB3", "name": "Production - Billing", "status": "operational"},
        {"id": "01HE1", "name": "Editor", "status": "operational"},
    ],
}


def serve(server, name, page):
    return server.serve(f"/{name}/api/v2/summary.json", json.dumps(page)).removesuffix("/api/v2/summary.json")


def test_a_watched_name_not_on_the_page_is_unknown_not_the_pages_other_incident(tmp_path, server):
    base = serve(server, "claude", CLAUDE)
    status = poll_one(tmp_path, "statuspage", base, components=["Claude API"])
    assert status.state == "unknown"  # not "partial" from the Console's incident
    assert "watched components not on the page" in status.reason
    assert "did you mean 'Claude API (api.anthropic.com)'" in status.reason
    assert [(c.name, c.state) for c in status.watched_components] == [("Claude API", "unknown")]
    assert "not on the page" in status.watched_components[0].note
    # The exact name watches it.
    assert poll_one(tmp_path, "statuspage", base, components=["Claude API (api.anthropic.com)"]).state == "operational"


def test_fail_on_does_not_fire_for_watched_components_not_on_the_page(tmp_path, server):
    base = serve(server, "claude", CLAUDE)
    path = tmp_path / "c.yaml"
    path.write_text(f'vendors:\n  - {{id: claude, name: Claude, kind: statuspage, url: "{base}", components: [Claude API]}}\n')
    result = run_cli("--config", str(path), "status", "--fail-on", "outage")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "watched components not on the page" in result.stdout and "did you mean" in result.stdout
    assert "Console" not in result.stdout.split("+ ")[0]  # the page's other components are not listed as ours


def test_a_group_is_watched_by_its_own_status(tmp_path, server):
    base = serve(server, "sendgrid", SENDGRID)
    status = poll_one(tmp_path, "statuspage", base, components=["Mail Sending"])
    assert status.state == "degraded" and status.reason == ""
    assert [(c.name, c.state) for c in status.watched_components] == [("Mail Sending", "degraded")]
    # A group whose own status says nothing: the worst of its children.
    page = json.loads(json.dumps(SENDGRID))
    page["components"][1]["status"], page["components"][2]["status"] = "partial_outage", "unknown_word"
    base = serve(server, "sendgrid2", page)
    assert poll_one(tmp_path, "statuspage", base, components=["Mail Sending"]).state == "partial_outage"
    # A child by its group.
    assert poll_one(tmp_path, "statuspage", base, components=["Mail Sending / SMTP"]).state == "operational"


def test_top_level_is_told_from_same_named_copies_in_groups(tmp_path, server):
    base = serve(server, "intercom", INTERCOM)
    top = poll_one(tmp_path, "statuspage", base, components=[{"group": "", "name": "Intercom Web Application"}])
    assert top.state == "operational"  # Europe's copy is down; a US team is not
    assert [(c.group, c.state) for c in top.watched_components] == [(None, "operational")]
    europe = poll_one(tmp_path, "statuspage", base, components=["Europe / Intercom Web Application"])
    assert europe.state == "major_outage"
    bare = poll_one(tmp_path, "statuspage", base, components=["Intercom Web Application", "Messenger"])
    assert bare.state == "operational"  # from Messenger alone: the ambiguous name is not silently the worst
    ambiguous = bare.watched_components[0]
    assert ambiguous.state == "unknown" and "3 on the page have this name" in ambiguous.note
    assert '{group: "", name: Intercom Web Application}' in ambiguous.note
    assert "Europe / Intercom Web Application" in ambiguous.note and "Australia / Intercom Web Application" in ambiguous.note
    assert "1 of 2 watched components unknown" in bare.reason
    alone = poll_one(tmp_path, "statuspage", base, components=["Intercom Web Application"])
    assert alone.state == "unknown" and "ambiguous" in alone.reason


def test_repeated_names_are_watched_by_id(tmp_path, server):
    base = serve(server, "zap", INCIDENT_IO)
    status = poll_one(tmp_path, "statuspage", base, components=[{"id": "01HB2"}])
    assert status.state == "degraded"
    assert [(c.name, c.id) for c in status.watched_components] == [("Production - Billing", "01HB2")]
    bare = poll_one(tmp_path, "statuspage", base, components=["Production - Billing"])
    assert bare.state == "unknown"
    assert all(f"{{id: {i}}}" in bare.watched_components[0].note for i in ("01HB1", "01HB2", "01HB3"))
    gone = poll_one(tmp_path, "statuspage", base, components=[{"id": "01HXX"}])
    assert gone.state == "unknown" and "not on the page" in gone.reason


def test_names_compare_without_case_or_extra_spaces(tmp_path, server):
    base = serve(server, "sendgrid", SENDGRID)
    assert poll_one(tmp_path, "statuspage", base, components=["marketing  campaigns"]).state == "operational"


def test_a_component_line_needs_a_name_or_an_id(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("vendors:\n  - {id: v, kind: statuspage, url: 'https://x.example', components: [{group: EU}]}\n")
    result = run_cli("--config", str(path), "check-config")
    assert result.returncode == 2 and "missing required key 'name'" in result.stderr


def test_plain_status_sums_up_a_long_page_nobody_watches(tmp_path, server):
    many = [component(f"n{i}", f"NA{i}", "degraded_performance" if i == 7 else "operational") for i in range(300)]
    base = serve(server, "sf", summary(many, indicator="minor"))
    path = tmp_path / "c.yaml"
    path.write_text(f'vendors:\n  - {{id: sf, name: Big, kind: statuspage, url: "{base}"}}\n')
    out = run_cli("--config", str(path), "status").stdout
    assert len(out.splitlines()) < 10
    assert "NA7" in out and "NA8\n" not in out and "+ 299 more components (all operational)" in out


def vendors_config(tmp_path, server, **components):
    pages = {"claude": CLAUDE, "sendgrid": SENDGRID, "intercom": INTERCOM, "zap": INCIDENT_IO}
    lines = ["vendors:"]
    for vendor_id, watched in components.items():
        base = serve(server, vendor_id, pages[vendor_id])
        lines.append(f'  - {{id: {vendor_id}, kind: statuspage, url: "{base}", components: {json.dumps(watched)}}}')
    path = tmp_path / "c.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_check_config_online_names_what_the_page_has(tmp_path, server):
    path = vendors_config(
        tmp_path,
        server,
        claude=["Claude API"],
        intercom=["Intercom Web Application"],
        sendgrid=["Mail Sending"],
        zap=[{"id": "01HB2"}],
    )
    result = run_cli("--config", str(path), "check-config", "--online")
    assert result.returncode == 1, result.stderr
    assert (
        "vendor claude (claude): watched component 'Claude API': not on the page; did you mean "
        "'Claude API (api.anthropic.com)'?" in result.stderr
    )
    assert "vendor intercom (intercom): watched component 'Intercom Web Application': 3 on the page" in result.stderr
    assert "online: sendgrid: every watched component is on the page, once" in result.stdout
    assert "online: zap:" in result.stdout
    # Without --online nothing is fetched and the config is fine.
    assert run_cli("--config", str(path), "check-config").returncode == 0
    assert server.requests["/claude/api/v2/summary.json"] == 1


def test_check_config_online_says_when_a_page_cannot_be_read(tmp_path, server):
    path = vendors_config(tmp_path, server, sendgrid=["Mail Sending"])
    server.serve("/sendgrid/api/v2/summary.json", "<html>maintenance</html>")
    result = run_cli("--config", str(path), "check-config", "--online")
    assert result.returncode == 0
    assert (
        "vendor sendgrid (sendgrid): cannot read its page (HTML instead of JSON); its components were not compared"
        in result.stderr
    )


def test_the_online_check_is_a_plain_function(tmp_path, server):
    from mopstui.config import load
    from mopstui.status.online import check_watched_components

    config = load(
        [
            vendors_config(
                tmp_path, server, intercom=[{"group": "", "name": "Intercom Web Application"}], zap=["Production - Billing"]
            )
        ]
    )
    checks = {c.vendor_id: c for c in check_watched_components(config)}
    assert checks["intercom"].ok
    assert not checks["zap"].ok and "{id: 01HB1}" in checks["zap"].problems[0]


def test_vendors_components_lists_the_page_and_the_lines_to_watch_it(tmp_path, server):
    path = vendors_config(tmp_path, server, intercom=["Messenger"], zap=["Editor"])
    out = run_cli("--config", str(path), "vendors", "components", "intercom").stdout
    assert "4 components in 2 groups" in out
    assert "Europe (group)" in out and "major outage" in out and "i2" in out
    assert '      - {group: "", name: Intercom Web Application}\n' in out
    assert "      - Europe / Intercom Web Application\n" in out
    assert "      - Messenger\n" in out and "      - Europe    # the group: its own status\n" in out
    zap = json.loads(run_cli("--config", str(path), "vendors", "components", "zap", "--json").stdout)
    assert [r["watch_with"] for r in zap] == ["{id: 01HB1}", "{id: 01HB2}", "{id: 01HB3}", "Editor"]
    # Each proposed line, watched, finds exactly its component.
    from mopstui.config import load
    from mopstui.status.online import check_watched_components

    yaml_lines = "\n".join(f"      - {r['watch_with']}" for r in zap)
    config = tmp_path / "z.yaml"
    config.write_text(
        f'vendors:\n  - id: zap\n    kind: statuspage\n    url: "{serve(server, "zap", INCIDENT_IO)}"\n'
        f"    components:\n{yaml_lines}\n"
    )
    assert all(c.ok for c in check_watched_components(load([config])))
    unknown = run_cli("--config", str(path), "vendors", "components", "intercon")
    assert unknown.returncode == 1 and "did you mean 'intercom'?" in unknown.stderr


def test_the_screen_shows_why_a_component_is_unknown_and_one_row_per_repeated_name():
    from mopstui.base.timeutil import utcnow
    from mopstui.status.model import Component, VendorStatus
    from mopstui.tui.vendor_pane import vendor_rows

    status = VendorStatus(
        "zap",
        "Zapier",
        "statuspage",
        state="degraded",
        components=(
            Component("Production - Billing", "operational", id="01HB1"),
            Component("Production - Billing", "degraded", id="01HB2"),
            Component("Inbox", "unknown", note="not on the page; did you mean 'Inbox (US)'?"),
        ),
    )
    rows = vendor_rows(status, utcnow(), wide=True)
    assert len({key for key, _ in rows}) == len(rows) == 4  # a table refuses two rows of one key
    assert str(rows[3][1][3]) == "not on the page; did you mean 'Inbox (US)'?"


def test_doctor_says_the_config_no_longer_matches_the_page_not_that_it_cannot_see(tmp_path, server):
    from mopstui.room.doctor import check_vendors

    path = vendors_config(tmp_path, server, claude=["Claude API"], sendgrid=["Mail Sending"])
    from mopstui.config import load

    findings = check_vendors(load([path]))
    texts = [f.text for f in findings]
    assert any(
        "claude's page can be read, but 1 of the components the config watches are not on it as named" in t
        and "did you mean 'Claude API (api.anthropic.com)'" in t
        for t in texts
    ), texts
    assert not any("cannot see claude" in t.lower() for t in texts)
    assert any(f.fix == "run `mopstui vendors components claude` and copy the lines it prints into the config" for f in findings)
    assert not any("sendgrid" in f.text for f in findings if f.level == "problem")  # on the page: no problem
    assert findings[0].text.startswith("2 of 2 vendor pages and probes can be read")
