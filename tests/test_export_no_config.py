"""Exported from the command line without the room's config: the services are named from the
list recorded at the declaration, and what was not available is said plainly, never
'no longer in the catalog'. The demo leaves its config beside its war-room and says how to use it."""

from __future__ import annotations

import subprocess

from mopstui.demo import demo_config, left_behind, seed, write_demo_config
from mopstui.store import Store, open_store

from .conftest import MOPSTUI
from .test_properties import run_main


def test_cli_export_without_config_names_services_as_declared(tmp_path):
    database = tmp_path / "demo.db"
    config = demo_config(database)
    with open_store(database) as store:
        seed(store, config)
    out = tmp_path / "pm.md"
    code, _, err = run_main(["--db", str(database), "export", "1", "-o", str(out)])
    assert code == 0, err
    text = out.read_text()
    assert "no longer in the catalog" not in text
    assert "- Website chat widget — touchpoint: chat" in text and "(as listed when the incident was declared)" in text
    assert "Customer touchpoints: chat\n" in text
    assert "The service list was not available when this was exported" in text


def test_cli_export_without_any_service_list_says_so(tmp_path):
    database = tmp_path / "room.db"
    with Store(database) as store:
        store.declare("Lead form not submitting", severity="SEV2", author="alice", services=["lead-form"])
    out = tmp_path / "pm.md"
    code, _, err = run_main(["--db", str(database), "export", "1", "-o", str(out)])
    assert code == 0, err
    text = out.read_text()
    assert "no longer in the catalog" not in text
    assert "- lead-form (the service list was not available when this was exported)" in text
    assert "Customer touchpoints: not known" in text


def test_the_demo_leaves_its_config_and_the_commands_that_use_it(tmp_path):
    database = tmp_path / "demo.db"
    write_demo_config(tmp_path, database)
    with open_store(database) as store:
        seed(store, demo_config(database))
    said = left_behind(tmp_path)
    assert f"stays in {tmp_path}/ (demo.db, config.yaml)" in said
    command = next(line.strip() for line in said.splitlines() if " export 1 " in line)
    assert command.startswith(f"mopstui --config {tmp_path / 'config.yaml'} --db {database} export 1")
    # The printed command, run as printed (in the folder), exports what the screen shows.
    args = command.split()[1:]
    result = subprocess.run([str(MOPSTUI), *args], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "INC-1-postmortem.md").read_text()
    assert "All times are Europe/London time" in text
    assert "- Website chat widget — touchpoint: chat, owner: support-ops, tier 1\n" in text
    assert "not available" not in text


def test_a_postmortem_lists_only_the_vendors_its_services_hang_on(tmp_path):
    """INC-2 (the lead form) listed Intercom's and the chat widget's changes, and drew a chat
    widget bar: now only HubSpot (its vendor) and the CDN it depends on, the rest counted."""
    from datetime import timedelta

    from mopstui.base.timeutil import to_store, utcnow

    database = tmp_path / "demo.db"
    write_demo_config(tmp_path, database)
    start = utcnow().replace(microsecond=0) - timedelta(minutes=10)
    with Store(database) as store:
        store.declare("Lead form not submitting", severity="SEV2", author="alice", services=["lead-form"], at=start)
        seen = to_store(start + timedelta(minutes=2))

        def change(vendor_id: str, component: str | None, state: str) -> dict:
            return {
                "vendor_id": vendor_id,
                "component": component,
                "state": state,
                "previous_state": "operational",
                "seen_at": seen,
            }

        store.save_vendor_statuses(
            {},
            [
                change("hubspot", "Forms", "major_outage"),
                change("hubspot", None, "partial_outage"),
                change("intercom", None, "major_outage"),
                change("probe:chat-widget", None, "major_outage"),
            ],
        )
    out = tmp_path / "pm.md"
    code, _, err = run_main(["--config", str(tmp_path / "config.yaml"), "export", "1", "-o", str(out)])
    assert code == 0, err
    text = out.read_text()
    vendors = text[text.index("## Vendor status during the incident") : text.index("## The incident in pictures")]
    assert "| HubSpot | Forms |" in vendors
    assert "Intercom" not in vendors and "chat widget" not in vendors.lower(), vendors
    assert "2 changes of 2 other vendors in the same window left out" in vendors
    svg = (tmp_path / "pm.svg").read_text()
    assert "HubSpot" in svg and "Intercom" not in svg and "chat widget" not in svg.lower()
