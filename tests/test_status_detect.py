"""`kind: auto`: each format found from its documented shape over real HTTP on 127.0.0.1, in the
documented order, remembered in the user's private cache, re-detected when the page moves."""

import json
import os
from datetime import timedelta
from email.utils import format_datetime

import pytest

from mopstui.base.timeutil import utcnow
from mopstui.config import load

from .status_server import FIXTURES, StatusServer
from .test_status import poll_one, poll_twice

FORMATS = FIXTURES / "formats"


@pytest.fixture
def server():
    with StatusServer() as srv:
        yield srv


@pytest.fixture(autouse=True)
def own_cache(tmp_path, monkeypatch):
    """Each test its own private cache, as each user has on the host."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    return cache / "mopstui"


def feed(name: str) -> str:
    text = (FORMATS / name).read_text()
    return text.replace("{recent}", format_datetime(utcnow() - timedelta(minutes=10))).replace(
        "{earlier}", format_datetime(utcnow() - timedelta(hours=5))
    )


def atom_log() -> str:
    return (
        f'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Acme</title><id>x</id>'
        f"<updated>{utcnow().isoformat()}</updated><entry><id>e1</id><title>Checkout is down</title>"
        f"<updated>{(utcnow() - timedelta(minutes=5)).isoformat()}</updated><content>Investigating</content></entry></feed>"
    )


CASES = [  # (what, path served, body, kind found, state)
    (
        "statuspage",
        "/api/v2/summary.json",
        (FIXTURES / "statuspage/twilio-summary-incident.json").read_bytes(),
        "statuspage",
        "degraded",
    ),
    (
        "incident.io compatible JSON",
        "/api/v2/summary.json",
        (FORMATS / "incidentio-compat-summary.json").read_bytes(),
        "statuspage",
        "degraded",
    ),
    ("incident.io proxy", "/proxy/127.0.0.1", (FORMATS / "incidentio-proxy.json").read_bytes(), "incidentio", "partial_outage"),
    ("incident.io feed", "/feed.rss", feed("incidentio-feed.rss"), "rss", "degraded"),
    ("instatus summary", "/summary.json", (FORMATS / "instatus-summary.json").read_bytes(), "instatus", "partial_outage"),
    ("instatus components", "/v2/components.json", (FORMATS / "instatus-components.json").read_bytes(), "instatus", "degraded"),
    ("better stack", "/index.json", (FORMATS / "betterstack-index.json").read_bytes(), "betterstack", "degraded"),
    ("sorry", "/api/v1/status", (FORMATS / "sorry-status.json").read_bytes(), "sorry", "partial_outage"),
    ("cachet", "/api/v1/components", (FORMATS / "cachet-components.json").read_bytes(), "cachet", "partial_outage"),
    (
        "incident.io widget",
        "/api/v1/summary",
        (FORMATS / "incidentio-widget.json").read_bytes(),
        "incidentio_widget",
        "partial_outage",
    ),
    ("hyperping", "/status.json", (FORMATS / "hyperping-status.json").read_bytes(), "hyperping", "partial_outage"),
    ("hyperping services", "/status.json", (FORMATS / "hyperping-services.json").read_bytes(), "hyperping", "major_outage"),
    ("rootly", "/api/v1/status.json", (FORMATS / "rootly-status.json").read_bytes(), "rootly", "degraded"),
    ("atom", "/history.atom", atom_log(), "rss", "major_outage"),
]


@pytest.mark.parametrize(("what", "path", "body", "kind", "state"), CASES, ids=[c[0] for c in CASES])
def test_each_format_is_found_and_read(tmp_path, server, what, path, body, kind, state):
    server.serve(path, body)
    found = poll_one(tmp_path, "auto", server.url("/"))
    assert (found.kind, found.state) == (kind, state), found.reason
    # The same answer read with its kind named gives the same verdict.
    if kind != "rss":
        named = poll_one(tmp_path, kind, server.url(path))
        assert named.state == state, named.reason


def test_incident_io_proxy_components_by_id_and_group(tmp_path, server):
    server.serve("/proxy/127.0.0.1", (FORMATS / "incidentio-proxy.json").read_bytes())
    status = poll_one(tmp_path, "auto", server.url("/"), components=["US Cloud / App", "Event ingestion"])
    assert status.state == "partial_outage" and [c.state for c in status.watched_components] == ["operational", "partial_outage"]
    assert [(i.title, i.impact) for i in status.incidents] == [("Events delayed in the US region", "partial_outage")]
    assert status.maintenances[0].starts_at == "2026-12-20T02:00:00Z"
    ambiguous = poll_one(tmp_path, "auto", server.url("/"), components=["App"])
    assert ambiguous.state == "unknown" and "US Cloud / App" in ambiguous.watched_components[0].note


def test_detection_follows_the_documented_order_and_stops_at_the_first_answer(tmp_path, server):
    server.serve("/api/v2/summary.json", (FORMATS / "incidentio-compat-summary.json").read_bytes())
    server.serve("/index.json", (FORMATS / "betterstack-index.json").read_bytes())
    server.serve("/history.atom", atom_log())
    assert poll_one(tmp_path, "auto", server.url("/")).kind == "statuspage"
    assert server.requests["/index.json"] == 0 and server.requests["/history.atom"] == 0
    del server.routes["/api/v2/summary.json"]
    os.remove(tmp_path / "cache" / "mopstui" / "detected-formats.json")
    assert poll_one(tmp_path, "auto", server.url("/")).kind == "betterstack"
    order = [p for p in server.requests if p != "/api/v2/summary.json"]
    assert order.index("/proxy/127.0.0.1") < order.index("/summary.json") < order.index("/index.json")


def config_auto(tmp_path, url):
    path = tmp_path / "c.yaml"
    path.write_text(f'polling: {{timeout: 2s}}\nvendors:\n  - {{id: v, name: Vendor, url: "{url}"}}\n')  # no kind: auto
    return load([path])


def test_what_worked_is_remembered_privately_and_a_move_is_said(tmp_path, server, own_cache):
    server.serve("/api/v2/summary.json", (FORMATS / "incidentio-compat-summary.json").read_bytes())
    config = config_auto(tmp_path, server.url("/"))
    assert config.vendors[0].kind == "auto"

    def move():
        server.routes.pop("/api/v2/summary.json")
        server.serve("/index.json", (FORMATS / "betterstack-index.json").read_bytes())

    first, second = poll_twice(config, between=move)
    assert first.kind == "statuspage" and second.kind == "betterstack"
    assert "the vendor's page moved platform: it was Statuspage, it is now Better Stack" in second.reason
    memory = own_cache / "detected-formats.json"
    assert (os.stat(memory).st_mode & 0o777) == 0o600 and (os.stat(own_cache).st_mode & 0o777) == 0o700
    assert json.loads(memory.read_text())[server.url("/")]["kind"] == "betterstack"
    # Remembered: the next round asks the remembered URL only.
    before = sum(server.requests.values())
    again = poll_one(tmp_path, "auto", server.url("/"))
    assert again.kind == "betterstack" and again.moved_from == "statuspage"
    assert "moved platform: it was Statuspage, it is now Better Stack" in again.reason, "said until the config names it"
    assert sum(server.requests.values()) - before == 1


def test_weather_is_not_a_move(tmp_path, server, own_cache):
    server.serve("/api/v2/summary.json", (FORMATS / "incidentio-compat-summary.json").read_bytes())
    assert poll_one(tmp_path, "auto", server.url("/")).kind == "statuspage"
    server.serve("/api/v2/summary.json", "busy", status=503)
    before = dict(server.requests)
    status = poll_one(tmp_path, "auto", server.url("/"))
    assert status.state == "unknown" and status.reason == "HTTP 503"
    assert {p for p, n in server.requests.items() if n != before.get(p, 0)} == {"/api/v2/summary.json"}


def test_a_planted_memory_is_not_read(tmp_path, server, own_cache):
    """A memory file that is not this user's private file (here: readable by the group) is
    ignored: detection starts afresh rather than follow someone else's word."""
    server.serve("/api/v2/summary.json", (FORMATS / "incidentio-compat-summary.json").read_bytes())
    server.serve("/elsewhere.json", json.dumps({"page": {}, "status": {"indicator": "critical"}, "components": []}))
    own_cache.mkdir(parents=True, mode=0o700)
    planted = own_cache / "detected-formats.json"
    planted.write_text(json.dumps({server.url("/"): {"kind": "statuspage", "url": server.url("/elsewhere.json")}}))
    planted.chmod(0o644)
    status = poll_one(tmp_path, "auto", server.url("/"))
    assert status.state == "degraded" and server.requests["/elsewhere.json"] == 0


