"""Which config files may carry what runs commands or reads secrets.

A `token_command` runs as whoever's session does the room's duties (a member's screen, the watch
account), and a `${VAR}` header sends that person's environment variable to the metric's URL. So
they are honoured only from a file nobody else can change: owned by root or by the person running
mopstui, and writable by its owner alone. A group-writable /etc/mopstui/config.yaml would
otherwise let any member run commands as another.
"""

from __future__ import annotations

import os
import stat


def untrusted_reason(info: os.stat_result) -> str | None:
    """Why others could change a file with this `stat`, in plain words; None when only its owner
    (root or this user) can."""
    if info.st_uid not in (0, os.geteuid()):
        from ..base.files import owner_name

        return f"is owned by {owner_name(info.st_uid)}, so they can change it"
    if info.st_mode & stat.S_IWOTH:
        return "can be changed by every user on this host"
    if info.st_mode & stat.S_IWGRP:
        return "can be changed by its whole group"
    return None


def fix_for(path: str) -> str:
    return f"sudo chown root: {path} && sudo chmod 644 {path}"


def refusal(what: str, path: str, reason: str) -> str:
    """The config error for `what` (token_command, a ${VAR} header) read from a file others can change."""
    return (
        f"{what} is refused here: this file {reason}, and whoever can change it could run commands or read "
        f"secrets as the person whose session holds the room's duties; fix: {fix_for(path)}"
    )
