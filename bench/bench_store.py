"""N concurrent writer processes appending events, versus raw sqlite3 inserts with the same pragmas.

The baseline is the floor the store is measured against: each raw row is one INSERT and one
commit (WAL, synchronous=FULL, busy_timeout), exactly what durability requires; the store adds
BEGIN IMMEDIATE, reading the previous hash, validation and the hash itself.
Usage: python bench/bench_store.py [PROCESSES] [EVENTS_PER_PROCESS]
"""

from __future__ import annotations

import multiprocessing as mp
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mopstui.store import Store


def raw_writer(path: str, name: str, count: int) -> None:
    conn = sqlite3.connect(path, timeout=30, isolation_level=None)
    conn.execute("PRAGMA busy_timeout = 10000")
    conn.execute("PRAGMA synchronous = FULL")
    for i in range(count):
        conn.execute("INSERT INTO events (author, text) VALUES (?, ?)", (name, f"{name} {i}"))
    conn.close()


def store_writer(path: str, name: str, count: int) -> None:
    with Store(path) as store:
        for i in range(count):
            store.append(1, "note", f"{name} {i}", author=name)


def run(target, path: str, processes: int, count: int) -> float:
    workers = [mp.Process(target=target, args=(path, f"w{n}", count)) for n in range(processes)]
    start = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
        assert w.exitcode == 0, "a writer failed"
    return time.perf_counter() - start


def main() -> None:
    processes = int(sys.argv[1]) if len(sys.argv) > 1 else 8
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 250
    total = processes * count
    with tempfile.TemporaryDirectory() as tmp:
        raw_path = str(Path(tmp) / "raw.db")
        conn = sqlite3.connect(raw_path)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, author TEXT, text TEXT)")
        conn.close()
        store_path = str(Path(tmp) / "store.db")
        with Store(store_path) as store:
            store.declare("bench", severity="SEV3", author="bench")
        raw_seconds = run(raw_writer, raw_path, processes, count)
        store_seconds = run(store_writer, store_path, processes, count)
        with Store(store_path) as store:
            assert store.count_events(1) == total + 1
            verified = store.verify()
    raw_rate, store_rate = total / raw_seconds, total / store_seconds
    print(f"{processes} processes x {count} events, WAL, synchronous=FULL, one commit per event")
    print(f"  raw sqlite3 INSERT : {raw_rate:8.0f} events/s ({raw_seconds:.2f} s)")
    print(f"  mopstui Store      : {store_rate:8.0f} events/s ({store_seconds:.2f} s)  chain: {verified.message}")
    print(f"  ratio store/raw    : {store_rate / raw_rate:.2f}")


if __name__ == "__main__":
    main()