def test_a_page_answering_html_everywhere_is_unknown_and_the_canonical_host_is_tried(tmp_path, server):
    from mopstui.status.detect import candidates

    with StatusServer() as canonical:
        canonical_base = canonical.url("/").replace("127.0.0.1", "localhost")
        spa = (FORMATS / "spa.html").read_text().replace("{canonical}", canonical_base)
        for candidate in candidates(server.url("/")):
            path = candidate.url.removeprefix(server.base)
            server.serve(path or "/", spa, headers={"Content-Type": "text/html"})
        status = poll_one(tmp_path, "auto", server.url("/"))
        assert status.state == "unknown" and "HTML only" in status.reason  # never operational
        assert sum(canonical.requests.values()) >= 5  # each format asked on the canonical host too
        canonical.serve("/feed.rss", feed("incidentio-feed.rss"))
        found = poll_one(tmp_path, "auto", server.url("/"))
        assert found.kind == "rss" and found.state == "degraded"


def test_an_html_page_where_a_feed_was_expected_is_unknown(tmp_path, server):
    spa = (FORMATS / "spa.html").read_text().replace("{canonical}", server.url("/"))
    server.serve("/feed.rss", spa, headers={"Content-Type": "text/html"})
    status = poll_one(tmp_path, "rss", server.url("/feed.rss"))
    assert status.state == "unknown" and status.reason == "HTML page, not a feed"


