"""The poller with a real database: changes become evidence; one poller per database."""

import asyncio
import json
import os
import select
import signal
import subprocess
import sys
import time

import pytest

from mopstui.config import load
from mopstui.room.poller import LEASE, Poller
from mopstui.status.fetch import Fetcher
from mopstui.store import Store

from .conftest import MOPSTUI, ROOT, run_cli
from .status_server import StatusServer


def summary(component_state="operational", indicator="none", incident=None):
    data = {
        "page": {"updated_at": "2026-11-23T10:02:00Z"},
        "status": {"indicator": indicator},
        "components": [
            {"id": "m", "name": "Messenger", "status": component_state},
            {"id": "i", "name": "Inbox", "status": "operational"},
        ],
        "incidents": [incident] if incident else [],
    }
    return json.dumps(data)


@pytest.fixture
def server():
    with StatusServer() as srv:
        yield srv


@pytest.fixture
def setup(tmp_path, db_path, server):
    server.serve("/intercom/api/v2/summary.json", summary())
    server.serve("/chat.js", "window.Intercom=1", headers={"Content-Type": "text/javascript"})
    path = tmp_path / "c.yaml"
    path.write_text(f"""timezone: UTC
polling: {{interval: 1s, timeout: 2s}}
vendors:
  - {{id: intercom, name: Intercom, kind: statuspage, url: "{server.url("/intercom")}", components: [Messenger]}}
services:
  - {{id: chat, name: Chat widget, vendor: intercom, components: [Messenger], probe: "{server.url("/chat.js")}"}}
  - {{id: other, name: Other, vendor: intercom, components: [Messenger]}}
""")
    config = load([path], database=str(db_path))
    with Store(db_path) as store:
        store.declare("Chat down", severity="SEV2", author="alice", services=["chat"])
        store.declare("Unrelated", severity="SEV4", author="alice", services=[])
    return config, path


def one_round(config, store):
    poller = Poller(config, store, "test")

    async def run():
        fetcher = Fetcher(config.polling, retries=0)
        try:
            return await poller.round(fetcher, force=True)
        finally:
            await fetcher.aclose()

    return asyncio.run(run())


def test_changes_are_stored_and_written_to_affected_incidents(setup, server, db_path):
    config, _ = setup
    with Store(db_path) as store:
        assert one_round(config, store)["changes"] == 0  # first sight of a healthy vendor: no noise
        server.serve("/intercom/api/v2/summary.json", summary("major_outage", "critical"))
        one_round(config, store)
        one_round(config, store)  # unchanged: nothing more
        observations = store.observations(vendor_id="intercom")
        assert [(o["component"], o["previous_state"], o["state"]) for o in observations] == [
            (None, "operational", "major_outage"),
            ("Messenger", "operational", "major_outage"),
        ]
        vendor_events = [e for e in store.events(1) if e.kind == "vendor"]
        texts = [e.text for e in vendor_events]
        # chat follows Messenger: its change is the evidence; the indicator reaches only services
        # that follow the whole vendor (none here)
        assert not any(t.startswith("Intercom: ") for t in texts)
        assert "Intercom Messenger ✖ down — was ok (the page dates it 10:02, seen " in texts[0]
        assert all(e.author == "mopstui" for e in vendor_events)
        assert not [e for e in store.events(2) if e.kind == "vendor"]  # no affected service there


def test_map_versus_territory(setup, server, db_path):
    config, _ = setup
    with Store(db_path) as store:
        one_round(config, store)
        server.serve("/chat.js", "upstream error", status=503)  # vendor still says operational
        one_round(config, store)
        from mopstui.domain import catalog as cat
        from mopstui.status.model import VendorStatus

        statuses = {k: VendorStatus.from_dict(v) for k, v in store.vendor_status_payloads().items()}
        health = cat.service_health(config, statuses)
        assert health["chat"].state == "disagree"
        assert health["chat"].reason == "✖ down (our probe) — Intercom's page still says operational"
        server.serve("/chat.js", "window.Intercom=1")
        one_round(config, store)
        texts = [e.text for e in store.events(1) if e.kind == "vendor"]
        assert any(t.endswith("✖ down (our probe) — Intercom's page still says operational") for t in texts), texts
        assert any("agree again" in t for t in texts)
        assert [o["state"] for o in store.observations(vendor_id="service:chat")] == ["disagree", "agree"]


def test_a_failed_fetch_is_stale_not_a_change(setup, server, db_path):
    config, _ = setup
    with Store(db_path) as store:
        one_round(config, store)
        server.serve("/intercom/api/v2/summary.json", "<html>down</html>", status=502)
        one_round(config, store)
        assert store.observations(vendor_id="intercom") == []
        payload = store.vendor_status_payloads()["intercom"]
        assert payload["stale"] and payload["state"] == "operational" and payload["reason"] == "HTTP 502"


