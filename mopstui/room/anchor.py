"""Anchoring the log's head outside the war-room.

The hash chain proves that the log is the one written *up to a head someone noted*; a member who
can write the database can otherwise rewrite it whole, hashes included. The lease holder (the
`watch` service or a screen) therefore appends the head, whenever it moves and at most every
`anchor.every`, to a file outside the shared directory (the war-room group cannot rewrite it),
and every webhook notification carries it too. `mopstui verify --heads FILE` checks them all.
"""

from __future__ import annotations

import os
import time
from datetime import timedelta
from pathlib import Path

from ..base.files import PRIVATE_MODE, check_descriptor, open_nofollow
from ..base.timeutil import to_store, utcnow
from ..store import SQLStore


class Anchor:
    def __init__(self, path: Path | None, every: timedelta) -> None:
        self.path = path
        self.every = every.total_seconds()
        self.last_hash: str | None = None
        self.last_written = float("-inf")

    def record(self, store: SQLStore) -> str | None:
        """Append the head if it moved and is due; returns a sentence when the file cannot be written."""
        if self.path is None or time.monotonic() - self.last_written < self.every:
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
            return f"cannot write the anchor file {self.path}: {getattr(error, 'strerror', None) or error}"
        self.last_hash, self.last_written = head.hash, time.monotonic()
        return None
