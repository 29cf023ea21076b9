"""The vendor directory: vendors named by id in a config, overridden by it, refused by name when
they publish nothing machine-readable, searched from the command line; and every entry read by
its format's reader from a payload of that format, served over real HTTP on 127.0.0.1 at the
path the entry's URL gives."""

import asyncio
import json
from dataclasses import replace
from datetime import timedelta
from urllib.parse import urlsplit

import pytest

from mopstui.base.timeutil import utcnow
from mopstui.config import WatchedComponent, load
from mopstui.config.directory import directory
from mopstui.room.poller import poll
from mopstui.status.fetch import Fetcher
from mopstui.status.providers import PROVIDERS

from .conftest import run_cli
from .status_server import FIXTURES, StatusServer
from .test_status_formats import META_ORGS, TRUST_INCIDENTS, ZENDESK_INCIDENTS


@pytest.fixture
def server():
    with StatusServer() as srv:
        yield srv


def write(tmp_path, text: str):
    path = tmp_path / "c.yaml"
    path.write_text(text)
    return path


def test_vendors_named_by_id_work_without_urls(tmp_path):
    config = load(
        [
            write(
                tmp_path,
                "vendors: [hubspot, klaviyo, {id: braze, cluster: US 03}, {id: salesforce, product: NA224}]\n"
                "services:\n  - {id: forms, name: Lead form, vendor: hubspot}\n",
            )
        ]
    )
    by_id = {v.id: v for v in config.vendors}
    assert (by_id["hubspot"].name, by_id["hubspot"].kind, by_id["hubspot"].url) == (
        "HubSpot",
        "statuspage",
        "https://status.hubspot.com",
    )
    assert by_id["klaviyo"].url == "https://status.klaviyo.com"
    assert by_id["braze"].components == (WatchedComponent("US 03", ""),)  # the cluster's group on the page
    assert by_id["salesforce"].product == "NA224" and config.service("forms").vendor == "hubspot"
    within = load([write(tmp_path, "vendors:\n  - {id: braze, cluster: EU 01, components: [Messaging]}\n")])
    assert within.vendors[0].components == (WatchedComponent("Messaging", "EU 01"),)


def test_the_config_overrides_the_directory(tmp_path):
    config = load(
        [
            write(
                tmp_path,
                "vendors:\n  - {id: hubspot, components: [Forms], interval: 2m}\n"
                "  - {id: intercom, name: Intercom EU, url: 'https://eu.example.com', kind: statuspage}\n",
            )
        ]
    )
    hubspot, intercom = config.vendors
    assert hubspot.url == "https://status.hubspot.com" and hubspot.components == (WatchedComponent("Forms"),)
    assert (intercom.name, intercom.url) == ("Intercom EU", "https://eu.example.com")


def test_vendors_with_nothing_machine_readable_are_refused_with_what_to_watch_instead(tmp_path):
    path = write(tmp_path, "vendors:\n  - klaviyo\n  - mailchimp\n")
    result = run_cli("--config", str(path), "check-config")
    assert result.returncode == 2
    assert f"{path}:3:" in result.stderr and "Mailchimp publishes no machine-readable status page" in result.stderr
    assert "watch a probe on https://us1.api.mailchimp.com/3.0/ping" in result.stderr


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("[hubspott]", "'hubspott' is not in the vendor directory; did you mean 'hubspot'?"),
        ("[{id: braze, cluster: US 99}]", "unknown cluster 'US 99' (one of: US 01"),
        ("[{id: hubspot, cluster: US 01}]", "unknown cluster 'US 01' (it has no clusters)"),
        ("[salesforce]", "warning: vendor salesforce: add product: your instance key"),
    ],
)
def test_directory_slips_are_said_with_their_line(tmp_path, line, message):
    path = write(tmp_path, f"vendors: {line}\n")
    result = run_cli("--config", str(path), "check-config")
    assert message in result.stderr and f"{path}:1:" in result.stderr
    assert result.returncode == (0 if "warning" in message else 2)


def test_vendors_search(tmp_path):
    out = run_cli("vendors", "search", "email").stdout
    assert "klaviyo " in out and "braze " in out and "clusters: US 01" in out and "hubspot" not in out
    assert "Checked 2026-12" in out
    rows = json.loads(run_cli("vendors", "search", "Mailchimp", "--json").stdout)
    assert rows[0]["machine_readable"] is False and "3.0/ping" in rows[0]["instead"]
    assert run_cli("vendors", "search", "nothing-like-this").returncode == 1
    refused = run_cli("vendors", "components", "mailchimp")
    assert refused.returncode == 1 and "no machine-readable status page" in refused.stderr