def start(path, db_path, name):
    return subprocess.Popen(
        [sys.executable, "-m", "tests.poller_process", str(path), str(db_path), name],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


class Said:
    """What a poller process has printed so far (tests/poller_process.py: a line when it learns who
    holds the duties, and one per round it polls), read as it comes, never blocking past a deadline."""

    def __init__(self, proc: subprocess.Popen) -> None:
        self.fd = proc.stdout.fileno()
        self.pending = b""
        self.lines: list[str] = []

    def read(self, timeout: float = 0.0) -> list[str]:
        while select.select([self.fd], [], [], timeout)[0]:
            chunk = os.read(self.fd, 65536)
            if not chunk:
                break
            *done, self.pending = (self.pending + chunk).split(b"\n")
            self.lines += [line.decode() for line in done]
            timeout = 0.0
        return self.lines

    def count(self, words: str, timeout: float = 0.0) -> int:
        return sum(words in line for line in self.read(timeout))

    def wait_for(self, words: str, *, more_than: int = 0, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while self.count(words, 0.1) <= more_than:
            if time.monotonic() > deadline:
                raise AssertionError(f"the poller never said {words!r} (more than {more_than} times); it said {self.lines}")


@pytest.mark.timing  # a wall-clock bound: the takeover within two intervals
def test_two_processes_one_poller_and_takeover(setup, server, db_path):
    _config, path = setup
    first = start(path, db_path, "first")
    try:
        first_said = Said(first)
        first_said.wait_for("'duties': 'first', 'ours': True")
        second = start(path, db_path, "second")
        try:
            second_said = Said(second)
            # The second one finds the duties held, and leaves them: while the first polls on
            # (two more of its rounds), the second never holds them and the lease stays the first's.
            second_said.wait_for("'duties': 'first', 'ours': False")
            first_said.wait_for("'polled'", more_than=first_said.count("'polled'") + 1)
            assert not any("'ours': True" in line or "'polled'" in line for line in second_said.read()), second_said.lines
            with Store(db_path) as store:
                assert store.lease_holder(LEASE) == "first"
            os.kill(first.pid, signal.SIGKILL)
            first.wait()
            killed_at = time.monotonic()
            with Store(db_path) as store:
                while store.lease_holder(LEASE) != "second" and time.monotonic() - killed_at < 10:
                    time.sleep(0.1)
                taken = time.monotonic() - killed_at
                assert store.lease_holder(LEASE) == "second"
            assert taken <= 2 * 1.0 + 0.5  # within two intervals
            second_said.wait_for("'duties': 'second', 'ours': True")
            after, rounds = server.requests["/intercom/api/v2/summary.json"], second_said.count("'polled'")
            second_said.wait_for("'polled'", more_than=rounds + 1)  # it polls on: two more rounds, not a fixed wait
            assert server.requests["/intercom/api/v2/summary.json"] > after
        finally:
            second.kill()
            second.wait()
    finally:
        first.kill()
        first.wait()


def test_watch_command_polls_and_stops_on_sigterm(setup, server, db_path):
    _, path = setup
    proc = subprocess.Popen(
        [MOPSTUI, "--config", str(path), "--db", str(db_path), "watch"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 20
    while server.requests["/intercom/api/v2/summary.json"] == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert "watching 1 vendors" in out and "polled 2" in out
    with Store(db_path) as store:
        assert store.lease_holder(LEASE) is None  # released on the way out


def test_status_command(setup, server, db_path):
    _, path = setup
    server.serve("/intercom/api/v2/summary.json", summary("major_outage", "critical"))
    result = run_cli("--config", str(path), "status", "--json")
    assert result.returncode == 0, result.stderr  # vendors down is not a failure of the command
    rows = {r["id"]: r for r in json.loads(result.stdout)}
    intercom = rows["intercom"]
    assert set(intercom) >= {
        "id",
        "name",
        "kind",
        "state",
        "stale",
        "reason",
        "checked_at",
        "latency_ms",
        "components",
        "incidents",
    }
    assert intercom["state"] == "major_outage"
    assert intercom["components"][0] == {
        "name": "Messenger",
        "group": None,
        "state": "major_outage",
        "watched": True,
        "id": "m",
        "note": "",
    }
    assert all(not c["watched"] for c in intercom["components"][1:])
    assert rows["probe:chat"]["state"] == "operational"
    assert run_cli("--config", str(path), "status", "--fail-on", "outage").returncode == 1
    table = run_cli("--config", str(path), "status")
    assert "✖ down" in table.stdout and "Intercom" in table.stdout


def test_status_command_with_a_vendor_unreachable(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text('polling: {timeout: 1s}\nvendors:\n  - {id: x, name: X, kind: statuspage, url: "http://127.0.0.1:9"}\n')
    result = run_cli("--config", str(path), "status", "--json", "--fail-on", "degraded")
    assert result.returncode == 0  # unknown is not down
    (row,) = json.loads(result.stdout)
    assert (row["state"], row["reason"]) == ("unknown", "connection refused")


def test_a_lone_surrogate_in_a_payload_is_dropped_not_fatal(setup, server, db_path):
    config, _ = setup
    payload = summary("major_outage", "critical").replace('"Inbox"', '"In\\ud800box"')
    payload = payload.replace(
        '"incidents": []',
        '"incidents": [{"name": "Down \\udfff now", "status": "investigating", "impact": "critical", "incident_updates": []}]',
    )
    server.serve("/intercom/api/v2/summary.json", payload)
    with Store(db_path) as store:
        one_round(config, store)  # the poller's own round: stored, not crashed
        saved = store.vendor_status_payloads()["intercom"]
    assert saved["state"] == "major_outage"
    assert "\\ud800" not in json.dumps(saved) and "\\udfff" not in json.dumps(saved)


def test_a_host_that_reaches_nothing_cannot_see_it_is_not_an_outage(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text(
        'polling: {timeout: 1s}\nvendors:\n  - {id: x, name: X, kind: statuspage, url: "http://127.0.0.1:9"}\n'
        'services:\n  - {id: form, name: Lead form, touchpoint: lead capture, probe: "http://127.0.0.1:9/contact"}\n'
    )
    result = run_cli("--config", str(path), "status", "--json", "--fail-on", "outage")
    assert result.returncode == 0, result.stdout  # nothing is known to be down
    rows = {r["id"]: r for r in json.loads(result.stdout)}
    assert rows["probe:form"]["state"] == "unknown" and "we cannot see" in rows["probe:form"]["reason"]
    table = run_cli("--config", str(path), "status")
    assert table.stdout.startswith("!! we cannot see") and "✖ down" not in table.stdout
