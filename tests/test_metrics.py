"""Metric signals against loopback servers answering the documented shapes: GA4
runRealtimeReport, Google Ads searchStream, Meta Insights. Secrets come from the environment or a
token_command; a refusal is unknown, never a drop; late conversions are judged against the same
hour of earlier weeks."""

from __future__ import annotations

import asyncio
import json
import sys
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from mopstui.base.timeutil import to_store, utcnow
from mopstui.config import load
from mopstui.room.signals import SignalDuty, stored_states
from mopstui.status.fetch import Fetcher
from mopstui.store import open_store

from .conftest import write

GA4 = {
    "dimensionHeaders": [{"name": "eventName"}],
    "metricHeaders": [{"name": "eventCount", "type": "TYPE_INTEGER"}],
    "rows": [
        {"dimensionValues": [{"value": "page_view"}], "metricValues": [{"value": "340"}]},
        {"dimensionValues": [{"value": "generate_lead"}], "metricValues": [{"value": "12"}]},
    ],
    "rowCount": 2,
    "kind": "analyticsData#runRealtimeReport",
}
ADS = [
    {
        "results": [
            {
                "campaign": {"resourceName": "customers/1/campaigns/9", "id": "9"},
                "metrics": {"costMicros": "2500000", "conversions": 0.0},
                "segments": {"hour": 10},
            },
            {"campaign": {"id": "10"}, "metrics": {"costMicros": "1500000", "conversions": 0.0}, "segments": {"hour": 10}},
        ],
        "fieldMask": "campaign.id,metrics.costMicros,metrics.conversions,segments.hour",
        "requestId": "r1",
    }
]
META = {
    "data": [
        {
            "spend": "84.20",
            "actions": [{"action_type": "lead", "value": "3"}, {"action_type": "link_click", "value": "61"}],
            "date_start": "2026-12-07",
            "date_stop": "2026-12-07",
        }
    ],
    "paging": {"cursors": {}},
}


class Api(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.answers: dict[str, tuple[int, object]] = {}
        self.seen: list[tuple[str, str, dict, bytes]] = []
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{path}"


class _Handler(BaseHTTPRequestHandler):
    server: Api
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, *args) -> None:
        pass

    def _answer(self) -> None:
        path = self.path.split("?")[0]
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.seen.append((self.command, path, dict(self.headers), body))
        status, data = self.server.answers.get(path, (404, {"error": "not found"}))
        payload = json.dumps(data).encode()
        self.send_response(status)
        if 300 <= status < 400:  # a redirect: {"location": ...}
            self.send_header("Location", data["location"])  # type: ignore[index]
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = _answer


@pytest.fixture
def api():
    server = Api()
    yield server
    server.shutdown()
    server.server_close()


def setup(tmp_path, api, monkeypatch):
    monkeypatch.setenv("META_TOKEN", "meta-secret")
    monkeypatch.setenv("ADS_DEVELOPER_TOKEN", "dev-token")
    script = write(tmp_path / "token.py", "print('ya29.test-token')\n")
    token_command = f"{sys.executable} {script}"
    path = write(
        tmp_path / "c.yaml",
        f"""timezone: UTC
services: [{{id: form, touchpoint: lead capture}}, {{id: ads, touchpoint: ads}}]
signals:
  - id: ga4-leads
    kind: metric
    touchpoint: lead capture
    what: leads
    url: "{api.url("/v1beta/properties/123:runRealtimeReport")}"
    method: POST
    body: {{dimensions: [{{name: eventName}}], metrics: [{{name: eventCount}}]}}
    token_command: '{token_command}'
    headers: {{Authorization: "Bearer {{token}}"}}
    path: "sum(rows[?dimensionValues[0].value=generate_lead].metricValues[0].value)"
    below: 1
    after: 1
  - id: ads-spend
    kind: metric
    touchpoint: ads
    what: € spent today
    gives: spend
    url: "{api.url("/v26/customers/1/googleAds:searchStream")}"
    method: POST
    body: {{query: "SELECT campaign.id, metrics.cost_micros, metrics.conversions FROM campaign WHERE segments.date DURING TODAY"}}
    token_command: '{token_command}'
    headers: {{Authorization: "Bearer {{token}}", developer-token: "${{ADS_DEVELOPER_TOKEN}}"}}
    path: "sum([*].results[*].metrics.costMicros)"
    scale: 0.000001
  - id: ads-conversions
    kind: metric
    touchpoint: ads
    what: conversions
    gives: conversions
    url: "{api.url("/v26/customers/1/googleAds:searchStream")}"
    method: POST
    token_command: '{token_command}'
    headers: {{Authorization: "Bearer {{token}}"}}
    path: "sum([*].results[*].metrics.conversions)"
    below: 1
    baseline: 3
    after: 1
  - id: meta-leads
    kind: metric
    touchpoint: ads
    what: leads today
    url: "{api.url("/v25.0/act_1/insights")}"
    headers: {{Authorization: "Bearer ${{META_TOKEN}}"}}
    path: "sum(data[*].actions[?action_type=lead].value)"
""",
    )
    return load([path], database=str(tmp_path / "w.db")), tmp_path / "w.db"


