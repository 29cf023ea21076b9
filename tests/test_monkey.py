"""A seeded random walk through the screen: keys, bursts, pastes, resizes and hostile text, on a
live database with a vendor server. The screen must never die, and every entry it accepted must
be in the log, whose chain must verify. A failure prints the seed and the step to replay it."""

from __future__ import annotations

import json
import os
import random

import pytest
from textual import events
from textual.message import Message

from mopstui.config import load
from mopstui.domain.model import Event
from mopstui.store import Store
from mopstui.tui.messages import WriteDone, WriteFailed

from .status_server import StatusServer
from .tui_helpers import make_app

STEPS = int(os.environ.get("MOPSTUI_MONKEY_STEPS", "300"))
SEEDS = [int(s) for s in os.environ.get("MOPSTUI_MONKEY_SEEDS", "1").split(",")]
KEYS = [
    "n",
    "a",
    "d",
    "c",
    "u",
    "t",
    "l",
    "i",
    "s",
    "v",
    "r",
    "R",
    "N",
    "e",
    "*",
    "/",
    "x",
    "p",
    "o",
    "?",
    "[",
    "]",
    "tab",
    "shift+tab",
    "up",
    "down",
    "pageup",
    "pagedown",
    "home",
    "end",
    "enter",
    "enter",
    "escape",
    "escape",
    "backspace",
    "space",
    "left",
    "right",
    "ctrl+s",
]  # never q or ctrl+c: the walk must not quit
TEXTS = [
    "Form 500s since deploy",
    "[bold]x[/]",
    "[@click=app.quit]q[/]",
    "\x1b[2J",
    "@[/nope] x",
    "@99:99 late",
    "/comms banner up",
    "!rolled back",
    '"',
    "NOT *",
    "\u202eevil",
    "a" * 300,
]


def summary(indicator: str) -> str:
    return json.dumps(
        {
            "page": {"updated_at": "2026-11-23T10:02:00Z"},
            "status": {"indicator": indicator},
            "components": [{"id": "f", "name": "Forms", "status": "operational" if indicator == "none" else "major_outage"}],
            "incidents": [],
        }
    )


@pytest.mark.parametrize("seed", SEEDS)
async def test_a_random_walk_never_kills_the_screen_or_loses_an_entry(tmp_path, db_path, seed):
    rng = random.Random(seed)
    with StatusServer() as server:
        server.serve("/hubspot/api/v2/summary.json", summary("none"))
        config_path = tmp_path / "c.yaml"
        config_path.write_text(
            "timezone: UTC\npolling: {interval: 1s, timeout: 2s}\nvendors:\n"
            f'  - {{id: hubspot, name: HubSpot, kind: statuspage, url: "{server.url("/hubspot")}"}}\n'
            "services:\n  - {id: lead-form, name: Lead form, vendor: hubspot, touchpoint: lead capture}\n"
        )
        config = load([config_path], database=str(db_path))
        with Store(db_path) as store:
            store.declare("Lead form down", severity="SEV2", author="alice", services=["lead-form"])
        app = make_app(config, poll_vendors=True)
        submitted: list[str] = []
        said: list[Message] = []  # every message the app handled: what the writer said it saved or refused
        async with app.run_test(size=(100, 30), message_hook=said.append) as pilot:
            for step in range(STEPS):
                roll = rng.random()
                try:
                    if roll < 0.55:
                        await pilot.press(rng.choice(KEYS))
                    elif roll < 0.7:  # a burst: an entry key and a line, all queued at once
                        token = f"walk-{seed}-{step}"
                        for char in "n" + token:
                            app.post_message(events.Key(char, char))
                        app.post_message(events.Key("enter", "\r"))
                        submitted.append(token)
                        await pilot.pause()
                    elif roll < 0.8:
                        app.post_message(events.Paste(rng.choice(TEXTS) * rng.choice((1, 1, 50))))
                        await pilot.pause()
                    elif roll < 0.9:
                        await pilot.resize_terminal(rng.choice((60, 80, 100, 120, 200)), rng.choice((20, 24, 30, 40, 50)))
                    elif roll < 0.95:
                        server.serve("/hubspot/api/v2/summary.json", summary(rng.choice(("none", "critical"))))
                    else:
                        await pilot.pause(0.05)
                except Exception as error:  # the pilot raises what the app raised
                    raise AssertionError(f"seed {seed}, step {step}: {error!r}") from error
                assert app.is_running, f"seed {seed}, step {step}: the screen ended ({app.return_code})"
            await pilot.pause(0.5)
            # whatever dialog the walk left open, the entries it saw accepted reach the log
            deadline = 50
            while app.q("#timeline").pending and deadline:
                await pilot.pause(0.1)
                deadline -= 1
            assert not app.q("#timeline").pending, f"seed {seed}: entries still waiting to be written"
    with Store(db_path) as store:
        texts = {e.text for e in store.events(1)}
        verified = store.verify()
    assert verified.ok, verified.message
    # A burst typed while a dialog or a field had focus is text for that field, not an entry; every
    # burst that reached the entry line was saved.
    landed = [t for t in submitted if any(t in text for text in texts)]
    assert landed, "no burst ever reached the log"
    # Every entry the screen accepted (its writer answered for it) was written, and is in the log as
    # written: nothing refused, nothing said saved that is not there.
    accepted = [m.result for m in said if isinstance(m, WriteDone) and isinstance(m.result, Event) and m.result.incident_id]
    refused = [m.reason for m in said if isinstance(m, WriteFailed)]
    assert refused == [], f"seed {seed}: {refused}"
    with Store(db_path) as store:
        for entry in accepted:
            assert store.event(entry.id) == entry, f"seed {seed}: #{entry.id} {entry.text!r} is not in the log as written"
    assert set(landed) <= {t for t in submitted if any(t in e.text for e in accepted)}


