"""What every war-room store is, whatever holds the log: the interface, its errors, and the hash
chain (the same canonical form and hashes in every backend, so that `verify` gives the same head
for the same events anywhere). No SQL here."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from ..base.identity import Account
from ..domain.leases import Claim
from ..domain.model import Event, Incident
from ..domain.rules import MAX_TEXT, MAX_TITLE  # noqa: F401 - re-exported: the store's limits

GENESIS = "0" * 64


class StoreError(Exception):
    """A problem with the database file itself; the message says what to do, in plain words.
    `detail`: what the driver said, for `--verbose` (base.plain.said shows it there)."""

    def __init__(self, message: str = "", detail: str | None = None) -> None:
        super().__init__(message)
        self.detail = detail


class NoWarRoom(StoreError):
    """There is no war-room where the config or --db points, and the command may not start one."""

    def __init__(self, location: str) -> None:
        super().__init__(f"no war-room at {location} (check --db or MOPSTUI_DB)")


class StoreBusy(StoreError):
    """The lock could not be had in time. Nothing was written."""


class ReadOnlyStore(StoreError):
    """This user may read the war-room but not write to it."""


class StoreUnreadable(StoreError):
    """The war-room's database answered, but what it holds cannot be read: a damaged file, a table
    or a column gone. Each engine turns its driver's errors into this (`Backend.unreadable`), so
    whoever reads says one sentence for either engine; `mopstui verify` says where."""


@dataclass(frozen=True)
class Head:
    """Where the chain stands: what a reviewer notes, and `verify --since-head` checks later."""

    events: int
    last_id: int
    hash: str

    def line(self) -> str:
        """The engineer's line (anchor files, `--verbose`)."""
        return f"head: {self.events} events, last #{self.last_id}, sha256 {self.hash}"

    def plain_line(self) -> str:
        """The same, in the glossary's words: what a reviewer notes and `verify --since-head` takes."""
        return f"fingerprint: {self.events:,} entries up to #{self.last_id}, {self.hash}"

    def to_dict(self) -> dict:
        return {"events": self.events, "last_id": self.last_id, "hash": self.hash}


@dataclass(frozen=True)
class VerifyResult:
    """`message`: the engineer's account (`--verbose`, the export's Integrity section); `plain`:
    the same in a sentence a marketer reads."""

    ok: bool
    events: int
    message: str
    bad_event: int | None = None
    head: Head | None = None
    plain: str = ""
    resumed: int = 0  # the checkpoint the chain was checked from (its last id); 0: from the start

    @property
    def sentence(self) -> str:
        return self.plain or self.message


def canonical(row: tuple) -> bytes:
    """The bytes an event's hash covers: every column but the hash, in a fixed order: the JSON
    array `json.dumps(list(row), ensure_ascii=False, separators=(",", ":"))` writes (held to it
    by tests/test_store.py)."""
    return (_ENCODE or _load_encoder())(row).encode("utf-8")


# The JSON encoder, made on the first hash (a command that only reads loads no json). `json.dumps`
# with options builds an encoder for every call, and `JSONEncoder.encode` its C half: together
# half the cost of hashing an event, which an export of 100,000 pays for each. The C half is made
# once, with the arguments `JSONEncoder.iterencode` gives it for these options; where Python has
# none (or it answers otherwise), the encoder's own way.
_ENCODE: Callable[[tuple], str] | None = None


def _load_encoder() -> Callable[[tuple], str]:
    global _ENCODE
    import json
    import json.encoder

    c_make_encoder = getattr(json.encoder, "c_make_encoder", None)  # CPython's C half, if there is one
    encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
    _ENCODE = encoder.encode
    if c_make_encoder is not None:
        try:
            make = c_make_encoder(None, encoder.default, json.encoder.encode_basestring, None, ":", ",", False, False, True)
            sample = (1, None, 'é\n"\u202e', -2)
            if "".join(make(sample, 0)) == encoder.encode(sample):
                join = "".join
                _ENCODE = lambda row: join(make(row, 0))  # noqa: E731 - the fastest call there is
        except TypeError:  # another Python's signature: the encoder's own way
            pass
    return _ENCODE


def hashed_fields(row: tuple) -> tuple:
    """An event's columns but the hash. An event written before accounts were recorded (login and
    uid NULL) keeps the ten-column form its hash was made over; every later one covers its account."""
    return row[:10] if row[10] is None and row[11] is None else tuple(row[:12])


def chain_hash(previous: str, row: tuple) -> str:
    return (_SHA256 or _load_sha256())(previous.encode("ascii") + b"\n" + canonical(hashed_fields(row))).hexdigest()


# hashlib's sha256, loaded on the first hash: a command that only reads hashes nothing (hashlib is
# ~3 ms of start-up), and a verify of 100,000 events looks it up once, not once per event.
_SHA256: Callable[[bytes], Any] | None = None


def _load_sha256() -> Callable[[bytes], Any]:
    global _SHA256
    from hashlib import sha256

    _SHA256 = sha256
    return sha256


