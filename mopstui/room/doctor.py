"""`mopstui doctor`: what the room depends on, checked as the person who runs it.

Each finding is one plain sentence and, where there is one, the fix (a command to run or a line
to change). A *problem* would hurt during an incident (someone could not open the room, alerts
would not go out, a vendor could not be seen); a *note* is worth knowing; *ok* says what was
checked and found right. The screen runs the cheap checks (no network) at start.
"""

from __future__ import annotations

import grp
import os
import pwd
import socket
import stat
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlsplit

from ..base.files import owner_name
from ..base.plain import said
from ..config import Config

PROBLEM, NOTE, OK = "problem", "note", "ok"
SETUP_HINT = "see the README, 'Setting it up'"


@dataclass(frozen=True)
class Finding:
    level: str  # problem | note | ok
    check: str  # a short name scripts can match on: directory, group, files, duties, anchor, …
    text: str  # one plain sentence
    fix: str = ""  # a command to run or a line to change

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def _group_name(gid: int) -> str:
    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return f"group {gid}"


def _login() -> str:
    try:
        return pwd.getpwuid(os.getuid()).pw_name
    except KeyError:
        return f"uid {os.getuid()}"


def _group_gid(config: Config) -> int | None:
    try:
        return grp.getgrnam(config.database_group).gr_gid if config.database_group else None
    except KeyError:
        return None


# ---------------------------------------------------------------- the host's files (cheap)


def check_group(config: Config) -> list[Finding]:
    group = config.database_group
    if not group or config.database_url:
        return []
    gid = _group_gid(config)
    if gid is None:
        return [
            Finding(
                PROBLEM,
                "group",
                f"The war-room's group {group} does not exist on this host, so nobody can share it.",
                f"sudo groupadd {group} && sudo usermod -aG {group} {_login()}",
            )
        ]
    if os.getuid() == 0:
        return [
            Finding(NOTE, "group", f"You are running as root; check as each person who opens the room (they need group {group}).")
        ]
    if gid in os.getgroups() or os.getegid() == gid:
        return [Finding(OK, "group", f"You ({_login()}) are in the war-room's group {group}.")]
    members = grp.getgrgid(gid).gr_mem
    later = " (you were added: log out and in again to use it)" if _login() in members else ""
    return [
        Finding(
            PROBLEM,
            "group",
            f"You ({_login()}) are not in the war-room's group {group}, so you cannot open the room{later}.",
            "" if later else f"ask an admin: sudo usermod -aG {group} {_login()} (then log in again)",
        )
    ]


def check_directory(config: Config) -> list[Finding]:
    if config.database_url:
        return []
    directory = config.database.parent
    group = config.database_group
    setup = (
        f"sudo mkdir -p {directory} && sudo chgrp {group} {directory} && sudo chmod 3770 {directory}"
        if group
        else f"mkdir -p {directory}"
    )
    try:
        info = os.lstat(directory)
    except FileNotFoundError:
        return [Finding(PROBLEM, "directory", f"The war-room's folder {directory} does not exist.", setup)]
    except PermissionError:
        return [
            Finding(
                PROBLEM,
                "directory",
                f"You cannot look into the war-room's folder {directory}.",
                f"ask an admin to add you to its group ({SETUP_HINT})",
            )
        ]
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
        return [
            Finding(PROBLEM, "directory", f"The war-room's folder {directory} is not a plain folder (a link or a file).", setup)
        ]
    if group is None:
        if info.st_mode & 0o077:
            return [
                Finding(
                    NOTE,
                    "directory",
                    f"The war-room's folder {directory} is open to others, but no group is set "
                    "(database_group), so the room's files stay private to whoever creates them.",
                    "add `database_group: GROUP` to the config to share the room",
                )
            ]
        return [
            Finding(
                OK,
                "directory",
                f"The war-room's folder {directory} is private to {owner_name(info.st_uid)} "
                "(no group is set: a room for one person).",
            )
        ]
    findings = []
    gid = _group_gid(config)
    mode = stat.S_IMODE(info.st_mode)
    if gid is not None and info.st_gid != gid:
        findings.append(
            Finding(
                PROBLEM,
                "directory",
                f"The war-room's folder {directory} belongs to group "
                f"{_group_name(info.st_gid)}, not {group}: members cannot create the room's files there.",
                f"sudo chgrp {group} {directory}",
            )
        )
    missing = []
    if mode & 0o070 != 0o070:
        missing.append("members cannot all read and write it")
    if not mode & stat.S_ISGID:
        missing.append("new files would not keep the group (no setgid bit)")
    if not mode & stat.S_ISVTX:
        missing.append("a member could delete or replace another member's files (no sticky bit)")
    if mode & 0o007:
        missing.append(f"users outside {group} can look in")
    if missing:
        findings.append(
            Finding(
                PROBLEM,
                "directory",
                f"The war-room's folder {directory} is not set up for sharing: "
                + "; ".join(missing)
                + f" (mode {mode:o}, it should be 3770).",
                f"sudo chmod 3770 {directory}",
            )
        )
    return findings or [Finding(OK, "directory", f"The war-room's folder {directory} is set up for group {group} (3770).")]


