"""How honest is each vendor's page, and its last 24 hours at a glance: from stored observations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from mopstui.config import load
from mopstui.domain.history import state_series
from mopstui.domain.pagelag import lags

from .conftest import write

T0 = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
CONFIG = """
vendors:
  - {id: hubspot, name: HubSpot, kind: statuspage, url: "https://status.hubspot.com"}
services:
  - {id: forms, name: Lead forms, vendor: hubspot, components: ["Forms"], probe: {url: "https://forms.example.com/health"}}
  - {id: email, name: Email, vendor: hubspot, components: ["Email"]}
"""


def seen(
    minutes: float, vendor: str, state: str, previous: str = "operational", component: str | None = None, base: datetime = T0
) -> dict:
    return {
        "vendor_id": vendor,
        "component": component,
        "group_name": None,
        "state": state,
        "previous_state": previous,
        "seen_at": (base + timedelta(minutes=minutes)).isoformat(),
        "id": int(minutes * 10),
    }


def test_the_page_admitted_the_outage_14_minutes_after_our_probe(tmp_path):
    config = load([write(tmp_path / "c.yaml", CONFIG)])
    observations = [
        seen(0, "probe:forms", "major_outage", "unknown"),
        seen(3, "hubspot", "degraded", component="Email"),  # not what the forms service follows
        seen(14, "hubspot", "partial_outage", component="Forms"),
        seen(40, "probe:forms", "operational", "major_outage"),
        seen(52, "hubspot", "operational", "partial_outage", component="Forms"),
        seen(120, "probe:forms", "major_outage"),  # a second episode the page never admitted
    ]
    first, second = lags(config, observations)
    assert (first.outage_lag_min, first.recovery_lag_min) == (14.0, 12.0)
    assert first.sentence("HubSpot") == (
        "HubSpot's page admitted the outage 14 min after our probe; it showed the recovery 12 min after our probe"
    )
    assert second.page_admitted_at is None and "has not admitted the outage" in second.sentence("HubSpot")
    assert first.to_dict()["outage_lag_min"] == 14.0


def test_a_page_that_was_first(tmp_path):
    config = load([write(tmp_path / "c.yaml", CONFIG)])
    (lag,) = lags(config, [seen(-5, "hubspot", "major_outage", "operational"), seen(0, "probe:forms", "degraded", "operational")])
    assert lag.outage_lag_min == -5.0 and "5 min before our probe saw it" in lag.sentence("HubSpot")


def test_the_last_24_hours_as_a_series():
    now = T0 + timedelta(hours=24)
    observations = [
        seen(60, "hubspot", "major_outage"),
        seen(120, "hubspot", "operational", "major_outage"),
        seen(90, "hubspot", "degraded", component="Forms"),
    ]  # a component: not the overall line
    series = state_series(observations, now=now, current="operational", hours=24, buckets=24)
    assert series[0] == 1.0 and series[1] == 5.0 and series[2] == 5.0 and series[3:] == [1.0] * 21
    assert state_series([], now=now, current="unknown", buckets=4) == [0.0] * 4


def test_the_postmortem_and_status_json_say_how_late_the_page_was(tmp_path):
    import json

    from mopstui.base.timeutil import utcnow
    from mopstui.room.duties import set_override
    from mopstui.store import Store

    from .test_properties import run_main

    config_path = write(tmp_path / "c.yaml", CONFIG.replace("https://status.hubspot.com", "http://127.0.0.1:9"))
    config = load([config_path])
    db = tmp_path / "warroom.db"
    start = utcnow() - timedelta(minutes=30)
    with Store(db) as store:
        store.declare(
            "Lead form not submitting", severity="SEV2", author="alice", services=["forms"], at=start - timedelta(minutes=1)
        )
        store.save_vendor_statuses(
            {},
            [
                seen(0, "probe:forms", "major_outage", "unknown", base=start),
                seen(14, "hubspot", "partial_outage", component="Forms", base=start),
            ],
        )
        set_override(
            store,
            config,
            vendor_id="hubspot",
            component=None,
            verdict="down",
            reason="our probe is red",
            until="lifted",
            author="sam",
        )
    code, out, err = run_main(["--config", str(config_path), "--db", str(db), "export", "1"])
    assert code == 0, err
    assert "HubSpot's page admitted the outage 14 min after our probe (Lead forms)" in out
    assert "HubSpot: down for us — our probe is red (sam" in out
    code, out, _ = run_main(["--config", str(config_path), "--db", str(db), "export", "1", "-f", "json"])
    data = json.loads(out)
    assert data["page_lags"][0]["outage_lag_min"] == 14.0 and data["overrides"][0]["verdict"] == "down"
    code, out, _ = run_main(["--config", str(config_path), "--db", str(db), "status", "--json"])
    rows = {r["id"]: r for r in json.loads(out)}
    assert rows["hubspot"]["page_lag"][0]["outage_lag_min"] == 14.0
