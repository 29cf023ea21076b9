"""What a member plants beside the war-room or at an export's name cannot hang another member's
mopstui or become part of their postmortem."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

from mopstui.store import open_store

from .conftest import ROOT

OPENER = """
import sys
from mopstui.store import StoreError, open_store
opened = refused = 0
for _ in range(int(sys.argv[2])):
    try:
        with open_store(sys.argv[1]) as store:
            store.incidents()
        opened += 1
    except StoreError as error:
        assert "FIFO" in str(error) or "held up" in str(error), error
        refused += 1
print(opened, refused)
"""


def test_a_fifo_swapped_in_beside_the_war_room_never_hangs_an_open(tmp_path):
    """The reproduction: a FIFO put at `-journal` after mopstui checked it blocked SQLite's
    read-only open for ever (within ~15 opens), even once the FIFO was gone. Now every open ends:
    opened, or refused in one sentence."""
    db = tmp_path / "warroom.db"
    with open_store(str(db)) as store:
        store.declare("Lead form down", severity="SEV1", author="priya")
    journal = f"{db}-journal"
    stop = threading.Event()
    planted = [0]

    def plant() -> None:
        while not stop.is_set():
            try:
                os.mkfifo(journal)
                planted[0] += 1
                time.sleep(0.0005)
                os.unlink(journal)
                time.sleep(0.002)
            except OSError:
                pass
        if os.path.lexists(journal):
            os.unlink(journal)

    planter = threading.Thread(target=plant, daemon=True)
    planter.start()
    opener = subprocess.Popen([sys.executable, "-c", OPENER, str(db), "100"], cwd=ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    try:
        out, err = opener.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        opener.kill()
        opener.communicate()
        raise AssertionError("an open of the war-room hung on a planted FIFO") from None
    finally:
        stop.set()
        planter.join(10)
    assert opener.returncode == 0, err
    opened, refused = map(int, out.split())
    assert opened + refused == 100 and opened > 0 and planted[0] > 20
    assert not planter.is_alive() and not os.path.lexists(journal)
    with open_store(str(db)) as store:  # and the war-room is as it was
        assert store.verify().ok
