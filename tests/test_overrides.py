"""The room overrules the map: "down for us" / "does not affect us" on a vendor or a component,
until the page changes or until lifted; in the log, on the affected timelines, honoured by health,
impact, the touchpoint roll-up, `status`, webhooks and export."""

from __future__ import annotations

import json

import pytest

from mopstui.config import load
from mopstui.room.duties import lapse_overrides, statuses_as_ruled
from mopstui.room.notify import classify
from mopstui.status.model import Component, VendorStatus
from mopstui.store import Store

from .conftest import write
from .status_server import StatusServer
from .test_properties import run_main

CONFIG = """
vendors:
  - {id: hubspot, name: HubSpot, kind: statuspage, url: "URL"}
services:
  - {id: forms, name: Lead forms, vendor: hubspot, touchpoint: lead capture, components: ["Forms"]}
  - {id: cdp, name: CDP, touchpoint: personalisation}
"""


def page(state: str, forms: str = "operational", eu: str = "operational") -> dict:
    return VendorStatus(
        "hubspot",
        "HubSpot",
        "statuspage",
        state=state,
        reason="",
        checked_at="2026-11-24T09:00:00+00:00",
        last_good_at="2026-11-24T09:00:00+00:00",
        components=(Component("Forms", forms), Component("Scanner", eu, "EU", watched=False)),
    ).to_dict()


@pytest.fixture
def room(tmp_path):
    config_path = write(tmp_path / "c.yaml", CONFIG.replace("URL", "http://127.0.0.1:9/nothing"))
    db = tmp_path / "warroom.db"
    with Store(db) as store:
        store.declare("Lead form not submitting", severity="SEV2", author="alice", services=["forms"])
        store.save_vendor_statuses({"hubspot": page("operational")}, [])
    return load([config_path]), config_path, db


def cli(config_path, db, *args: str, user: str = "sam") -> tuple[int, str, str]:
    return run_main(["--config", str(config_path), "--db", str(db), "--user", user, *args])


def health(config_path, db) -> dict:
    code, out, _ = cli(config_path, db, "catalog", "--json")
    assert code == 0
    return {row["id"]: row["health"] for row in json.loads(out)}


def test_down_for_us_until_the_page_changes(room):
    config, config_path, db = room
    assert health(config_path, db)["forms"] == "operational"
    code, out, err = cli(config_path, db, "override", "hubspot", "down", "--reason", "forms fail for us since 10:02")
    assert code == 0, err
    assert "down for us, until the vendor's page changes" in out
    assert health(config_path, db)["forms"] == "major_outage"
    code, out, _ = cli(config_path, db, "catalog", "--json")
    assert "(room override; the page says operational)" in {r["id"]: r for r in json.loads(out)}["forms"]["reason"]
    with Store(db) as store:
        ruled = statuses_as_ruled(store)["hubspot"]
        assert ruled.state == "major_outage" and ruled.page_state == "operational"
        assert "down for us (forms fail for us since 10:02; sam" in ruled.override
        # The person who overruled the page is the echo's author on the timeline, not the tool.
        timeline = {e.text: e.author for e in store.events(1)}
        assert timeline["HubSpot: override: down for us (forms fail for us since 10:02)"] == "sam"
        override_event = store.room_events("override")[-1]
        assert override_event.login is not None and override_event.incident_id is None  # who really wrote it
        assert store.verify().ok
        # The page changes (it admits a degradation): the override has done its job and lapses.
        store.save_vendor_statuses({"hubspot": page("degraded", forms="degraded")}, [])
        assert statuses_as_ruled(store)["hubspot"].override == ""
        assert lapse_overrides(store, config) == 1
        [lapse] = [e for e in store.events(1) if "override lifted (the page changed: operational → degraded" in e.text]
        assert lapse.author == "mopstui"  # the tool lifted it, so the tool says so
        # Flipping back to what it said before does not bring the old override back.
        store.save_vendor_statuses({"hubspot": page("operational")}, [])
        assert statuses_as_ruled(store)["hubspot"].state == "operational"
    code, out, _ = cli(config_path, db, "overrides")
    assert code == 0 and "no overrides" in out


def test_does_not_affect_us_until_lifted(room):
    config, config_path, db = room
    with Store(db) as store:
        store.save_vendor_statuses({"hubspot": page("major_outage", forms="major_outage")}, [])
    assert health(config_path, db)["forms"] == "major_outage"
    code, _, err = cli(
        config_path,
        db,
        "override",
        "hubspot/Forms",
        "unaffected",
        "--until-lifted",
        "--reason",
        "we moved forms to the backup endpoint",
    )
    assert code == 0, err
    assert health(config_path, db)["forms"] == "operational"
    with Store(db) as store:
        store.save_vendor_statuses({"hubspot": page("partial_outage", forms="partial_outage")}, [])
        assert lapse_overrides(store, config) == 0  # until lifted means until lifted
        assert statuses_as_ruled(store)["hubspot"].components[0].state == "operational"
    code, out, _ = cli(config_path, db, "overrides", "--json")
    [row] = json.loads(out)
    assert (row["vendor"], row["component"], row["verdict"], row["until"], row["page_state_now"]) == (
        "hubspot",
        "Forms",
        "unaffected",
        "lifted",
        "partial_outage",
    )
    code, out, err = cli(config_path, db, "override", "hubspot/Forms", "--lift", user="alice")
    assert code == 0, err
    assert health(config_path, db)["forms"] == "partial_outage"
    with Store(db) as store:
        lines = {e.text: e.author for e in store.events(1)}
    assert lines["HubSpot · Forms: override lifted (lifted)"] == "alice"


