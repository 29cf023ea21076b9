"""A screen whose terminal is gone ends within 2 s however it was started: directly, under `su`,
`su -`, `runuser`, `runuser -l`, `sudo -iu`, inside tmux or screen killed. Under `su -c` and the
like the screen has a session of its own and no controlling terminal, so no hang-up signal ever
came: it spun at 100 % of a core on the deleted pts, forever (see tui/driver.py).

Real accounts (made here with useradd, so root only, and never in CI), a real pty per screen.
Each round starts every way at once (ssh -t through a private sshd when OpenSSH's server is
installed); MOPSTUI_HANGUP_ROUNDS sets how many rounds: 2 by default (18 starts, ~20 s, within
the suite's budget); 12 rounds is 108 starts, ~2 min."""

from __future__ import annotations

import fcntl
import os
import pty
import pwd
import shutil
import signal
import struct
import subprocess
import sys
import sysconfig
import termios
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from .conftest import ROOT

ROUNDS = int(os.environ.get("MOPSTUI_HANGUP_ROUNDS", "2"))
LIMIT = 2.0  # seconds from the terminal going to the screen's end
ACCOUNT = "mopstui-hup"

pytestmark = [
    pytest.mark.skipif(os.geteuid() != 0, reason="makes a real account with useradd: run as root"),
    pytest.mark.skipif(os.environ.get("CI") == "true", reason="makes real accounts: never in CI"),
]


def system_python() -> str:
    """A Python every account can run, of this one's version (this one may live under /root)."""
    name = f"python{sys.version_info.major}.{sys.version_info.minor}"
    for path in (f"/usr/bin/{name}", f"/usr/local/bin/{name}"):
        if os.access(path, os.X_OK):
            return path
    pytest.skip(f"no {name} outside /root for another account to run mopstui with")


@pytest.fixture(scope="module")
def account():
    made = False
    try:
        pwd.getpwnam(ACCOUNT)
    except KeyError:
        subprocess.run(
            ["useradd", "--no-create-home", "--home-dir", "/nonexistent", "--shell", "/bin/sh", ACCOUNT],
            check=True,
            capture_output=True,
        )
        made = True
    yield ACCOUNT
    if made:
        subprocess.run(["userdel", ACCOUNT], capture_output=True)


