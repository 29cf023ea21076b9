"""Marketing signals, for real: pages served on 127.0.0.1, the war-room in both engines, the
duty that judges them, the evidence on incident timelines, and the commands that read them."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import time
from datetime import UTC, datetime, timedelta

import pytest

from mopstui.base.timeutil import from_store, to_store, utcnow
from mopstui.config import ConfigError, load
from mopstui.domain import catalog as cat
from mopstui.room.poller import poll
from mopstui.room.signals import SignalDuty, stored_states
from mopstui.status.fetch import Fetcher
from mopstui.store import open_store

from .conftest import MOPSTUI, run_cli, write
from .status_server import StatusServer

FORM_PAGE = b"<html><body><h1>Contact us</h1><form id=contact><input type=email name=email></form></body></html>"
NO_FORM = b"<html><body><h1>Contact us</h1><p>Loading...</p></body></html>"
CHALLENGE = b"<html><title>Just a moment...</title><body>Checking your browser before accessing</body></html>"
GTM = b"(function(){var data = {};" + b"x" * 40_000 + b"})();"


@pytest.fixture
def server():
    with StatusServer() as srv:
        yield srv


def config_text(server, extra: str = "") -> str:
    return f"""timezone: UTC
polling: {{interval: 1s, timeout: 2s}}
vendors:
  - {{id: hubspot, name: HubSpot, kind: statuspage, url: "{server.url("/hubspot")}"}}
services:
  - {{id: lead-form, name: Lead form, touchpoint: lead capture, vendor: hubspot}}
  - {{id: site, name: Website, touchpoint: web}}