def check_files(config: Config) -> list[Finding]:
    if config.database_url:
        return []
    database = config.database
    if not os.path.lexists(database):
        return [
            Finding(NOTE, "files", f"There is no war-room at {database} yet: the first `mopstui declare` or screen creates it.")
        ]
    findings = []
    gid = _group_gid(config)
    for path in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
        try:
            info = os.lstat(path)
        except FileNotFoundError:
            continue
        except PermissionError:
            break
        mode = stat.S_IMODE(info.st_mode)
        if stat.S_ISLNK(info.st_mode) or not stat.S_ISREG(info.st_mode):
            findings.append(
                Finding(
                    PROBLEM,
                    "files",
                    f"{path} is not a plain file (someone may have planted it); mopstui refuses to use it.",
                    f"remove it: rm {path}",
                )
            )
        elif gid is not None and (info.st_gid != gid or mode & 0o060 != 0o060):
            findings.append(
                Finding(
                    PROBLEM,
                    "files",
                    f"{path} is not shared with group {config.database_group} "
                    f"(group {_group_name(info.st_gid)}, mode {mode:o}): other members cannot write the room.",
                    f"sudo chgrp {config.database_group} {path} && sudo chmod 660 {path}",
                )
            )
        elif mode & 0o007:
            findings.append(
                Finding(
                    PROBLEM,
                    "files",
                    f"{path} can be read by users outside the war-room's group (mode {mode:o}).",
                    f"sudo chmod o-rwx {path}",
                )
            )
    kept = f"shared with group {config.database_group}" if gid is not None else "private to whoever created them"
    return findings or [Finding(OK, "files", f"The war-room's files at {database} are plain files, {kept}.")]


def check_config(config: Config) -> list[Finding]:
    findings = [Finding(NOTE, "config", warning) for warning in config.warnings]
    findings += _config_files_others_can_change(config)
    if config.sources:
        findings.append(Finding(OK, "time zone", f"Times are shown in {config.timezone} (`timezone:` in the config)."))
    else:
        findings.append(
            Finding(
                NOTE,
                "time zone",
                f"No config file was read, so times are shown in {config.timezone}; "
                "the room's zone belongs in the shared config.",
                "add `timezone: Europe/London` (your zone) to /etc/mopstui/config.yaml",
            )
        )
    return findings


def _config_files_others_can_change(config: Config) -> list[Finding]:
    """A config others can change changes the room for everyone, and may not carry token_command or
    ${VAR} secrets (loading refuses them: they would run, or be read, as whoever holds the duties)."""
    from ..config.trust import fix_for, untrusted_reason

    found = []
    for source in config.sources:
        try:
            reason = untrusted_reason(os.stat(source))
        except OSError:
            continue
        if reason:
            found.append(
                Finding(
                    PROBLEM,
                    "config",
                    f"The config {source} {reason}: whoever can change it changes the room "
                    "for everyone, and it may not hold token_command or ${VAR} secrets (they would run, or "
                    "be read, as whoever's session holds the room's duties).",
                    fix_for(source),
                )
            )
    return found


# ---------------------------------------------------------------- the room (reads the war-room)


def _this_host(holder: str) -> bool:
    parts = holder.split(":")
    return len(parts) == 3 and parts[1] in (socket.gethostname(), os.uname().nodename)


