"""A vendor's status page that moved platform, said where people look, once.

The poller follows a `kind: auto` page to its new format at once (status/detect.py); what changed
is worth a line in the record: on the timeline of every open incident whose services depend on
the vendor, as a vendor entry, or, with none open, as a war-room note. Each is written once (the
same move seen at the next round writes nothing); `status`, the screen and `doctor` keep saying it
until the config names a format.
"""

from __future__ import annotations

from ..config import Config
from ..domain import catalog as cat
from ..status.detect import KIND_WORDS, Candidate, Detection, moved
from ..status.model import VendorStatus
from ..store import SQLStore, StoreError


def carried_move(found: Detection, previous: VendorStatus) -> tuple[str, str, str]:
    """The move to tell of at this check (format before, when seen, the note): this session's
    cache's word, else the one stored by whoever polled before (their cache remembers the move,
    ours does not); the room's word stands until the config names a format."""
    if found.moved_from or not previous.moved_from or found.kind not in (previous.kind, "auto"):
        return found.moved_from, found.moved_at, found.note  # (a page that moved on again is a new move)
    note = found.note
    if not note and found.kind != "auto":  # "auto": this check read nothing, its reason says why
        note = moved(Candidate(previous.moved_from, ""), Candidate(found.kind, found.url))
    return previous.moved_from, previous.moved_at, note


def move_words(status: VendorStatus) -> str:
    """The sentence, or "" when the vendor's page has not moved."""
    if not status.moved_from or status.moved_from not in KIND_WORDS or status.kind not in KIND_WORDS:
        return ""
    now = KIND_WORDS[status.kind]
    return (
        f"{status.name}'s status page moved platform: it was {KIND_WORDS[status.moved_from]}, it is now {now}; "
        f"mopstui reads it as {now} now"
    )


def move_fix(status: VendorStatus) -> str:
    return f"set `kind: {status.kind}` for {status.id} in the config to confirm it (until then this is said at every check)"


def move_key(status: VendorStatus) -> str:
    return f"moved:{status.id}:{status.moved_from}:{status.kind}:{status.moved_at}"


def announce_moves(store: SQLStore, config: Config, statuses: dict[str, VendorStatus]) -> None:
    """Write each move not yet written (the store's once-only key per incident; the key in the
    note's value for the room)."""
    for status in statuses.values():
        words = move_words(status)
        if not words:
            continue
        words += f". To confirm it, set `kind: {status.kind}` for {status.id} in the config."
        key = move_key(status)
        reach = cat.impact(config, status.id)
        reached = set(reach["direct"]) | set(reach["at_risk"])
        incidents = [i.id for i in store.incidents() if reached & set(i.services)]
        try:
            for incident_id in incidents:
                store.append(incident_id, "vendor", words, author="mopstui", dedupe=f"INC-{incident_id}:{key}")
            if not incidents and not any(e.value == key for e in store.room_events("vendor")):
                store.append_room("vendor", words, author="mopstui", value=key)
        except StoreError:
            continue  # a busy database: the move is still remembered, the next round writes it
