"""The demo's vendors: a server on 127.0.0.1 that answers in the Statuspage format, with a
scripted chat-vendor outage, and the chat widget our own probe checks. Offline, and parsed by
the real provider code, so a newcomer watches vendor evidence arrive on the timeline.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from ..config import Config, Probe, WatchedComponent

CHAT_VENDOR, CHAT_COMPONENT, CHAT_SERVICE = "intercom", "Intercom Messenger", "chat-widget"

# (seconds since the demo started, Messenger's state, page indicator, incident status, update, probe OK?)
SCRIPT = (
    (0, "operational", "none", None, None, False),  # the map says fine, the territory is failing
    (
        25,
        "degraded_performance",
        "minor",
        "investigating",
        "We are investigating reports of the Messenger loading slowly for some customers.",
        False,
    ),
    (
        70,
        "major_outage",
        "critical",
        "identified",
        "We have identified an issue with the Messenger's CDN configuration and are rolling back.",
        False,
    ),
    (130, "partial_outage", "major", "monitoring", "A fix has been deployed. We are monitoring the results.", True),
    (190, "operational", "none", "resolved", "This incident has been resolved.", True),
)


# The lead form loses its form (a consent-banner release broke the embed) while HubSpot's page
# stays green: the map says fine, our form signal says otherwise.
FORM_LOST_AT = 45
FORM_PAGE = (
    b"<html><body><h1>Talk to sales</h1><form id=contact action=/submit><input type=email name=email>"
    b"<button>Send</button></form></body></html>"
)
FORMLESS_PAGE = b"<html><body><h1>Talk to sales</h1><div id=hs-form-placeholder></div></body></html>"
CONTAINER = b"/* Google Tag Manager container */" + b"var dataLayer=dataLayer||[];" * 1200


def phase(elapsed: float) -> tuple:
    current: tuple = SCRIPT[0]
    for step in SCRIPT:
        if elapsed >= step[0]:
            current = step
    return current


def summary(vendor_name: str, components: list[str], *, elapsed: float | None) -> dict:
    """A Statuspage v2 summary; for the chat vendor, the scripted state at `elapsed` seconds."""
    updated = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    comps = [
        {"id": f"c{i}", "name": name, "status": "operational", "group": False, "group_id": None}
        for i, name in enumerate(components or ["API"])
    ]
    incidents, indicator = [], "none"
    if elapsed is not None:
        _, state, indicator, status, update, _ = phase(elapsed)
        for component in comps:
            if component["name"] == CHAT_COMPONENT:
                component["status"] = state
        if status and status != "resolved":
            incidents.append({
                "name": "Messenger not loading for some customers", "status": status,
                "impact": {"none": "none", "minor": "minor", "major": "major", "critical": "critical"}[indicator],
                "updated_at": updated, "incident_updates": [{"body": update, "created_at": updated, "status": status}],
            })  # fmt: skip
    return {
        "page": {"name": vendor_name, "updated_at": updated},
        "status": {"indicator": indicator},
        "components": comps,
        "incidents": incidents,
        "scheduled_maintenances": [],
    }


class DemoVendors:
    """Serves every configured vendor at /<id>/api/v2/summary.json, and the probed widget."""

    def __init__(self, config: Config, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.config = config
        self.clock = clock
        self.started = clock()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                self.rfile.read(min(int(self.headers.get("Content-Length") or 0), 65536))
                self.do_GET()

            def do_GET(self) -> None:
                status, body, kind = owner.answer(self.path)
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def answer(self, path: str) -> tuple[int, bytes, str]:
        elapsed = self.clock() - self.started
        if path.startswith("/site/contact"):
            return 200, (FORM_PAGE if elapsed < FORM_LOST_AT else FORMLESS_PAGE), "text/html"
        if path.startswith("/site/gtm.js"):
            return 200, CONTAINER, "application/javascript"
        if path.startswith("/api/ga4"):  # GA4 runRealtimeReport: leads stop when the form goes
            leads = "12" if elapsed < FORM_LOST_AT else "0"
            rows = [
                {"dimensionValues": [{"value": "page_view"}], "metricValues": [{"value": "340"}]},
                {"dimensionValues": [{"value": "generate_lead"}], "metricValues": [{"value": leads}]},
            ]
            return 200, json.dumps({"rows": rows, "rowCount": 2}).encode(), "application/json"
        if path.startswith("/site/home"):
            return 200, b'<html><script async src="/site/gtm.js?id=GTM-XXXXXXX"></script><h1>Home</h1></html>', "text/html"
        if path.startswith("/probe/"):
            ok = phase(elapsed)[5] or not path.startswith(f"/probe/{CHAT_SERVICE}.")
            if ok:
                return 200, b"window.Intercom = function () {};", "text/javascript"
            return 503, b"upstream error", "text/plain"
        vendor_id = path.strip("/").split("/")[0]
        vendor = self.config.vendor(vendor_id)
        if vendor is None:
            return 404, b"{}", "application/json"
        payload = summary(vendor.name, [c.name for c in vendor.components], elapsed=elapsed if vendor_id == CHAT_VENDOR else None)
        return 200, json.dumps(payload).encode(), "application/json"

    def start(self) -> DemoVendors:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def rewire(self, config: Config) -> Config:
        """The demo config with every vendor served here (as a Statuspage) and the chat widget probed."""
        vendors = tuple(
            replace(
                v,
                kind="statuspage",
                url=f"{self.base}/{v.id}",
                product=None,
                components=v.components or (WatchedComponent("API"),),
            )
            for v in config.vendors
        )
        # Every probe is answered here: the chat widget's by the script, the others healthy.
        services = tuple(
            replace(s, probe=Probe(f"{self.base}/probe/{s.id}.js", expect_text="Intercom" if s.id == CHAT_SERVICE else None))
            if s.id == CHAT_SERVICE or s.probe
            else s
            for s in config.services
        )
        polling = replace(config.polling, interval=timedelta(seconds=5), timeout=timedelta(seconds=3))
        return replace(config, vendors=vendors, services=services, polling=polling, signals=self._signals(config))

    def _signals(self, config: Config) -> tuple:
        """The form and tag signals checked here, every 5 s; the others as configured."""
        where = {"form": f"{self.base}/site/contact", "tag": f"{self.base}/site/gtm.js"}
        rewired = []
        for signal in config.signals:
            if signal.kind == "tag" and signal.page:
                signal = replace(signal, page=f"{self.base}/site/home", interval=timedelta(seconds=5))
            elif signal.kind in where:
                signal = replace(signal, url=where[signal.kind], interval=timedelta(seconds=5))
            elif signal.kind == "metric":  # answered here, as GA4 would: no token, no network
                signal = replace(
                    signal, url=f"{self.base}/api/ga4", token_command=None, headers=(), interval=timedelta(seconds=5)
                )
            rewired.append(signal)
        return tuple(rewired)
