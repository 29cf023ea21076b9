"""The entry and search grammar, the same in the screen and on the command line.

Entry: `/comms Banner posted` picks the kind (any entry kind's label: note, action, decision,
comms, customer, todo, lesson), `!Rolled back` is an action, `@10:02 First 500s` back-dates it
(HH:MM today or ISO 8601, never the future); an action item takes `owner:sam due:+3d`.
Search: words, plus `kind:comms` and `author:sam`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, tzinfo

from ..base.timeutil import parse_at
from .followups import owner_and_due
from .model import ENTRY_KINDS, KIND_LABELS

PREFIXES = {KIND_LABELS[kind]: kind for kind in ENTRY_KINDS}
_PREFIX = re.compile(r"^/(\w+)\s+(.*)$", re.DOTALL)
_AT = re.compile(r"^@(\S+)\s+(.*)$", re.DOTALL)


@dataclass(frozen=True)
class Entry:
    kind: str
    text: str
    at: datetime | None = None  # back-dated to this moment; None: now
    value: str | None = None  # an action item's owner and due date (`owner:sam due:+3d`)


def parse_entry(raw: str, kind: str, tz: tzinfo, now: datetime) -> Entry:
    """An entry line as typed, with `kind` the kind chosen before typing (a prefix overrides it)."""
    text, at = raw.strip(), None
    match = _PREFIX.match(text)
    if match and match[1].lower() in PREFIXES:
        kind, text = PREFIXES[match[1].lower()], match[2].strip()
    elif text.startswith("!"):
        kind, text = "action", text[1:].strip()
    match = _AT.match(text)
    if match:
        at = parse_at(match[1], tz, now=now)
        text = match[2].strip()
    value = None
    if kind == "action_item":
        text, value = owner_and_due(text, now.astimezone(tz).date())
    return Entry(kind, text, at, value)


@dataclass(frozen=True)
class SearchQuery:
    words: str
    kind: str | None = None
    author: str | None = None

    @property
    def empty(self) -> bool:
        return not (self.words or self.kind or self.author)


def parse_search(query: str) -> SearchQuery:
    words, kind, author = [], None, None
    for token in query.split():
        if token.startswith("kind:"):
            kind = PREFIXES.get(token[5:], token[5:])
        elif token.startswith("author:"):
            author = token[7:]
        else:
            words.append(token)
    return SearchQuery(" ".join(words), kind, author)
