"""What a program may add to the log for a person (`mopstui mcp`): evidence, attributed to both,
paced. Plain rules, no I/O: the caller gives the clock.

The author is `<client> for <person>` ("claude for ana"): the client's name is what it says it is
(MCP client info, self-declared, so never trusted as a person), the person is who started it, and
the OS login and uid are recorded with the entry as for every other one.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Sequence

from ..base.textsafe import clean_line
from .model import InputError, TooLong
from .rules import MAX_AUTHOR

MAX_SOURCE = 500
MAX_CLIENT_NAME = 24
UNNAMED_CLIENT = "mcp client"
# Names that would read as the room's own voice or as another person's hand.
_REFUSED_CLIENT_NAMES = ("mopstui", "system")
# Characters that print as nothing or as a blank without being a space: a name padded with them
# ("priya" + braille blanks) pushed " for ana" out of a narrow author column.
_BLANKS = frozenset("\u2800\u3164\u115f\u1160\uffa0\u180e\u200b\u200c\u200d\u2060\ufeff")
_FOR = re.compile(r"\s+for\s+", re.IGNORECASE)


def _visible(text: str) -> str:
    """NFKC (so look-alike spaces and letters fold to plain ones), blanks and format characters
    as one plain space, runs of space as one."""
    folded = unicodedata.normalize("NFKC", text)
    plain = "".join(" " if c in _BLANKS or unicodedata.category(c) in ("Zs", "Zl", "Zp", "Cf") else c for c in folded)
    return " ".join(plain.split())


def client_name(declared: object) -> str:
    """The client's self-declared name, as one short line of plain text."""
    name = _visible(clean_line(str(declared or ""), 4 * MAX_CLIENT_NAME))
    # " for " inside the name would let a client pose as working for someone else.
    name = _FOR.sub(" ", f" {name} ").strip()
    if len(name) > MAX_CLIENT_NAME:
        name = name[: MAX_CLIENT_NAME - 1] + "…"
    if not name or name.casefold() in _REFUSED_CLIENT_NAMES:
        return UNNAMED_CLIENT
    return name


def contributor(declared_client: object, person: str) -> str:
    """`claude for ana`: always ending with the person, whatever the client calls itself."""
    suffix = f" for {person}"
    name = client_name(declared_client)
    room = MAX_AUTHOR - len(suffix)
    if room < 3:
        raise InputError(
            f"the name {person[:20]!r}… leaves no room to say who writes for it (an author holds "
            f"{MAX_AUTHOR} characters): start `mopstui mcp` with a shorter --user"
        )
    if len(name) > room:
        name = name[: room - 1] + "…"
    return name + suffix


def evidence_entry(text: str, source: str | None, client: str, person: str) -> tuple[str, str]:
    """The entry's text (the source rides along, so that every reader of the log sees it) and its
    value (the same facts, separately, for programs)."""
    source = clean_line(source or "")
    if len(source) > MAX_SOURCE:
        raise TooLong(f"the source is {len(source):,} characters; the limit is {MAX_SOURCE} (nothing was written)")
    body = text.strip()
    if not body:
        raise InputError("the evidence is empty: say what was seen")
    shown = f"{body} (source: {source})" if source else body
    return shown, json.dumps({"client": client_name(client), "for": person, "source": source or None})


# The pace of evidence: a burst of PACE_BURST, then one every PACE_EVERY seconds, for each client
# and person on each incident, counted from the log itself so that it holds whatever the number of
# processes. Writes older than PACE_WINDOW cannot matter: within the pace, the bucket refills long
# before.
PACE_BURST, PACE_EVERY, PACE_WINDOW = 10, 1.0, 60.0


def pace_wait(
    written: Sequence[float], now: float, *, burst: int = PACE_BURST, every: float = PACE_EVERY, window: float = PACE_WINDOW
) -> float:
    """A token bucket replayed over the writes of the last `window` seconds (their times, oldest
    first; any clock in seconds): 0 when one more write may go at `now`, else the seconds to wait."""
    tokens, at = float(burst), now - window
    for moment in written:
        tokens = min(float(burst), tokens + max(0.0, moment - at) / every) - 1.0
        at = max(at, moment)
    tokens = min(float(burst), tokens + max(0.0, now - at) / every)
    return 0.0 if tokens >= 1.0 else (1.0 - tokens) * every