def test_a_canonical_link_cannot_send_the_poller_into_our_own_network():
    import asyncio

    from mopstui.status.detect import may_follow

    assert not asyncio.run(may_follow("https://93.184.216.34/", "127.0.0.1"))  # a public page naming loopback
    assert not asyncio.run(may_follow("https://93.184.216.34/", "10.0.0.8"))
    assert asyncio.run(may_follow("http://127.0.0.1:8080/", "localhost"))  # configured inside: the user chose it
    assert asyncio.run(may_follow("https://93.184.216.34/", "93.184.216.35"))  # public to public


def bounded_run(code: str, seconds: float = 30) -> str:
    """Run `code` in a Python of its own and return what it printed; a search that backtracks
    holds the interpreter's lock, so only another process can be stopped when it runs away. The
    bound is generous: the point is that the work is bounded at all."""
    import subprocess
    import sys
    from pathlib import Path

    try:
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=seconds, cwd=Path(__file__).parent.parent
        )
    except subprocess.TimeoutExpired:  # run() killed and reaped it
        return "still searching"
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.mark.parametrize("repeat", [300, 64 * 1024 // 20])  # the review's 6 KB page, and 64 KB of it
def test_a_page_built_to_stall_the_canonical_search_is_read_at_once(repeat):
    code = f"""if True:
        from mopstui.status.detect import canonical_url
        print(canonical_url(b"<html>" + b"<link rel=canonical " * {repeat}))
        print(canonical_url(b'<html><link rel="canonical" href="' + b"a" * 65536))
    """
    assert bounded_run(code, 5) == "None\nNone"


def test_the_canonical_link_is_read_in_its_usual_spellings():
    from mopstui.status.detect import canonical_url

    assert canonical_url(b'<html><link rel="canonical" href="https://a.example/">') == "https://a.example/"
    assert canonical_url(b"<html><LINK HREF='https://b.example/x' REL='Canonical'>") == "https://b.example/x"
    assert canonical_url(b"<html><link rel=canonical href=https://c.example/ />") == "https://c.example/"
    assert canonical_url(b'<link rel="icon" href="/i.png"><link rel="alternate canonical" href="//d.example">') == "//d.example"
    assert canonical_url(b'<html><link rel="stylesheet" href="https://e.example/">') is None


def test_a_hostile_page_on_every_path_leaves_auto_detection_bounded(tmp_path, server):
    from mopstui.status.detect import candidates

    hostile = b"<html>" + b"<link rel=canonical " * (64 * 1024 // 20)
    for candidate in candidates(server.url("/")):
        server.serve(candidate.url.removeprefix(server.base) or "/", hostile, headers={"Content-Type": "text/html"})
    code = f"""if True:
        import os; os.environ["XDG_CACHE_HOME"] = {str(tmp_path / "cache")!r}
        from pathlib import Path
        from tests.test_status import poll_one
        status = poll_one(Path({str(tmp_path)!r}), "auto", {server.url("/")!r})
        print(status.state, "HTML only" in status.reason)
    """
    assert bounded_run(code, 60) == "unknown True"


@pytest.mark.parametrize(
    "address",
    [
        "100.100.100.200",
        "100.64.0.1",  # carrier-grade NAT, a cloud's metadata service
        "169.254.169.254",
        "fe80::1",
        "127.0.0.1",
        "::1",
        "0.0.0.0",
        "::",
        "10.1.2.3",
        "192.168.0.1",
        "fc00::1",
        "fec0::1",  # unique-local, site-local
        "2002:7f00:1::",
        "::ffff:127.0.0.1",
        "::ffff:169.254.169.254",
        "64:ff9b::a9fe:a9fe",
        "::7f00:1",
        "2001:0:4136:e378:8000:63bf:80ff:fffe",  # Teredo carrying 127.0.0.1
        "224.0.0.1",
        "ff02::1",
        "240.0.0.1",
        "192.0.2.1",
        "198.18.0.1",
    ],
)
def test_every_address_outside_the_public_internet_is_internal(address):
    from mopstui.status.addresses import is_internal

    assert is_internal(address)


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700::1", "2002:5db8:d822::"])
def test_public_addresses_are_not_internal(address):
    from mopstui.status.addresses import is_internal

    assert not is_internal(address)


def test_a_private_configured_page_unlocks_only_its_own_part_of_the_network():
    import asyncio

    from mopstui.status.detect import may_follow

    assert asyncio.run(may_follow("http://10.1.2.3/status", "10.9.9.9"))  # private to private
    assert not asyncio.run(may_follow("http://10.1.2.3/status", "169.254.169.254"))  # never the metadata service
    assert not asyncio.run(may_follow("http://10.1.2.3/status", "127.0.0.1"))  # nor this host
    assert not asyncio.run(may_follow("http://10.1.2.3/status", "[::ffff:127.0.0.1]"))
    assert not asyncio.run(may_follow("http://127.0.0.1:8080/", "10.0.0.8"))  # loopback does not unlock private
    assert not asyncio.run(may_follow("http://127.0.0.1:8080/", "100.100.100.200"))
    assert asyncio.run(may_follow("http://169.254.169.254/", "169.254.1.1"))  # configured there: the user chose it
    assert not asyncio.run(may_follow("https://93.184.216.34/", "fec0::1"))
    assert not asyncio.run(may_follow("https://93.184.216.34/", "2002:7f00:1::"))


@pytest.mark.parametrize("target", ["169.254.169.254", "[::ffff:169.254.169.254]", "100.100.100.200", "10.0.0.8"])
def test_a_loopback_page_cannot_redirect_the_poller_elsewhere_inside(tmp_path, server, target):
    url = server.serve("/summary.json", status=302, headers={"Location": f"http://{target}/latest/meta-data/"})
    status = poll_one(tmp_path, "statuspage", url)
    assert status.state == "unknown"
    assert status.reason == f"redirect to an internal address ({target.strip('[]')}) refused"
