"""Who is at the keyboard, and from where.

Two things are kept apart: the *account* that really writes (the OS login and uid of the
process, recorded in every event and covered by its hash) and the *display name* a person may
choose (`--user`, $MOPSTUI_USER). Where they differ, everything that shows an author shows both.
"""

from __future__ import annotations

import os
import pwd
from dataclasses import dataclass

from .errors import InputError
from .textsafe import clean_line

# Names the tool writes under; a person may not take them.
RESERVED_NAMES = ("mopstui", "system")
MAX_NAME = 64


@dataclass(frozen=True)
class Account:
    login: str
    uid: int | None  # None: on PostgreSQL, where the account is the server's role, not a Unix uid


def current_account() -> Account:
    uid = os.getuid()
    try:
        login = pwd.getpwuid(uid).pw_name
    except KeyError:
        login = f"uid{uid}"
    return Account(login, uid)


def _behind_sudo() -> str | None:
    """$SUDO_USER, but only under a real sudo: we are root and sudo said whose uid started it."""
    name, uid = os.environ.get("SUDO_USER"), os.environ.get("SUDO_UID")
    if os.getuid() != 0 or not name or not uid or not uid.isdigit():
        return None
    try:
        real = pwd.getpwuid(int(uid)).pw_name
    except KeyError:
        return None
    return name if real == name else None


def current_user(explicit: str | None = None) -> str:
    """The display name: `--user`, else $MOPSTUI_USER, else the person behind a real sudo, else
    the login. Reserved names are refused."""
    for candidate in (explicit, os.environ.get("MOPSTUI_USER"), _behind_sudo()):
        name = clean_line(candidate or "", MAX_NAME + 1)
        if name:
            break
    else:
        name = current_account().login
    if len(name) > MAX_NAME:
        raise InputError(f"a name may be at most {MAX_NAME} characters")
    if name.lower() in RESERVED_NAMES:
        raise InputError(f"the name {name!r} is reserved for mopstui's own entries; choose another with --user")
    return name


def ssh_client() -> str:
    """The SSH client's address, for the postmortem's participant list; '' when local."""
    connection = os.environ.get("SSH_CONNECTION") or os.environ.get("SSH_CLIENT") or ""
    return connection.split()[0] if connection else ""


def hostname() -> str:
    # os.uname() has it: `socket` (and `selectors` behind it) cost a headless command 4 ms to load.
    return os.uname().nodename
