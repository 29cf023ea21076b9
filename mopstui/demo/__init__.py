"""`mopstui demo`: a war-room with an incident under way, on a temporary database, offline."""

from __future__ import annotations

import json
import re
import shlex
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import config as config_module
from ..base.identity import Account
from ..base.timeutil import to_store, utcnow
from ..config import Config
from ..domain.catalog import catalog_snapshot
from ..store import SQLStore, open_store

if TYPE_CHECKING:
    from ..domain.model import Event
    from ..tui.app import WarRoomApp

DEMO_USERS = ("priya", "sam")

# (seconds after the start, author, kind, text): a chat widget outage, as two people logged it.
SCRIPT = (
    (35, "sam", "customer", "Customer on social: chat bubble spins forever on the pricing page"),
    (70, "priya", "note", "Reproduced in Chrome and Safari: the Messenger script never finishes loading"),
    (100, "priya", "action", "Checked Intercom status page: Messenger listed as operational so far"),
    (150, "sam", "action", "Put a 'chat is down, email support@ instead' banner on pricing and contact pages"),
    (190, "sam", "comms", "Banner live; posted the same on the help centre and social"),
    (260, "priya", "decision", "Route chat requests to the lead form until Intercom recovers"),
)


def demo_config(database: Path) -> Config:
    return config_module.load([config_module.bundled_path("example.yaml")], database=str(database))


def seed(store: SQLStore, config: Config, *, now: datetime | None = None, minutes_ago: float = 6.0) -> int:
    """Write the demo incident; returns its id."""
    now = now or utcnow()
    start = now - timedelta(minutes=minutes_ago)
    incident = store.declare(
        "Chat widget not loading on the website",
        severity="SEV2",
        author="priya",
        services=["chat-widget", "support-inbox"],
        at=start,
        catalog=catalog_snapshot(config),
        replay_recorded_at=start,
        replay_account=Account("priya", -1),
    )

    def replay(seconds: int, author: str, kind: str, text: str, **extra: Any) -> Event:
        moment = start + timedelta(seconds=seconds)
        # A scripted person: each entry as written by that person's own account.
        return store.append(
            incident.id,
            kind,
            text,
            author=author,
            at=moment,
            replay_recorded_at=moment,
            replay_account=Account(author, -1),
            **extra,
        )

    replay(20, "sam", "role", "comms → sam", value=json.dumps({"role": "comms", "user": "sam"}))
    decision = None
    for seconds, author, kind, text in SCRIPT:
        event = replay(seconds, author, kind, text)
        if kind == "decision":
            decision = event
    replay(280, "priya", "status", "status → identified", value="identified")
    if decision is not None:
        replay(290, "priya", "star", f"starred #{decision.id}", ref=decision.id)
    return incident.id


def seed_leads(store: SQLStore, config: Config, *, now: datetime | None = None) -> None:
    """A week of leads every few minutes, ending a few minutes ago: the `leads` silence signal
    has its history to learn from, and a silence to notice (held back while the form is down)."""
    if config.signal("leads") is None:
        return
    now = now or utcnow()
    rows = []
    moment = now - timedelta(days=7)
    while moment < now - timedelta(minutes=4):
        rows.append(("leads", to_store(moment), 1, None, "demo"))
        moment += timedelta(minutes=3 if 7 <= moment.hour < 20 else 40)
    rows.append(("leads", to_store(now - timedelta(minutes=2)), 1, None, "demo"))  # the last one, whatever the hour
    store.record_arrivals(rows)


def write_demo_config(workdir: Path, database: Path) -> Path:
    """The demo's config beside its war-room, its database named in it: the CLI run on the demo
    with it (`mopstui --config … export 1`) says what the screen says (service names, vendor
    names, the room's time zone); without it the export knew none of them."""
    text = config_module.bundled_path("example.yaml").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^database: .*$", f"database: {json.dumps(str(database))}", text, count=1)
    path = workdir / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def run_demo(user: str) -> int:
    workdir = Path(tempfile.mkdtemp(prefix="mopstui-demo-"))
    database = workdir / "demo.db"
    write_demo_config(workdir, database)
    config = demo_config(database)
    with open_store(database) as store:
        seed(store, config)
        seed_leads(store, config)
    from ..tui.app import run_app  # Textual only now, after the seeding
    from .server import DemoVendors

    vendors = DemoVendors(config).start()
    try:
        return run_app(vendors.rewire(config), user, demo=True)
    finally:
        vendors.stop()
        print(left_behind(workdir))  # stdout: the screen itself draws on stderr


def left_behind(workdir: Path) -> str:
    """What a demo ends with: where its war-room (and any postmortem written) stays, and, with
    its config there, the exact commands to use them from the command line."""
    config = workdir / "config.yaml"
    exported = sorted(p.name for p in workdir.glob("*-postmortem.md"))
    kept = ", ".join(["demo.db", *(["config.yaml"] if config.exists() else []), *exported])
    said = f"mopstui: the demo's war-room stays in {workdir}/ ({kept}); delete the folder when you are done"
    if config.exists():
        room = f"mopstui --config {shlex.quote(str(config))} --db {shlex.quote(str(workdir / 'demo.db'))}"
        said += (
            f"\nTo use it from the command line, with the demo's services, vendors and time zone:\n"
            f"  {room} timeline 1\n"
            f"  {room} export 1 -o INC-1-postmortem.md"
        )
    return said


def _scripted_statuses(config: Config, *, at_second: float, heard: datetime) -> tuple[Config, dict[str, dict]]:
    """One real poll of the demo's vendors, `at_second` into the script, heard at a fixed time;
    with the config the demo polls them by."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor
    from dataclasses import replace

    from ..room.polling_round import poll
    from .server import DemoVendors

    moment = [0.0]
    vendors = DemoVendors(config, clock=lambda: moment[0]).start()
    moment[0] = at_second
    try:
        rewired = vendors.rewire(config)
        # Its own thread: callers may already be inside an event loop (screenshots, tests).
        with ThreadPoolExecutor(1) as pool:
            statuses = pool.submit(asyncio.run, poll(rewired)).result()
    finally:
        vendors.stop()
    stamp = heard.isoformat()
    return rewired, {k: replace(v, checked_at=stamp, last_good_at=stamp, latency_ms=None).to_dict() for k, v in statuses.items()}


def picture_app(workdir: Path) -> tuple[WarRoomApp, Callable[[], bool]]:
    """The demo war-room on a stopped clock, for screenshots and snapshot tests.

    Everything on screen is relative to the incident's start, so pictures only change when the
    screen does. Returns the app and a check that says when its background writes have landed.
    """
    from ..tui.app import WarRoomApp
    from ..tui.timeline_view import TimelineView

    # A fixed moment, not today's: wide pictures show the clock time of every entry.
    now = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
    database = workdir / "warroom.db"
    config = demo_config(database)
    with open_store(database) as store:
        incident_id = seed(store, config, now=now)
        config, statuses = _scripted_statuses(config, at_second=80, heard=now - timedelta(seconds=30))
        store.save_vendor_statuses(statuses, [])
    app = WarRoomApp(config, "alice", now=lambda: now, demo=True, animations=False, poll_vendors=False)

    def settled() -> bool:
        view = app.q("#timeline", TimelineView)
        return view.events[0].incident_id == incident_id and any(e.kind == "system" for e in view.events) and not view.pending

    return app, settled
