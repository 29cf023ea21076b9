"""SQLite's files beside the database (-journal, -wal, -shm) on a shared host, where any member
may plant a FIFO under their names at any moment, after mopstui checked them.

SQLite opens a -journal it finds read-only and blocking (to see whether it is a hot journal): a
FIFO swapped in after the check would block that open for ever. So the connection's first read,
where SQLite opens them, runs while a watchdog gives any FIFO at those names a writer that
closes at once (the blocked open returns and reads nothing: not a hot journal), and the open is
then refused, said in one sentence; one that still does not return within a bound is given up.
Afterwards, what SQLite holds open under those names must be regular files."""

from __future__ import annotations

import os
import stat
import threading
import time
from collections.abc import Callable
from pathlib import Path

from ..base.files import UnsafeFile

SUFFIXES = ("-journal", "-wal", "-shm")
# Where the kernel says a thread sleeps when a FIFO holds it (open waiting for a partner, a read
# or write waiting on the pipe).
ON_A_PIPE = {"wait_for_partner", "fifo_open", "pipe_read", "pipe_write", "pipe_wait"}
GIVE_UP_AFTER = 30.0  # seconds: longer than SQLite's own busy wait (10 s) on a live lock


class HeldUp(UnsafeFile):
    """The first read never returned: its connection stays with its thread (closing it from here
    would wait on the same lock)."""


def planted_fifo(path: str) -> UnsafeFile:
    return UnsafeFile(
        f"{path} is a FIFO someone put beside the war-room (not SQLite's file); refusing to use the war-room until it is removed"
    )


def _release_fifo(path: str) -> bool:
    """If `path` is a FIFO that a reader waits on, open its other end and close it: the reader's
    open returns and it reads end-of-file. True when `path` was a FIFO."""
    try:
        if not stat.S_ISFIFO(os.lstat(path).st_mode):
            return False
    except OSError:
        return False
    try:
        fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC)
        os.close(fd)
    except OSError:  # gone, or nobody reading it yet (ENXIO): still planted
        pass
    return True


def first_read(database: Path, read: Callable[[], object], *, give_up_after: float = GIVE_UP_AFTER) -> None:
    """Run `read` (the connection's first, where SQLite opens its side files) without ever being
    held by a FIFO planted under their names; then check what it opened."""
    names = [f"{database}{suffix}" for suffix in SUFFIXES]
    done = threading.Event()
    failure: list[BaseException] = []

    def run() -> None:
        try:
            read()
        except BaseException as error:  # handed to the caller's thread
            failure.append(error)
        finally:
            done.set()

    planted: str | None = None
    worker = threading.Thread(target=run, name="mopstui-first-read", daemon=True)
    worker.start()
    deadline = time.monotonic() + give_up_after
    held = 0  # rounds in a row the kernel said the read sleeps on a pipe
    while not done.wait(0.02):
        for name in names:
            if _release_fifo(name):
                planted = planted or name
        # A FIFO whose name is already gone cannot be released: give up at once, not at the bound.
        held = held + 1 if _sleeps_on_a_pipe(worker) else 0
        if held >= 5 or time.monotonic() > deadline:
            raise HeldUp(
                f"opening {database} was held up by a file someone put beside it "
                f"({planted or 'its -journal'}); nothing was written, try again"
            )
    if failure:
        raise failure[0]
    if planted:
        raise planted_fifo(planted)
    opened_as_files(names)


def _sleeps_on_a_pipe(worker: threading.Thread) -> bool:
    try:
        with open(f"/proc/self/task/{worker.native_id}/wchan", encoding="ascii") as wchan:
            return wchan.read().strip() in ON_A_PIPE
    except OSError:
        return False  # no /proc: the bound alone stands


def opened_as_files(names: list[str]) -> None:
    """Every descriptor this process holds under one of `names` is a regular file."""
    wanted = set(names)
    try:
        descriptors = os.listdir("/proc/self/fd")
    except OSError:
        return  # no /proc: the checks before the open stand alone
    for fd in descriptors:
        link = f"/proc/self/fd/{fd}"
        try:
            target = os.readlink(link)
            if target not in wanted:
                continue
            info = os.stat(link)  # the file the descriptor holds, whatever its name is now
            # Another thread may have closed it and got the number for a pipe meanwhile: only a
            # descriptor still naming the same file counts.
            if not stat.S_ISREG(info.st_mode) and os.readlink(link) == target:
                raise planted_fifo(target)
        except OSError:
            continue
