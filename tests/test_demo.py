"""The demo's scripted outage, served on loopback and read by the real poller and parser."""

import asyncio
import tempfile
from pathlib import Path

from mopstui import demo
from mopstui.demo.server import DemoVendors
from mopstui.room.poller import poll


def test_scripted_outage_through_the_real_poller():
    database = Path(tempfile.mkdtemp()) / "demo.db"
    moment = [0.0]
    vendors = DemoVendors(demo.demo_config(database), clock=lambda: moment[0]).start()
    try:
        config = vendors.rewire(demo.demo_config(database))
        states = []
        for seconds in (0, 30, 80, 140, 200):
            moment[0] = seconds
            statuses = asyncio.run(poll(config))
            messenger = next(c for c in statuses["intercom"].components if c.name == "Messenger")
            states.append((messenger.state, statuses["probe:chat-widget"].state))
        assert states == [
            ("operational", "major_outage"),  # map and territory disagree
            ("degraded", "major_outage"),
            ("major_outage", "major_outage"),
            ("partial_outage", "operational"),
            ("operational", "operational"),
        ]
        assert all(s.state != "unknown" for s in statuses.values())  # no vendor reaches for the internet
    finally:
        vendors.stop()