def _watch_uid(holder: str) -> int | None:
    """The account of a `watch:HOST:PID` on this host, from /proc, when that process really is a
    mopstui watch (a claim written by hand may name any process, pid 1 included); else None."""
    if not _this_host(holder):
        return None
    try:
        pid = int(holder.split(":")[2])
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        if b"watch" not in argv or not any(
            Path(arg.decode(errors="replace")).name == "mopstui" or b"mopstui" in arg for arg in argv[:3]
        ):
            return None
        return os.stat(f"/proc/{pid}").st_uid
    except (OSError, ValueError):
        return None


def check_duties(config: Config, holder: str | None) -> list[Finding]:
    start = "sudo systemctl enable --now mopstui-watch (the watch service; see the README, 'Setting it up')"
    if holder is None:
        return [
            Finding(
                PROBLEM,
                "duties",
                "Nobody is doing the room's duties now (no watch service runs and no screen is "
                "open): vendor checks, threshold alerts and overdue-update alerts wait until someone opens the room.",
                start,
            )
        ]
    if holder.startswith("watch:"):
        where = holder.split(":")[1] if holder.count(":") >= 2 else "?"
        if _this_host(holder) and _watch_uid(holder) is None:
            return [
                Finding(
                    PROBLEM,
                    "duties",
                    f"The room's duties are claimed for a watch service on this host (process "
                    f"{holder.split(':')[2]}) that is not running: nobody is really doing them, and the claim may "
                    "have been written by hand. It lapses within two minutes unless renewed.",
                    start,
                )
            ]
        return [Finding(OK, "duties", f"The watch service on {where} is doing the room's duties.")]
    return [
        Finding(
            NOTE,
            "duties",
            "A screen is doing the room's duties; when the last screen closes they stop. "
            "A watch service would keep them going while nobody has the room open.",
            start,
        )
    ]


def check_anchor(config: Config, holder: str | None) -> list[Finding]:
    path = config.anchor_file
    if path is None:
        return []
    watch_uid = _watch_uid(holder) if holder and holder.startswith("watch:") else None
    target = path if path.exists() else path.parent
    if watch_uid is not None:
        info = os.stat(target) if target.exists() else None
        writable = info is not None and ((info.st_uid == watch_uid and info.st_mode & 0o200) or watch_uid == 0)
        if not writable:
            return [
                Finding(
                    PROBLEM,
                    "anchor",
                    f"The watch service runs as {owner_name(watch_uid)} but cannot write the "
                    f"log's outside record {path}: nothing outside the room can prove the log was not rewritten.",
                    f"sudo install -d -o {owner_name(watch_uid)} -m 755 {path.parent}",
                )
            ]
        return [Finding(OK, "anchor", f"The watch service ({owner_name(watch_uid)}) keeps the log's outside record at {path}.")]
    if os.access(target, os.W_OK):
        return [Finding(OK, "anchor", f"You can write the log's outside record at {path}.")]
    return [
        Finding(
            NOTE,
            "anchor",
            f"Screens cannot write the log's outside record {path} (it belongs to the watch service's "
            "account), so while no watch service runs, nobody keeps it; screens skip it and say so once.",
            "start the watch service: sudo systemctl enable --now mopstui-watch",
        )
    ]


def room_findings(config: Config, open_store: Callable[[], object]) -> list[Finding]:
    """Opens the war-room (only when it exists) and checks who holds the room's duties and, on a
    server, what this role may do."""
    if not config.database_url:
        try:
            os.lstat(config.database)
        except OSError:  # none yet, or not ours to see: the folder and group findings said why
            return []
    try:
        store = open_store()
    except Exception as error:  # what the store says is already a sentence; a driver's is made one
        return [Finding(PROBLEM, "war-room", f"The war-room cannot be opened: {said(error)}.")]
    try:
        from ..store import StoreError

        try:
            holder = store.lease_holder("poller")  # type: ignore[attr-defined]
        except StoreError as error:
            return [Finding(PROBLEM, "war-room", f"The war-room cannot be read: {said(error)}.")]
        findings = check_duties(config, holder) + check_anchor(config, holder)
        if config.database_url:
            from ..store.postgres.checkup import role_findings

            findings += [Finding(*f) for f in role_findings(store)]
        return findings
    finally:
        store.close()  # type: ignore[attr-defined]


