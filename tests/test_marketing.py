"""What an incident costs marketing (estimates with their inputs, the blind-spend clock) and
customer updates drafted from per-channel templates."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from mopstui.base.timeutil import utcnow
from mopstui.config import ConfigError, load
from mopstui.domain.impact import estimate
from mopstui.store import Store

from .conftest import write
from .test_properties import run_main

CONFIG = """
timezone: UTC
comms: {update_every: 15m}
services:
  - {id: lead-form, name: Lead form, touchpoint: lead capture}
  - {id: shop, name: Shop, touchpoint: checkout}
  - {id: ga, name: Analytics tag, touchpoint: analytics}
  - {id: ads, name: Google Ads, touchpoint: ads}
touchpoints:
  lead capture: {leads_per_hour: 30}
  checkout: {orders_per_hour: 40, average_order_value: 85, currency: "€"}
  ads: {ad_spend_per_hour: 300, currency: "€", tracked_by: [analytics]}
templates:
  site-banner: "Trouble with {touchpoints} since {started}; next update by {next_update}."
"""


@pytest.fixture
def config(tmp_path):
    return load([write(tmp_path / "c.yaml", CONFIG)])


def test_estimates_with_their_inputs(tmp_path, config):
    db = tmp_path / "w.db"
    start = utcnow() - timedelta(hours=2)
    with Store(db) as store:
        incident = store.declare("Forms and checkout down", severity="SEV1", author="a", services=["lead-form", "shop"], at=start)
    impact = estimate(config, incident, start + timedelta(minutes=80))
    texts = [(f.text, f.inputs) for f in impact.figures]
    assert texts == [
        ("≈ 40 leads not captured", "lead capture: 1h 20m x 30 leads/h"),
        ("≈ 53 orders lost", "checkout: 1h 20m x 40 orders/h"),
        ("≈ €4,533 revenue at risk", "53 orders x €85"),
    ]
    assert impact.blind_since is None  # ads are not blinded by this one


def test_blind_spend_runs_while_ads_are_up_and_analytics_down(tmp_path, config):
    db = tmp_path / "w.db"
    start = utcnow() - timedelta(hours=1)
    with Store(db) as store:
        incident = store.declare("Analytics tag broken", severity="SEV2", author="a", services=["ga"], at=start)
        both = store.declare("Ads and analytics", severity="SEV2", author="a", services=["ga", "ads"], at=start)
    impact = estimate(config, incident, start + timedelta(minutes=30))
    [figure] = impact.figures
    assert figure.what == "blind_spend" and figure.text == "≈ €150 ads spend while analytics is down"
    assert "consider pausing spend" in figure.inputs and impact.blind_since == start
    assert not estimate(config, both, start + timedelta(minutes=30)).figures, "ads down too: nothing is spent blind"
    live_down = estimate(config, incident, start + timedelta(minutes=30), {"ads": "down"})
    assert not live_down.figures


def test_impact_in_the_export(tmp_path):
    config_path = write(tmp_path / "c.yaml", CONFIG)
    db = tmp_path / "w.db"
    with Store(db) as store:
        store.declare("Analytics tag broken", severity="SEV2", author="a", services=["ga"], at=utcnow() - timedelta(minutes=20))
    code, out, err = run_main(["--config", str(config_path), "--db", str(db), "export", "1"])
    assert code == 0, err
    assert "Estimated cost to marketing (estimates" in out and "ads spend while analytics is down" in out
    code, out, _ = run_main(["--config", str(config_path), "--db", str(db), "export", "1", "-f", "json"])
    [figure] = json.loads(out)["impact"]
    assert figure["what"] == "blind_spend" and 90 <= figure["estimate"] <= 110


def test_draft_from_a_template(tmp_path):
    config_path = write(tmp_path / "c.yaml", CONFIG)
    db = tmp_path / "w.db"
    with Store(db) as store:
        store.declare("Forms and checkout down", severity="SEV2", author="a", services=["lead-form", "shop"])
    code, out, err = run_main(["--config", str(config_path), "--db", str(db), "draft", "INC-1", "--template", "site-banner"])
    assert code == 0, err
    assert out.startswith("Trouble with lead capture and checkout since ") and "next update by " in out
    code, out, _ = run_main(["--config", str(config_path), "--db", str(db), "draft", "1", "-t", "support-macro"])
    assert code == 0 and "lead capture and checkout" in out  # the built-in templates stay available
    code, out, err = run_main(["--config", str(config_path), "--db", str(db), "draft", "1", "-t", "fax"])
    assert code == 1 and "no template 'fax'" in err
    code, out, _ = run_main(["--config", str(config_path), "draft", "--list"])
    assert "email:" in out and "site-banner: Trouble with" in out


@pytest.mark.parametrize("extra, said", [
    ("templates:\n  banner: 'Down: {touchpoint}'\n", "unknown field {touchpoint}; did you mean {touchpoints}?"),
    ("templates:\n  banner: 'Down: {'\n", "template 'banner'"),
    ("touchpoints:\n  lead captur: {leads_per_hour: 3}\n", "no service has touchpoint 'lead captur'; did you mean 'lead capture'?"),
    ("touchpoints:\n  checkout: {orders_per_hour: -4}\n", "orders_per_hour must be a number ≥ 0"),
    ("touchpoints:\n  checkout: {orders_per_hr: 4}\n", "orders_per_hr"),
])  # fmt: skip
def test_bad_marketing_config_is_file_line(tmp_path, extra, said):
    base = CONFIG.split("touchpoints:")[0]
    path = write(tmp_path / "c.yaml", base + extra)
    with pytest.raises(ConfigError) as caught:
        load([path])
    assert said in str(caught.value) and "c.yaml:" in str(caught.value)


NO_TEMPLATES = CONFIG.split("templates:")[0]
STATUS_SAYS = {
    "investigating": "investigating",
    "identified": "found the cause",
    "monitoring": "fix for the problem",
    "resolved": "is resolved",
}


@pytest.mark.parametrize("status", ["investigating", "identified", "monitoring", "resolved"])
@pytest.mark.parametrize("channel", ["site-banner", "email", "social", "support-macro"])
def test_every_built_in_template_reads_as_english_in_every_status(tmp_path, channel, status):
    """ "Our team is identified", "(status: identified, for 6m 41s)", and a resolved incident
    promising its next update: the built-in templates put the status word into a sentence."""
    from mopstui.domain.drafts import draft

    config = load([write(tmp_path / "c.yaml", NO_TEMPLATES)])
    with Store(tmp_path / "w.db") as store:
        store.declare("Forms and checkout down", severity="SEV2", author="a", services=["lead-form", "shop"])
        if status == "resolved":
            store.set_status(1, "resolved", author="a")
        elif status != "investigating":
            store.set_status(1, status, author="a")
        incident = store.incident(1)
    assert incident.status == status
    text = draft(config, incident, channel, utcnow())
    body = text.split("\n\n", 1)[-1]
    assert STATUS_SAYS[status] in body and "lead capture and checkout" in body, text
    assert f"is {status}" not in body.replace("is resolved", "") and "status:" not in text and "{" not in text
    assert body[0].isupper() and body.rstrip().endswith((".", "!")), text
    promises = ("next update", "update you by", "post an update")
    if status == "resolved":
        assert "Thank you for your patience" in body and not any(p in body.lower() for p in promises), text
    else:
        assert any(p in body.lower() for p in promises), text
