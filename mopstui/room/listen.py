"""`mopstui listen`: an HTTP receiver for silence and deliverability signals (CRM workflows,
Zapier, an ESP's event webhook), on 127.0.0.1 unless told otherwise; behind a reverse proxy for
SaaS webhooks (README).

Every request names its signal and carries that signal's secret, in the path
(`/signal/ID/TOKEN`) or a header (`X-Mopstui-Token`, or `Authorization: Bearer`), compared in
constant time with the value of the signal's `token_env` variable: a signal with no token is
refused whole. Bounded: a body is at most MAX_BODY bytes, each signal takes a burst of BURST
requests then RATE a second (429 past that), and arrivals wait in a bounded queue for the one
thread that writes them (503 when it is full). At most MAX_CONNECTIONS connections are served at
once (503 past that), and a request has REQUEST_DEADLINE seconds in all to send its headers and
body, however slowly it drips them. A refusal made before the body is read closes the connection,
so a body can never be taken for a second request. Nothing a sender posts is run or shown as markup.
"""

from __future__ import annotations

import hmac
import io
import json
import os
import queue
import re
import socket
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from ..base.plain import said
from ..base.timeutil import to_store, utcnow
from ..config import Config
from ..signals.deliverability import parse_events

MAX_BODY = 1024 * 1024
BURST, RATE = 60, 10.0
QUEUE_SIZE = 2000
MAX_ROWS_PER_REQUEST = 10_000
TOKEN_HEADER = "X-Mopstui-Token"
MAX_CONNECTIONS = 64
REQUEST_DEADLINE = 10.0  # seconds for a whole request, from waiting for its first line to its last body byte
IDLE_TIMEOUT = 10  # seconds for any one read or write
PROBLEM_EVERY = 60.0  # a broken connection is said at most once a minute (with how many since)
BUSY = (
    b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\nRetry-After: 2\r\n"
    b"Connection: close\r\nContent-Length: 40\r\n\r\ntoo many connections at once; retry soon\n"
)
DIGITS = re.compile(r"[0-9]{1,18}")

Row = tuple[str, str, int, "str | None", str]


class Bucket:
    """A token bucket: BURST at once, then RATE a second."""

    def __init__(self, burst: int = BURST, rate: float = RATE) -> None:
        self.burst, self.rate = burst, rate
        self.tokens, self.at = float(burst), time.monotonic()
        self.lock = threading.Lock()

    def take(self) -> bool:
        with self.lock:
            now = time.monotonic()
            self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
            self.at = now
            if self.tokens >= 1:
                self.tokens -= 1
                return True
            return False


class _DeadlineReader(io.RawIOBase):
    """A socket read with a deadline for the whole request, not just for each read: a sender
    dripping a byte every few seconds is cut off when its time is up."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock, self.deadline = sock, float("inf")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the request took too long")
        self.sock.settimeout(min(left, IDLE_TIMEOUT))
        return self.sock.recv_into(buffer)


class Receiver(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64

    def __init__(
        self, config: Config, address: tuple[str, int], write: Callable[[list[Row]], None], environ: dict[str, str] | None = None
    ) -> None:
        environ = environ if environ is not None else dict(os.environ)
        self.config = config
        self.signals = {s.id: s for s in config.signals if s.kind in ("silence", "deliverability")}
        self.tokens = {s.id: environ.get(s.token_env, "").encode() for s in self.signals.values() if s.token_env}
        self.buckets = {signal_id: Bucket() for signal_id in self.signals}
        self.pending: queue.Queue[list[Row]] = queue.Queue(QUEUE_SIZE)
        self.write = write
        self.problems: list[str] = []
        self.writer = threading.Thread(target=self._drain, name="mopstui-listen-writer", daemon=True)
        self.stopping = threading.Event()
        self.slots = threading.BoundedSemaphore(MAX_CONNECTIONS)
        self.broken, self.said_broken_at = 0, -PROBLEM_EVERY
        self.problem_lock = threading.Lock()
        super().__init__(address, _Handler)
        self.writer.start()

    def _drain(self) -> None:
        """The one thread that writes: everything waiting, in one transaction at a time."""
        while not (self.stopping.is_set() and self.pending.empty()):
            try:
                rows = self.pending.get(timeout=0.2)
            except queue.Empty:
                continue
            while len(rows) < MAX_ROWS_PER_REQUEST:
                try:
                    rows += self.pending.get_nowait()
                except queue.Empty:
                    break
            try:
                self.write(rows)
            except Exception as error:  # a busy or broken war-room: said, and the receiver goes on
                self.problems.append(f"could not store {len(rows)} arrivals: {said(error)}")

    def process_request(self, request: Any, client_address: Any) -> None:
        """A thread per connection, at most MAX_CONNECTIONS of them: past that, a short 503."""
        if not self.slots.acquire(blocking=False):
            try:
                request.setblocking(False)  # the accepting thread never waits on a sender
                request.send(BUSY)
            except OSError:
                pass
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self.slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.slots.release()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A sender that hangs up mid-request (or any other failure of one connection) is one plain
        line among the problems, at most once a minute, never a traceback."""
        import sys

        error = sys.exc_info()[1]
        with self.problem_lock:
            self.broken += 1
            now = time.monotonic()
            if now - self.said_broken_at < PROBLEM_EVERY:
                return
            self.said_broken_at, more, self.broken = now, self.broken - 1, 0
        what = type(error).__name__ if error else "unknown"
        since = f", and {more} more since the last such warning" if more else ""
        self.problems.append(f"a connection from {client_address[0]} ended badly ({what}){since}; the receiver goes on")

    def close(self) -> None:
        self.shutdown()
        self.stopping.set()
        self.writer.join(timeout=10)
        self.server_close()


