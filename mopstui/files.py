"""Files mopstui creates beside a shared database: group-shared when a group is configured,
never world-readable, whatever the user's umask."""

from __future__ import annotations

import grp
import os
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Iterator

PRIVATE_MODE = 0o600
GROUP_MODE = 0o660


def group_id(name: str | None) -> int | None:
    if not name:
        return None
    try:
        return grp.getgrnam(name).gr_gid
    except KeyError:
        raise ValueError(f"unknown Unix group {name!r} (database_group in the config)") from None


def check_directory(directory: Path, group: str | None) -> str | None:
    """A sentence saying what is wrong with the database's directory, and the fix; None if fine."""
    if not os.access(directory, os.W_OK | os.X_OK):
        return f"{directory} is not writable by you; ask an admin to add you to its group, or use --db elsewhere"
    if group is None:
        return None
    try:
        gid = group_id(group)
    except ValueError as error:
        return str(error)
    info = os.stat(directory)
    if info.st_gid != gid or not info.st_mode & 0o020:
        return (f"{directory} is not writable by group {group}; run: "
                f"sudo chgrp {group} {directory} && sudo chmod 2770 {directory}")
    return None


def share(path: Path | str, group: str | None) -> None:
    """Set the mode (and group) of a file mopstui created: 660 with a group, else 600."""
    gid = group_id(group)
    try:
        if gid is not None and os.stat(path).st_gid != gid:
            os.chown(path, -1, gid)
        os.chmod(path, GROUP_MODE if gid is not None else PRIVATE_MODE)
    except PermissionError:
        pass  # not ours to change (another user created it): its owner's mode stands


@contextmanager
def open_shared_file(path: Path | str, group: str | None, *, newline: str | None = None) -> Iterator[IO[str]]:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, GROUP_MODE if group else PRIVATE_MODE)
    with os.fdopen(fd, "w", encoding="utf-8", newline=newline) as handle:
        share(path, group)
        yield handle
