"""`mopstui demo`: a war-room with an incident under way, on a temporary database, offline."""

from __future__ import annotations

import tempfile
from datetime import datetime, timedelta
from pathlib import Path

from . import config as config_module
from .catalog import catalog_snapshot
from .config import Config
from .store import Store
from .timeutil import utcnow

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


def seed(store: Store, config: Config, *, now: datetime | None = None, minutes_ago: float = 6.0) -> int:
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
    )
    store.assign_role(incident.id, "comms", "sam", author="sam", at=start + timedelta(seconds=20))
    decision = None
    for seconds, author, kind, text in SCRIPT:
        moment = start + timedelta(seconds=seconds)
        event = store.append(incident.id, kind, text, author=author, at=moment, replay_recorded_at=moment)
        if kind == "decision":
            decision = event
    store.set_status(incident.id, "identified", author="priya", at=start + timedelta(seconds=280))
    if decision is not None:
        store.star(incident.id, decision.id, author="priya")
    return incident.id


def run_demo(ctx) -> int:
    workdir = Path(tempfile.mkdtemp(prefix="mopstui-demo-"))
    database = workdir / "demo.db"
    config = demo_config(database)
    with Store(database) as store:
        incident_id = seed(store, config)
    try:
        from .tui.app import run_app
    except ImportError:
        run_app = None
    if run_app is None:
        from .cli import main

        return main(["--db", str(database), "timeline", str(incident_id)])
    with Store(database) as store:
        return run_app(config, store, ctx.user, demo=True)
