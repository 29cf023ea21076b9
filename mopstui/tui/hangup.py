"""Leaving when the terminal goes. A dropped SSH link hangs the terminal up: SIGHUP, and with it
SIGCONT, whose Textual handler re-enters application mode on the dead terminal and starts a
second writer thread that shutdown then waits on forever (21 of 50 screens stayed behind when
their tmux server was killed). So on SIGHUP: the resume handler is switched off, the app is asked
to exit, and a watchdog ends the process after a grace period whatever is in flight (a held
database lock, a slow vendor fetch, a blocked write to the terminal), having released the
poller lease and the presence row with a short timeout of its own.

A screen started under `su -c`, `runuser` or `sudo -iu` has no controlling terminal and gets no
SIGHUP: its input loop sees the terminal end instead and sends the same signal (driver.py)."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable

GRACE = 1.5  # seconds between the hang-up and the end, whatever is in flight (the room promises 2)
EXIT_HANGUP = 129  # 128 + SIGHUP, as a shell reports a hung-up process


class Hangup:
    def __init__(self, exit_app: Callable[[], object], release: Callable[[], None], *, grace: float = GRACE) -> None:
        self.exit_app, self.release, self.grace = exit_app, release, grace
        self.happened = threading.Event()

    def install(self) -> None:
        signal.signal(signal.SIGHUP, self._on_hangup)

    def _on_hangup(self, *_: object) -> None:
        if self.happened.is_set():
            return
        self.happened.set()
        # No resume on a terminal that is gone: SIGCONT arrives with the hang-up.
        signal.signal(signal.SIGCONT, signal.SIG_IGN)
        threading.Thread(target=self._watchdog, name="hangup-watchdog", daemon=True).start()
        try:
            self.exit_app()
        except Exception:  # the watchdog ends it anyway
            pass

    def _watchdog(self) -> None:
        deadline = time.monotonic() + self.grace
        releaser = threading.Thread(target=self._release, daemon=True)
        releaser.start()
        releaser.join(max(0.0, deadline - time.monotonic()))
        remaining = deadline - time.monotonic()
        if remaining > 0:
            time.sleep(remaining)
        os._exit(EXIT_HANGUP)  # still here: something in flight would hold us, and nobody is watching

    def _release(self) -> None:
        try:
            self.release()
        except Exception:  # best effort: others drop a silent session within a minute
            pass