def one_round(config, store, now=None):
    async def run():
        fetcher = Fetcher(config.polling, retries=0)
        try:
            await SignalDuty(config, store).round(fetcher, force=True, now=now)
        finally:
            await fetcher.aclose()

    asyncio.run(run())
    return stored_states(store, config)


def test_the_documented_shapes_are_read(tmp_path, api, monkeypatch):
    api.answers = {
        "/v1beta/properties/123:runRealtimeReport": (200, GA4),
        "/v26/customers/1/googleAds:searchStream": (200, ADS),
        "/v25.0/act_1/insights": (200, META),
    }
    config, db = setup(tmp_path, api, monkeypatch)
    with open_store(db) as store:
        states = one_round(config, store)
    assert (states["ga4-leads"].state, states["ga4-leads"].value) == ("ok", "12 leads")
    assert states["ads-spend"].value == "4 € spent today"
    assert states["meta-leads"].value == "3 leads today"
    ga4 = next(s for s in api.seen if s[1].endswith(":runRealtimeReport"))
    assert ga4[0] == "POST" and json.loads(ga4[3]) == {"dimensions": [{"name": "eventName"}], "metrics": [{"name": "eventCount"}]}
    assert ga4[2]["Authorization"] == "Bearer ya29.test-token"
    ads = next(s for s in api.seen if s[1].endswith(":searchStream") and b"query" in s[3])
    assert ads[2]["developer-token"] == "dev-token"
    meta = next(s for s in api.seen if s[1].endswith("/insights"))
    assert meta[0] == "GET" and meta[2]["Authorization"] == "Bearer meta-secret"


def test_no_leads_in_the_realtime_report_is_down(tmp_path, api, monkeypatch):
    api.answers = {"/v1beta/properties/123:runRealtimeReport": (200, {**GA4, "rows": GA4["rows"][:1], "rowCount": 1})}
    config, db = setup(tmp_path, api, monkeypatch)
    with open_store(db) as store:
        ga4 = one_round(config, store)["ga4-leads"]
    assert ga4.state == "down" and ga4.why == "0 leads, below 1"


@pytest.mark.parametrize(
    "status, words",
    [(401, "the API refused our credentials (HTTP 401)"), (429, "the API answered HTTP 429"), (200, "no number at data[*]")],
)
def test_a_refusal_or_an_unreadable_answer_is_unknown_never_a_drop(tmp_path, api, monkeypatch, status, words):
    api.answers = {"/v25.0/act_1/insights": (status, {"error": {"message": "Invalid OAuth access token"}})}
    config, db = setup(tmp_path, api, monkeypatch)
    with open_store(db) as store:
        meta = one_round(config, store)["meta-leads"]
    if status == 200:  # an answer with no rows is a real zero for a sum; a missing field is not
        assert meta.state == "ok" and meta.value == "0 leads today"
        return
    assert meta.state == "unknown" and meta.why == f"cannot see: {words}"


def test_a_secret_missing_from_the_environment_is_unknown(tmp_path, api, monkeypatch):
    api.answers = {"/v25.0/act_1/insights": (200, META)}
    config, db = setup(tmp_path, api, monkeypatch)
    monkeypatch.delenv("META_TOKEN")
    with open_store(db) as store:
        meta = one_round(config, store)["meta-leads"]
    assert meta.state == "unknown" and meta.why == "cannot see: the environment variable META_TOKEN is not set"
    assert not any(s[1].endswith("/insights") for s in api.seen)  # nothing was sent without it


