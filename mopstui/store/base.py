"""What every war-room store is, whatever holds the log: its errors, what `verify` finds, and the
hash chain (the same canonical form and hashes in every backend, so that `verify` gives the same
head for the same events anywhere); the interface itself is in `interface`. No SQL here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

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