@pytest.fixture(scope="module")
def sshd(account, tmp_path_factory):
    """A private sshd on 127.0.0.1 that lets the account in with a key made here; None when
    OpenSSH's server is not installed (then `ssh -t` is left out, and the summary says so)."""
    if not (os.access("/usr/sbin/sshd", os.X_OK) and shutil.which("ssh") and shutil.which("ssh-keygen")):
        yield None
        return
    import socket

    base = Path("/var/tmp") / f"mopstui-sshd-{uuid.uuid4().hex[:8]}"
    base.mkdir(mode=0o755)
    for key in ("host", "user"):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(base / key)], check=True)
    (base / "authorized_keys").write_text((base / "user.pub").read_text())
    (base / "authorized_keys").chmod(0o644)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    (base / "sshd_config").write_text(
        f"Port {port}\nListenAddress 127.0.0.1\nHostKey {base}/host\nPidFile {base}/sshd.pid\n"
        f"AuthorizedKeysFile {base}/authorized_keys\nStrictModes no\nUsePAM no\nPasswordAuthentication no\n"
        f"KbdInteractiveAuthentication no\nAllowUsers {account}\n"
    )
    subprocess.run(["usermod", "-p", "*", account], check=True)  # "!" (locked) keeps a key out too
    Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # sshd's own privilege-separation directory
    server = subprocess.Popen(
        ["/usr/sbin/sshd", "-D", "-e", "-f", str(base / "sshd_config")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    ssh = [
        "ssh",
        "-t",
        "-i",
        str(base / "user"),
        "-p",
        str(port),
        "-o",
        "StrictHostKeyChecking=no",
        "-o",
        "UserKnownHostsFile=/dev/null",
        "-o",
        "BatchMode=yes",
        "-o",
        "LogLevel=ERROR",
        f"{account}@127.0.0.1",
    ]
    deadline = time.monotonic() + 10
    while subprocess.run([*ssh[:1], *ssh[2:], "true"], capture_output=True).returncode != 0:
        assert time.monotonic() < deadline and server.poll() is None, "the test's sshd did not start"
        time.sleep(0.2)
    yield ssh
    server.terminate()
    server.wait(10)
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def room(account):
    """A war-room the account owns, under /var/tmp, and a launcher it can run: `run PIDFILE`
    writes its pid and becomes the screen."""
    base = Path("/var/tmp") / f"mopstui-hangup-{uuid.uuid4().hex[:8]}"
    base.mkdir(mode=0o755)
    user = pwd.getpwnam(account)
    os.chown(base, user.pw_uid, user.pw_gid)
    (base / "c.yaml").write_text("timezone: UTC\n")
    site = sysconfig.get_paths()["purelib"]
    program = (
        f"import site, sys; sys.path.insert(0, {str(ROOT)!r}); site.addsitedir({site!r}); "
        "sys.argv[0] = 'mopstui'; from mopstui.cli import main; sys.exit(main())"
    )
    launcher = base / "run"
    launcher.write_text(
        "#!/bin/sh\n"
        'echo $$ > "$1"; shift\n'
        f"MOPSTUI_USER=hup exec {system_python()} -c {_sh(program)} "
        f'--config {base}/c.yaml --db {base}/warroom.db "$@"\n'
    )
    launcher.chmod(0o755)
    subprocess.run(
        ["runuser", "-u", account, "--", str(launcher), "/dev/null", "declare", "Lead form down", "--severity", "SEV2"],
        check=True,
        capture_output=True,
    )
    yield base
    shutil.rmtree(base, ignore_errors=True)


def _sh(word: str) -> str:
    import shlex

    return shlex.quote(word)


@dataclass
class Started:
    """One screen on its own terminal, and how to take that terminal away."""

    way: str
    pidfile: Path
    master: int = -1
    child: int = 0
    drop: Callable[[], None] = lambda: None
    shows: Callable[[], str] = lambda: ""  # what its terminal shows, where we cannot read it ourselves
    seen: bytes = b""
    extra: list[Callable[[], None]] = field(default_factory=list)

    def pid(self) -> int | None:
        try:
            return int(self.pidfile.read_text().strip())
        except (FileNotFoundError, ValueError):
            return None


def _on_pty(command: list[str], as_account: str | None = None) -> tuple[int, int]:
    pid, master = pty.fork()
    if pid == 0:
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        if as_account:  # the account's own login, as its SSH session would start it
            user = pwd.getpwnam(as_account)
            os.setgroups([])
            os.setgid(user.pw_gid)
            os.setuid(user.pw_uid)
        env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "TERM": "xterm-256color", "HOME": "/root"}
        os.execvpe(command[0], command, env)
    return pid, master


def _close(fd: int) -> None:
    try:
        os.close(fd)
    except OSError:
        pass


def start(way: str, room: Path, account: str, n: int, ssh: list[str] | None) -> Started:
    pidfile = room / f"{way.replace(' ', '_')}-{n}.pid"
    run = f"{room}/run {pidfile}"
    wrappers = {
        "direct": [str(room / "run"), str(pidfile)],
        "su": ["su", account, "-c", run],
        "su -": ["su", "-", account, "-c", run],
        "runuser": ["runuser", "-u", account, "--", str(room / "run"), str(pidfile)],
        "runuser -l": ["runuser", "-l", account, "-c", run],
        "sudo -iu": ["sudo", "-iu", account, str(room / "run"), str(pidfile)],
        "ssh -t": [*(ssh or []), run],
    }
    started = Started(way, pidfile)
    if way in wrappers:
        started.child, started.master = _on_pty(wrappers[way], account if way == "direct" else None)

        def hang_up() -> None:  # the SSH link drops: the terminal's other end closes
            _close(started.master)
            started.master = -1

        started.drop = hang_up
    elif way == "tmux killed":
        socket = f"mopstui-hup-{uuid.uuid4().hex[:8]}"
        subprocess.run(
            ["tmux", "-L", socket, "new-session", "-d", "-x", "80", "-y", "24", f"su - {account} -c '{run}'"], check=True
        )
        started.drop = lambda: subprocess.run(["tmux", "-L", socket, "kill-server"], capture_output=True)
        started.shows = lambda: (
            subprocess.run(["tmux", "-L", socket, "capture-pane", "-p"], capture_output=True, text=True).stdout
        )
        started.extra.append(started.drop)
    elif way == "screen killed":
        name = f"mopstui-hup-{uuid.uuid4().hex[:8]}"
        subprocess.run(
            ["screen", "-dmS", name, "su", "-", account, "-c", run], check=True, env={**os.environ, "TERM": "xterm-256color"}
        )
        copy = room / f"{name}.txt"

        def screen_shows() -> str:
            subprocess.run(["screen", "-S", name, "-X", "hardcopy", str(copy)], capture_output=True)
            try:
                return copy.read_text(errors="replace")
            except FileNotFoundError:
                return ""

        started.shows = screen_shows

        def kill_screen() -> None:  # the screen process itself killed, as a dropped host would
            found = subprocess.run(["pgrep", "-f", f"SCREEN -dmS {name}"], capture_output=True, text=True).stdout.split()
            for pid in found:
                os.kill(int(pid), signal.SIGKILL)

        started.drop = kill_screen
        started.extra.append(lambda: subprocess.run(["screen", "-S", name, "-X", "quit"], capture_output=True))
    return started


def ways(ssh: list[str] | None) -> list[str]:
    found = ["direct", "su", "su -", "runuser", "runuser -l"]
    if ssh:
        found.append("ssh -t")
    if shutil.which("sudo"):
        found.append("sudo -iu")
    if shutil.which("tmux"):
        found.append("tmux killed")
    if shutil.which("screen"):
        found.append("screen killed")
    return found


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError):
        return False