signals:
  - id: contact-form
    name: Contact form
    kind: form
    touchpoint: lead capture
    url: "{server.url("/contact")}"
    selector: "form#contact input[type=email]"
    blocked_selector: "#px-captcha"
  - id: gtm
    name: Tag container
    kind: tag
    touchpoint: web
    url: "{server.url("/gtm.js")}"
    min_bytes: 20000
  - id: leads
    name: Leads
    kind: silence
    touchpoint: lead capture
    what: leads
    expect_every: 10m
{extra}"""


@pytest.fixture
def setup(tmp_path, server):
    server.serve("/hubspot/api/v2/summary.json", json.dumps({"status": {"indicator": "none"}, "components": []}))
    server.serve("/contact", FORM_PAGE, headers={"Content-Type": "text/html"})
    server.serve("/gtm.js", GTM, headers={"Content-Type": "application/javascript"})
    path = write(tmp_path / "c.yaml", config_text(server))
    db = tmp_path / "warroom.db"
    config = load([path], database=str(db))
    with open_store(db) as store:
        store.declare("Leads dropping", severity="SEV2", author="alice", services=["lead-form"])
    return config, path, db


def one_round(config, store, now=None):
    duty = SignalDuty(config, store)

    async def run():
        fetcher = Fetcher(config.polling, retries=0)
        try:
            return await duty.round(fetcher, force=True, now=now)
        finally:
            await fetcher.aclose()

    return asyncio.run(run())


def states(config, store):
    return stored_states(store, config)


def test_a_form_is_down_only_after_two_failures_and_the_incident_hears_of_it(setup, server):
    config, _, db = setup
    with open_store(db) as store:
        one_round(config, store)
        assert states(config, store)["contact-form"].state == "ok"
        server.serve("/contact", NO_FORM, headers={"Content-Type": "text/html"})
        one_round(config, store)
        first = states(config, store)["contact-form"]
        assert first.state == "ok" and "once so far" in first.why and first.failures == 1
        one_round(config, store)
        down = states(config, store)["contact-form"]
        assert down.state == "down" and "form missing from its page" in down.why and down.value == "form missing"
        lines = [e.text for e in store.events(1) if e.kind == "vendor"]
        assert len(lines) == 1 and lines[0].startswith("Contact form (signal): ok → down: form missing from its page")
        assert "seen " in lines[0]
        # The touchpoint says map ≠ territory: HubSpot's page is operational, the form is not.
        pages = asyncio.run(poll(config))
        assert pages["hubspot"].state == "operational"
        health = cat.service_health(config, pages, states(config, store))
        (lead,) = [t for t in cat.touchpoints(config, health, states(config, store)) if t.name == "lead capture"]
        assert lead.state == cat.DISAGREE and "Contact form" in cat.culprits_line(config, lead)
        server.serve("/contact", FORM_PAGE, headers={"Content-Type": "text/html"})
        one_round(config, store)
        assert states(config, store)["contact-form"].state == "ok"
        assert [o["state"] for o in store.observations(vendor_id="signal:contact-form")] == ["down", "ok"]


@pytest.mark.parametrize(
    "status, body, headers",
    [
        (403, CHALLENGE, {}),
        (503, CHALLENGE, {}),
        (429, b"slow down", {}),
        (200, b"<html><div id=px-captcha></div></html>", {}),  # the signal's own blocked_selector
    ],
)
def test_a_bot_wall_is_unknown_never_down(setup, server, status, body, headers):
    config, _, db = setup
    server.serve("/contact", body, status=status, headers={"Content-Type": "text/html", **headers})
    with open_store(db) as store:
        for _ in range(3):
            one_round(config, store)
        state = states(config, store)["contact-form"]
        assert state.state == "unknown" and state.why.startswith("cannot see: ")
        assert store.observations(vendor_id="signal:contact-form") == []


def test_a_tag_container_that_stops_serving(setup, server):
    config, _, db = setup
    with open_store(db) as store:
        one_round(config, store)
        assert states(config, store)["gtm"].state == "ok" and states(config, store)["gtm"].value == "39 KB"
        server.serve("/gtm.js", b"", status=404)
        one_round(config, store)
        one_round(config, store)
        gtm = states(config, store)["gtm"]
        assert gtm.state == "down" and "HTTP 404 (not published" in gtm.why
        server.serve("/gtm.js", b"var x=1;", headers={"Content-Type": "application/javascript"})
        one_round(config, store)
        assert "serves only 8 bytes" in states(config, store)["gtm"].why


def test_a_page_that_no_longer_loads_its_container(tmp_path, server):
    server.serve(
        "/home",
        b'<html><script src="https://www.googletagmanager.com/gtm.js?id=GTM-ABC1"></script></html>',
        headers={"Content-Type": "text/html"},
    )
    path = write(
        tmp_path / "c.yaml",
        f"""services: [{{id: site, touchpoint: web}}]
signals:
  - {{id: tag, kind: tag, touchpoint: web, page: "{server.url("/home")}", container: GTM-ABC1, after: 1}}
""",
    )
    config = load([path], database=str(tmp_path / "w.db"))
    with open_store(tmp_path / "w.db") as store:
        one_round(config, store)
        assert states(config, store)["tag"].state == "ok"
        server.serve("/home", b"<html><script>console.log(1)</script></html>", headers={"Content-Type": "text/html"})
        one_round(config, store)
        assert states(config, store)["tag"].why == "the page no longer loads GTM-ABC1"


def test_silence_from_the_command_line_and_its_words(setup, server):
    config, path, db = setup
    ten_past = utcnow().replace(microsecond=0) - timedelta(minutes=15)
    result = run_cli("--config", str(path), "--db", str(db), "signal", "leads", "--count", "2", "--at", ten_past.isoformat())
    assert result.returncode == 0, result.stderr
    assert "leads: 2 recorded (leads), at " in result.stdout
    with open_store(db) as store:
        one_round(config, store)
        leads = states(config, store)["leads"]
        assert leads.state == "degraded" and leads.why == "no leads for 15 min (expected every 10 min)"
    refused = run_cli("--config", str(path), "--db", str(db), "signal", "lead")
    assert refused.returncode == 1 and "no signal 'lead'; did you mean 'leads'?" in refused.stderr
    refused = run_cli("--config", str(path), "--db", str(db), "signal", "gtm")
    assert refused.returncode == 1 and "checks it itself" in refused.stderr and "Traceback" not in refused.stderr


def test_silence_is_learned_per_hour_of_the_week(tmp_path):
    """Every 6 minutes on Monday mornings, every hour on Monday nights: 23 minutes of quiet is
    news at 10:00 and nothing at 03:00."""
    path = write(
        tmp_path / "c.yaml",
        """services: [{id: form, touchpoint: lead capture}]
