"""Each rule stated once, in the domain, and used by everyone who needs it: which kinds make an
incident's state, which are follow-ups, the latest customer update, and how a vendor reads in one
line (the screen's vendor table and `mopstui status` alike)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from mopstui.base.timeutil import utcnow
from mopstui.domain.model import (
    CUSTOMER_UPDATE_KIND,
    FOLLOWUP_KINDS,
    INCIDENT_STATE_KINDS,
    Event,
    derive_incident,
    latest_customer_update,
)
from mopstui.domain.vendor_line import vendor_mark, vendor_note
from mopstui.status.model import VendorIncident, VendorStatus
from mopstui.store import Store

PACKAGE = Path(__file__).resolve().parent.parent / "mopstui"
T0 = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)


def event(id_: int, kind: str, text: str = "", *, minutes: float = 0, value: str | None = None) -> Event:
    at = T0 + timedelta(minutes=minutes)
    return Event(id_, 1, at, at, "a", kind, text, value)


def test_no_module_restates_a_kind_list_the_domain_names():
    """The lists as inline tuples anywhere but the domain's model: the rule written twice."""
    written_out = {
        "INCIDENT_STATE_KINDS": re.compile(r"\(\s*\"declared\",\s*\"status\",\s*\"severity\",\s*\"role\""),
        "FOLLOWUP_KINDS": re.compile(r"\(\s*\"action_item\",\s*\"followup\"\s*\)"),
    }
    found = []
    for path in PACKAGE.rglob("*.py"):
        if path.relative_to(PACKAGE).as_posix() == "domain/model.py":
            continue
        text = path.read_text(encoding="utf-8")
        found += [f"{path.relative_to(PACKAGE)}: {name}" for name, pattern in written_out.items() if pattern.search(text)]
    assert found == []


def test_the_fold_reads_only_the_incident_state_kinds():
    declared = event(1, "declared", "Lead form down", value='{"severity": "SEV2"}')
    timeline = [
        declared,
        event(2, "note", "status resolved?"),
        event(3, "status", value="identified", minutes=1),
        event(4, "customer", value="resolved", minutes=2),
        event(5, "severity", value="SEV1", minutes=3),
    ]
    incident = derive_incident(1, timeline)
    assert (incident.status, incident.severity) == ("identified", "SEV1")
    # The same from the state kinds alone: nothing else counts.
    assert derive_incident(1, [e for e in timeline if e.kind in INCIDENT_STATE_KINDS]) == incident


def test_the_store_lists_incidents_from_the_same_kinds(db_path):
    with Store(db_path) as store:
        store.declare("Checkout slow", severity="SEV3", author="a")
        store.set_status(1, "monitoring", author="a")
        store.edit_incident(1, author="a", title="Checkout slow in the EU")
        store.append(1, "note", "resolved? not yet", author="a")
        read = {e.kind for e in store.events_of_kinds(INCIDENT_STATE_KINDS, 1)}
        assert read == {"declared", "status", "edit"}
        assert store.incident(1) == derive_incident(1, store.events(1))
        assert store.incident(1).title == "Checkout slow in the EU"


def test_followups_are_read_by_the_same_kinds_in_the_store(db_path):
    with Store(db_path) as store:
        store.declare("x", severity="SEV3", author="a")
        item = store.append(1, "action_item", "Re-send the webinar reminder", author="a")
        store.change_followup(1, item.id, author="b", state="done")
        store.append(1, "note", "unrelated", author="a")
        assert [e.kind for e in store.events_of_kinds(FOLLOWUP_KINDS, 1)] == ["action_item", "followup"]


def test_the_latest_customer_update_is_the_last_to_happen_then_the_last_written():
    early = event(5, CUSTOMER_UPDATE_KIND, "banner up", minutes=10)
    backdated = event(9, CUSTOMER_UPDATE_KIND, "first email (written late)", minutes=2)
    same_moment = event(7, CUSTOMER_UPDATE_KIND, "help centre post", minutes=10)
    assert latest_customer_update([early, backdated, event(10, "note", minutes=30)]) is early
    assert latest_customer_update([same_moment, early]) is same_moment  # a tie: the one written last
    assert latest_customer_update((None, backdated)) is backdated
    assert latest_customer_update((early, backdated)) is early  # a late entry about the past resets nothing
    assert latest_customer_update([]) is None


def test_the_store_keeps_the_same_rule_for_the_latest_customer_update(db_path):
    with Store(db_path) as store:
        store.declare("x", severity="SEV3", author="a")
        store.append(1, "comms", "Banner live", author="a")
        store.append(1, "comms", "First email, written late", author="a", at=utcnow() - timedelta(minutes=20))
        assert store.last_customer_update(1).text == "Banner live"
        assert store.last_customer_update(1) == latest_customer_update(store.events(1))


# --------------------------------------------------------------------------- a vendor in one line

STALE_WITH_INCIDENT = VendorStatus(
    "hubspot",
    "HubSpot",
    "statuspage",
    state="degraded",
    stale=True,
    reason="timed out after 10s",
    incidents=(VendorIncident("Forms delayed", "degraded", "investigating"),),
)


def test_a_stale_vendor_with_an_open_incident_says_both_the_staleness_first():
    assert vendor_mark(STALE_WITH_INCIDENT) == "~"
    assert vendor_note(STALE_WITH_INCIDENT) == "stale: timed out after 10s · Forms delayed"


def test_an_override_leads_and_says_what_the_page_says():
    overruled = VendorStatus(
        "hubspot",
        "HubSpot",
        "statuspage",
        state="major_outage",
        stale=True,
        reason="HTTP 503",
        page_state="operational",
        override="down for us (forms fail; sam)",
    )
    assert vendor_mark(overruled) == "!"
    assert vendor_note(overruled) == "override (page says operational): down for us (forms fail; sam) · stale: HTTP 503"


def test_a_probe_in_trouble_says_why_and_a_healthy_vendor_says_nothing():
    probe = VendorStatus("shop", "Online shop", "probe", state="major_outage", reason="HTTP 503 (expected 200)")
    assert (vendor_mark(probe), vendor_note(probe)) == ("", "HTTP 503 (expected 200)")
    fine = VendorStatus("stripe", "Stripe", "statuspage", state="operational", reason="")
    assert (vendor_mark(fine), vendor_note(fine)) == ("", "")


def test_the_screen_shows_the_same_note_and_mark_as_status():
    from mopstui.tui.vendor_pane import vendor_rows

    _, cells = vendor_rows(STALE_WITH_INCIDENT, utcnow(), wide=True)[0]
    assert cells[0].plain.startswith("~")
    assert cells[-1].plain == vendor_note(STALE_WITH_INCIDENT)
