"""Where this user last verified a war-room's chain: a checkpoint in their private cache (never
in the war-room's directory, which the whole group can write), so the next export re-hashes only
what was written since. A checkpoint that does not match the log is simply not used."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from ..base.locations import is_server_url
from ..config.cache import read_private, write_private
from ..store import Head


def _name(database: str | Path) -> str | None:
    if is_server_url(str(database)):  # a server's war-room: its URL (never a password) names it
        return f"verified-{hashlib.sha256(str(database).encode()).hexdigest()[:32]}.json"
    try:
        info = os.stat(database)
    except OSError:
        return None
    # The file's identity, not only its name: a war-room replaced by another file starts afresh.
    key = f"{os.path.realpath(database)}:{info.st_dev}:{info.st_ino}"
    return f"verified-{hashlib.sha256(key.encode()).hexdigest()[:32]}.json"


def load(database: str | Path) -> Head | None:
    name = _name(database)
    data = read_private(name) if name else None
    if data is None:
        return None
    try:
        raw = json.loads(data)
        return Head(int(raw["events"]), int(raw["last_id"]), str(raw["hash"]))
    except (ValueError, KeyError, TypeError):
        return None


def save(database: str | Path, head: Head) -> None:
    name = _name(database)
    if name:
        write_private(name, json.dumps(head.to_dict()).encode())