def drawn(started: Started) -> bool:
    """The screen is up: its pid written and its first frame on its terminal."""
    if started.pid() is None:
        return False
    if started.master < 0:
        return "Lead form down" in started.shows()
    import select

    while select.select([started.master], [], [], 0)[0]:
        try:
            chunk = os.read(started.master, 65536)
        except OSError:
            break
        if not chunk:
            break
        started.seen += chunk
    return b"Lead form down" in started.seen


def test_a_screen_whose_terminal_is_gone_ends_within_two_seconds_however_it_was_started(room, account, sshd):
    results: dict[str, list[float]] = {}
    failures: list[str] = []
    counted = 0
    for round_number in range(ROUNDS):
        screens = [start(way, room, account, round_number, sshd) for way in ways(sshd)]
        try:
            deadline = time.monotonic() + 60
            while not all(drawn(s) for s in screens) and time.monotonic() < deadline:
                time.sleep(0.1)
            not_up = [s.way for s in screens if not drawn(s)]
            assert not not_up, f"round {round_number}: never came up: {not_up}: " + "; ".join(
                f"{s.way}: {s.seen[-300:]!r} {s.shows()[-300:]!r}" for s in screens if not drawn(s)
            )
            time.sleep(0.5)  # all settled into their loops
            dropped: dict[str, float] = {}
            for screen in screens:
                dropped[screen.way] = time.monotonic()
                screen.drop()
            pending = {s.way: s.pid() for s in screens}
            ended: dict[str, float] = {}
            deadline = time.monotonic() + 10
            while pending and time.monotonic() < deadline:
                for way, pid in list(pending.items()):
                    if pid is None or not alive(pid):
                        ended[way] = time.monotonic() - dropped[way]
                        del pending[way]
                time.sleep(0.02)
            for way, took in ended.items():
                results.setdefault(way, []).append(took)
                counted += 1
                if took > LIMIT:
                    failures.append(f"round {round_number}, {way}: ended {took:.2f} s after its terminal went")
            for way, pid in pending.items():
                failures.append(f"round {round_number}, {way}: still running 10 s after its terminal went (pid {pid})")
        finally:
            for screen in screens:
                for extra in screen.extra:
                    extra()
                _close(screen.master)
                pid = screen.pid()
                if pid is not None and alive(pid):
                    os.kill(pid, signal.SIGKILL)
                if screen.child:
                    try:
                        os.kill(screen.child, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                    try:
                        os.waitpid(screen.child, 0)
                    except ChildProcessError:
                        pass
    summary = ", ".join(f"{way} worst {max(times):.2f} s" for way, times in results.items())
    left_out = "" if sshd else " (ssh -t left out: no OpenSSH server installed)"
    print(f"\n{counted} screens hung up, {len(failures)} late or left{left_out}: {summary}")
    assert not failures, "\n".join(failures)
    # and none is left behind
    for round_number in range(ROUNDS):
        for way in ways(sshd):
            pid = Started(way, room / f"{way.replace(' ', '_')}-{round_number}.pid").pid()
            assert pid is None or not alive(pid), f"{way} left pid {pid}"
