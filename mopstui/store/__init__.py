"""The war-room's log and shared state, behind one interface (`interface.WarRoomStore`).

The SQL both engines run alike lives in mixins over `backend.Backend` (the log in `events`, its
hash chain in `chain`, the export's one-query summary of an incident in `digest`, vendor
evidence in `observations`, marketing signals in `signals`, presence and leases in `sessions`); each engine fills in what it
does its own way. SQLite is the embedded default (`SQLiteStore`: the file and its schema in
`connection`); PostgreSQL serves a war-room across hosts (`postgres/`). `open_store` picks one
from the configured location. Nothing outside this package writes SQL.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..base.locations import is_server_url
from .base import (
    GENESIS,
    MAX_TEXT,
    MAX_TITLE,
    Head,
    NoWarRoom,
    ReadOnlyStore,
    StoreBusy,
    StoreError,
    StoreUnreadable,
    VerifyResult,
    canonical,
    chain_hash,
    hashed_fields,
)
from .chain import ChainMixin, rehash_problem, with_exported_rehashed
from .connection import SCHEMA_STEPS, SQLiteConnection
from .digest import DigestMixin
from .events import EVENT_COLUMNS, EventsMixin
from .export_rows import ExportRowsMixin
from .observations import StatusMixin
from .sessions import SessionsMixin
from .signals import SignalsMixin
from .takeback import TakeBackMixin
from .timeline import TimelineMixin


class SQLStore(DigestMixin, TakeBackMixin, TimelineMixin, EventsMixin, ChainMixin, StatusMixin, SignalsMixin, SessionsMixin):
    """What every engine's store does with the same SQL; the type the rest of mopstui names."""

    def export_json_rows(self, incident_id: int, start: Any, *, starred_only: bool, batch: int = 5000) -> Any:
        raise NotImplementedError


class SQLiteStore(ExportRowsMixin, SQLStore, SQLiteConnection):
    """A connection to a war-room's SQLite file. One per thread; cheap to open."""


Store = SQLiteStore  # the embedded default, by path


def open_store(location: str | Path, **options: Any) -> SQLStore:
    """The store at `location`: a `postgresql://` URL, or the path of an SQLite file."""
    if is_server_url(location):
        try:
            from .postgres import PostgresStore
        except ImportError:
            from ..base.extras import install_hint

            raise StoreError("a war-room on PostgreSQL needs psycopg: " + install_hint("postgresql")) from None

        options.pop("group", None)  # a server's roles, not a Unix group, say who may use it
        return PostgresStore(str(location), **options)
    return SQLiteStore(location, **options)


__all__ = [
    "EVENT_COLUMNS",
    "GENESIS",
    "MAX_TEXT",
    "MAX_TITLE",
    "SCHEMA_STEPS",
    "Head",
    "NoWarRoom",
    "ReadOnlyStore",
    "SQLStore",
    "SQLiteStore",
    "Store",
    "StoreBusy",
    "StoreError",
    "StoreUnreadable",
    "VerifyResult",
    "WarRoomStore",
    "canonical",
    "chain_hash",
    "hashed_fields",
    "is_server_url",
    "open_store",
    "rehash_problem",
    "with_exported_rehashed",
]


if TYPE_CHECKING:
    from .interface import WarRoomStore


def __getattr__(name: str) -> Any:
    """`migrations` and `MIGRATION_NAMES` load sqlite-utils, `WarRoomStore` a protocol of some 70
    methods: only for whoever asks for them."""
    if name == "WarRoomStore":
        from .interface import WarRoomStore

        return WarRoomStore
    if name in ("migrations", "MIGRATION_NAMES"):
        from . import schema

        return getattr(schema, name)
    raise AttributeError(name)
