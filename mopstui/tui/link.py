"""Knowing the terminal is still there. A frozen link (a laptop asleep, a network gone while the
TCP connection stays open) brings no hang-up, and sshd's keepalive is defeated by a program that
writes: an idle screen's few bytes a second go into buffers (the pty's, sshd's, TCP's) for
hours before a write would block. So the screen asks the terminal itself: a cursor-position
request every PROBE_EVERY seconds, which a live terminal answers within a round trip. A terminal
that has answered before and then stays silent for `away_after` is away: the session stops
saying it is in the room and gives up the room's duties until the terminal answers again. (A
terminal that never answers is never called away: it may simply not speak the request.)"""

from __future__ import annotations

import time
from collections.abc import Callable

PROBE = "\x1b[6n"  # DSR 6: "report the cursor position"; the answer is ESC [ row ; col R
PROBE_EVERY = 5.0  # at most: a shorter `away_after` is probed three times within it


class LinkWatch:
    def __init__(
        self,
        away_after: float,
        on_away: Callable[[float], object],
        on_back: Callable[[float], object],
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.away_after, self.on_away, self.on_back, self.clock = away_after, on_away, on_back, clock
        # Checked just before each probe: a live terminal's last answer is then one interval old,
        # so the interval must be well inside away_after or a live terminal would look silent.
        self.probe_every = min(PROBE_EVERY, away_after / 3)
        self.last_answer: float | None = None
        self.away_since: float | None = None

    @property
    def away(self) -> bool:
        return self.away_since is not None

    def answered(self) -> None:
        now, previous = self.clock(), self.last_answer
        self.last_answer = now
        if self.away_since is not None and previous is not None:
            self.away_since = None
            self.on_back(now - previous)

    def check(self) -> None:
        """Once per probe: away when a terminal that answered before has been silent too long."""
        if self.last_answer is None or self.away_since is not None:
            return
        now = self.clock()
        if now - self.last_answer > self.away_after:
            self.away_since = now
            self.on_away(now - self.last_answer)