class WarRoomStore(Protocol):
    """The one interface to the log and the room's shared state. `SQLiteStore` implements it; a
    second backend implements the same, and the contract tests run against each."""

    path: Path
    account: Account
    readonly: bool
    snapshot: datetime | None

    def close(self) -> None: ...
    def snapshot_notice(self) -> str | None: ...

    # the log
    def declare(
        self,
        title: str,
        *,
        severity: str,
        author: str,
        services: Sequence[str] = (),
        at: datetime | None = None,
        catalog: dict | None = None,
        replay_recorded_at: datetime | None = None,
        replay_account: Account | None = None,
    ) -> Incident: ...
    def append(
        self,
        incident: int,
        kind: str,
        text: str = "",
        *,
        author: str,
        at: datetime | None = None,
        value: str | None = None,
        ref: int | None = None,
        dedupe: str | None = None,
        replay_recorded_at: datetime | None = None,
        replay_account: Account | None = None,
    ) -> Event: ...
    def append_room(self, kind: str, text: str, *, author: str, value: str | None = None) -> Event: ...
    def edit_incident(
        self,
        incident: int,
        *,
        author: str,
        title: str | None = None,
        summary: str | None = None,
        services: Sequence[str] | None = None,
    ) -> Event: ...
    def change_followup(
        self,
        incident: int,
        event_id: int,
        *,
        author: str,
        state: str | None = None,
        owner: str | None = None,
        due: date | None = None,
    ) -> Event: ...
    def room_events(self, kind: str) -> list[Event]: ...
    def incident(self, incident_id: int) -> Incident: ...
    def incidents(self, *, include_resolved: bool = False) -> list[Incident]: ...
    def events(self, incident_id: int, *, after_id: int = 0, limit: int | None = None) -> list[Event]: ...
    def iter_events(self, incident_id: int, batch: int = 2000) -> Iterator[Event]: ...
    def iter_event_rows(self, incident_id: int, batch: int = 5000, *, previous_hash: bool = False) -> Iterator[tuple]: ...
    def export_json_rows(
        self, incident_id: int, start: datetime, *, starred_only: bool, batch: int = 5000
    ) -> Iterator[tuple[int, str | None]]: ...
    def events_of_kinds(self, kinds: Sequence[str], incident_id: int | None = None) -> list[Event]: ...
    def events_since(self, after_id: int) -> list[Event]: ...
    def event(self, event_id: int) -> Event | None: ...
    def last_event_id(self) -> int: ...
    def last_event_id_before(self, moment: datetime) -> int: ...
    def last_customer_update(self, incident_id: int) -> Event | None: ...
    def last_of_kind(self, incident_id: int, kind: str) -> Event | None: ...
    def withdraw(self, incident: int, event_id: int, reason: str, *, author: str) -> Event: ...
    def unstar(self, incident: int, event_id: int, *, author: str) -> Event: ...
    def reopen(
        self, incident: int, reason: str, *, author: str, status: str = "investigating", at: datetime | None = None
    ) -> Event: ...
    def starred(self, incident_id: int) -> set[int]: ...
    def dedupe_keys(self, incident_id: int) -> set[str]: ...
    def has_dedupe(self, key: str) -> bool: ...
    def catalog_at_declaration(self, incident_id: int) -> dict | None: ...
    def data_version(self) -> int: ...
    def wait_for_change(self, since: int, timeout: float, *, every: float = ...) -> int: ...
    def count_events(self, incident_id: int | None = None) -> int: ...
    def written_since(self, incident_id: int, kind: str, author: str, since: datetime) -> list[datetime]: ...
    def search(self, incident_id: int, query: str, *, kind: str | None = None, author: str | None = None) -> list[Event]: ...
    def head(self) -> Head: ...
    def verify(
        self, since_heads: Sequence[str] = (), *, checkpoint: Head | None = None, quick: bool = False, exported: int | None = None
    ) -> VerifyResult: ...
    def incident_digest(self, incident_id: int, start: datetime, *, participant_kinds: tuple[str, ...]) -> dict: ...

    # vendor evidence and cursors
    def save_vendor_statuses(self, statuses: dict[str, dict], observations: list[dict]) -> list[int]: ...
    def vendor_status_payloads(self) -> dict[str, dict]: ...
    def vendor_status_mark(self) -> tuple: ...
    def observations(
        self, *, since: str | None = None, until: str | None = None, vendor_id: str | None = None, latest: int | None = None
    ) -> list[dict]: ...
    def cursor(self, name: str) -> int | None: ...
    # marketing signals
    def save_signal_states(self, states: dict[str, dict], observations: list[dict]) -> list[int]: ...
    def signal_state_payloads(self) -> dict[str, dict]: ...
    def signal_status_mark(self) -> tuple: ...
    def record_arrivals(self, rows: Sequence[tuple[str, str, int, str | None, str]]) -> None: ...
    def prune_arrivals(self, signal_id: str, before: str, *, at_most: int = ...) -> None: ...
    def arrivals(self, signal_id: str, *, since: str | None = None, latest: int = ...) -> list[dict]: ...
    def signal_history(self, changing: Sequence[str], spending: Sequence[str], until: str, since: str) -> tuple[dict, dict]: ...
    def set_cursor(self, name: str, value: int) -> None: ...

    # presence and leases
    def heartbeat(self, session: str, *, user: str, host: str, client: str, pid: int, incident_id: int | None) -> None: ...
    def leave(self, session: str) -> None: ...
    def present(self, *, within: timedelta = ...) -> list[dict]: ...
    def sessions_between(self, start: datetime, end: datetime) -> list[dict]: ...
    def take_lease(self, name: str, holder: str, ttl: timedelta) -> bool: ...
    def claim_lease(self, name: str, holder: str, ttl: timedelta) -> Claim: ...
    def release_lease(self, name: str, holder: str) -> None: ...
    def lease_holder(self, name: str) -> str | None: ...
