"""Anchoring the log's head outside the war-room.

The hash chain proves that the log is the one written *up to a head someone noted*; a member who
can write the database can otherwise rewrite it whole, hashes included. The lease holder (the
`watch` service or a screen) therefore appends the head, whenever it moves and at most every
`anchor.every`, to a file outside the shared directory (the war-room group cannot rewrite it),
and every webhook notification carries it too. `mopstui verify --fingerprints FILE` checks them all.
"""

from __future__ import annotations

import os
import time
from datetime import timedelta
from pathlib import Path

from ..base.files import PRIVATE_MODE, check_descriptor, open_nofollow
from ..base.timeutil import to_store, utcnow
from ..store import SQLStore

RETRY_AFTER_FAILURE = 60.0  # seconds: a file made writable again is used within a minute


class Anchor:
    """`service`: this process is the watch service, whose account the anchor file belongs to. A
    screen holding the duties (no watch service runs) may not be able to write it: it says so once
    and leaves the file alone, instead of a warning every tick."""

    def __init__(self, path: Path | None, every: timedelta, *, service: bool = True) -> None:
        self.path = path
        self.every = every.total_seconds()
        self.service = service
        self.last_hash: str | None = None
        self.last_written = float("-inf")
        self.last_problem: str | None = None
        self.skipped = False  # a screen that may not write the file stops trying

    def record(self, store: SQLStore) -> str | None:
        """Append the head if it moved and is due; returns a sentence when the file cannot be written."""
        if self.path is None or self.skipped or time.monotonic() - self.last_written < self.every:
            return None
        head = store.head()
        if head.hash == self.last_hash:
            return None
        line = f"{to_store(utcnow())} {store.location} {head.line()}\n"
        try:
            fd = open_nofollow(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, PRIVATE_MODE)
            try:
                check_descriptor(fd, self.path, None)
                os.write(fd, line.encode("utf-8"))
                os.fsync(fd)
            finally:
                os.close(fd)
        except Exception as error:
            if not self.service and isinstance(error, PermissionError):
                self.skipped = True
                return (
                    f"this screen may not write the log's outside record {self.path} (it belongs to the watch "
                    "service's account), so it leaves it to that service; start it to keep the record "
                    "(`mopstui doctor` says how)"
                )
            problem = f"cannot write the log's outside record {self.path}: {getattr(error, 'strerror', None) or error}"
            # Said once, not every tick; tried again within a minute.
            self.last_written = time.monotonic() - self.every + min(self.every, RETRY_AFTER_FAILURE)
            said, self.last_problem = self.last_problem, problem
            return None if problem == said else problem
        self.last_hash, self.last_written, self.last_problem = head.hash, time.monotonic(), None
        return None