def test_late_conversions_are_judged_against_the_same_hour_of_earlier_weeks(tmp_path, api, monkeypatch):
    api.answers = {"/v26/customers/1/googleAds:searchStream": (200, ADS)}
    config, db = setup(tmp_path, api, monkeypatch)
    now = utcnow()
    with open_store(db) as store:
        store.record_arrivals(
            [
                ("ads-conversions", to_store(now - timedelta(weeks=w, minutes=2)), 1, repr(v), "metric")
                for w, v in ((1, 4.0), (2, 5.0), (3, 3.0))
            ]
        )
        conversions = one_round(config, store, now)["ads-conversions"]
    assert conversions.state == "down"
    assert conversions.why == (
        "0 conversions, below 1; usually 4 at this hour (3 of 3 earlier weeks had more): a real drop "
        "is likely, but conversions can arrive late"
    )
    with open_store(tmp_path / "quiet.db") as store:  # nights with no conversions are nothing new
        store.record_arrivals([("ads-conversions", to_store(now - timedelta(weeks=w)), 1, "0.0", "metric") for w in (1, 2)])
        quiet = one_round(load(config.sources, database=str(tmp_path / "quiet.db")), store, now)["ads-conversions"]
    assert quiet.state == "ok" and quiet.why == "0 conversions, as usual at this hour (median 0 over 2 earlier weeks)"


def test_blind_spend_is_measured_from_the_spend_metric_while_the_tag_is_down(tmp_path):
    """Ads kept spending while the tag container was down: the impact line says how much, from the
    spend metric's running total, not from an hourly rate."""
    from mopstui.domain.blind import read_history
    from mopstui.domain.impact import estimate

    from .conftest import run_cli

    path = write(
        tmp_path / "c.yaml",
        """timezone: UTC
services: [{id: site, touchpoint: analytics}, {id: ads, touchpoint: ads}]
touchpoints:
  ads: {ad_spend_per_hour: 300, currency: "€", tracked_by: [analytics]}
signals:
  - {id: gtm, name: Tag container, kind: tag, touchpoint: analytics, url: "http://127.0.0.1:9/gtm.js"}
  - {id: spend, name: Ads spend, kind: metric, touchpoint: ads, gives: spend, url: "http://127.0.0.1:9/ads", path: total}
""",
    )
    db = tmp_path / "w.db"
    config = load([path], database=str(db))
    start = utcnow() - timedelta(minutes=30)
    at = lambda minutes: to_store(start + timedelta(minutes=minutes))  # noqa: E731
    with open_store(db) as store:
        incident = store.declare("Tracking blind", severity="SEV2", author="alice", services=["site"], at=start)
        store.save_signal_states(
            {},
            [
                {
                    "vendor_id": "signal:gtm",
                    "state": "down",
                    "previous_state": "ok",
                    "vendor_time": None,
                    "seen_at": at(5),
                    "reason": "HTTP 404",
                }
            ],
        )
        store.record_arrivals(
            [("spend", at(m), 1, repr(v), "metric") for m, v in ((0, 100.0), (5, 120.0), (15, 150.0), (25, 175.0))]
        )
        impact = estimate(
            config,
            incident,
            start + timedelta(minutes=30),
            signal_history=read_history(store, config, start + timedelta(minutes=30)),
        )
    (blind,) = [f for f in impact.figures if f.what == "blind_spend"]
    assert blind.amount == 55.0 and blind.text == "€55 ads spend while Tag container was blind (measured)"
    assert "Ads spend: spent between" in blind.inputs
    exported = run_cli("--config", str(path), "--db", str(db), "export", "1")
    assert exported.returncode == 0 and "€55 ads spend while Tag container was blind (measured)" in exported.stdout


