"""The war-room's words and symbols, as an on-call marketer reads them: one list for the help
screen's legend, the README's glossary and the tests that keep engineer's words off the screen.

The README's "Words on the screen" section says the same; a test holds the two together.
"""

from __future__ import annotations

# Every mark the screen draws, with what it means (the help's legend).
SYMBOLS: tuple[tuple[str, str], ...] = (
    ("★", "starred for the postmortem (* stars and unstars)"),
    ("↶", "back-dated: written later than it happened (@10:02 …)"),
    ("✎", "corrected later; the correction follows the words"),
    ("⊘", "withdrawn: kept, struck through, with who and why"),
    ("◇", "evidence a program added for a person"),
    ("⋯", "being saved; NOT SAVED if the write failed (ctrl+r)"),
    ("≠", "by a name: the login that wrote it (priya≠login sam);"),
    ("", "as health: the vendor's page and our probe disagree"),
    ("✓ ◐ ▲ ✖", "ok · degraded · partial outage · down"),
    ("⚒ ?", "maintenance · not known yet"),
    ("!", "as health: at risk through something it depends on;"),
    ("", "before a vendor's state: the room overruled its page"),
    ("~", "an old reading: the page could not be read since"),
    ("└", "a component under its vendor"),
    ("🔍 ◎ ◑", "investigating · cause identified · monitoring a fix"),
    ("▁▃█", "the highlighted vendor's last 24 hours, low to high"),
)

# What the marketer meets on screen and in the commands, in plain words (README: "Words on the
# screen"). The left column is the word the screen uses.
GLOSSARY: tuple[tuple[str, str], ...] = (
    ("war-room", "the shared database everyone on the host writes to; mopstui opens it"),
    ("incident", "one customer-facing problem, from declared to resolved (INC-1)"),
    ("entry", "one line on the timeline: a note, action, decision, comms, customer report, todo, lesson"),
    ("comms", "a customer update you sent; it resets the update-due clock"),
    ("todo", "an action item with an owner and a due date, followed after the incident"),
    ("touchpoint", "where customers meet us: lead capture, chat, checkout, email …"),
    ("probe", "our own check of a page or script, next to what the vendor's status page says"),
    ("override", "the room's ruling on a vendor's page (down for us, or not us), with a reason"),
    ("update due", "time left before customers should hear from us again"),
    ("duties", "the background work one screen does for the room (reading vendor pages, clocks)"),
    ("verify", "check that nothing in the log was changed or removed after it was written"),
    ("postmortem", "the incident written up for after: figures, timeline, todos, lessons (x, or `mopstui export`)"),
    ("fingerprint", "the log's checksum: verify prints it, every export carries it, verify --since compares it later"),
    ("page vs our probe", "a vendor-table row saying when the vendor's page and our own probe disagreed"),
)

# Engineer's words that must not reach a marketer's screen or a command's plain message (they
# are shown under --verbose; base.plain says a driver's or the system's error in plain words).
ENGINEER_WORDS = (
    "lease",
    "sha256",
    "hash chain",
    "WAL",
    "action_item",
    "ordering problem",
    "fe_sendauth",
    "[Errno",
    "OperationalError",
)
