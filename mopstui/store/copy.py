"""Moving a war-room between engines (`mopstui copy-store`): every table's rows as they are —
ids, times, authors, accounts and hashes — in one transaction on the destination, so the copy
is whole or absent, and `verify` names the same head on both sides."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .backend import Backend
from .base import Head, StoreError
from .events import EVENT_COLUMNS
from .observations import OBSERVATION_COLUMNS
from .sessions import PRESENCE_COLUMNS
from .signals import ARRIVAL_COLUMNS

# In an order the foreign keys accept (an event's incident, and the event it refers to, first).
TABLES = (
    ("incidents", "id, created_at", "id"),
    ("events", EVENT_COLUMNS, "id"),
    ("status_observations", OBSERVATION_COLUMNS, "id"),
    ("vendor_status", "vendor_id, payload, checked_at", "vendor_id"),
    ("signal_status", "signal_id, payload, checked_at", "signal_id"),
    ("signal_arrivals", ARRIVAL_COLUMNS, "id"),
    ("presence", PRESENCE_COLUMNS, "started_at, session"),
    ("cursors", "name, value", "name"),  # where notifications got to: none is sent twice after a move
)


@dataclass(frozen=True)
class Copied:
    rows: dict[str, int]
    head: Head


def copy_store(
    source: Backend, destination: Backend, *, batch: int = 5000, progress: Callable[[str, int], None] | None = None
) -> Copied:
    """Copy `source` into an empty `destination`. The source's chain must verify (a copy would
    hide where it broke); the destination's must verify to the same head afterwards."""
    checked = source.verify()  # type: ignore[attr-defined]
    if not checked.ok:
        raise StoreError(f"{source.location} does not verify ({checked.message}); copying it would hide that")
    if (
        destination.conn.execute("SELECT count(*) FROM incidents").fetchone()[0]
        or destination.conn.execute("SELECT count(*) FROM events").fetchone()[0]
    ):
        raise StoreError(f"{destination.location} already holds a war-room; copy-store only fills an empty one")
    rows: dict[str, int] = {}

    def write() -> None:
        with destination._write() as conn:
            for table, columns, order in TABLES:
                marks = ",".join("?" * len(columns.split(", ")))
                cursor = source.conn.execute(f"SELECT {columns} FROM {table} ORDER BY {order}")
                rows[table] = 0
                while chunk := cursor.fetchmany(batch):
                    conn.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", [tuple(r) for r in chunk])
                    rows[table] += len(chunk)
                    if progress:
                        progress(table, rows[table])
            destination._imported(conn)

    destination._retry(write)
    copied = destination.verify()  # type: ignore[attr-defined]
    if not copied.ok or copied.head != checked.head:
        raise StoreError(f"the copy in {destination.location} does not verify to the source's head: {copied.message}")
    assert copied.head is not None
    return Copied(rows, copied.head)