# ---------------------------------------------------------------- the network (doctor only)


def _reachable(url: str, timeout: float) -> str | None:
    """None when a TCP connection to the URL's host opens; else why not, in a few words."""
    parts = urlsplit(url)
    host = parts.hostname
    if not host:
        return "not a web address"
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return None
    except socket.gaierror:
        return f"the name {host} does not resolve from this host"
    except TimeoutError:
        return f"{host} did not answer within {timeout:g} s"
    except OSError as error:
        return f"{host} refused the connection ({error.strerror or error})"


def check_webhooks(config: Config, timeout: float = 5.0) -> list[Finding]:
    findings = []
    for hook in config.webhooks:
        host = urlsplit(hook.url).hostname or "?"
        why = _reachable(hook.url, timeout)
        if why:
            findings.append(
                Finding(
                    PROBLEM,
                    "webhooks",
                    f"The webhook at {host} cannot be reached from this host ({why}): alerts would not arrive.",
                    "check the host's proxy or firewall, or the URL in `notify:`",
                )
            )
        else:
            findings.append(Finding(OK, "webhooks", f"The webhook at {host} can be reached."))
    return findings


def check_vendors(config: Config) -> list[Finding]:
    """One real round of every vendor page and probe, as the poller does it (nothing stored)."""
    if not config.vendors and not any(s.probe for s in config.services):
        return []
    import asyncio

    from .moves import move_fix, move_words
    from .polling_round import poll

    statuses = asyncio.run(poll(config))
    findings = []
    for key, status in sorted(statuses.items()):
        name = status.name or key
        moved = move_words(status)
        if moved:
            findings.append(Finding(NOTE, "vendors", moved + ".", move_fix(status)))
        # The page was read, but what the config watches is not on it as named (or is there
        # several times): the config no longer matches the page, which is not "cannot see".
        unmatched = [c for c in status.watched_components if c.note] if status.last_good_at and not status.stale else []
        if unmatched:
            said = "; ".join(f"{c.label()}: {c.note}" for c in unmatched)
            findings.append(
                Finding(
                    PROBLEM,
                    "vendors",
                    f"{name}'s page can be read, but {len(unmatched)} of the components the "
                    f"config watches are not on it as named ({said}).",
                    f"run `mopstui vendors components {key}` and copy the lines it prints into the config",
                )
            )
        if unmatched and status.state == "unknown":
            continue
        if status.state == "unknown":
            findings.append(
                Finding(
                    PROBLEM,
                    "vendors",
                    f"We cannot see {name} from this host: {status.reason or 'no answer'}. "
                    "(Cannot see is not down: the room shows it as unknown.)",
                    "check the host's proxy or firewall, or the URL in the config",
                )
            )
        elif status.state != "operational":
            findings.append(Finding(NOTE, "vendors", f"{name} can be seen, and says {status.state.replace('_', ' ')} right now."))
    seen = len(statuses) - sum(f.level == PROBLEM and f.text.startswith("We cannot see") for f in findings)
    findings.insert(
        0,
        Finding(
            OK if seen else PROBLEM, "vendors", f"{seen} of {len(statuses)} vendor pages and probes can be read from this host."
        ),
    )
    return findings


# ---------------------------------------------------------------- all together


def cheap_findings(config: Config, open_store: Callable[[], object]) -> list[Finding]:
    """What the screen checks at start: no network, a few system calls and one read of the room."""
    return (
        check_config(config)
        + check_group(config)
        + check_directory(config)
        + check_files(config)
        + room_findings(config, open_store)
    )


def screen_findings(config: Config, open_store: Callable[[], object]) -> list[Finding]:
    """What a screen checks at start: the cheap checks, less who holds the room's duties (the
    screen is about to take them) and the anchor (the duty itself says once what it cannot do)."""
    return [f for f in cheap_findings(config, open_store) if f.check not in ("duties", "anchor")]


def all_findings(config: Config, open_store: Callable[[], object], *, online: bool = True) -> list[Finding]:
    findings = cheap_findings(config, open_store)
    if online:
        findings += check_webhooks(config) + check_vendors(config)
    return findings


def problems(findings: Iterable[Finding]) -> list[Finding]:
    return [f for f in findings if f.level == PROBLEM]
