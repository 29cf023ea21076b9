"""Feeds read as logs: entries folded by guid and by subject, closed by their latest words in
several vendors' wording, as bad as they say, maintenance windows from the text. Feeds written in
the documented shapes (Atom, RSS 2.0), served over real HTTP on 127.0.0.1."""

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from mopstui.base.timeutil import utcnow
from mopstui.status.model import DEGRADED, MAJOR, PARTIAL
from mopstui.status.providers.feedwords import closes, impact, subject, window

from .status_server import StatusServer
from .test_status import poll_one


@pytest.fixture
def server():
    with StatusServer() as srv:
        yield srv


def atom(*entries: tuple[str, str, str, timedelta]) -> str:
    """(id, title, content, age) each; the newest first, as vendors list them."""
    body = "".join(
        f"<entry><id>{eid}</id><title>{title}</title><updated>{(utcnow() - age).isoformat()}</updated>"
        f'<content type="html">{content}</content></entry>'
        for eid, title, content, age in entries
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Company Status</title>'
        f"<id>tag:status.example.com,2005:/history</id><updated>{utcnow().isoformat()}</updated>{body}</feed>"
    )


def rss(*items: tuple[str, str, str, timedelta], extra: str = "") -> str:
    body = "".join(
        f"<item><guid>{gid}</guid><title>{title}</title><pubDate>{format_datetime(utcnow() - age)}</pubDate>"
        f"<description>{text}</description>{extra}</item>"
        for gid, title, text, age in items
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Status</title>{body}</channel></rss>'


def read(tmp_path, server, feed: str):
    url = server.serve("/feed", feed, headers={"Content-Type": "application/atom+xml"})
    return poll_one(tmp_path, "rss", url)


def test_a_generic_atom_log_closed_by_is_now_operational(tmp_path, server):
    """A vendor's own history.atom: one entry per update, each its own id; the recovery closes
    what came before on the same subject, and the vendor is not degraded for a week."""
    feed = atom(
        ("tag:e,2005:3", "Company control plane is now operational", "All requests are served normally.", timedelta(hours=2)),
        ("tag:e,2005:2", "Company control plane is experiencing degraded performance", "Slow.", timedelta(hours=3)),
        ("tag:e,2005:1", "Disruption with some Company services", "Recovered: the disruption has ended.", timedelta(days=2)),
    )
    status = read(tmp_path, server, feed)
    assert status.state == "operational" and status.incidents == ()


def test_a_partial_outage_in_words_is_not_a_degradation(tmp_path, server):
    feed = atom(
        ("tag:e,2005:9", "Checkout unavailable for EU customers", "Investigating - Customers cannot pay.", timedelta(minutes=20))
    )
    status = read(tmp_path, server, feed)
    assert status.state == "partial_outage" and status.incidents[0].impact == "partial_outage"
    assert status.incidents[0].status == "investigating"


def test_entries_fold_by_guid_and_the_latest_speaks(tmp_path, server):
    """incident.io's feed.rss: one guid per incident, first line "Status: …"."""
    feed = rss(
        ("inc-1", "Email delays", "Status: Resolved\nDelays are over.", timedelta(minutes=5)),
        ("inc-1", "Email delays", "Status: Investigating\nWe are looking into delays.", timedelta(hours=1)),
        ("inc-2", "Forms slow", "Status: Monitoring\nA fix is out; forms should now be operational.", timedelta(minutes=30)),
    )
    status = read(tmp_path, server, feed)
    assert [i.title for i in status.incidents] == ["Forms slow"]  # monitoring is not closed
    assert status.state == "degraded"


@pytest.mark.parametrize(
    "words",
    [
        "Resolved - This incident has been resolved.",
        "[RESOLVED] Increased error rates",
        "Recovered: website is up",
        "Completed - The scheduled maintenance has been completed.",
        "Status: Resolved",
        "The issue has been fixed",
        "Service is now operational",
        "All systems operational",
        "Services are back to normal",
        "Postmortem - Read more",
        "Everything is operating normally again",
        "Connectivity has been restored",
    ],
)
def test_closing_words_of_several_vendors(words):
    assert closes(words)


@pytest.mark.parametrize(
    "words",
    [
        "Investigating - We are looking into elevated errors",
        "Monitoring - A fix is out; all should now be operational",
        "The issue is not yet resolved",
        "Login service not operational",
        "Identified - We will post once it is fixed",
        "Stripe API operational issue in EU",
        "Update - Still degraded",
        "",
    ],
)
def test_words_that_close_nothing(words):
    assert not closes(words)


def test_subjects_fold_status_words_and_verbs_away():
    assert subject("Resolved: Email delays") == subject("Investigating: Email delays") == subject("[RESOLVED] Email delays")
    assert subject("Email delays - Resolved") == "email delays"
    assert subject("Control plane is now operational") == subject("Control plane is experiencing delays")


def test_impact_from_words():
    assert impact("Elevated latency on the API") == DEGRADED
    assert impact("Partial outage of checkout") == PARTIAL and impact("Emails failing to send") == PARTIAL
    assert impact("Major outage: the dashboard is down") == MAJOR


def test_windows_in_vendors_words():
    posted = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    assert window("THIS IS A SCHEDULED EVENT Dec 18, 02:00 - 04:00 UTC", posted) == (
        datetime(2026, 12, 18, 2, tzinfo=UTC),
        datetime(2026, 12, 18, 4, tzinfo=UTC),
    )
    # Across the year's end, am/pm and a named zone, and over midnight.
    start, end = window("Maintenance on January 3 at 10:00 PM PST to January 4 at 2:00 AM PST", posted)
    assert (start, end) == (datetime(2027, 1, 4, 6, tzinfo=UTC), datetime(2027, 1, 4, 10, tzinfo=UTC))
    assert window("Dec 9, 23:00 - 01:00 UTC", posted)[1] == datetime(2026, 12, 10, 1, tzinfo=UTC)
    assert window("from 2026-12-20T02:00:00Z until 2026-12-20T03:30:00Z", posted) == (
        datetime(2026, 12, 20, 2, tzinfo=UTC),
        datetime(2026, 12, 20, 3, 30, tzinfo=UTC),
    )
    assert window("We will upgrade the database.", posted) == (None, None)


def test_maintenances_announced_far_ahead_keep_their_window(tmp_path, server):
    ahead = utcnow() + timedelta(days=30)
    now_on = utcnow() - timedelta(minutes=30)
    feed = rss(
        (
            "m-1",
            "Database upgrade",
            f"THIS IS A SCHEDULED EVENT {ahead:%b %d, %H:%M} - {ahead + timedelta(hours=2):%H:%M} UTC\n"
            "Scheduled - We will upgrade the database.",
            timedelta(days=20),
        ),
        ("m-2", "Network maintenance", "Scheduled - Routers are replaced.", timedelta(days=9)),
        ("m-3", "Old maintenance", "THIS IS A SCHEDULED EVENT Jan 02, 02:00 - 04:00 UTC\nScheduled - x", timedelta(days=300)),
    )
    feed = feed.replace(
        "</channel>",
        "<item><guid>m-4</guid><title>Search index maintenance</title>"
        f"<pubDate>{format_datetime(utcnow() - timedelta(days=12))}</pubDate><description>In progress - "
        "Reindexing.</description><maintenanceStartDate>"
        f"{now_on.isoformat()}</maintenanceStartDate><maintenanceEndDate>"
        f"{(utcnow() + timedelta(hours=1)).isoformat()}</maintenanceEndDate></item></channel>",
    )
    status = read(tmp_path, server, feed)
    by_title = {m.title: m for m in status.maintenances}
    assert set(by_title) == {"Database upgrade", "Search index maintenance"}  # announced 20 days ago: kept
    upgrade = by_title["Database upgrade"]
    assert upgrade.status == "scheduled" and upgrade.starts_at == ahead.replace(second=0, microsecond=0).isoformat()
    assert by_title["Search index maintenance"].status == "in progress" and status.state == "maintenance"
    assert status.incidents == ()  # a maintenance is never an incident
