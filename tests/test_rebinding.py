"""DNS rebinding: a name that answers a public address when the guard checks it, and 127.0.0.1 when
the connection is made. The guard used to ask the resolver once and the connection asked again, so
the vendor's page could send the poller to the jump host itself; now the connection goes to the
very address that was checked (mopstui/status/connect.py), and this one is refused.

Over real HTTP on 127.0.0.1, with a resolver the test controls (`socket.getaddrinfo`, which
asyncio's resolver calls): each name answers one address when asked without a port, as the guard
asks, and another when asked with one, as a connection asks. `vendor.test` stands for a vendor's
page on the internet (public to the guard; this test serves it on loopback); `rebind.test` is the
attacker's name (public to the guard, loopback to the connection). On the former code, both tests
below fail: the loopback server is reached and its answer read."""

import asyncio
import socket
from datetime import timedelta

import pytest

from mopstui.config import Polling, Vendor
from mopstui.status.detect import candidates, detect
from mopstui.status.fetch import Fetcher

from .status_server import FIXTURES, StatusServer

PUBLIC = "93.184.216.34"  # a globally routable address; never connected to here
ANSWERS = {"vendor.test": (PUBLIC, "127.0.0.1"), "rebind.test": (PUBLIC, "127.0.0.1")}


@pytest.fixture(autouse=True)
def resolver(monkeypatch):
    """(when checked, when connected) for the test's names; every other name as the system says."""
    real = socket.getaddrinfo
    asked: list[tuple[str, object]] = []

    def getaddrinfo(host, port, *args, **kwargs):
        name = host.decode() if isinstance(host, bytes) else host
        if name in ANSWERS:
            asked.append((name, port))
            checked, connected = ANSWERS[name]
            return real(checked if port is None else connected, port, *args, **kwargs)
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)  # a proxy resolves names itself: no guard of ours applies
    return asked


def fetch(url: str, **kwargs):
    async def run():
        fetcher = Fetcher(Polling(timeout=timedelta(seconds=5)), retries=0)
        try:
            return await fetcher.fetch(url, conditional=False, **kwargs)
        finally:
            await fetcher.aclose()

    return asyncio.run(run())


def test_a_redirect_to_a_name_that_rebinds_to_loopback_is_refused_when_connecting(resolver):
    with StatusServer() as server:
        port = server.server_address[1]
        server.serve("/start", status=302, headers={"Location": f"http://rebind.test:{port}/secret"})
        server.serve("/secret", '{"the jump host": "its own secrets"}')
        outcome = fetch(f"http://vendor.test:{port}/start")
        assert server.requests["/start"] == 1  # the configured page itself is reached, through its name
        assert server.request_headers["/start"][0]["Host"] == f"vendor.test:{port}"  # and named in the request
        assert ("rebind.test", None) in resolver  # the redirect's guard asked first, and was told "public"
        assert server.requests["/secret"] == 0, "the connection went to 127.0.0.1 after the check said public"
        assert outcome.fetched is None
        assert outcome.reason == "rebind.test answered an internal address when we connected: refused"


def test_a_canonical_host_that_rebinds_to_loopback_is_refused_when_connecting(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    with StatusServer() as page, StatusServer() as inside:
        inside.serve("/api/v2/summary.json", (FIXTURES / "statuspage" / "twilio-summary-incident.json").read_bytes())
        vendor_url = f"http://vendor.test:{page.server_address[1]}/"
        spa = f'<html><head><link rel="canonical" href="http://rebind.test:{inside.server_address[1]}/"></head></html>'
        for candidate in candidates(vendor_url):
            page.serve(candidate.url.split(str(page.server_address[1]), 1)[1] or "/", spa, headers={"Content-Type": "text/html"})
        vendor = Vendor(id="v", name="Vendor", kind="auto", url=vendor_url)

        async def run():
            fetcher = Fetcher(Polling(timeout=timedelta(seconds=5)), retries=0)
            try:
                return await detect(vendor, fetcher)
            finally:
                await fetcher.aclose()

        found, said = asyncio.run(run())
        assert sum(page.requests.values()) >= 5  # the vendor's own page was asked for every format
        assert sum(inside.requests.values()) == 0, "the canonical host's connection reached 127.0.0.1"
        assert found.parsed is None
        assert "rebind.test answered an internal address when we connected: refused" in said


def test_a_page_configured_inside_our_network_may_still_send_us_there():
    """A person who configured a page on loopback chose loopback: its redirects may stay there."""
    with StatusServer() as server:
        server.serve("/start", status=302, headers={"Location": f"http://localhost:{server.server_address[1]}/feed"})
        server.serve("/feed", "{}")
        outcome = fetch(server.url("/start"))
        assert outcome.fetched is not None and server.requests["/feed"] == 1


def test_the_connection_by_number_still_names_the_host_to_tls(tmp_path, monkeypatch):
    """The connection goes to the checked address by number, and TLS is still asked for the
    host's name: the certificate here is for vendor.test only, so a TLS check against 127.0.0.1
    would fail."""
    import shutil
    import ssl
    import subprocess

    from mopstui.status.fetch import shared_ssl_context

    if shutil.which("openssl") is None:
        pytest.skip("no openssl command to make a certificate with")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "1"]
        + ["-subj", "/CN=vendor.test", "-addext", "subjectAltName=DNS:vendor.test"],
        check=True,
        capture_output=True,
        timeout=60,
    )
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    shared_ssl_context.cache_clear()
    try:
        server = StatusServer()
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        with server:
            server.serve("/summary.json", "{}")
            port = server.server_address[1]
            outcome = fetch(f"https://vendor.test:{port}/summary.json")
            assert outcome.fetched is not None, outcome.reason
            assert server.request_headers["/summary.json"][0]["Host"] == f"vendor.test:{port}"
            by_number = fetch(f"https://127.0.0.1:{port}/summary.json")  # the certificate does not name it
            assert by_number.fetched is None and server.requests["/summary.json"] == 1
    finally:
        shared_ssl_context.cache_clear()
