"""What the benchmarks share: a database holding one big incident."""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mopstui.base.timeutil import to_store, utcnow
from mopstui.store import EVENT_COLUMNS, Store, chain_hash

KINDS = ("note", "action", "comms", "decision", "note", "customer", "note")


def big_database(workdir: Path, events: int) -> Path:
    """An incident with `events` entries, written in one transaction, chain intact (the
    benchmarks are about reading and exporting, not about how the entries got there)."""
    database = workdir / f"big-{events}.db"
    with Store(database) as store:
        start = utcnow() - timedelta(hours=3)
        store.declare("Big incident", severity="SEV2", author="bench", at=start)
        previous = store.conn.execute("SELECT hash FROM events ORDER BY id DESC LIMIT 1").fetchone()[0]
        rows = []
        for i in range(events):
            row = (
                i + 2,
                1,
                to_store(start + timedelta(milliseconds=100 * i)),
                to_store(utcnow()),
                f"user{i % 7}",
                KINDS[i % len(KINDS)],
                f"entry number {i} with some realistic text about the lead form",
                None,
                None,
                None,
                store.account.login,
                store.account.uid,
            )
            previous = chain_hash(previous, row)
            rows.append(row + (previous,))
        store.conn.execute("BEGIN")
        store.conn.executemany(f"INSERT INTO events ({EVENT_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
        store.conn.execute("COMMIT")
    return database


def p95(values: list[float]) -> float:
    """The 95th percentile (the value 95% of the sorted values are at or under)."""
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * 0.95) - 1)]