def test_an_unwatched_component_can_be_overruled_and_the_roll_up_follows(room):
    _, config_path, db = room
    code, _, err = cli(config_path, db, "override", "hubspot/EU / Scanner", "down", "--reason", "EU scans stuck")
    assert code == 0, err
    with Store(db) as store:
        ruled = statuses_as_ruled(store)["hubspot"]
    assert ruled.components[1].state == "major_outage" and ruled.state == "operational"  # not watched: no verdict


@pytest.mark.parametrize("args, said", [
    (["override", "nope", "down", "--reason", "x"], "there is no vendor 'nope'"),
    (["override", "hubspot", "down"], "an override needs a reason"),
    (["override", "hubspot"], "say what the room rules"),
    (["override", "hubspot/Nope", "down", "--reason", "x"], "hubspot has no component 'Nope'"),
    (["override", "hubspot", "--lift"], "no override on hubspot to lift"),
])  # fmt: skip
def test_refusals_are_one_sentence(room, args, said):
    _, config_path, db = room
    code, out, err = cli(config_path, db, *args)
    assert code == 1 and said in err and "Traceback" not in err and out == ""


def test_status_shows_the_override_beside_the_page(tmp_path):
    body = json.dumps(
        {
            "page": {},
            "status": {"indicator": "none"},
            "incidents": [],
            "components": [{"id": "1", "name": "Forms", "status": "operational"}],
        }
    )
    with StatusServer() as server:
        url = server.serve("/api/v2/summary.json", body)
        config_path = write(tmp_path / "c.yaml", CONFIG.replace("URL", url))
        db = tmp_path / "warroom.db"
        with Store(db) as store:
            store.save_vendor_statuses({"hubspot": page("operational")}, [])
        assert cli(config_path, db, "override", "hubspot", "down", "--reason", "our probe says so")[0] == 0
        code, out, _ = cli(config_path, db, "status", "--json")
        [row] = json.loads(out)
        assert (row["state"], row["page_state"]) == ("major_outage", "operational")
        assert row["override"].startswith("down for us (our probe says so; sam")
        code, out, _ = cli(config_path, db, "status", "--fail-on", "outage")
        assert code == 1 and "!✖ down" in out and "override (page says operational): down for us" in out


def test_an_override_is_a_webhook_notification(room):
    _, config_path, db = room
    cli(config_path, db, "override", "hubspot", "down", "--reason", "forms fail")
    with Store(db) as store:
        echo = [e for e in store.events(1) if e.kind == "vendor"][-1]
    assert classify(echo) == "override"


def test_the_poller_lifts_an_override_when_the_page_changes(tmp_path):
    from .test_poller import one_round

    def summary(indicator: str, forms: str) -> str:
        return json.dumps(
            {
                "page": {},
                "status": {"indicator": indicator},
                "incidents": [],
                "components": [{"id": "1", "name": "Forms", "status": forms}],
            }
        )

    with StatusServer() as server:
        url = server.serve("/api/v2/summary.json", summary("none", "operational"))
        config_path = write(tmp_path / "c.yaml", CONFIG.replace("URL", url))
        config = load([config_path])
        db = tmp_path / "warroom.db"
        with Store(db) as store:
            one_round(config, store)
        assert cli(config_path, db, "override", "hubspot", "down", "--reason", "our probe is red")[0] == 0
        with Store(db) as store:
            one_round(config, store)  # the page has not changed: the override holds
            assert statuses_as_ruled(store)["hubspot"].override
            server.serve("/api/v2/summary.json", summary("major", "partial_outage"))
            one_round(config, store)
            assert not statuses_as_ruled(store)["hubspot"].override
            lifts = [e for e in store.room_events("override") if '"lift"' in (e.value or "")]
            assert [e.text for e in lifts] == ["the page changed: operational → partial outage"]


def test_an_override_names_a_vendor_and_component_that_exist(room, tmp_path):
    """`override hubspot/Nope down` was accepted and stayed in force for a component HubSpot does
    not have; `override Hubspot …` offered no "did you mean"."""
    _, config_path, db = room
    code, _, err = cli(config_path, db, "override", "Hubspot", "down", "--reason", "forms fail")
    assert code == 1 and "there is no vendor 'Hubspot'; did you mean 'hubspot'?" in err
    code, _, err = cli(config_path, db, "override", "hubspot/Nope", "down", "--reason", "forms fail")
    assert code == 1 and "hubspot has no component 'Nope'" in err
    code, _, err = cli(config_path, db, "override", "hubspot/forms", "down", "--reason", "forms fail")
    assert code == 1 and "did you mean 'Forms'?" in err
    # A page never read, and no components named in the config: none can be checked, none is taken.
    fresh = tmp_path / "fresh.db"
    with Store(fresh) as store:
        store.declare("x", severity="SEV3", author="alice")
    code, _, err = cli(config_path, fresh, "override", "hubspot/Forms", "down", "--reason", "forms fail")
    assert code == 1 and "components are not known" in err
    with Store(db) as store:
        assert not store.room_events("override")


def test_an_override_of_a_page_never_read_counts_everywhere(tmp_path):
    """An override set while the page could not be read counted nowhere: the catalog said the
    vendor was not polled, though the README says the room's word is honoured everywhere."""
    config_path = write(tmp_path / "c.yaml", CONFIG.replace("URL", "http://127.0.0.1:9/nothing"))
    db = tmp_path / "warroom.db"
    with Store(db) as store:
        store.declare("Lead form not submitting", severity="SEV2", author="alice", services=["forms"])
    code, _, err = cli(config_path, db, "override", "hubspot", "down", "--reason", "forms fail for us")
    assert code == 0, err
    assert health(config_path, db)["forms"] == "major_outage"
    with Store(db) as store:
        ruled = statuses_as_ruled(store)
    assert ruled["hubspot"].state == "major_outage" and ruled["hubspot"].page_state == "unknown"
