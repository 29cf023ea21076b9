"""The room's duties without a screen: crossings and overdue updates from `watch` alone, vendor
evidence reaching exactly the incidents the catalog says, and no flood from a big page."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
from datetime import timedelta
from http.server import ThreadingHTTPServer

import pytest

from mopstui.base.timeutil import utcnow
from mopstui.config import load
from mopstui.room.duties import record_crossings
from mopstui.store import Store

from .conftest import MOPSTUI, ROOT, run_cli, write
from .status_server import StatusServer
from .test_poller import one_round
from .test_shared_host import Hooks


def statuspage(indicator: str = "none", components: dict[str, str] | None = None) -> str:
    return json.dumps(
        {
            "page": {"updated_at": "2026-11-23T10:02:00Z"},
            "status": {"indicator": indicator},
            "components": [
                {"id": f"c{n}", "name": name, "status": state} for n, (name, state) in enumerate((components or {}).items())
            ],
            "incidents": [],
        }
    )


@pytest.fixture
def hooks():
    Hooks.received, Hooks.fail_first = [], 0
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hooks)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    server.shutdown()
    server.server_close()


def test_watch_alone_records_and_notifies_crossings_and_overdue_updates(tmp_path, db_path, hooks):
    path = write(
        tmp_path / "c.yaml",
        f"polling: {{interval: 1s}}\nthresholds: {{abandon: 1m, resolve: 30m}}\n"
        f'comms: {{update_every: 15m}}\nnotify:\n  webhooks: ["{hooks}"]\n',
    )
    os.chmod(path, 0o600)
    run_cli("--config", str(path), "--db", str(db_path), "--user", "lead", "declare", "Earlier", "-s", "SEV3", check=True)
    watch = subprocess.Popen(
        [MOPSTUI, "--config", str(path), "--db", str(db_path), "watch", "--quiet"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 20
        with Store(db_path) as store:  # the watcher's first round: from here on, everything is news
            while store.cursor("notify") is None:
                assert time.monotonic() < deadline and watch.poll() is None, watch.stderr.read() if watch.poll() else ""
                time.sleep(0.05)
        started = (utcnow() - timedelta(minutes=20)).isoformat()
        run_cli(
            "--config",
            str(path),
            "--db",
            str(db_path),
            "--user",
            "priya",
            "declare",
            "Checkout failing",
            "-s",
            "SEV1",
            "--at",
            started,
            check=True,
        )
        while not (
            any("threshold" in b["text"] for _, b in Hooks.received)
            and any("overdue" in b["text"].lower() for _, b in Hooks.received)
        ):
            assert time.monotonic() < deadline + 20, [b["text"] for _, b in Hooks.received]
            time.sleep(0.05)
    finally:
        watch.send_signal(signal.SIGTERM)
        _out, err = watch.communicate(timeout=20)
    assert watch.returncode == 0, err
    with Store(db_path) as store:
        system = {e.dedupe: e for e in store.events(2) if e.kind == "system" and e.dedupe and "notify" not in e.dedupe}
        declared = store.incident(2).started_at
    assert set(system) == {"INC-2:threshold:abandon", "INC-2:overdue:0"}  # 30m not crossed yet; each once
    assert system["INC-2:threshold:abandon"].occurred_at == declared + timedelta(minutes=1)  # when crossed
    assert system["INC-2:overdue:0"].occurred_at == declared + timedelta(minutes=15)
    texts = [b["text"] for _, b in Hooks.received]
    assert sum("threshold" in t for t in texts) == 1 and sum("overdue" in t.lower() for t in texts) == 1


def test_crossings_are_written_once_however_many_run_the_duty(db_path, tmp_path):
    config = load([write(tmp_path / "c.yaml", "thresholds: {abandon: 1m}\n")], database=str(db_path))
    with Store(db_path) as store:
        store.declare("x", severity="SEV2", author="a", at=utcnow() - timedelta(minutes=5))
        assert record_crossings(store, config) == 1
        assert record_crossings(store, config) == 0
    with Store(db_path) as other:
        assert record_crossings(other, config) == 0


@pytest.fixture
def server():
    with StatusServer() as srv:
        yield srv


def evidence_setup(tmp_path, db_path, server, services: str, vendors: str):
    path = write(tmp_path / "c.yaml", f"timezone: UTC\npolling: {{timeout: 5s}}\nvendors:\n{vendors}services:\n{services}")
    return load([path], database=str(db_path))


def vendor_entries(store, incident_id):
    return [e.text for e in store.events(incident_id) if e.kind == "vendor"]


def test_an_upstream_vendor_reaches_the_incidents_of_services_at_risk(tmp_path, db_path, server):
    """Cloudflare is down: the catalog says the landing pages are at risk, so the "Landing pages
    slow" incident gets the evidence."""
    server.serve("/cf/api/v2/summary.json", statuspage())
    config = evidence_setup(
        tmp_path,
        db_path,
        server,
        "  - {id: cdn, name: CDN, vendor: cloudflare}\n"
        "  - {id: landing, name: Landing pages, touchpoint: website, depends_on: [cdn]}\n"
        "  - {id: email, name: Email}\n",
        f'  - {{id: cloudflare, name: Cloudflare, kind: statuspage, url: "{server.url("/cf")}"}}\n',
    )
    with Store(db_path) as store:
        store.declare("Landing pages slow", severity="SEV2", author="a", services=["landing"])
        store.declare("Emails late", severity="SEV3", author="a", services=["email"])
        one_round(config, store)
        server.serve("/cf/api/v2/summary.json", statuspage("critical"))
        one_round(config, store)
        assert [t.split(" (")[0] for t in vendor_entries(store, 1)] == ["Cloudflare ✖ down — was ok"]
        assert vendor_entries(store, 2) == []
    impact = json.loads(run_cli("--config", str(tmp_path / "c.yaml"), "catalog", "impact", "cloudflare", "--json").stdout)
    assert impact["direct"] == ["cdn"] and impact["at_risk"] == ["landing"]  # the same reach rule