def test_a_paused_campaign_is_read_back_for_the_mitigation(tmp_path, api, monkeypatch):
    """`mitigate pause-ads` is logged with who and when; the status metric confirms it on the
    timeline only once the campaign reads PAUSED, and only once."""
    from .conftest import run_cli

    status = lambda word: (200, [{"results": [{"campaign": {"id": "9", "status": word}}]}])  # noqa: E731
    api.answers = {"/status": status("ENABLED")}
    path = write(
        tmp_path / "c.yaml",
        f"""timezone: UTC
services: [{{id: ads, touchpoint: ads}}]
signals:
  - {{id: ads-status, name: Ads campaign status, kind: metric, touchpoint: ads, gives: status, confirms: pause-ads,
     expect: PAUSED, url: "{api.url("/status")}", method: POST, path: "[0].results[0].campaign.status"}}
""",
    )
    db = tmp_path / "w.db"
    config = load([path], database=str(db))
    with open_store(db) as store:
        store.declare("Landing page down", severity="SEV1", author="alice", services=["ads"])
    logged = run_cli("--config", str(path), "--db", str(db), "--user", "priya", "mitigate", "1", "pause-ads")
    assert logged.returncode == 0, logged.stderr
    assert "pause ads logged; Ads campaign status confirms it when it reads PAUSED" in logged.stdout
    with open_store(db) as store:
        assert one_round(config, store)["ads-status"].value == "ENABLED"
        assert not [e for e in store.events(1) if e.kind == "system" and "confirmed" in e.text]
        api.answers = {"/status": status("PAUSED")}
        one_round(config, store)
        one_round(config, store)
        confirmed = [e.text for e in store.events(1) if e.kind == "system" and "confirmed" in e.text]
        action = next(e for e in store.events(1) if e.kind == "action")
    assert action.author == "priya" and action.text == "Mitigation: pause ads"
    assert len(confirmed) == 1 and confirmed[0].startswith("Ads campaign status: PAUSED, confirmed ")
    assert confirmed[0].endswith(f"(pause ads, logged by priya at {action.occurred_at:%H:%M})")


def test_a_redirect_to_another_host_is_not_followed_and_no_secret_leaves(tmp_path, api, monkeypatch):
    """A metric API answering 307 to another address: httpx would strip only Authorization on the way,
    so developer-token and X-Api-Key reached the other host. Now the redirect is not followed at all."""
    other = Api()
    try:
        other.answers = {"/collect": (200, {"v": 5})}
        monkeypatch.setenv("ADS_DEVELOPER_TOKEN", "dev-token")
        monkeypatch.setenv("API_KEY", "api-key")
        script = write(tmp_path / "token.py", "print('ya29.test-token')\n")
        api.answers = {"/report": (307, {"location": f"http://localhost:{other.server_address[1]}/collect"})}
        path = write(
            tmp_path / "c.yaml",
            f"""timezone: UTC
services: [{{id: ads, touchpoint: ads}}]
signals:
  - id: spend
    kind: metric
    touchpoint: ads
    url: "{api.url("/report")}"
    method: POST
    body: {{q: 1}}
    token_command: '{sys.executable} {script}'
    headers: {{Authorization: "Bearer {{token}}", developer-token: "${{ADS_DEVELOPER_TOKEN}}", X-Api-Key: "${{API_KEY}}"}}
    path: v
    after: 1
""",
        )
        config = load([path], database=str(tmp_path / "w.db"))
        with open_store(tmp_path / "w.db") as store:
            spend = one_round(config, store)["spend"]
        assert [s[1] for s in api.seen] == ["/report"] and api.seen[0][2]["X-Api-Key"] == "api-key"
        assert other.seen == []  # the second host received nothing, so none of the secrets
        assert spend.state == "unknown"
        assert spend.why.startswith(f"cannot see: the API redirected to localhost:{other.server_address[1]} (not followed")
    finally:
        other.shutdown()
        other.server_close()


@pytest.mark.parametrize(
    "url, refused",
    [
        ("http://ads.example.com/report", True),
        ("https://ads.example.com/r", False),
        ("http://127.0.0.1:9/r", False),
        ("http://localhost:9/r", False),
        ("http://[::1]:9/r", False),
    ],
)
@pytest.mark.parametrize("header", ['"Bearer {token}"', '"${API_KEY}"'])
def test_a_secret_header_over_plain_http_is_refused_unless_loopback(tmp_path, url, refused, header):
    from mopstui.config import ConfigError

    path = write(
        tmp_path / "c.yaml",
        f"""timezone: UTC
services: [{{id: ads, touchpoint: ads}}]
signals:
  - id: spend
    kind: metric
    touchpoint: ads
    url: "{url}"
    token_command: printf t
    headers: {{X-Api-Key: {header}}}
    path: v
""",
    )
    if not refused:
        assert load([path]).signals[0].url == url
        return
    with pytest.raises(ConfigError) as error:
        load([path])
    assert error.value.errors == [
        f"{path}:7: signal spend: url is plain http:// but the headers carry a secret "
        "(${VAR} or {token}): anyone on the network path could read it; use https://"
    ]
