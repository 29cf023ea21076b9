"""A vendor's page that moves platform (here: a Statuspage URL that starts answering as incident.io),
end to end over loopback: the poller follows it, writes it once to the timeline of each open
incident that depends on the vendor (or once as a war-room note when none is open), and `status`,
`doctor` and the stored status keep saying it at every round until the config names the format."""

import asyncio

import pytest

from mopstui.config import load
from mopstui.room.doctor import check_vendors
from mopstui.status.fetch import Fetcher
from mopstui.store import Store

from .conftest import run_cli
from .status_server import FIXTURES, StatusServer
from .test_poller import one_round

SAID = "Intercom's status page moved platform: it was Statuspage, it is now incident.io"


@pytest.fixture
def server():
    with StatusServer() as srv:
        yield srv


@pytest.fixture(autouse=True)
def own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def write_config(tmp_path, server, db_path, kind=""):
    path = tmp_path / "c.yaml"
    path.write_text(f"""timezone: UTC
polling: {{interval: 1s, timeout: 2s}}
vendors:
  - {{id: intercom, name: Intercom, url: "{server.url("/")}"{f", kind: {kind}" if kind else ""}}}
services:
  - {{id: chat, name: Chat widget, vendor: intercom}}
  - {{id: forms, name: Forms}}
""")
    return load([path], database=str(db_path)), path


def move(server):
    server.routes.pop("/api/v2/summary.json")
    server.serve("/proxy/127.0.0.1", (FIXTURES / "formats/incidentio-proxy.json").read_bytes())


def moved_lines(events):
    return [e for e in events if e.kind == "vendor" and "moved platform" in e.text]


def test_a_move_is_written_once_to_the_open_incidents_and_said_until_the_config_names_the_format(tmp_path, server, db_path):
    server.serve("/api/v2/summary.json", (FIXTURES / "statuspage/twilio-summary-incident.json").read_bytes())
    config, path = write_config(tmp_path, server, db_path)
    with Store(db_path) as store:
        chat = store.declare("Chat down", severity="SEV2", author="alice", services=["chat"]).id
        forms = store.declare("Forms slow", severity="SEV3", author="alice", services=["forms"]).id
        one_round(config, store)
        assert store.vendor_status_payloads()["intercom"]["kind"] == "statuspage"
        move(server)
        for _ in range(3):  # the move, then two more rounds: never repeated
            one_round(config, store)
        [line] = moved_lines(store.events(chat))
        assert line.author == "mopstui" and line.text.startswith(SAID)
        assert line.text.endswith("To confirm it, set `kind: incidentio` for intercom in the config.")
        assert moved_lines(store.events(forms)) == [], "Forms does not depend on Intercom"
        assert store.room_events("vendor") == [], "an incident was open: no room note"
        stored = store.vendor_status_payloads()["intercom"]
        assert (stored["kind"], stored["moved_from"]) == ("incidentio", "statuspage")
        assert "the vendor's page moved platform: it was Statuspage, it is now incident.io" in stored["reason"]
    # Where people look, at every check: `status` and `doctor`.
    out = run_cli("--config", str(path), "status").stdout
    intercom = next(line for line in out.splitlines() if "Intercom" in line)
    assert "incidentio" in intercom and "moved platform: it was Statuspage, it is now incident.io" in intercom
    [said] = [f for f in check_vendors(config) if "moved platform" in f.text]
    assert said.text.startswith(SAID) and said.level == "note" and "kind: incidentio" in said.fix
    # The config names the new format: nothing more is said.
    named, _ = write_config(tmp_path, server, db_path, kind="incidentio")
    assert not [f for f in check_vendors(named) if "moved platform" in f.text]
    with Store(db_path) as store:
        one_round(named, store)
        stored = store.vendor_status_payloads()["intercom"]
        assert stored["moved_from"] == "" and "moved platform" not in stored["reason"]
        assert len(moved_lines(store.events(chat))) == 1


def test_a_colleague_taking_over_the_polling_keeps_saying_it(tmp_path, server, db_path, monkeypatch):
    """The move is remembered in the cache of whoever polled when it happened; a colleague whose
    session takes the polling over has never seen the old format, and the room's word stands."""
    server.serve("/api/v2/summary.json", (FIXTURES / "statuspage/twilio-summary-incident.json").read_bytes())
    config, _ = write_config(tmp_path, server, db_path)
    with Store(db_path) as store:
        chat = store.declare("Chat down", severity="SEV2", author="alice", services=["chat"]).id
        one_round(config, store)
        move(server)
        one_round(config, store)
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "colleague-cache"))
        one_round(config, store)
        one_round(config, store)
        stored = store.vendor_status_payloads()["intercom"]
        assert (stored["kind"], stored["moved_from"]) == ("incidentio", "statuspage")
        assert "moved platform: it was Statuspage, it is now incident.io" in stored["reason"]
        assert len(moved_lines(store.events(chat))) == 1


def test_with_no_incident_open_the_move_is_one_war_room_note(tmp_path, server, db_path):
    server.serve("/api/v2/summary.json", (FIXTURES / "statuspage/twilio-summary-incident.json").read_bytes())
    config, _ = write_config(tmp_path, server, db_path)
    with Store(db_path) as store:
        one_round(config, store)
        move(server)
        one_round(config, store)
        one_round(config, store)
        [note] = store.room_events("vendor")
        assert note.text.startswith(SAID) and note.author == "mopstui"
        # An incident declared later gets the line on its own timeline, once.
        chat = store.declare("Chat down", severity="SEV2", author="alice", services=["chat"]).id
        one_round(config, store)
        one_round(config, store)
        assert len(moved_lines(store.events(chat))) == 1 and len(store.room_events("vendor")) == 1


def test_the_examples_intercom_components_are_on_its_page_and_hubspot_says_it_is_unchecked(server):
    """config.example.yaml's Intercom lines against a capture of Intercom's page (Statuspage
    components, fixtures/status/SOURCES.md) with the Europe and Australia copies of its web
    application the issue found on the 2024 page: every watched component found, none ambiguous.
    HubSpot's names could not be checked: the example watches its whole page and says why."""
    import json
    from dataclasses import replace

    from mopstui.config import bundled_path
    from mopstui.status.online import check_watched_components

    page = json.loads((FIXTURES / "statuspage/intercom-components.json").read_text())
    for region in ("Europe", "Australia"):
        page["components"] += [
            {"id": f"g-{region}", "name": region, "status": "operational", "group": True, "group_id": None},
            {"id": f"w-{region}", "name": "Intercom Web Application", "status": "major_outage", "group": False,
             "group_id": f"g-{region}"},
        ]  # fmt: skip
    url = server.serve("/api/v2/components.json", json.dumps(page))
    example = load([bundled_path("example.yaml")])
    intercom = replace(example.vendor("intercom"), url=url)
    config = replace(example, vendors=(intercom,), services=())  # nothing else polled: never the internet
    [check] = check_watched_components(config)
    assert check.ok, (check.problems, check.unreadable)
    status = poll_one_config(config)
    assert status.state == "operational", "Europe's copy of the web application is down, not the watched US one"
    example_text = bundled_path("example.yaml").read_text()
    assert example.vendor("hubspot").components == () and "could not be checked" in example_text
    assert not [s for s in example.services if s.vendor == "hubspot" and s.components]


def poll_one_config(config):
    from mopstui.room.poller import poll

    async def run():
        fetcher = Fetcher(config.polling, retries=0)
        try:
            return await poll(config, fetcher=fetcher)
        finally:
            await fetcher.aclose()

    return next(iter(asyncio.run(run()).values()))
