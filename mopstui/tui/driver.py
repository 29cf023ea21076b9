"""The terminal driver: Textual's Linux driver, with its input loop made to survive any byte and
to notice a terminal that is gone.

Textual 8's loop (textual/drivers/linux_driver.py, LinuxDriver.run_input_thread) has two faults
that a shared jump host meets:

- It decodes stdin with a strict UTF-8 decoder, so one invalid byte (a Latin-1 paste, an 8-bit
  meta key: `tmux send-keys -H c3 28`) raises UnicodeDecodeError in the input thread, which kills
  the screen. Here the decoder replaces such bytes with U+FFFD: the screen goes on, the odd byte
  shows as �.
- On end of input it only stops that round (`if not unicode_data: break`, meant for a pipe) and
  selects again: a hung-up terminal is always readable and always empty, so the loop spins at
  100 % of a core. Run directly, the kernel's SIGHUP ends the screen first; under `su -c`,
  `runuser` or `sudo -iu` the screen is in a session of its own with no controlling terminal, so
  no SIGHUP comes, and it spun forever on the deleted pts. Here end of input on the terminal (or
  the error a hung-up terminal gives) is the hang-up: the process sends itself SIGHUP, and the
  one hang-up path (hangup.py) saves what it can and ends it within its grace period.

The loop below is Textual's, changed only there; drop it once Textual's own loop does both.
"""

from __future__ import annotations

import os
import selectors
import signal
from codecs import getincrementaldecoder

from textual._loop import loop_last
from textual._parser import ParseError
from textual._xterm_parser import XTermParser
from textual.drivers.linux_driver import LinuxDriver


def terminal_gone() -> None:
    """What the input loop does when the terminal is gone: the hang-up, as the kernel would have
    sent it to a screen that owned its terminal."""
    os.kill(os.getpid(), signal.SIGHUP)


class SturdyLinuxDriver(LinuxDriver):
    """LinuxDriver whose input loop survives any byte and ends the screen when the terminal goes."""

    def run_input_thread(self) -> None:
        selector = selectors.SelectSelector()
        selector.register(self.fileno, selectors.EVENT_READ)
        fileno = self.fileno
        parser = XTermParser(self._debug)
        feed, tick = parser.feed, parser.tick
        decode = getincrementaldecoder("utf-8")(errors="replace").decode  # Textual's is strict

        def process(selector_events: list[tuple[selectors.SelectorKey, int]], final: bool = False) -> bool:
            """Feed what arrived to the parser; False when the terminal is gone."""
            for last, (_key, mask) in loop_last(selector_events):
                if mask & selectors.EVENT_READ:
                    try:
                        data = os.read(fileno, 1024 * 4)
                    except OSError:  # EIO: the terminal was hung up under us
                        return False
                    if not data:  # end of input: a terminal that is gone, or a closed pipe
                        return False
                    for event in feed(decode(data, final=final and last)):
                        self.process_message(event)
            for event in tick():
                self.process_message(event)
            return True

        try:
            while not self.exit_event.is_set():
                if not process(selector.select(0.1)):
                    if not self.exit_event.is_set():
                        terminal_gone()
                    return
            selector.unregister(self.fileno)
            process(selector.select(0.1), final=True)
        finally:
            selector.close()
            try:
                for _event in feed(""):
                    pass
            except (EOFError, ParseError):
                pass
