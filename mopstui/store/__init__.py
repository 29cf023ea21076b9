"""The war-room's log and shared state, behind one interface (`base.WarRoomStore`).

SQLite is the embedded default: `SQLiteStore`, split by concern (the file and its schema in
`connection`, the log in `events`, its hash chain in `chain`, the export's one-query summary of
an incident in `digest`, vendor evidence in `observations`, presence and leases in
`sessions`). Nothing outside this package writes SQL.
"""

from __future__ import annotations

from typing import Any

from .base import (
    GENESIS,
    MAX_TEXT,
    MAX_TITLE,
    Head,
    ReadOnlyStore,
    StoreBusy,
    StoreError,
    VerifyResult,
    WarRoomStore,
    canonical,
    chain_hash,
    hashed_fields,
)
from .chain import ChainMixin
from .connection import SCHEMA_STEPS
from .digest import DigestMixin
from .events import EVENT_COLUMNS, EventsMixin
from .export_rows import ExportRowsMixin
from .observations import StatusMixin
from .sessions import SessionsMixin


class SQLiteStore(EventsMixin, ChainMixin, DigestMixin, ExportRowsMixin, StatusMixin, SessionsMixin):
    """A connection to a war-room's SQLite file. One per thread; cheap to open."""


Store = SQLiteStore

__all__ = [
    "EVENT_COLUMNS", "GENESIS", "MAX_TEXT", "MAX_TITLE", "SCHEMA_STEPS", "Head", "ReadOnlyStore", "SQLiteStore", "Store",
    "StoreBusy", "StoreError", "VerifyResult", "WarRoomStore", "canonical", "chain_hash", "hashed_fields",
]


def __getattr__(name: str) -> Any:
    """`migrations` and `MIGRATION_NAMES` load sqlite-utils: only for whoever asks for them."""
    if name in ("migrations", "MIGRATION_NAMES"):
        from . import schema

        return getattr(schema, name)
    raise AttributeError(name)
