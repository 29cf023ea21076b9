"""A screen whose terminal is gone ends within 2 s however it was started: directly, under `su`,
`su -`, `runuser`, `runuser -l`, `sudo -iu`, `ssh -t`, inside tmux or screen killed. Under `su -c`
and the like the screen has a session of its own and no controlling terminal, so no hang-up
signal ever came: it spun at 100 % of a core on the deleted pts, forever (see tui/driver.py).

Real accounts (made here with useradd: root only, and CI runs as root), a real terminal per
screen, a private sshd on 127.0.0.1 for `ssh -t`. The account runs mopstui as a colleague on a
jump host does, from one install every account can read, built once per run under /var/tmp
from the system's Python (tests/accounts.py): the checkout itself may be in root's private home,
as CI's clone is. Every process started is proven ended: the screens, the wrappers around them,
the tmux and screen servers, the sshd sessions, anything still running as the account.

Each round starts every way at once (MOPSTUI_HANGUP_COPIES times each, 1 by default) and takes
all their terminals away. The default is 12 rounds: 108 starts, the hundred of 100 of 100, ~1 min
on a 2-core host (a start costs ~0.75 s of a core to its first frame); the suite runs on every
core, so it stays within its budget. MOPSTUI_HANGUP_ROUNDS sets fewer for a quick look."""

from __future__ import annotations

import fcntl
import os
import pty
import pwd
import select
import shlex
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import termios
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from .accounts import (
    Sshd,
    alive,
    commands_starting,
    has_openssh,
    private_sshd,
    processes_of,
    shared_install,
    system_python,
    wait_until,
)

ROUNDS = int(os.environ.get("MOPSTUI_HANGUP_ROUNDS", "12"))
COPIES = int(os.environ.get("MOPSTUI_HANGUP_COPIES", "1"))
LIMIT = 2.0  # seconds from the terminal going to the screen's end
IN_CI = os.environ.get("CI") == "true"
AS_ROOT = os.geteuid() == 0

pytestmark = pytest.mark.skipif(
    not AS_ROOT and not IN_CI,
    reason="makes real accounts with useradd and starts a screen as each on its own terminal: run it as root "
    "(CI does, and never skips it)",
)


def absent(what: str, why: str) -> None:
    """A system tool this test needs is missing: outside CI its way is left out (and the summary
    says so); in CI that is a failure, since .ci/run installs it."""
    if IN_CI:
        pytest.fail(f"{what} is missing in CI, where .ci/run installs it ({why})")


@pytest.fixture(scope="session")
def install() -> Iterator[Path]:
    """mopstui as every account can run it, built once per run (tests/accounts.py)."""
    if system_python() is None:
        version = f"python{sys.version_info.major}.{sys.version_info.minor}"
        absent(f"/usr/bin/{version}", "the accounts run mopstui with the system's Python of the suite's version")
        pytest.skip(f"no /usr/bin/{version}: another account could not run mopstui (the suite's Python is in a private home)")
    with shared_install() as python:
        yield python