class _Handler(BaseHTTPRequestHandler):
    server: Receiver
    protocol_version = "HTTP/1.1"
    timeout = IDLE_TIMEOUT  # a sender that stops mid-request gives its thread back
    disable_nagle_algorithm = True  # headers and body leave at once, not 40 ms apart
    body_read = False

    def setup(self) -> None:
        super().setup()
        self.reader = _DeadlineReader(self.connection)
        self.rfile = io.BufferedReader(self.reader)

    def handle_one_request(self) -> None:
        self.reader.deadline = time.monotonic() + REQUEST_DEADLINE
        self.body_read = False
        super().handle_one_request()

    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._answer(405, "send a POST to /signal/ID (with the signal's token)")

    def do_POST(self) -> None:
        parts = self.path.split("?", 1)[0].strip("/").split("/")
        if len(parts) not in (2, 3) or parts[0] != "signal":
            self._answer(404, "post to /signal/ID or /signal/ID/TOKEN")
            return
        signal = self.server.signals.get(parts[1])
        if signal is None:
            self._answer(404, "no such signal")
            return
        if not self._token_ok(signal.id, parts[2] if len(parts) == 3 else None):
            return
        if not self.server.buckets[signal.id].take():
            self._answer(429, "too many requests for this signal; slow down", {"Retry-After": "1"})
            return
        body = self._body()
        if body is None:
            return
        try:
            rows = self._rows(signal, body)
        except Exception:  # whatever a sender's body does to a parser, it is refused, not a traceback
            self._answer(400, "could not read the body")
            return
        if rows is None:
            return
        try:
            self.server.pending.put_nowait(rows)
        except queue.Full:
            self._answer(503, "busy storing what came before; retry shortly", {"Retry-After": "2"})
            return
        self._answer(202, f"{len(rows)} recorded")

    def _token_ok(self, signal_id: str, in_path: str | None) -> bool:
        expected = self.server.tokens.get(signal_id, b"")
        if not expected:
            self._answer(403, "this signal has no token set (token_env) on the receiving host: refused")
            return False
        given = in_path or self.headers.get(TOKEN_HEADER) or ""
        bearer = self.headers.get("Authorization", "")
        if not given and bearer.lower().startswith("bearer "):
            given = bearer[7:].strip()
        if not given:
            self._answer(401, "a token is needed: in the path, X-Mopstui-Token, or Authorization: Bearer")
            return False
        if not hmac.compare_digest(given.encode("utf-8", "replace"), expected):
            self._answer(403, "wrong token")
            return False
        return True

    def _body(self) -> bytes | None:
        lengths = self.headers.get_all("Content-Length") or []
        if self.headers.get_all("Transfer-Encoding"):
            self._answer(411, "send a Content-Length, without Transfer-Encoding")
            return None
        if len(lengths) > 1:
            self._answer(400, "more than one Content-Length")
            return None
        if not lengths:
            self.body_read = True
            return b""
        if not DIGITS.fullmatch(lengths[0].strip()):
            self._answer(400, "bad Content-Length")
            return None
        if int(lengths[0]) > MAX_BODY:
            self._answer(413, f"body too large (at most {MAX_BODY // 1024} KB)")
            return None
        body = self.rfile.read(int(lengths[0]))
        if len(body) < int(lengths[0]):
            self.close_connection = True  # the sender hung up mid-body: nothing to answer
            return None
        self.body_read = True
        return body

    def _rows(self, signal: Any, body: bytes) -> list[Row] | None:
        now = to_store(utcnow())
        source = f"listen:{self.client_address[0]}"
        if signal.kind == "deliverability":
            try:
                events = parse_events(body)
            except ValueError as error:
                self._answer(400, str(error))
                return None
            except RecursionError:
                self._answer(400, "the body is nested too deeply to read")
                return None
            return [(signal.id, now, 1, value, source) for value in events[:MAX_ROWS_PER_REQUEST]]
        count = 1
        if body.strip():
            try:
                data = json.loads(body)
                count = data.get("count", 1) if isinstance(data, dict) else 1
            except (ValueError, RecursionError):
                count = 1  # a form tool's own payload: one arrival, whatever it says
            if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= 1_000_000:
                self._answer(400, "count must be a whole number from 0 to 1,000,000")
                return None
        return [(signal.id, now, count, None, source)]

    def _answer(self, status: int, text: str, headers: dict[str, str] | None = None, *, close: bool = False) -> None:
        body = (text + "\n").encode()
        # Refused before its body was read: whatever follows on this connection is that body, not
        # a next request, so the connection ends here.
        close = close or (status >= 400 and not self.body_read)
        self.connection.settimeout(IDLE_TIMEOUT)  # the answer leaves whatever the request's deadline
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(body)
