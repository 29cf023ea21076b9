"""Errors in plain words: what a database driver or the operating system said, as one sentence an
on-call marketer can act on. The raw text is kept as the error's detail, shown under `--verbose`
(the engineer's view), never instead of the sentence.

Every screen toast and command message that reports an error goes through `said()`; the store
builds its own errors with `library_words()` and keeps the driver's text as their `detail`.
"""

from __future__ import annotations

import errno

# What libpq, psycopg and sqlite3 say, matched on lowercase text (the drivers' classes are the
# store's business; the text is what reaches a person). First match wins; the sentence finishes
# "the war-room's database …" or stands after a colon.
_LIBRARY: tuple[tuple[str, ...], ...] = (
    ("no password supplied", "it needs a password and none was found: put it in ~/.pgpass or $PGPASSWORD"),
    ("password authentication failed", "it refused the password: check ~/.pgpass or $PGPASSWORD"),
    ("peer authentication failed", "it does not let this login in under that name: ask the database's owner"),
    ("no pg_hba.conf entry", "it does not let this account in from here: ask the database's owner"),
    ("role", "does not exist", "it does not know that account: check the name in the address"),
    ("database", "does not exist", "there is no such database on the server: check the address"),
    ("could not translate host name", "this host cannot find the database server by that name"),
    ("connection refused", "the database server is not answering (down, or restarting)"),
    ("no such file or directory", "the database server is not answering (down, or restarting)"),
    ("timeout expired", "the database server did not answer in time"),
    ("server closed the connection", "the database server dropped the connection"),
    ("terminating connection", "the database server dropped the connection"),
    ("the database system is starting up", "the database server is still starting: try again in a moment"),
    ("the database system is shutting down", "the database server is shutting down"),
    ("too many connections", "the database server has too many people connected right now"),
    ("permission denied", "this account is not allowed to do that there: ask the database's owner"),
    ("database is locked", "someone else is writing to it right now: try again"),
    ("database or disk is full", "the disk it is on is full"),
    ("disk i/o error", "the disk failed while reading or writing it"),
    ("malformed", "the file is damaged"),
    ("file is not a database", "the file is not a war-room (or is damaged)"),
    ("unable to open database file", "it cannot be opened (its folder may be missing or closed to you)"),
    ("readonly database", "you may read it but not write to it"),
    ("read-only", "you may read it but not write to it"),
    ("no such table", "it is not a war-room mopstui can read (a table is missing)"),
    ("no such column", "it is not a war-room mopstui can read (a column is missing)"),
    ("does not exist", "it is not a war-room mopstui can read (something in it is missing)"),
)

_UNKNOWN = "the database reported a problem mopstui has no plain words for (run with --verbose to see it)"

_OS: dict[int, str] = {
    errno.EACCES: "you are not allowed to open it",
    errno.EPERM: "you are not allowed to do that to it",
    errno.ENOENT: "it does not exist",
    errno.ENOTDIR: "a folder on its way is not a folder",
    errno.EISDIR: "it is a folder, not a file",
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "your disk quota is used up",
    errno.EROFS: "the disk is read-only",
    errno.EEXIST: "something is already there",
    errno.ELOOP: "it is a link (mopstui does not follow links there)",
    errno.EIO: "the disk failed while reading or writing it",
    errno.ENAMETOOLONG: "its name is too long",
}

_verbose = False


def show_detail(on: bool) -> None:
    """`--verbose`: every error said also shows the driver's or the system's own text."""
    global _verbose
    _verbose = on


def showing_detail() -> bool:
    return _verbose


def library_words(text: str) -> str:
    """A database driver's message as what it means for the person: the part after the colon of
    "cannot reach the war-room's database at X: …"."""
    lowered = text.lower()
    for *needles, words in _LIBRARY:
        if all(needle in lowered for needle in needles):
            return words
    return _UNKNOWN


def os_reason(error: OSError) -> str:
    """What went wrong, in words, without the file's name or the errno."""
    return _OS.get(error.errno or 0, "the system refused (run with --verbose to see why)")


def os_words(error: OSError) -> str:
    """An operating-system error on a file: its name (as given) and what went wrong, no errno."""
    name = error.filename
    return f"{name}: {os_reason(error)}" if name else os_reason(error)


def detail(error: BaseException) -> str | None:
    """The raw text behind an error said in plain words (None: the sentence is all there is)."""
    kept = getattr(error, "detail", None)
    if kept:
        return str(kept)
    if isinstance(error, OSError) or _is_library(error) or not _ours(error):
        return f"{type(error).__name__}: {str(error).strip()}"
    return None


def plain(error: BaseException) -> str:
    """The sentence for `error`: mopstui's own errors already are one; a driver's or the system's
    is translated."""
    if _is_library(error):
        return f"the war-room's database: {library_words(str(error))}"
    if isinstance(error, OSError) and not type(error).__module__.startswith("mopstui"):
        return os_words(error)
    if _ours(error):
        return str(error)
    return f"an unexpected error inside mopstui ({type(error).__name__})"


def said(error: BaseException) -> str:
    """What a toast or a command prints: the plain sentence, and under `--verbose` the raw text."""
    sentence = plain(error)
    raw = detail(error) if _verbose else None
    return f"{sentence} [detail: {raw}]" if raw else sentence


def _ours(error: BaseException) -> bool:
    """mopstui's own errors (and a ValueError raised with a sentence) already are plain words."""
    return type(error).__module__.startswith("mopstui") or type(error) is ValueError


def _is_library(error: BaseException) -> bool:
    module = type(error).__module__
    return module.startswith(("sqlite3", "psycopg", "_sqlite3"))
