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

- It reads Escape followed by a letter in one read (a fast typist's Escape then `d`, or a laggy
  link delivering both at once) as the start of an escape sequence: `Escape dKeep the banner up`
  became the text `^dKeep the banner up`, and with a 50 ms gap `alt+d`, typed as `d`. The war-room
  has no alt bindings: here Escape followed by anything that cannot start a sequence is the
  Escape key, then that key (outside a bracketed paste, whose text is kept as it came).
- An ESC inside a bracketed paste (`\x1b[31mred` copied from a log) makes its parser read the
  rest as keys, sent before the paste: the words came out of order (`^[31mredCustomer said:`).
  Here a paste's terminal sequences are taken out before the parser sees it, as textsafe does.

The loop below is Textual's, changed only there; drop it once Textual's own loop does all four.
"""

from __future__ import annotations

import os
import selectors
import signal
from codecs import getincrementaldecoder

from textual import events
from textual._loop import loop_last
from textual._parser import ParseError
from textual._xterm_parser import XTermParser
from textual.drivers.linux_driver import LinuxDriver

from ..base.textsafe import clean

ESCAPE = "\x1b"
# What may follow ESC in a sequence a terminal sends: CSI, SS3, OSC, DCS, APC, PM, ST, SOS.
SEQUENCE_STARTS = frozenset("[O]P_^\\X")
PASTE_START, PASTE_END = "\x1b[200~", "\x1b[201~"


class EscapeSplitter:
    """Cuts decoded input where an Escape key press stands on its own: the pieces are text for
    Textual's parser, and None for an Escape key. An ESC at the very end of a read is held until
    the next read (or until no more input comes: `flush`)."""

    def __init__(self) -> None:
        self.held = False
        self.in_paste = False

    def split(self, text: str) -> list[str | None]:
        if self.held:
            self.held = False
            text = ESCAPE + text
        pieces: list[str | None] = []
        start = index = 0
        while index < len(text):
            if self.in_paste:
                end = text.find(PASTE_END, index)
                body_end = len(text) if end < 0 else end
                if ESCAPE in text[index:body_end]:  # terminal sequences out, the words kept in order
                    pieces.append(text[start:index] + clean(text[index:body_end]))
                    start = body_end
                if end < 0:
                    break
                self.in_paste, index = False, end + len(PASTE_END)
                continue
            if text.startswith(PASTE_START, index):
                self.in_paste, index = True, index + len(PASTE_START)
                continue
            if text[index] == ESCAPE:
                if index + 1 == len(text):  # more may come: the rest of a sequence, or nothing
                    if start < index:
                        pieces.append(text[start:index])
                    self.held = True
                    return pieces
                if text[index + 1] not in SEQUENCE_STARTS:
                    if start < index:
                        pieces.append(text[start:index])
                    pieces.append(None)
                    start = index + 1
            index += 1
        if start < len(text):
            pieces.append(text[start:])
        return pieces

    def flush(self) -> bool:
        """No more input came: a held ESC was the Escape key."""
        held, self.held = self.held, False
        return held


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

        splitter = EscapeSplitter()

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
                    for piece in splitter.split(decode(data, final=final and last)):
                        for event in feed(piece) if piece is not None else [events.Key("escape", ESCAPE)]:
                            self.process_message(event)
            if not selector_events and splitter.flush():
                self.process_message(events.Key("escape", ESCAPE))
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