def test_a_component_no_service_follows_reaches_no_incident(tmp_path, db_path, server):
    """HubSpot's Inbox goes down (and with it HubSpot's indicator): the lead form follows Forms
    only, so its incident gets nothing."""
    server.serve("/hs/api/v2/summary.json", statuspage(components={"Forms": "operational", "Inbox": "operational"}))
    config = evidence_setup(
        tmp_path,
        db_path,
        server,
        "  - {id: lead-form, name: Lead form, vendor: hubspot, components: [Forms]}\n",
        f'  - {{id: hubspot, name: HubSpot, kind: statuspage, url: "{server.url("/hs")}"}}\n',
    )
    with Store(db_path) as store:
        store.declare("Lead form not submitting", severity="SEV1", author="a", services=["lead-form"])
        one_round(config, store)
        server.serve("/hs/api/v2/summary.json", statuspage("major", {"Forms": "operational", "Inbox": "major_outage"}))
        one_round(config, store)
        assert {o["component"] for o in store.observations(vendor_id="hubspot")} == {None, "Inbox"}  # still stored
        assert vendor_entries(store, 1) == []
        server.serve("/hs/api/v2/summary.json", statuspage("major", {"Forms": "major_outage", "Inbox": "major_outage"}))
        one_round(config, store)
        assert [t.split(" (")[0] for t in vendor_entries(store, 1)] == ["HubSpot Forms ✖ down — was ok"]


def test_a_burst_from_one_vendor_is_one_entry_per_incident(tmp_path, db_path, server):
    names = [f"Region {n}" for n in range(5000)]
    server.serve("/big/api/v2/summary.json", statuspage(components=dict.fromkeys(names, "operational")))
    config = evidence_setup(
        tmp_path,
        db_path,
        server,
        "  - {id: site, name: Website, vendor: big}\n"
        "  - {id: api, name: API, vendor: big, components: [Region 1, Region 2, Region 3]}\n",
        f'  - {{id: big, name: BigCloud, kind: statuspage, url: "{server.url("/big")}"}}\n',
    )
    with Store(db_path) as store:
        store.declare("Website down", severity="SEV1", author="a", services=["site", "api"])
        one_round(config, store)
        before = store.count_events()
        server.serve("/big/api/v2/summary.json", statuspage("critical", dict.fromkeys(names, "major_outage")))
        one_round(config, store)
        entries = vendor_entries(store, 1)
        assert len(entries) == 1 and store.count_events() == before + 1
        assert entries[0].startswith("BigCloud: 4 changes — overall ✖ down (was ok); Region 1 ✖ down (was ok)")
