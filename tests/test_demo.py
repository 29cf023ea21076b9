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
            messenger = next(c for c in statuses["intercom"].components if c.name == "Intercom Messenger")
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


def test_the_lead_form_loses_its_form_while_the_vendor_stays_green():
    """The demo's second story, through the real signals duty: the form signal goes down after two
    checks while HubSpot's page says operational, and the lead capture touchpoint says map ≠ territory."""
    from mopstui.domain import catalog as cat
    from mopstui.room.signals import SignalDuty, stored_states
    from mopstui.status.fetch import Fetcher
    from mopstui.store import open_store

    database = Path(tempfile.mkdtemp()) / "demo.db"
    moment = [0.0]
    vendors = DemoVendors(demo.demo_config(database), clock=lambda: moment[0]).start()
    try:
        config = vendors.rewire(demo.demo_config(database))
        with open_store(database) as store:
            demo.seed_leads(store, config)

            def round_at(seconds):
                moment[0] = seconds

                async def run():
                    fetcher = Fetcher(config.polling, retries=0)
                    try:
                        await SignalDuty(config, store).round(fetcher, force=True)
                    finally:
                        await fetcher.aclose()

                asyncio.run(run())
                return stored_states(store, config)

            before = round_at(10)
            assert {k: s.state for k, s in before.items()} == {
                "contact-form": "ok",
                "gtm": "ok",
                "gtm-on-home": "ok",
                "leads": "ok",
                "ga4-leads": "ok",
                "email-delivery": "ok",
            }
            assert before["ga4-leads"].value == "12 leads"
            round_at(50)
            after = round_at(55)
            assert after["contact-form"].state == "down" and after["ga4-leads"].why == "0 leads, below 1"
            statuses = asyncio.run(poll(config))
            assert statuses["hubspot"].state == "operational"
            health = cat.service_health(config, statuses, after)
            assert health["lead-form"].state == cat.DISAGREE
            assert health["lead-form"].reason.startswith(
                "vendor says operational, our signal Contact form: form missing from its page"
            )
    finally:
        vendors.stop()
