"""Keys that must not act, so that a slip costs nothing:

- the rest of the burst that opened a dialog (`E` then stray typing then Enter once retitled an
  incident): a key made before the dialog was on screen is dropped; a burst of moves or a kind
  key and its words is meant, and kept;
- stray typing on the war-room, meant for an entry line that was not open (`Intercom confirmed
  the fix` ran `n`, which opened a note, and logged `tercom confirmed the fix`): a printable key
  that is no key of the screen starts it, and until the typing pauses its keys are dropped, with
  one word on screen. A kind key (n, c, …) typed first opens the line and its text is kept.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import events
from textual.widgets import Input

from .screens import _Dialog as Dialog
from .war_room import WarRoom

if TYPE_CHECKING:
    from textual.app import App

STRAY_PAUSE = 1.0  # seconds without a key that end stray typing
BURST = 0.05  # keys closer than this to a key that ran a command came in the same burst
# Commands that open no dialog: the keys behind them in a burst are meant as typed. A kind key
# focuses the entry line as it arrives (the words go in it); `kkkk` moves four lines, not one.
NO_DIALOG = ("entry(", "cursor")


class KeyGuard:
    def __init__(self) -> None:
        self.stray_until = 0.0
        self.command_at = float("-inf")  # when the last key that ran a war-room command came
        self.keys = 0  # keys seen so far: has the person typed on since a given key?
        self.enter_at = 0  # `keys` when the entry line's last Enter came

    def drops(self, app: App, key: events.Key) -> bool:
        self.keys += 1
        if key.key == "escape":  # back in control, wherever
            self.stray_until = 0.0
        screen = app.screen
        if isinstance(screen, Dialog):  # Escape always gets through: it only ever cancels
            screen.key_made_at = key.time
            return key.time < screen.opened_at and key.key != "escape"
        if not isinstance(screen, WarRoom) or isinstance(app.focused, Input) or key.key == "escape":
            return False
        printable = key.is_printable or key.key in ("enter", "space")
        if printable and key.time - self.command_at < BURST:
            return True  # the rest of the burst of a key whose dialog is not on screen yet
        if printable and key.time < self.stray_until:
            self.stray_until = key.time + STRAY_PAUSE
            return True
        active = app.active_bindings.get(key.key)
        if active is not None:
            if not active.binding.action.startswith(NO_DIALOG):
                self.command_at = key.time
            return False
        if key.is_printable:
            self.stray_until = key.time + STRAY_PAUSE
            app.notify(
                "That typing went nowhere: pick a kind first (n note, c comms, a action …), then type.",
                severity="warning",
                timeout=4,
            )
            return True
        return False
