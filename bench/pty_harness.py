"""Run a program in a real pseudo-terminal: time its first frame, count the bytes it writes,
read the CPU it uses. Shared by the screen benchmarks."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import struct
import termios
import time


class PtyProcess:
    def __init__(self, argv: list[str], *, env: dict[str, str] | None = None, cols: int = 80, rows: int = 24) -> None:
        self.started = time.perf_counter()
        pid, fd = pty.fork()
        if pid == 0:  # child
            os.execvpe(argv[0], argv, {**os.environ, "TERM": "xterm-256color", **(env or {})})
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        os.kill(pid, signal.SIGWINCH)
        self.pid, self.fd = pid, fd
        self.output = bytearray()

    def read_for(self, seconds: float) -> int:
        """Read whatever arrives for `seconds`; returns the number of bytes."""
        deadline = time.perf_counter() + seconds
        count = 0
        while (remaining := deadline - time.perf_counter()) > 0:
            ready, _, _ = select.select([self.fd], [], [], remaining)
            if ready:
                try:
                    chunk = os.read(self.fd, 65536)
                except OSError:
                    break
                count += len(chunk)
                self.output += chunk
        return count

    def wait_for(self, marker: bytes, timeout: float = 30.0) -> float:
        """Seconds from start until `marker` was written."""
        deadline = time.perf_counter() + timeout
        while marker not in self.output:
            if time.perf_counter() > deadline:
                raise TimeoutError(f"{marker!r} not seen in {timeout}s")
            self.read_for(0.01)
        return time.perf_counter() - self.started

    def cpu_seconds(self) -> float:
        with open(f"/proc/{self.pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def send(self, data: bytes) -> None:
        os.write(self.fd, data)

    def close(self) -> None:
        try:
            os.kill(self.pid, signal.SIGTERM)
            for _ in range(50):
                if os.waitpid(self.pid, os.WNOHANG)[0]:
                    break
                self.read_for(0.05)
            else:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        os.close(self.fd)