def test_the_directory_is_well_formed():
    checked, entries = directory()
    assert checked and len(entries) >= 60
    ids = [e.id for e in entries]
    assert len(ids) == len(set(ids)) and all(i == i.lower() for i in ids)
    for entry in entries:
        assert urlsplit(entry.url).scheme == "https", entry.id
        assert entry.checked[:4].isdigit(), entry.id  # every entry says when it was last checked
        assert entry.readable == bool(entry.kind), entry.id  # a format, or why none
        assert entry.readable or entry.probe, entry.id
        assert not entry.kind or entry.kind == "auto" or entry.kind in PROVIDERS, entry.id


def atom() -> str:
    return (
        f'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>x</title><id>x</id>'
        f"<updated>{utcnow().isoformat()}</updated><entry><id>1</id><title>Fine</title>"
        f"<updated>{(utcnow() - timedelta(hours=1)).isoformat()}</updated><content>Resolved</content></entry></feed>"
    )


GOOGLE = [
    {
        "id": "1",
        "begin": "2026-11-24T07:00:00Z",
        "end": "2026-11-24T09:00:00Z",
        "external_desc": "x",
        "service_name": "Google Analytics",
        "status_impact": "SERVICE_OUTAGE",
    }
]
PAYLOADS = {  # one payload of each format, as that format documents it
    "statuspage": (FIXTURES / "statuspage/twilio-summary-incident.json").read_bytes(),
    "instatus": (FIXTURES / "formats/instatus-summary.json").read_bytes(),
    "betterstack": (FIXTURES / "formats/betterstack-index.json").read_bytes(),
    "sorry": (FIXTURES / "formats/sorry-status.json").read_bytes(),
    "slack": (FIXTURES / "slack/slack-current-incident.json").read_bytes(),
    "google": json.dumps(GOOGLE),
    "meta": json.dumps(META_ORGS),
    "zendesk": json.dumps(ZENDESK_INCIDENTS),
    "stripe": json.dumps({"UptimeStatus": "up", "message": "", "uptimeData": [{"key": "api", "title": "API"}]}),
    "salesforce": json.dumps([{"key": "NA224", "location": "NA", "status": "OK", "isActive": True}]),
    "rss": atom(),
    "hyperping": (FIXTURES / "formats/hyperping-services.json").read_bytes(),
    "auto": (FIXTURES / "formats/incidentio-proxy.json").read_bytes(),
}
assert TRUST_INCIDENTS  # (the Trust API's other shapes are tested in test_status_formats)


def test_every_entry_is_read_by_its_format(tmp_path, monkeypatch, server):
    """Each readable entry loaded from a config by id; its endpoint (the path its format derives
    from the entry's URL) served on 127.0.0.1, under the entry's own prefix, with a payload of its
    format; one round over all of them: every one read, none refused."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    entries = [e for e in directory()[1] if e.readable]
    config = load(
        [write(tmp_path, "polling: {timeout: 5s, concurrency: 16}\nvendors: [" + ", ".join(e.id for e in entries) + "]\n")]
    )
    local = []
    for entry, vendor in zip(entries, config.vendors):
        assert vendor.id == entry.id and vendor.kind == (entry.kind or "auto")
        endpoint = vendor.url if vendor.kind == "auto" else PROVIDERS[vendor.kind].url(vendor)
        assert urlsplit(endpoint).scheme == "https", entry.id
        if vendor.kind == "auto":  # found by asking: incident.io's /proxy/<host> answers here
            server.serve("/proxy/127.0.0.1", PAYLOADS["auto"])
        else:
            path = urlsplit(endpoint).path or "/"
            body = (
                (FIXTURES / "formats/instatus-components.json").read_bytes()
                if path.endswith("components.json") and vendor.kind == "instatus"
                else PAYLOADS[vendor.kind]
            )
            server.serve(f"/{entry.id}{path}", body)
        local.append(replace(vendor, url=f"{server.base}/{entry.id}{urlsplit(vendor.url).path}"))  # same path, here
    local_config = replace(config, vendors=tuple(local))

    async def run():
        fetcher = Fetcher(local_config.polling, retries=0)
        try:
            return await poll(local_config, fetcher=fetcher)
        finally:
            await fetcher.aclose()

    statuses = asyncio.run(run())
    refused = {e.id: statuses[e.id].reason for e in entries if statuses[e.id].reason or statuses[e.id].state == "unknown"}
    assert not refused
    assert len(statuses) == len(entries) >= 60
