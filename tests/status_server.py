"""A real HTTP server on 127.0.0.1 for the status tests: routes serve captured payloads, or
misbehave on purpose. It counts the requests it gets."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures" / "status"


class Route:
    def __init__(
        self, body: bytes = b"", status: int = 200, headers: dict | None = None, handler: Callable[[Handler], None] | None = None
    ) -> None:
        self.body, self.status, self.headers, self.handler = body, status, headers or {}, handler


class Handler(BaseHTTPRequestHandler):
    server: StatusServer
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:  # keep test output clean
        pass

    def do_GET(self) -> None:
        path = self.path.split("?")[0]
        self.server.requests[path] += 1
        self.server.request_headers.setdefault(path, []).append(dict(self.headers))
        route = self.server.routes.get(path)
        if route is None:
            self.reply(404, b"not found")
        elif route.handler is not None:
            route.handler(self)
        else:
            self.reply(route.status, route.body, route.headers)

    def reply(self, status: int, body: bytes, headers: dict | None = None) -> None:
        self.send_response(status)
        headers = {"Content-Type": "application/json", **(headers or {})}
        for name, value in headers.items():
            self.send_header(name, value)
        if "Content-Length" not in headers:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass


class StatusServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # socketserver's 5 drops a burst of connects: a 1 s SYN retry, not ours

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.routes: dict[str, Route] = {}
        self.requests: Counter = Counter()
        self.request_headers: dict[str, list[dict]] = {}
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def serve_fixture(self, path: str, fixture: str, **kwargs) -> str:
        self.routes[path] = Route((FIXTURES / fixture).read_bytes(), **kwargs)
        return self.url(path)

    def serve(self, path: str, body: bytes | str = b"", status: int = 200, headers: dict | None = None, handler=None) -> str:
        if isinstance(body, str):
            body = body.encode("utf-8")
        self.routes[path] = Route(body, status, headers, handler)
        return self.url(path)

    def __enter__(self) -> StatusServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.shutdown()
        self.server_close()


def slow(seconds: float, body: bytes = b"{}") -> Callable[[Handler], None]:
    def handler(h: Handler) -> None:
        time.sleep(seconds)
        h.reply(200, body)

    return handler


def drip(total: int = 2000, every: float = 0.2) -> Callable[[Handler], None]:
    """Sends a byte at a time, forever-ish: a read timeout alone would never fire."""

    def handler(h: Handler) -> None:
        h.send_response(200)
        h.send_header("Content-Length", str(total))
        h.end_headers()
        try:
            for _ in range(total):
                h.wfile.write(b" ")
                h.wfile.flush()
                time.sleep(every)
        except (BrokenPipeError, ConnectionResetError):
            pass

    return handler


def huge(megabytes: int = 50, chunked: bool = True) -> Callable[[Handler], None]:
    def handler(h: Handler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "application/json")
        h.send_header("Transfer-Encoding", "chunked")
        h.end_headers()
        chunk = b"[" + b"0," * 32767 + b"0"
        try:
            for _ in range(megabytes * 16):
                h.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            h.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass

    return handler
