"""A frozen link: the terminal stops answering (a laptop asleep, the network gone, the TCP
connection open) but nothing hangs up. The real binary on a real pty, the test playing the
terminal: while it answers the screen's cursor-position probe the session is in the room and
holds the room's duties; when it stops, the session is shown away and gives the lease up; when
it answers again, both come back. Plus the rule itself, on a hand-moved clock."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import signal
import struct
import termios
import time

import pytest

from mopstui.store import Store
from mopstui.tui.link import LinkWatch

from .conftest import MOPSTUI, write


class Terminal:
    """The master side of a pty, answering `ESC[6n` while `answering` is set."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        pid, master = pty.fork()
        if pid == 0:
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
            os.execve(argv[0], argv, {**os.environ, "TERM": "xterm-256color", **env})
        self.pid, self.master, self.answering, self.output, self.probes = pid, master, True, b"", 0

    def pump(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            ready, _, _ = select.select([self.master], [], [], min(left, 0.05))
            if not ready:
                continue
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                return
            self.output = (self.output + chunk)[-200_000:]
            asked = chunk.count(b"\x1b[6n")
            self.probes += asked
            if asked and self.answering:
                os.write(self.master, b"\x1b[1;1R" * asked)

    def until(self, condition, timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            assert time.monotonic() < deadline, f"timed out waiting for {what}"
            self.pump(0.1)

    def close(self) -> None:
        try:
            os.kill(self.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            self.pump(0.05)
            if os.waitpid(self.pid, os.WNOHANG)[0]:
                break
        else:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        os.close(self.master)


@pytest.mark.timing  # a wall-clock bound
def test_a_frozen_link_is_shown_away_and_gives_the_lease_up(tmp_path):
    db = tmp_path / "warroom.db"
    config = write(
        tmp_path / "c.yaml",
        "timezone: UTC\nui: {away_after: 3s}\npolling: {interval: 1s}\nvendors:\n"
        "  - {id: hubspot, name: HubSpot, kind: statuspage, url: 'http://127.0.0.1:9/x'}\n",
    )
    with Store(db) as store:
        store.declare("Lead form down", severity="SEV2", author="alice")
    terminal = Terminal(
        [MOPSTUI, "--config", str(config), "--db", str(db), "--user", "frozen"], {"MOPSTUI_HEARTBEAT_SECONDS": "1"}
    )
    try:
        with Store(db) as store:

            def present() -> bool:
                return any(p["user"] == "frozen" for p in store.present())

            def holding() -> bool:
                return (store.lease_holder("poller") or "").startswith("tui:")

            terminal.until(lambda: present() and holding() and terminal.probes > 0, 30, "the session in the room")
            terminal.pump(4.0)  # a live terminal across more than away_after: it stays in the room
            assert present() and holding() and b"Link back" not in terminal.output
            terminal.answering = False  # the link freezes: output still flows into buffers, no answer comes back
            started = time.monotonic()
            terminal.until(lambda: not present() and not holding(), 20, "the session shown away, the lease given up")
            # Not before away_after (3 s) of silence: the last answer came at most one probe (1 s) earlier.
            assert time.monotonic() - started >= 1.9
            assert os.waitpid(terminal.pid, os.WNOHANG)[0] == 0  # away, not gone: it may come back
            terminal.answering = True
            terminal.until(lambda: present() and holding(), 20, "the session back in the room with the lease")
            terminal.until(lambda: b"Link back" in terminal.output, 10, "the screen saying so")
    finally:
        terminal.close()
    assert re.search(rb"\x1b\[6n", terminal.output) or terminal.probes > 0


def test_a_live_terminal_is_probed_well_inside_away_after():
    assert LinkWatch(60, print, print).probe_every == 5.0
    assert LinkWatch(3, print, print).probe_every == 1.0


def test_the_rule_never_calls_a_silent_terminal_away_unless_it_answered_before():
    now = [0.0]
    said: list[tuple[str, float]] = []
    watch = LinkWatch(60, lambda s: said.append(("away", s)), lambda s: said.append(("back", s)), clock=lambda: now[0])
    now[0] = 500
    watch.check()
    assert not watch.away and said == []  # never answered: it may not speak the probe
    watch.answered()
    now[0] = 559
    watch.check()
    assert not watch.away
    now[0] = 561
    watch.check()
    assert watch.away and said == [("away", 61)]
    now[0] = 600
    watch.answered()
    assert not watch.away and said[-1] == ("back", 100)
