from datetime import UTC, datetime, timedelta

from mopstui.config import load
from mopstui.domain.clocks import crossed, incident_clocks
from mopstui.domain.model import Event, Incident, latest_customer_update

START = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)  # across the UK's DST change


def incident(**kw):
    base = dict(id=1, title="x", severity="SEV2", status="investigating", started_at=START, declared_by="a")
    base.update(kw)
    return Incident(**base)


def comms(at, id_=5):
    return Event(id_, 1, at, at, "a", "comms", "update")


def test_thresholds_fill_and_cross():
    config = load([])
    clocks = incident_clocks(incident(), config, None, START + timedelta(seconds=30))
    abandon, resolve, _update = clocks
    assert (abandon.name, abandon.fraction, abandon.crossed) == ("abandon", 0.5, False)
    assert abandon.status_text() == "30s left"  # durations with their units, never `00:30`
    assert resolve.status_text() == "29m left"  # minutes while far away
    later = incident_clocks(incident(), config, None, START + timedelta(minutes=31, seconds=5))
    assert [c.name for c in crossed(later)] == ["abandon", "resolve", "update"]
    assert later[1].status_text() == "OVER +1m 5s"
    assert later[0].status_text() == "OVER +30m"
    assert later[2].status_text() == "OVERDUE 16m"
    assert later[0].crossed_at == START + timedelta(minutes=1)


def test_update_clock_counts_from_last_comms_and_stops_when_resolved():
    config = load([])
    events = [comms(START + timedelta(minutes=10), 3), comms(START + timedelta(minutes=4), 9)]
    latest = latest_customer_update(events)
    assert latest.id == 3  # by when it happened, not when it was written
    update = incident_clocks(incident(), config, latest, START + timedelta(minutes=20))[-1]
    assert update.elapsed == timedelta(minutes=10) and update.dedupe_key(1) == "INC-1:overdue:3"
    done = incident(status="resolved", status_times={"resolved": START + timedelta(minutes=12)})
    clocks = incident_clocks(done, config, latest, START + timedelta(hours=5))
    assert [c.kind for c in clocks] == ["threshold", "threshold"]
    assert clocks[1].elapsed == timedelta(minutes=12)


def test_per_severity_overrides(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("severities:\n  SEV1:\n    thresholds: {abandon: 30s, escalate: 5m}\n    update_every: 5m\n")
    config = load([path])
    sev1 = incident_clocks(incident(severity="SEV1"), config, None, START)
    assert [(c.name, c.limit) for c in sev1] == [
        ("abandon", timedelta(seconds=30)),
        ("escalate", timedelta(minutes=5)),
        ("update", timedelta(minutes=5)),
    ]
    sev3 = incident_clocks(incident(severity="SEV3"), config, None, START)
    assert [c.name for c in sev3] == ["abandon", "resolve", "update"]


def test_a_resolved_incident_s_clocks_say_they_stopped():
    """`resolve 30m … 19m left` on a resolved incident read as a clock still running."""
    done = incident(status="resolved", status_times={"resolved": START + timedelta(minutes=11)})
    clocks = incident_clocks(done, load([]), None, START + timedelta(hours=5))
    assert [c.status_text() for c in clocks] == ["resolved in 11m00s", "resolved in 11m00s"]
    assert not any("left" in c.status_text() for c in clocks)


def test_long_overruns_say_hours_and_minutes():
    """`OVER +01:45` was read as a clock time; a long overrun counts hours, not `105m`."""
    config = load([])
    later = incident_clocks(incident(), config, None, START + timedelta(hours=2, minutes=16))
    assert later[1].status_text() == "OVER +1h 46m"
    assert later[0].status_text() == "OVER +2h 15m"