signals:
  - {id: leads, kind: silence, touchpoint: lead capture, what: leads, learn: 28d, expect_every: 2h}
""",
    )
    config = load([path], database=str(tmp_path / "w.db"))
    monday = datetime(2026, 11, 30, tzinfo=UTC)  # a Monday
    rows = []
    for week in range(1, 4):
        day = monday - timedelta(weeks=week)
        for minute in range(0, 120, 6):  # 09:00-11:00 every 6 min
            rows.append(("leads", to_store(day + timedelta(hours=9, minutes=minute)), 1, None, "test"))
        for hour in range(6):  # nights: once an hour
            rows.append(("leads", to_store(day + timedelta(hours=hour)), 1, None, "test"))
    with open_store(tmp_path / "w.db") as store:
        store.record_arrivals(
            rows
            + [
                ("leads", to_store(monday + timedelta(hours=9, minutes=37)), 1, None, "test"),
                ("leads", to_store(monday + timedelta(hours=2, minutes=40)), 1, None, "test"),
            ]
        )
        one_round(config, store, now=monday + timedelta(hours=10))
        leads = states(config, store)["leads"]
        assert leads.state == "down" and leads.why == "no leads for 23 min (usually every 6 min at this hour)"
    with open_store(tmp_path / "w2.db") as store:
        store.record_arrivals(rows + [("leads", to_store(monday + timedelta(hours=2, minutes=40)), 1, None, "test")])
        one_round(load([path], database=str(tmp_path / "w2.db")), store, now=monday + timedelta(hours=3, minutes=3))
        night = states(config, store)["leads"]
        assert night.state == "ok" and "usually every 1 h at this hour" in night.why


def test_silence_is_not_alarmed_while_the_form_is_down(setup, server):
    config, path, db = setup
    with open_store(db) as store:
        store.record_arrivals([("leads", to_store(utcnow() - timedelta(minutes=40)), 1, None, "test")])
        server.serve("/contact", NO_FORM, headers={"Content-Type": "text/html"})
        one_round(config, store)
        one_round(config, store)
        found = states(config, store)
        assert found["contact-form"].state == "down"
        assert found["leads"].state == "down" and found["leads"].suppressed_by == "Contact form"
        assert "not alarmed: Contact form is down (one cause, one alarm)" in found["leads"].why
        assert store.observations(vendor_id="signal:leads") == []  # one cause, one alarm on the timeline
        listed = run_cli("--config", str(path), "--db", str(db), "signals").stdout
        assert "◌ held      Leads" in listed and "✖ down      Contact form" in listed
        health = cat.service_health(config, {}, found)
        (lead,) = [t for t in cat.touchpoints(config, health, found) if t.name == "lead capture"]
        assert lead.culprits == ("Contact form",)


def test_signals_command_lists_states(setup, server):
    config, path, db = setup
    with open_store(db) as store:
        one_round(config, store)
    result = run_cli("--config", str(path), "--db", str(db), "signals", "--json")
    assert result.returncode == 0, result.stderr
    rows = {r["id"]: r for r in json.loads(result.stdout)}
    assert rows["contact-form"]["state"] == "ok" and rows["contact-form"]["value"] == "form found"
    assert rows["contact-form"]["since"] and rows["gtm"]["why"].startswith("the container serves")
    text = run_cli("--config", str(path), "--db", str(db), "signals")
    assert text.returncode == 0 and "✓ ok" in text.stdout and "Contact form" in text.stdout


def test_signal_states_in_both_engines(location):
    with open_store(location) as store:
        observation = {
            "vendor_id": "signal:x",
            "state": "down",
            "previous_state": "ok",
            "vendor_time": None,
            "seen_at": to_store(utcnow()),
            "reason": "form missing",
        }
        ids = store.save_signal_states({"x": {"id": "x", "state": "down", "checked_at": "t"}}, [observation])
        assert len(ids) == 1 and store.signal_state_payloads()["x"]["state"] == "down"
        store.save_signal_states({"x": {"id": "x", "state": "ok", "checked_at": "u"}}, [])
        assert store.signal_state_payloads()["x"]["state"] == "ok"
        store.record_arrivals(
            [("leads", "2026-11-30T10:00:00.000000Z", 3, None, "cli"), ("leads", "2026-11-30T09:00:00.000000Z", 1, None, "cli")]
        )
        got = store.arrivals("leads", since="2026-11-30T09:30:00.000000Z")
        assert [(a["arrived_at"][:16], a["count"]) for a in got] == [("2026-11-30T10:00", 3)]
        assert store.observations(vendor_id="signal:x")[0]["reason"] == "form missing"


BASE = "services: [{id: s, touchpoint: web}]\nsignals:\n"


@pytest.mark.parametrize(
    "text, line, fragment",
    [
        (
            "  - {id: a, kind: form, touchpoint: web, url: 'https://x.test', selector: form, colour: red}\n",
            3,
            "unknown key 'colour' in a form signal",
        ),
        ("  - {id: a, kind: from, touchpoint: web}\n", 3, "unknown signal kind 'from'; did you mean 'form'?"),
        ("  - {id: a, kind: form, touchpoint: web, url: 'https://x.test', selectr: form}\n", 3, "did you mean 'selector'?"),
        ("  - {id: a, kind: form, touchpoint: web, url: 'https://x.test'}\n", 3, "missing required key 'selector'"),
        ("  - {id: a, kind: form, touchpoint: web, url: 'https://x.test', selector: 'form[['}\n", 3, "not a CSS selector"),
        ("  - {id: a, kind: form, touchpoint: web, url: 'ftp://x', selector: form}\n", 3, "url must be an http(s) URL"),
        ("  - {id: a, kind: form, touchpoint: webb, url: 'https://x.test', selector: form}\n", 3, "did you mean 'web'?"),
        (
            "  - {id: a, kind: form, touchpoint: web, service: t, url: 'https://x.test', selector: form}\n",
            3,
            "unknown service 't'",
        ),
        (
            "  - {id: a, kind: form, touchpoint: web, url: 'https://x.test', selector: form, after: 0}\n",
            3,
            "after must be between 1 and 100",
        ),
        ("  - {id: a, kind: tag, touchpoint: web}\n", 3, "either url"),
        ("  - {id: a, kind: tag, touchpoint: web, page: 'https://x.test'}\n", 3, "needs container"),
        ("  - {id: a, kind: tag, touchpoint: web, url: 'https://x.test', min_bytes: lots}\n", 3, "min_bytes must be"),
        ("  - {id: a, kind: silence, touchpoint: web}\n", 3, "needs expect_every"),
        ("  - {id: a, kind: silence, touchpoint: web, expect_every: often}\n", 3, "expect_every"),
        ("  - {id: a, kind: silence, touchpoint: web, learn: 7d, token_env: 'my token'}\n", 3, "names an environment variable"),
        (
            "  - {id: a, kind: metric, touchpoint: web, url: 'https://x.test', path: v, headers: {Authorization: Bearer abc}}\n",
            3,
            "holds a secret",
        ),
        ("  - {id: a, kind: metric, touchpoint: web, url: 'https://x.test', path: v, below: few}\n", 3, "below must be a number"),
        ("  - {id: a, kind: metric, touchpoint: web, url: 'https://x.test'}\n", 3, "missing required key 'path'"),
        ("  - {id: a, kind: deliverability, touchpoint: web, max_share: 2}\n", 3, "max_share must be between"),
        ("  - {id: 'a b', kind: silence, touchpoint: web, learn: 7d}\n", 3, "use letters, digits"),
        (
            "  - {id: a, kind: silence, touchpoint: web, learn: 7d}\n  - {id: a, kind: silence, touchpoint: web, learn: 7d}\n",
            4,
            "duplicate signal id 'a'",
        ),
        ("  - just text\n", 3, "a signal must be a mapping"),
        ("  - {id: a, kind: silence, touchpoint: web, learn: soon}\n", 3, "learn: 'soon' is not a duration"),
        ("  - {id: a, kind: silence, touchpoint: web, learn: 7d, interval: never}\n", 3, "interval"),
        ("  - {id: a, kind: silence, touchpoint: web, learn: 7d, down_after: 0.5}\n", 3, "down_after must be between"),
        ("  - {id: a, kind: silence, touchpoint: web, learn: 7d, name: [x]}\n", 3, "name must be text"),
        ("  - {id: a, kind: tag, touchpoint: web, page: 'gopher://x', container: GTM-1}\n", 3, "page must be an http(s) URL"),
        (
            "  - {id: a, kind: metric, touchpoint: web, url: 'https://x.test', path: v, method: PUT}\n",
            3,
            "method must be GET or POST",
        ),
        (
            "  - {id: a, kind: metric, touchpoint: web, url: 'https://x.test', path: v, headers: [x]}\n",
            3,
            "headers must be a mapping",
        ),
        (
            "  - {id: a, kind: metric, touchpoint: web, url: 'https://x.test', path: v, baseline: 99}\n",
            3,
            "baseline must be between 0 and 12",
        ),
        ("  - {id: a, kind: metric, touchpoint: web, url: 'https://x.test', path: v, gives: money}\n", 3, "gives must be one of"),
        (
            "  - {id: a, kind: metric, touchpoint: web, url: 'https://x.test', path: v, scale: lots}\n",
            3,
            "scale must be a number",
        ),
        (
            "  - {id: a, kind: metric, touchpoint: web, url: 'https://x.test', path: v, token_command: [gcloud]}\n",
            3,
            "token_command must be text",
        ),
        (
            "  - {id: a, kind: metric, touchpoint: web, url: 'https://x.test', path: v, gives: status, expect: PAUSED, "
            "confirms: pause-add}\n",
            3,
            "did you mean 'pause-ads'?",
        ),
        (
            "  - {id: a, kind: metric, touchpoint: web, url: 'https://x.test', path: v, confirms: pause-ads}\n",
            3,
            "confirms needs gives: status and expect:",
        ),
        ("  - {id: a, kind: deliverability, touchpoint: web, window: later}\n", 3, "window"),
        ("  - {id: a, kind: deliverability, touchpoint: web, min_events: 0}\n", 3, "min_events must be between"),
    ],
)
def test_check_config_names_file_and_line_for_every_signal_key(tmp_path, text, line, fragment):
    path = write(tmp_path / "bad.yaml", BASE + text)
    with pytest.raises(ConfigError) as info:  # in-process: check-config prints exactly these (below)
        load([path])
    assert any(p.startswith(f"{path}:{line}: ") and fragment in p for p in info.value.errors), info.value.errors


def test_check_config_exits_2_with_every_signal_problem(tmp_path):
    path = write(
        tmp_path / "bad.yaml",
        BASE + "  - {id: a, kind: from, touchpoint: web}\n"
        "  - {id: b, kind: form, touchpoint: web, url: 'https://x.test', selectr: form}\n",
    )
    result = run_cli("--config", str(path), "check-config")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        f"{path}:3: unknown signal kind 'from'; did you mean 'form'?",
        f"{path}:4: unknown key 'selectr' in a form signal; did you mean 'selector'?",
        f"{path}:4: signal b: missing required key 'selector'",
    ]


@pytest.mark.slow  # a real watch process
def test_watch_runs_the_signals_duty_and_stops(setup, server):
    """The room's duty holder (`watch`) checks the signals; whoever reads the war-room sees them."""
    _, path, db = setup
    proc = subprocess.Popen(
        [MOPSTUI, "--config", str(path), "--db", str(db), "watch"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with open_store(db) as store:
                if store.signal_state_payloads().get("contact-form", {}).get("state") == "ok":
                    break
            time.sleep(0.1)
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert "watching 1 vendors and 3 signals" in out
    assert server.requests["/contact"] >= 1 and server.requests["/gtm.js"] >= 1


async def test_the_screen_shows_a_signals_evidence_at_80x24(setup, server):
    """The form went missing while HubSpot's page stays green: the rollup says so first, the
    timeline has the evidence, and the service's detail shows the signal with its why and since."""
    from textual.widgets import Static

    from mopstui.tui.details import DetailScreen

    from .tui_helpers import make_app, timeline, wait_for

    config, _, db = setup
    server.serve("/contact", NO_FORM, headers={"Content-Type": "text/html"})
    with open_store(db) as store:
        await asyncio.to_thread(one_round, config, store)
        await asyncio.to_thread(one_round, config, store)
    app = make_app(config)
    async with app.run_test(size=(80, 24)) as pilot:
        rollup = lambda: str(app.q("#touchpoints", Static).render())  # noqa: E731
        await wait_for(pilot, lambda: "Contact form" in rollup(), message="the signal line")
        assert rollup().splitlines()[0].startswith("✖ down Contact form: form missing from its page")
        await wait_for(
            pilot,
            lambda: any(
                e.text.startswith("Contact form (signal): unknown → down: form missing from its page")
                for e in timeline(app).events
            ),
            message=f"the evidence on the timeline: {[e.text for e in timeline(app).events]}",
        )
        app.show_service("lead-form")
        await wait_for(
            pilot, lambda: isinstance(app.screen, DetailScreen) and app.screen.query("#detail-body"), message="the service detail"
        )
        body = str(app.screen.query_one("#detail-body", Static).render())
        assert "Signals (our own measurement)" in body
        assert "Contact form (form check): form missing from its page" in body and "last: form missing" in body
        assert "unknown → down" in body


def test_signal_changes_are_exported_beside_the_vendors(setup, server):
    config, path, db = setup
    server.serve("/contact", NO_FORM, headers={"Content-Type": "text/html"})
    with open_store(db) as store:
        one_round(config, store)
        one_round(config, store)
    markdown = run_cli("--config", str(path), "--db", str(db), "export", "1")
    assert markdown.returncode == 0, markdown.stderr
    section = markdown.stdout.split("## Our signals during the incident", 1)[1]
    assert "| Contact form | unknown → down | form missing from its page" in section
    data = json.loads(run_cli("--config", str(path), "--db", str(db), "export", "1", "-f", "json").stdout)
    assert [c["state"] for c in data["signal_changes"]] == ["down"]
    assert all(not c["vendor_id"].startswith("signal:") for c in data["vendor_changes"])


def test_the_duty_in_both_engines(location, server, tmp_path):
    """The same round on SQLite and PostgreSQL: the form goes down after two checks, its change is
    in the history and on the incident's timeline, and a silence is judged from its arrivals."""
    server.serve("/hubspot/api/v2/summary.json", json.dumps({"status": {"indicator": "none"}, "components": []}))
    server.serve("/contact", NO_FORM, headers={"Content-Type": "text/html"})
    server.serve("/gtm.js", GTM, headers={"Content-Type": "application/javascript"})
    config = load([write(tmp_path / "c.yaml", config_text(server))], database=str(tmp_path / "unused.db"))
    with open_store(location) as store:
        store.declare("Leads dropping", severity="SEV2", author="alice", services=["lead-form"])
        store.record_arrivals([("leads", to_store(utcnow() - timedelta(minutes=15)), 1, None, "test")])
        one_round(config, store)
        one_round(config, store)
        found = states(config, store)
        assert found["contact-form"].state == "down" and found["gtm"].state == "ok"
        assert found["leads"].state == "degraded" and found["leads"].suppressed_by == "Contact form"
        assert [o["state"] for o in store.observations(vendor_id="signal:contact-form")] == ["down"]
        assert any(e.text.startswith("Contact form (signal): unknown → down") for e in store.events(1))


def test_map_and_territory_disagree_on_the_timeline(tmp_path, server):
    """A service's own form signal fails while its vendor's page is operational: the incident's
    timeline says map ≠ territory once, and once again when they agree."""
    server.serve("/hubspot/api/v2/summary.json", json.dumps({"status": {"indicator": "none"}, "components": []}))
    server.serve("/contact", NO_FORM, headers={"Content-Type": "text/html"})
    path = write(
        tmp_path / "c.yaml",
        f"""timezone: UTC
vendors:
  - {{id: hubspot, name: HubSpot, kind: statuspage, url: "{server.url("/hubspot")}"}}
services:
  - {{id: lead-form, name: Lead form, touchpoint: lead capture, vendor: hubspot}}
signals:
  - {{id: contact-form, name: Contact form, kind: form, touchpoint: lead capture, service: lead-form,
     url: "{server.url("/contact")}", selector: "form#contact"}}
""",
    )
    db = tmp_path / "w.db"
    config = load([path], database=str(db))
    with open_store(db) as store:
        store.declare("Leads dropping", severity="SEV2", author="alice", services=["lead-form"])
        store.save_vendor_statuses({k: v.to_dict() for k, v in asyncio.run(poll(config)).items()}, [])
        for _ in range(3):
            one_round(config, store)
        server.serve("/contact", FORM_PAGE, headers={"Content-Type": "text/html"})
        one_round(config, store)
        lines = [e.text for e in store.events(1) if e.kind == "vendor"]
    assert [t for t in lines if t.startswith("Lead form")] == [
        "Lead form vendor says operational, our signal Contact form: form missing from its page",
        "Lead form: the vendor's page and our own checks agree again",
    ], lines


def test_old_arrivals_are_forgotten_but_the_last_one_and_what_learning_needs_are_kept(location, tmp_path):
    from mopstui.room.signals import prune_arrivals

    path = write(
        tmp_path / "c.yaml",
        """timezone: UTC
services: [{id: form, touchpoint: lead capture}]
signals:
  - {id: leads, kind: silence, touchpoint: lead capture, expect_every: 10m}
  - {id: quiet, kind: silence, touchpoint: lead capture, expect_every: 10m}
  - {id: learned, kind: silence, touchpoint: lead capture, learn: 21d}
""",
    )
    config = load([path], database=location)
    signals = {s.id: s for s in config.signals}
    assert signals["leads"].keeps_arrivals_for == timedelta(days=8)  # at least a week and a day
    assert signals["learned"].keeps_arrivals_for == timedelta(days=22)  # what it learns from, and a day
    now = utcnow()
    rows = []
    for signal_id in ("leads", "learned"):
        rows += [(signal_id, to_store(now - timedelta(days=days)), 1, None, "cli:test") for days in (30, 15, 3)]
    rows += [
        ("quiet", to_store(now - timedelta(days=60)), 1, None, "cli:test"),
        ("quiet", to_store(now - timedelta(days=90)), 1, None, "cli:test"),
    ]
    with open_store(location) as store:
        store.record_arrivals(rows)
        prune_arrivals(store, config, now)
        ages = {
            s: [round((now - from_store(r["arrived_at"])).total_seconds() / 86400) for r in store.arrivals(s)] for s in signals
        }
        assert ages == {"leads": [3], "learned": [15, 3], "quiet": [60]}  # the last ever stays: a silence counts from it
        # A flood is capped per signal, the newest written kept.
        store.record_arrivals([("leads", to_store(now), 1, None, f"listen:{i}") for i in range(50)])
        store.prune_arrivals("leads", to_store(now - timedelta(days=8)), at_most=10)
        kept = store.arrivals("leads")
        assert len(kept) == 10 and {r["source"] for r in kept} == {f"listen:{i}" for i in range(40, 50)}