DIALOG_KEYS = ["s", "v", "r", "R", "N", "E", "e", "f", "D", "O", "/", "?", "ctrl+p"]
NOISE = list("abcdefghijklmnoprstuvwxyzABCDEFGHIJKLMNOPRSTUVWXYZ0123456789 !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
ODD = ["\ufffd", "\x9b", "\u202e", "é", "\x00", "\x7f", "😀"]  # what a decoder makes of invalid UTF-8, C1, bidi …


def facts(db_path) -> tuple:
    """What was declared: every incident's title, status, severity, roles, services, summary, and
    the overrides. Noise must never change these."""
    with Store(db_path) as store:
        incidents = store.incidents(include_resolved=True)
        overrides = list(store.events_of_kinds(("override",)))
    return tuple(
        (i.id, i.title, i.status, i.severity, tuple(sorted(i.roles.items())), tuple(i.services), i.summary) for i in incidents
    ), len(overrides)


@pytest.mark.parametrize("seed", SEEDS)
async def test_bursts_after_every_dialog_key_change_no_declared_fact_and_every_entry_lands(tmp_path, db_path, seed):
    """A burst of printable noise (and odd characters, as the screen's decoder hands them on)
    right after each key that opens a dialog, ending in Enter: the screen lives, no declared fact
    changes, and every entry typed after a kind key lands."""
    from textual.keys import _character_to_key

    rng = random.Random(seed)
    config_path = tmp_path / "c.yaml"
    config_path.write_text(
        "timezone: UTC\nvendors:\n  - {id: hubspot, name: HubSpot, kind: statuspage, "
        'url: "http://127.0.0.1:9/hubspot"}\n'
        "services:\n  - {id: lead-form, name: Lead form, vendor: hubspot, touchpoint: lead capture}\n"
    )
    config = load([config_path], database=str(db_path))
    with Store(db_path) as store:
        store.declare("Lead form down", severity="SEV2", author="alice", services=["lead-form"])
        store.append(1, "action_item", "Check the form", author="alice")
    before = facts(db_path)
    app = make_app(config)
    typed: list[str] = []
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        for step, key in enumerate(DIALOG_KEYS):  # each once: the noise is what the seed varies
            noise = "".join(rng.choice(NOISE + ODD) for _ in range(rng.randint(1, 30)))
            try:
                await pilot.press("down")  # something selected, so that e, f and O open their dialogs
                # The burst is made with the key (as the terminal's reader makes a whole read at
                # once) and reaches the screen once the dialog is up, as it does over a slow link.
                rest = [events.Key(_character_to_key(char), char) for char in noise] + [events.Key("enter", "\r")]
                app.post_message(events.Key(key, key if len(key) == 1 else None))
                await pilot.pause()
                for event in rest:
                    app.post_message(event)
                await pilot.pause(0.1)
                for _ in range(3):
                    await pilot.press("escape")
                if hasattr(app, "key_guard"):  # a pause: the next keys are keys again
                    app.key_guard.stray_until = 0
                token = f"entry-{seed}-{step}"
                app.post_message(events.Key("n", "n"))
                for char in token:
                    app.post_message(events.Key(_character_to_key(char), char))
                app.post_message(events.Key("enter", "\r"))
                typed.append(token)
                await pilot.pause()
                await pilot.press("escape")
            except Exception as error:
                raise AssertionError(f"seed {seed}, step {step}, key {key!r}, noise {noise!r}: {error!r}") from error
            assert app.is_running, f"seed {seed}, step {step}: the screen ended ({app.return_code})"
        deadline = 50
        while app.q("#timeline").pending and deadline:
            await pilot.pause(0.1)
            deadline -= 1
    assert facts(db_path) == before, "printable noise changed what was declared"
    with Store(db_path) as store:
        texts = {e.text for e in store.events(1)}
    missing = [t for t in typed if t not in texts]
    assert not missing, f"entries accepted but not in the log: {missing}"
