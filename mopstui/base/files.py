"""The war-room's own files on a shared host: group-shared when a group is configured, never
world-readable, and never anything else.

A group member may plant a symlink, a FIFO or a file of their own in the shared directory under
a name mopstui uses. Nothing here follows a symlink: files are opened with O_NOFOLLOW (and
O_NONBLOCK, so a FIFO cannot hang us), checked on the open descriptor (a regular file, owned by
this user or by the war-room group), and chmod/chown go through that descriptor, never a path.
New exports are written to a fresh temporary file and renamed into place, which replaces a
planted link instead of writing through it.
"""

from __future__ import annotations

import errno
import fcntl
import grp
import os
import pwd
import stat
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from .plain import os_reason

PRIVATE_MODE = 0o600
GROUP_MODE = 0o660
_NOFOLLOW = os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC


class UnsafeFile(Exception):
    """A war-room path that is not a file mopstui may use; the message says what and what to do."""


def group_id(name: str | None) -> int | None:
    if not name:
        return None
    try:
        return grp.getgrnam(name).gr_gid
    except KeyError:
        raise ValueError(f"unknown Unix group {name!r} (database_group in the config)") from None


def owner_name(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid {uid}"


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
        return f"{directory} is not writable by group {group}; run: sudo chgrp {group} {directory} && sudo chmod 3770 {directory}"
    return None


def outsider_words(directory: Path) -> str | None:
    """When this user cannot even look into the war-room's directory for want of its group: the
    sentence that says so, naming the group (None otherwise)."""
    try:
        info = os.stat(directory)
    except OSError:
        return None
    if os.access(directory, os.X_OK) or info.st_gid in os.getgroups() or info.st_gid == os.getegid():
        return None
    try:
        name = grp.getgrgid(info.st_gid).gr_name
    except KeyError:
        name = str(info.st_gid)
    return f"you are not in the war-room's group ({name}): ask to be added (sudo usermod -aG {name} {_login()})"


def _login() -> str:
    try:
        return pwd.getpwuid(os.geteuid()).pw_name
    except KeyError:
        return str(os.geteuid())


def directory_warnings(directory: Path, group: str | None) -> list[str]:
    """What `check-config` should point out about a shared directory that works but is unsafe."""
    if group is None:
        return []
    try:
        info = os.stat(directory)
    except OSError:
        return []
    warnings = []
    if not info.st_mode & stat.S_ISVTX:
        warnings.append(
            f"{directory} lacks the sticky bit: a group member can delete or replace another member's "
            f"war-room files; run: sudo chmod 3770 {directory}"
        )
    if info.st_mode & 0o007:
        warnings.append(f"{directory} is open to users outside group {group}; run: sudo chmod o-rwx {directory}")
    return warnings


def planted_link(path: Path | str) -> UnsafeFile:
    return UnsafeFile(
        f"{path} is a symbolic link; mopstui never follows links in the war-room "
        "(someone may have planted it: remove it, or ask an admin)"
    )


def open_nofollow(path: Path | str, flags: int, mode: int = PRIVATE_MODE) -> int:
    """os.open that refuses a symlink (and never blocks on a FIFO); UnsafeFile says why. For files
    SQLite never opens (exports, the anchor): see `inspect` for the database and its sidecars."""
    try:
        return os.open(path, flags | _NOFOLLOW, mode)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise planted_link(path) from None
        raise


def check_descriptor(fd: int, path: Path | str, gid: int | None, *, owner: bool = True) -> os.stat_result:
    """The open file must be a regular file and (unless only read: `owner` False) owned by this
    user or by the war-room group."""
    info = os.fstat(fd)
    if stat.S_ISLNK(info.st_mode):
        raise planted_link(path)
    if not stat.S_ISREG(info.st_mode):
        raise UnsafeFile(f"{path} is not a regular file (a device, FIFO or directory); refusing to use it")
    if owner and info.st_uid != os.geteuid() and (gid is None or info.st_gid != gid):
        raise UnsafeFile(f"{path} belongs to {owner_name(info.st_uid)}, outside the war-room group; refusing to use it")
    return info


@contextmanager
def inspect(path: Path | str, gid: int | None, *, owner: bool = True) -> Iterator[tuple[int, os.stat_result]]:
    """An O_PATH descriptor on `path` itself (a link is not followed but seen, and refused), checked.

    O_PATH because of POSIX locks: closing *any* ordinary descriptor of a file drops every lock this
    process holds on it, SQLite's included, and another session may then truncate the -shm under
    us (SIGBUS). Closing an O_PATH descriptor releases nothing."""
    fd = os.open(path, os.O_PATH | os.O_NOFOLLOW | os.O_CLOEXEC)
    try:
        yield fd, check_descriptor(fd, path, gid, owner=owner)
    finally:
        os.close(fd)


def share_descriptor(fd: int, info: os.stat_result, gid: int | None) -> None:
    """Mode 660 with the group (600 without) on a file this user owns; another member's file keeps
    the mode its owner gave it. Works on O_PATH descriptors too (through /proc/self/fd, which
    names the very file that was checked, not whatever the path holds now)."""
    if info.st_uid != os.geteuid():
        return
    target: int | str = fd
    if os.O_PATH and fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_PATH:
        target = f"/proc/self/fd/{fd}"
    try:
        if gid is not None and info.st_gid != gid:
            os.chown(target, -1, gid)
        os.chmod(target, GROUP_MODE if gid is not None else PRIVATE_MODE)
    except (PermissionError, FileNotFoundError):
        pass


def share_existing(path: Path | str, group: str | None) -> None:
    """Give a file SQLite made beside the database (-wal, -shm) the war-room's mode, if it is ours."""
    gid = group_id(group)
    try:
        with inspect(path, gid) as (fd, info):
            share_descriptor(fd, info, gid)
    except FileNotFoundError:
        return


def check_output_target(path: Path | str) -> Path:
    """An export's name must be a regular file or a new name: a FIFO, a device, a directory (`.`
    too) or a link to one is refused in one sentence, before anything is written; so is another
    user's file in a sticky directory (the rename over it would fail half-way)."""
    target = Path(path)
    if not target.name or target.name in (".", ".."):
        raise UnsafeFile(f"{path} is a directory; name a file (or `-o -` for the screen)")
    try:
        info = os.stat(target)  # through a link: what writing there would have meant
    except FileNotFoundError:
        return target  # a new name (or a link to nothing, which is replaced, never followed)
    except OSError as error:
        raise UnsafeFile(f"cannot write {target}: {error.strerror}") from None
    if stat.S_ISDIR(info.st_mode):
        raise UnsafeFile(f"{target} is a directory; name a file (or `-o -` for the screen)")
    if not stat.S_ISREG(info.st_mode):
        raise UnsafeFile(f"{target} is not a regular file (a device or FIFO); name a file (or `-o -` for the screen)")
    own = os.lstat(target)
    parent = os.stat(target.parent)
    if own.st_uid != os.geteuid() and parent.st_mode & stat.S_ISVTX:
        raise UnsafeFile(f"cannot replace {target}: it belongs to {owner_name(own.st_uid)}; choose another name")
    return target


@contextmanager
def open_shared_files(paths: Sequence[Path | str], group: str | None, *, newline: str | None = None) -> Iterator[list[IO[str]]]:
    """Write new files (an export and its picture) together: every name checked first, each
    written to a fresh temporary file beside it with its mode set on the descriptor, and renamed
    into place only once all are complete, or none is. A link planted at a name is replaced,
    never written through; a half-written or half-renamed export never appears."""
    import tempfile  # here: it loads shutil, bz2 and lzma, which no read needs

    targets = [check_output_target(path) for path in paths]
    gid = group_id(group)
    temporaries: list[str] = []
    handles: list[IO[str]] = []
    placed: list[Path] = []
    try:
        for target in targets:
            try:
                fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
            except OSError as error:  # said of the name asked for, never of the temporary's
                reason = f"its folder {target.parent} does not exist" if error.errno == errno.ENOENT else os_reason(error)
                raise UnsafeFile(f"cannot write {target}: {reason}") from error
            temporaries.append(temporary)
            handles.append(os.fdopen(fd, "w", encoding="utf-8", newline=newline))
            share_descriptor(fd, os.fstat(fd), gid)
        yield handles
        for handle in handles:
            handle.flush()
            os.fsync(handle.fileno())
            handle.close()
        # The last first: a Markdown export's picture is in place before the file that links it.
        for temporary, target in reversed(list(zip(temporaries, targets, strict=True))):
            existed = os.path.lexists(target)
            try:
                os.replace(temporary, target)
            except PermissionError:
                raise UnsafeFile(f"cannot replace {target}: it belongs to another user; choose another name") from None
            if not existed:
                placed.append(target)
    except BaseException:
        for handle in handles:
            handle.close()
        for temporary in temporaries:
            try:
                os.unlink(temporary)
            except FileNotFoundError:
                pass
        for target in placed:  # a new name placed before a later one failed: taken back
            try:
                os.unlink(target)
            except FileNotFoundError:
                pass
        raise


@contextmanager
def open_shared_file(path: Path | str, group: str | None, *, newline: str | None = None) -> Iterator[IO[str]]:
    """One new file written as open_shared_files writes several."""
    with open_shared_files([Path(path)], group, newline=newline) as (handle,):
        yield handle
