"""Who is at the keyboard, and from where."""

from __future__ import annotations

import getpass
import os
import socket


def current_user(explicit: str | None = None) -> str:
    """`--user`, else $MOPSTUI_USER, else $SUDO_USER (the person behind sudo), else the login name."""
    for candidate in (explicit, os.environ.get("MOPSTUI_USER"), os.environ.get("SUDO_USER")):
        if candidate and candidate.strip():
            return candidate.strip()
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid{os.getuid()}"


def ssh_client() -> str:
    """The SSH client's address, for the postmortem's participant list; '' when local."""
    connection = os.environ.get("SSH_CONNECTION") or os.environ.get("SSH_CLIENT") or ""
    return connection.split()[0] if connection else ""


def hostname() -> str:
    return socket.gethostname()
