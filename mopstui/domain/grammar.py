"""The entry and search grammar, the same in the screen and on the command line.

Entry: `/comms Banner posted` picks the kind (any entry kind's label: note, action, decision,
comms, customer, todo, lesson), `!Rolled back` is an action, `@10:02 First 500s` back-dates it
(HH:MM today or ISO 8601, never the future); an action item takes `owner:sam due:+3d`. A slip is
refused with one sentence (InputError or TimeError), never logged as something else: `/comm …`
is not a note whose text starts with a slash, and `/comms` alone is not an empty update. Text that
really starts with a slash word is written with two: `//api returns 500`.
Search: words, plus `kind:comms` and `author:sam`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, tzinfo

from ..base.timeutil import parse_at
from .model import ENTRY_KINDS, KIND_LABELS, InputError

PREFIXES = {KIND_LABELS[kind]: kind for kind in ENTRY_KINDS}
_PREFIX = re.compile(r"^/(\w+)(?:\s+(.*))?$", re.DOTALL)
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
    if text.startswith("//"):  # a slash word meant as text
        text = text[1:]
    elif match:
        kind, text = _kind_word(match[1]), (match[2] or "").strip()
        if not text:
            word = match[1].lower()
            raise InputError(f"/{word} needs words after it, e.g. /{word} Banner posted on the site")
    elif text.startswith("!"):
        kind, text = "action", text[1:].strip()
    match = _AT.match(text)
    if match:
        at = parse_at(match[1], tz, now=now)
        text = match[2].strip()
    value = None
    if kind == "action_item":
        from .followups import owner_and_due  # a todo's owner and due date: only a todo loads them

        text, value = owner_and_due(text, now.astimezone(tz).date())
    return Entry(kind, text, at, value)


def _kind_word(word: str) -> str:
    """The entry kind a `/word` names; a word that names none is refused, with the nearest."""
    kind = PREFIXES.get(word.lower())
    if kind is not None:
        return kind
    labels = list(PREFIXES)
    near = [label for label in labels if label.startswith(word.lower()) or word.lower().startswith(label)]
    if not near:
        import difflib  # only on a slip: not on the screen's start-up path

        near = difflib.get_close_matches(word.lower(), labels, n=1, cutoff=0.6)
    hint = f"did you mean /{near[0]}?" if near else "the kinds are " + " ".join(f"/{label}" for label in labels) + "."
    raise InputError(f"/{word} is not a kind of entry: {hint} (//{word} … logs the slash as text.)")


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
            kind = search_kind(token[5:])
        elif token.startswith("author:"):
            author = token[7:]
        else:
            words.append(token)
    return SearchQuery(" ".join(words), kind, author)


def search_kind(word: str) -> str:
    """`kind:comms` (any kind's label, or its stored name): an unknown one is said, with the near
    one (`kind:commz` found nothing, silently, and looked like an empty timeline)."""
    text = word.lower()
    by_label = {label: kind for kind, label in KIND_LABELS.items()}
    if text in by_label or text in KIND_LABELS:
        return by_label.get(text, text)
    from difflib import get_close_matches  # only on a slip

    near = get_close_matches(text, list(by_label), n=1, cutoff=0.6)
    hint = f"did you mean {near[0]}?" if near else "the kinds are " + ", ".join(by_label)
    raise InputError(f"no kind {word!r}: {hint}")