@pytest.fixture(scope="session")
def account() -> Iterator[str]:
    """A real account of its own name for this run (another run on this host has another);
    removed at the end, once nothing runs as it any more."""
    if not AS_ROOT:
        pytest.fail("CI runs the suite as root, and this test needs it: it makes a real account with useradd")
    name = f"mhup{uuid.uuid4().hex[:8]}"
    subprocess.run(
        ["useradd", "--no-create-home", "--home-dir", "/nonexistent", "--shell", "/bin/sh", name],
        check=True,
        capture_output=True,
    )
    uid = pwd.getpwnam(name).pw_uid
    try:
        yield name
    finally:
        none_left = wait_until(lambda: not processes_of(uid), 10)
        for pid in processes_of(uid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        removed = subprocess.run(["userdel", name], capture_output=True, text=True)
    assert none_left, f"processes of {name} still running after every screen ended"
    assert removed.returncode == 0, removed.stderr
    with pytest.raises(KeyError):
        pwd.getpwnam(name)


@pytest.fixture(scope="session")
def sshd(account) -> Iterator[Sshd | None]:
    """A private sshd on 127.0.0.1 for `ssh -t`; None when OpenSSH's server is not installed
    (then that way is left out, and the summary says so)."""
    if not has_openssh():
        absent("OpenSSH (/usr/sbin/sshd, ssh, ssh-keygen)", "for the ssh -t way")
        yield None
        return
    with private_sshd(account) as server:
        yield server


@pytest.fixture
def room(account, install) -> Iterator[Path]:
    """A war-room under /var/tmp and a launcher the account can run (root's, like the install):
    `run PIDFILE` writes its pid and becomes the screen. What the account writes (the database,
    the pid files) is in `data`, the account's."""
    base = Path(tempfile.mkdtemp(prefix="mopstui-hangup-", dir="/var/tmp"))
    try:
        base.chmod(0o755)
        data = base / "data"
        data.mkdir(mode=0o755)
        user = pwd.getpwnam(account)
        os.chown(data, user.pw_uid, user.pw_gid)
        (base / "c.yaml").write_text("timezone: UTC\n")
        launcher = base / "run"
        launcher.write_text(
            "#!/bin/sh\n"
            'echo $$ > "$1"; shift\n'
            f"MOPSTUI_USER=hup exec {install} -m mopstui "
            f'--config {base}/c.yaml --db {data}/warroom.db "$@"\n'
        )
        launcher.chmod(0o755)
        declared = subprocess.run(
            ["runuser", "-u", account, "--", str(launcher), "/dev/null", "declare", "Lead form down", "--severity", "SEV2"],
            capture_output=True,
            text=True,
        )
        assert declared.returncode == 0, declared.stderr
        yield base
    finally:
        shutil.rmtree(base, ignore_errors=True)
    assert not base.exists()


@dataclass
class Started:
    """One screen on its own terminal, how to take that terminal away, and the processes that
    must be seen to end besides the screen itself."""

    way: str
    pidfile: Path
    master: int = -1
    child: int = 0  # the pty's first process (the wrapper), ours to reap
    drop: Callable[[], None] = lambda: None
    shows: Callable[[], str] = lambda: ""  # what its terminal shows, where we cannot read it ourselves
    seen: bytes = b""
    looked: float = 0.0
    servers: list[int] = field(default_factory=list)  # tmux's or screen's server, not our child
    cleanup: list[Callable[[], None]] = field(default_factory=list)
    helpers: list[subprocess.Popen] = field(default_factory=list)  # started to take the terminal away

    def pid(self) -> int | None:
        try:
            return int(self.pidfile.read_text().strip())
        except (FileNotFoundError, ValueError):
            return None


def _on_pty(command: list[str], as_account: str | None = None) -> tuple[int, int]:
    pid, master = pty.fork()
    if pid == 0:
        try:
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
            env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "TERM": "xterm-256color", "HOME": "/root"}
            if as_account:  # the account's own login, as its SSH session would start it
                user = pwd.getpwnam(as_account)
                os.setgroups([])
                os.setgid(user.pw_gid)
                os.setuid(user.pw_uid)
                env["HOME"] = user.pw_dir
            os.execvpe(command[0], command, env)
        finally:
            os._exit(127)
    return pid, master


def _close(fd: int) -> None:
    try:
        os.close(fd)
    except OSError:
        pass


