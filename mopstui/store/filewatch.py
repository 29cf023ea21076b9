"""Commits to an SQLite war-room, noticed as they happen (Linux): every commit in WAL mode writes
the `-wal` file beside the database, and inotify says so at once. A screen then reads what is
new straight away instead of on its next poll, and idle it costs one blocked thread. Nothing
is opened: the directory is watched, so nothing a group member plants there is ever read, and
a burst of their files costs one cheap `data_version` check each. Where inotify is not to be
had, `watch` returns False and callers keep polling."""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import select
import struct
import sys
import threading
from collections.abc import Callable
from pathlib import Path

IN_MODIFY, IN_CLOSE_WRITE, IN_MOVED_TO, IN_CREATE = 0x002, 0x008, 0x080, 0x100
IN_NONBLOCK, IN_CLOEXEC = os.O_NONBLOCK, os.O_CLOEXEC
_EVENT = struct.Struct("iIII")  # wd, mask, cookie, len (then the name)
QUIET = 0.005  # a commit writes the -wal several times: gather them into one wake


def _libc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.inotify_init1.argtypes = [ctypes.c_int]
        libc.inotify_add_watch.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_uint32]
        return libc
    except (OSError, AttributeError):
        return None


def watch(database: Path, on_change: Callable[[], object], stop: threading.Event) -> bool:
    """Call `on_change` from a thread whenever `database` or its -wal changes, until `stop`."""
    libc = _libc()
    if libc is None:
        return False
    fd = libc.inotify_init1(IN_NONBLOCK | IN_CLOEXEC)
    if fd < 0:
        return False
    if libc.inotify_add_watch(fd, os.fsencode(database.parent), IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE) < 0:
        os.close(fd)
        return False
    names = {os.fsencode(database.name), os.fsencode(database.name + "-wal")}

    def ours(chunk: bytes) -> bool:
        offset = 0
        while offset + _EVENT.size <= len(chunk):
            _, _, _, length = _EVENT.unpack_from(chunk, offset)
            name = chunk[offset + _EVENT.size: offset + _EVENT.size + length].rstrip(b"\0")
            offset += _EVENT.size + length
            if name in names:
                return True
        return False

    def read_all(timeout: float) -> bool:
        changed = False
        while select.select([fd], [], [], timeout)[0]:
            try:
                changed |= ours(os.read(fd, 65536))
            except OSError as error:
                if error.errno != errno.EAGAIN:
                    raise
            timeout = QUIET
        return changed

    def run() -> None:
        try:
            while not stop.is_set():
                if read_all(0.5) and not stop.is_set():
                    try:
                        on_change()
                    except RuntimeError:  # whoever listened has closed its event loop
                        return
        except OSError:
            pass  # the watch is gone (the directory too): the caller's own poll carries on
        finally:
            os.close(fd)

    threading.Thread(target=run, name="mopstui-filewatch", daemon=True).start()
    return True
