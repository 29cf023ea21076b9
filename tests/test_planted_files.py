"""What a member plants beside the war-room or at an export's name cannot hang another member's
mopstui or become part of their postmortem."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from mopstui.store import open_store

from .conftest import MOPSTUI, ROOT, run_cli

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
    opener = subprocess.Popen(
        [sys.executable, "-c", OPENER, str(db), "100"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
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


AS_ROOT = os.geteuid() == 0
ATTACKER_UID = 64001
SYSTEM_PYTHON = shutil.which("python3", path="/usr/bin:/bin") or sys.executable
# The victim: root with every capability dropped, so a sticky directory binds it like any member.
WITHOUT_PRIVILEGE = ["setpriv", "--bounding-set=-all", "--inh-caps=-all"]


@pytest.fixture
def room(tmp_path):
    """The README's war-room directory (3770, the group's) under /var/tmp, where another uid reaches."""
    base = Path(tempfile.mkdtemp(prefix="mopstui-planted-", dir="/var/tmp"))
    os.chmod(base, 0o755)
    directory = base / "warroom"
    directory.mkdir()
    os.chmod(directory, 0o3770)
    yield directory
    shutil.rmtree(base, ignore_errors=True)


def _leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".part"))


@pytest.mark.skipif(not AS_ROOT, reason="needs root to plant a file as another uid and to drop capabilities")
def test_a_planted_picture_never_goes_out_beside_the_postmortem(room):
    """The reproduction: a member pre-plants INC-1-postmortem.svg (theirs, with a <script>); the
    export refused the picture after the Markdown that links it was already in place. Now both
    names are checked first: nothing is written, and the sentence names the picture."""
    db = room / "warroom.db"
    assert run_cli("--db", str(db), "--user", "priya", "declare", "Lead form down", "-s", "SEV2").returncode == 0
    picture = room / "INC-1-postmortem.svg"
    planted = subprocess.run(
        [SYSTEM_PYTHON, "-c", "import sys; open(sys.argv[1], 'w').write('<svg><script>x</script></svg>')", str(picture)],
        user=ATTACKER_UID,
        group=os.getgid(),
        capture_output=True,
        text=True,
        timeout=30,
        cwd="/",
    )
    assert planted.returncode == 0, planted.stderr
    result = subprocess.run(
        [*WITHOUT_PRIVILEGE, MOPSTUI, "--db", str(db), "export", "1", "-o", str(room / "INC-1-postmortem.md")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1 and "INC-1-postmortem.svg" in result.stderr and "belongs to" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (room / "INC-1-postmortem.md").exists() and _leftovers(room) == []
    assert "<script>" in picture.read_text() and os.stat(picture).st_uid == ATTACKER_UID


@pytest.mark.slow  # real processes
def test_o_refuses_what_is_not_a_file_and_writes_nothing(tmp_path, db_path):
    """`-o` replaced a FIFO with a file, as root replaced a device node, and `-o .` was an
    internal error. Each is now one sentence, exit 1, the name left as it was."""
    assert run_cli("--db", str(db_path), "--user", "priya", "declare", "Lead form down", "-s", "SEV2").returncode == 0
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    (tmp_path / "dir").mkdir()
    targets = {str(fifo): "not a regular file", str(tmp_path / "dir"): "is a directory", ".": "is a directory"}
    if AS_ROOT:
        device = tmp_path / "null"
        os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 3))  # the null device, under a name of our own
        targets[str(device)] = "not a regular file"
    for target, said in targets.items():
        result = subprocess.run(
            [MOPSTUI, "--db", str(db_path), "export", "1", "-o", target], cwd=tmp_path, capture_output=True, text=True, timeout=30
        )
        assert result.returncode == 1 and said in result.stderr and "internal error" not in result.stderr, target
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode) and (not AS_ROOT or stat.S_ISCHR(os.lstat(tmp_path / "null").st_mode))
    assert _leftovers(tmp_path) == [] and _leftovers(tmp_path / "dir") == [] and not (tmp_path / "pipe.svg").exists()


def test_o_dash_writes_to_standard_output(db_path):
    assert run_cli("--db", str(db_path), "--user", "priya", "declare", "Lead form down", "-s", "SEV2").returncode == 0
    result = run_cli("--db", str(db_path), "export", "1", "-o", "-", "--format", "json")
    assert result.returncode == 0 and json.loads(result.stdout)["incident"]["title"] == "Lead form down"
    assert not (db_path.parent / "-").exists()