def start(way: str, room: Path, account: str, n: str, sshd: Sshd | None) -> Started:
    pidfile = room / "data" / f"{way.replace(' ', '_')}-{n}.pid"
    run = f"{room}/run {pidfile}"
    wrappers = {
        "direct": [str(room / "run"), str(pidfile)],
        "su": ["su", account, "-c", run],
        "su -": ["su", "-", account, "-c", run],
        "runuser": ["runuser", "-u", account, "--", str(room / "run"), str(pidfile)],
        "runuser -l": ["runuser", "-l", account, "-c", run],
        "sudo -iu": ["sudo", "-iu", account, str(room / "run"), str(pidfile)],
        "ssh -t": [*(sshd.command if sshd else []), run],
    }
    started = Started(way, pidfile)
    if way in wrappers:
        started.child, started.master = _on_pty(wrappers[way], account if way == "direct" else None)

        def hang_up() -> None:  # the SSH link drops: the terminal's other end closes
            _close(started.master)
            started.master = -1

        started.drop = hang_up
    elif way == "tmux killed":
        name = f"mopstui-hup-{uuid.uuid4().hex[:8]}"
        command = ["tmux", "-L", name, "new-session", "-d", "-x", "80", "-y", "24", f"su - {account} -c {shlex.quote(run)}"]
        subprocess.run(command, check=True, env={**os.environ, "TERM": "xterm-256color"})
        pids = subprocess.run(["tmux", "-L", name, "display", "-p", "#{pid}"], capture_output=True, text=True).stdout
        started.servers = [int(pid) for pid in pids.split()]
        kill = ["tmux", "-L", name, "kill-server"]

        def kill_tmux() -> None:  # not waited for here: the other terminals go meanwhile
            started.helpers.append(subprocess.Popen(kill, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))

        started.drop = kill_tmux
        started.shows = lambda: subprocess.run(["tmux", "-L", name, "capture-pane", "-p"], capture_output=True, text=True).stdout
        started.cleanup.append(lambda: subprocess.run(kill, capture_output=True))
    elif way == "screen killed":
        name = f"mopstui-hup-{uuid.uuid4().hex[:8]}"
        command = ["screen", "-dmS", name, "su", "-", account, "-c", run]
        subprocess.run(command, check=True, env={**os.environ, "TERM": "xterm-256color"})
        # screen's server renames itself SCREEN; the command that started it has returned
        assert wait_until(lambda: bool(commands_starting(["SCREEN", *command[1:]])), 10), f"{name} did not start"
        started.servers = commands_starting(["SCREEN", *command[1:]])
        copy = room / "data" / f"{name}.txt"

        def screen_shows() -> str:
            subprocess.run(["screen", "-S", name, "-X", "hardcopy", str(copy)], capture_output=True)
            try:
                return copy.read_text(errors="replace")
            except FileNotFoundError:
                return ""

        started.shows = screen_shows

        def kill_screen() -> None:  # the screen process itself killed, as a dropped host would
            for pid in started.servers:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass

        started.drop = kill_screen
        started.cleanup += [kill_screen, lambda: subprocess.run(["screen", "-wipe", name], capture_output=True)]
    return started


ALL_WAYS = ["direct", "su", "su -", "runuser", "runuser -l", "ssh -t", "sudo -iu", "tmux killed", "screen killed"]


def ways(sshd: Sshd | None) -> list[str]:
    found = ["direct", "su", "su -", "runuser", "runuser -l"]
    if sshd:
        found.append("ssh -t")
    for way, tool in (("sudo -iu", "sudo"), ("tmux killed", "tmux"), ("screen killed", "screen")):
        if shutil.which(tool):
            found.append(way)
        else:
            absent(tool, f"for the {way} way")
    return found


def drawn(started: Started) -> bool:
    """The screen is up: its pid written and its first frame on its terminal."""
    if started.pid() is None:
        return False
    if started.master < 0:  # read through tmux or screen: a process each look, so not too often
        if time.monotonic() - started.looked < 0.25:
            return False
        started.looked = time.monotonic()
        return "Lead form down" in started.shows()
    while select.select([started.master], [], [], 0)[0]:
        try:
            chunk = os.read(started.master, 65536)
        except OSError:
            break
        if not chunk:
            break
        started.seen += chunk
    return b"Lead form down" in started.seen


