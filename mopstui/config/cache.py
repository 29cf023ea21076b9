"""A cache of big loaded configs, so that a 10,000-service catalog costs its YAML once, not on
every command.

Keyed on everything the result depends on: mopstui's version, each file's device, inode, size and
modification time (nanoseconds), and the database override and default. Kept in the user's own
cache directory (0700); an entry that is not a regular file owned by this user, private, is
never read (a pickle is code). Small configs are not cached: they load faster than a cache lookup
would save, and a command with one loads neither pickle, hashlib nor tempfile (8 ms).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path

from .. import __version__
from .model import Config, default_database_path

MIN_BYTES = 256 * 1024


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "mopstui"


def key(paths: Iterable[Path], database: str | None) -> str | None:
    """The cache key for loading `paths`, or None when they are too small to be worth caching."""
    files: list[object] = []
    total = 0
    for path in paths:
        try:
            info = os.stat(path)
        except OSError:
            return None
        if not stat.S_ISREG(info.st_mode):
            return None
        total += info.st_size
        # owner and mode too: they decide what a file may carry (trust.py), and a chmod keeps the mtime
        files.append((str(path), info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_uid, info.st_mode))
    if total < MIN_BYTES:
        return None
    import hashlib

    # The code that builds a Config is part of the key too: a changed model must never be served
    # an old pickle (cheap: a stat of a handful of files).
    code = [(p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(Path(__file__).parent.glob("*.py"))]
    parts = [__version__, code, database, os.environ.get("MOPSTUI_DB"), str(default_database_path()), *files]
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


def read_private(name: str) -> bytes | None:
    """A file of this user's private cache, or None: missing, a link, not ours or not private."""
    try:
        fd = os.open(cache_dir() / name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid() or info.st_mode & 0o077:
            return None
        return handle.read()


def write_private(name: str, data: bytes) -> None:
    """Atomically into this user's private cache; a cache that cannot be written only costs time."""
    directory = cache_dir()
    try:
        directory.mkdir(parents=True, mode=0o700, exist_ok=True)
        info = os.lstat(directory)
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid() or info.st_mode & 0o077:
            return  # not a private directory of ours: no cache rather than a shared one
        import tempfile

        fd, temporary = tempfile.mkstemp(dir=directory, prefix=f".{name}.", suffix=".part")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temporary, directory / name)
    except OSError:
        pass


def read(cache_key: str) -> Config | None:
    data = read_private(f"config-{cache_key}.pickle")
    if data is None:
        return None
    import pickle

    try:
        config = pickle.loads(data)
    except Exception:  # a stale or damaged entry is a miss, never an error
        return None
    return config if isinstance(config, Config) else None


def write(cache_key: str, config: Config) -> None:
    import pickle

    write_private(f"config-{cache_key}.pickle", pickle.dumps(config, protocol=pickle.HIGHEST_PROTOCOL))
