"""Marketing signals, the territory beside the vendors' map: the rules with no I/O.

`state` holds a signal's state and how a reading moves it, `judge` reads a fetched page for a
form or a tag container, `silence` learns the usual gap between arrivals per hour of the week.
The room's duty (mopstui.room) fetches, receives and stores; the screen and the CLI only read.
"""

from .state import DEGRADED, DOWN, OK, STATES, UNKNOWN, Reading, SignalState, blank, changes, step, worst

__all__ = ["DEGRADED", "DOWN", "OK", "STATES", "UNKNOWN", "Reading", "SignalState", "blank", "changes", "step", "worst"]