def _end(screen: Started) -> list[str]:
    """Take down whatever of this start is still there, and say what had to be killed."""
    for helper in screen.helpers:
        helper.wait(10)
    for step in screen.cleanup:
        step()
    _close(screen.master)
    left = []
    pid = screen.pid()
    if pid is not None and alive(pid):
        left.append(f"{screen.way}: screen pid {pid}")
        os.kill(pid, signal.SIGKILL)
    for server in screen.servers:
        if not wait_until(lambda server=server: not alive(server), 5):
            left.append(f"{screen.way}: server pid {server}")
            os.kill(server, signal.SIGKILL)
    if screen.child:
        if not wait_until(lambda: os.waitpid(screen.child, os.WNOHANG)[0] != 0, 5):
            left.append(f"{screen.way}: wrapper pid {screen.child}")
            os.kill(screen.child, signal.SIGKILL)
            os.waitpid(screen.child, 0)
        screen.child = 0
    return left


@dataclass
class Tally:
    took: dict[str, list[float]] = field(default_factory=dict)  # way: seconds from drop to end, each start
    late: list[str] = field(default_factory=list)
    left: list[str] = field(default_factory=list)

    def count(self) -> int:
        return sum(len(times) for times in self.took.values())


def one_round(number: int, screens: list[Started], tally: Tally) -> None:
    """Every screen up, every terminal taken away at once, each end timed."""
    came_up = wait_until(lambda: all(drawn(s) for s in screens), 60)
    assert came_up, f"round {number}: never came up: " + "; ".join(
        f"{s.way}: {s.seen[-300:]!r} {s.shows()[-300:]!r}" for s in screens if not drawn(s)
    )
    pending: dict[int, tuple[int | None, float]] = {}  # screen: its pid, when its terminal went

    def notice_ends() -> None:
        for index, (pid, dropped) in list(pending.items()):
            if pid is None or not alive(pid):
                took, way = time.monotonic() - dropped, screens[index].way
                tally.took.setdefault(way, []).append(took)
                if took > LIMIT:
                    tally.late.append(f"round {number}, {way}: ended {took:.2f} s after its terminal went")
                del pending[index]

    for index, screen in enumerate(screens):
        pending[index] = (screen.pid(), time.monotonic())
        screen.drop()
        notice_ends()
    deadline = time.monotonic() + 10
    while pending and time.monotonic() < deadline:
        notice_ends()
        time.sleep(0.02)
    for index, (pid, _) in pending.items():
        tally.late.append(f"round {number}, {screens[index].way}: still running 10 s after its terminal went (pid {pid})")


def test_a_screen_whose_terminal_is_gone_ends_within_two_seconds_however_it_was_started(room, account, sshd):
    uid = pwd.getpwnam(account).pw_uid
    every = ways(sshd)
    tally = Tally()
    began = time.monotonic()
    for number in range(ROUNDS):
        screens: list[Started] = []
        try:
            for copy in range(COPIES):
                screens += [start(way, room, account, f"{number}-{copy}", sshd) for way in every]
            one_round(number, screens, tally)
        finally:
            for screen in screens:
                tally.left += _end(screen)
        # Everything the round started has ended: what ran as the account (the screens, the
        # shells under su, the sshd session's side), and the sshd sessions themselves.
        if not wait_until(lambda: not processes_of(uid), 10):
            tally.left.append(f"round {number}: still running as {account}: {processes_of(uid)}")
        if sshd and not wait_until(lambda: not sshd.sessions(), 10):
            tally.left.append(f"round {number}: sshd sessions still running: {sshd.sessions()}")
    worst = ", ".join(f"{way} worst {max(times):.2f} s" for way, times in tally.took.items())
    missing = [way for way in ALL_WAYS if way not in every]
    left_out = f" ({', '.join(missing)} left out: not installed)" if missing else ""
    print(
        f"\n{tally.count()} of {ROUNDS * COPIES * len(every)} screens ended within {LIMIT:.0f} s of their terminal going, "
        f"in {time.monotonic() - began:.1f} s{left_out}: {worst}"
    )
    assert not tally.late, "\n".join(tally.late)
    assert tally.count() == ROUNDS * COPIES * len(every)
    assert not tally.left, "left running after the round, and killed:\n" + "\n".join(tally.left)
