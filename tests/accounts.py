"""Running mopstui as another, real account, for the tests that need one (root only).

- `shared_install()`: mopstui as every account can run it. The checkout and its development
  environment may sit in root's private home (CI's clone does), where another account cannot
  read a byte; so, as `make install-shared` does, a virtual environment is made under /var/tmp
  from the system's Python, and the checkout's package and the libraries it runs on go into it
  (from this test run's own environment: no network). Root's, mode 0755, compiled.
- `private_sshd(account)`: an sshd of the test's own on 127.0.0.1 that lets one account in with
  a key made for it, for `ssh -t`.
- What a test needs to prove the processes it started have ended: `alive`, `processes_of` (an
  account's), `children_of`, `commands_starting` (a detached server found by its command line).

Everything made lives under /var/tmp and is removed on the way out; the removal is checked."""

from __future__ import annotations

import compileall
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

from .conftest import ROOT


def wait_until(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def _stat_fields(pid: int | str) -> list[str] | None:
    """/proc/PID/stat after the command's name: state, parent, ...; None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return None


def alive(pid: int) -> bool:
    """Running (a zombie has ended: only its exit status waits to be collected)."""
    fields = _stat_fields(pid)
    return fields is not None and fields[0] != "Z"


def _running() -> Iterator[str]:
    return (entry for entry in os.listdir("/proc") if entry.isdigit())


def processes_of(uid: int) -> list[int]:
    """Processes running as uid, by real or effective user (/proc/PID itself belongs to root while
    a process that has just changed user has not yet run a program)."""
    found = []
    for pid in _running():
        try:
            with open(f"/proc/{pid}/status") as status:
                uids = next(line for line in status if line.startswith("Uid:")).split()[1:3]
        except (FileNotFoundError, ProcessLookupError, StopIteration):
            continue
        if str(uid) in uids and alive(int(pid)):
            found.append(int(pid))
    return found


def children_of(parent: int) -> list[int]:
    found = []
    for pid in _running():
        fields = _stat_fields(pid)
        if fields is not None and fields[0] != "Z" and int(fields[1]) == parent:
            found.append(int(pid))
    return found


def commands_starting(words: list[str]) -> list[int]:
    """Running processes whose command line starts with these words (no pgrep: CI's image may
    not have procps)."""
    wanted = "\0".join(words) + "\0"
    found = []
    for pid in _running():
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                command = cmdline.read().decode(errors="replace")
        except (FileNotFoundError, ProcessLookupError):
            continue
        if command.startswith(wanted) and alive(int(pid)):
            found.append(int(pid))
    return found


def system_python() -> str | None:
    """A Python every account can run, of this one's version (this one may live under /root)."""
    name = f"python{sys.version_info.major}.{sys.version_info.minor}"
    for path in (f"/usr/bin/{name}", f"/usr/local/bin/{name}"):
        if os.access(path, os.X_OK) and not os.path.realpath(path).startswith(("/root/", "/home/")):
            return path
    return None


def runtime_distributions(name: str) -> list[metadata.Distribution]:
    """The distributions `name` needs to run on this Python (no extras), as installed here."""
    found: dict[str, metadata.Distribution] = {}
    todo = [name]
    while todo:
        wanted = re.sub(r"[-_.]+", "-", todo.pop()).lower()
        if wanted in found:
            continue
        try:
            dist = metadata.distribution(wanted)
        except metadata.PackageNotFoundError:
            continue
        found[wanted] = dist
        for text in dist.requires or ():
            requirement = Requirement(text)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                todo.append(requirement.name)
    return list(found.values())


def _link_or_copy(source: Path, target: Path) -> None:
    """A hard link where it may be one (six times faster than copying ~4,000 files on a busy
    host): the same file system, root's file, readable by all and writable by root alone."""
    state = source.stat()
    if state.st_uid == 0 and state.st_mode & 0o004 and not state.st_mode & 0o022:
        try:
            os.link(source, target)
            return
        except OSError:  # another file system, or links refused
            pass
    shutil.copy2(source, target)


def _readable_by_all(top: Path) -> None:
    """Directories 0755, files 0644 (0755 when executable); the hard links are left alone: they
    are that already, and their mode is their original's too."""
    for directory, _, files in os.walk(top):
        os.chmod(directory, 0o755)
        for name in files:
            path = Path(directory) / name
            state = path.lstat()
            if not path.is_symlink() and state.st_nlink == 1:
                path.chmod(0o755 if state.st_mode & 0o100 else 0o644)


@contextmanager
def shared_install() -> Iterator[Path]:
    """Yields the python of a virtual environment every account can run mopstui with
    (`python -m mopstui`). Raises FileNotFoundError when the system has no Python of this
    version outside the private homes."""
    python = system_python()
    if python is None:
        raise FileNotFoundError(f"no python{sys.version_info.major}.{sys.version_info.minor} outside /root and /home")
    base = Path(tempfile.mkdtemp(prefix="mopstui-shared-", dir="/var/tmp"))
    try:
        base.chmod(0o755)
        venv = base / "venv"
        subprocess.run([python, "-m", "venv", "--without-pip", str(venv)], check=True, capture_output=True)
        paths = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
        target = Path(
            subprocess.run([venv / "bin" / "python", "-c", paths], check=True, capture_output=True, text=True).stdout.strip()
        )
        for dist in runtime_distributions("mopstui"):
            if dist.metadata["Name"].lower() == "mopstui":
                continue  # the checkout itself (installed editable here) is copied below
            where = Path(dist.locate_file(""))
            for name in dist.files or ():
                if name.parts[0] == ".." or not (where / name).is_file():
                    continue  # a script in the environment's bin, or a file pip listed and never wrote
                (target / name).parent.mkdir(parents=True, exist_ok=True)
                _link_or_copy(where / name, target / name)
        shutil.copytree(ROOT / "mopstui", target / "mopstui", ignore=shutil.ignore_patterns("__pycache__"))
        # Compiled now, as root: an account cannot write __pycache__ here, and each start would
        # compile the whole package again on its way up.
        if not compileall.compile_dir(target, quiet=1, workers=0):
            raise RuntimeError(f"the copy of mopstui in {target} did not compile")
        _readable_by_all(base)
        yield venv / "bin" / "python"
    finally:
        shutil.rmtree(base, ignore_errors=True)
    assert not base.exists(), f"{base} was not removed"


@dataclass
class Sshd:
    command: list[str]  # ssh -t ... account@127.0.0.1; append the remote command
    server: subprocess.Popen

    def sessions(self) -> list[int]:
        return children_of(self.server.pid)


def has_openssh() -> bool:
    return os.access("/usr/sbin/sshd", os.X_OK) and bool(shutil.which("ssh")) and bool(shutil.which("ssh-keygen"))


@contextmanager
def private_sshd(account: str) -> Iterator[Sshd]:
    """An sshd on a free port of 127.0.0.1 with its own host key, letting `account` in with a key
    made here (and nobody else, by nothing else). Stopped on the way out, the stop proven, once
    every session it served has ended."""
    base = Path(tempfile.mkdtemp(prefix="mopstui-sshd-", dir="/var/tmp"))
    server = None
    try:
        base.chmod(0o755)
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
            f"KbdInteractiveAuthentication no\nAllowUsers {account}\nMaxStartups 100\n"
        )
        subprocess.run(["usermod", "-p", "*", account], check=True)  # "!" (locked) keeps a key out too
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # sshd's own privilege-separation directory
        server = subprocess.Popen(
            ["/usr/sbin/sshd", "-D", "-e", "-f", str(base / "sshd_config")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        ssh = ["ssh", "-t", "-i", str(base / "user"), "-p", str(port), "-o", "BatchMode=yes", "-o", "LogLevel=ERROR"]
        ssh += ["-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", f"{account}@127.0.0.1"]
        probe_command = [word for word in ssh if word != "-t"] + ["true"]
        answered = wait_until(
            lambda: server.poll() is not None or subprocess.run(probe_command, capture_output=True).returncode == 0, 10
        )
        if not answered or server.poll() is not None:
            raise RuntimeError("the test's sshd did not start")
        found = Sshd(ssh, server)
        yield found
        if not wait_until(lambda: not found.sessions(), 10):
            raise AssertionError(f"sshd sessions still running: {found.sessions()}")
    finally:
        if server is not None:
            server.terminate()
            server.wait(10)
        shutil.rmtree(base, ignore_errors=True)
    assert not base.exists(), f"{base} was not removed"
