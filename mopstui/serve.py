"""The war-room screen in a browser, for its starter only.

`textual-serve` runs the same screen for each browser tab and drives it over a websocket. On a
shared host anyone can reach a port on 127.0.0.1, so every request must carry a random token
that only the person who started `serve` was shown (in the link printed to their terminal); the
page sets it as a strict same-site cookie for the websocket. Origin and Host are checked too, so
another site open in the same browser (or a DNS-rebinding page) cannot drive the session.
Imported only by `mopstui serve`.
"""

from __future__ import annotations

import hmac
import logging
import os
import secrets
import signal
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from aiohttp import web
from textual_serve.server import Server

COOKIE = "mopstui_token"
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]", "::1")


def new_token() -> str:
    return secrets.token_urlsafe(32)


class _OneLine(logging.Formatter):
    """A problem the server logs, as one plain line: no traceback (its locals held the raw request
    bytes any local user sent), no control characters, never the token."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def format(self, record: logging.LogRecord) -> str:
        from aiohttp.http_exceptions import HttpProcessingError

        from .base.textsafe import clean_line

        said = record.getMessage().replace(self.token, "…")
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, HttpProcessingError):  # bytes that were not HTTP, from anyone on this host
            said = said.replace("Error handling request", "refused a request it could not read") + f" ({type(error).__name__})"
        elif error is not None:
            said += f" ({type(error).__name__})"
        return f"mopstui serve: {clean_line(said, 200)}"


class GuardedServer(Server):
    def __init__(self, command: str, *, host: str, port: int, title: str, token: str, starter: str = "") -> None:
        super().__init__(command, host=host, port=port, title=title)
        self.token = token
        self.starter = starter
        names = LOOPBACK_NAMES if host in LOOPBACK_NAMES else (host,)
        self.allowed_hosts = {f"{name}:{port}" for name in names} | {f"[{host}]:{port}"}
        self.allowed_origins = {f"http://{netloc}" for netloc in self.allowed_hosts}

    @property
    def link(self) -> str:
        return f"{self.public_url}/?token={self.token}"

    def initialize_logging(self) -> None:
        """Problems only, one plain line each, on the starter's terminal; no access log (every
        request's address carries the token) and no library banner (its link has no token)."""
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(_OneLine(self.token))
        logging.basicConfig(level=logging.WARNING, handlers=[handler], force=True)
        logging.getLogger("aiohttp.access").disabled = True

    async def on_startup(self, app: web.Application) -> None:
        """Once it listens: the one link that opens it, the last address on the screen."""
        del app
        print(
            f"serving the war-room at {self.link}\n(only this link opens it: do not share it; everyone who opens it "
            f"writes as {self.starter or 'you'}; Ctrl-C stops)",
            file=sys.stderr,
            flush=True,
        )

    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        app.middlewares.append(self._guard)
        return app

    def _refuse(self, why: str) -> web.Response:
        return web.Response(status=403, text=f"mopstui: {why}\n")

    @web.middleware
    async def _guard(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        if request.host not in self.allowed_hosts:
            return self._refuse("unexpected Host header")
        if request.path.startswith("/static/"):  # the page's scripts and fonts: nothing of the war-room
            return await handler(request)
        given = request.query.get("token") or request.cookies.get(COOKIE) or ""
        if not hmac.compare_digest(given.encode(), self.token.encode()):
            return self._refuse("this war-room opens only with the link (and token) shown to whoever started `mopstui serve`")
        if request.path == "/ws" and request.headers.get("Origin") not in self.allowed_origins:
            return self._refuse("websocket from another origin refused")
        response = await handler(request)
        if request.path == "/" and "token" in request.query:
            response.set_cookie(COOKIE, self.token, httponly=True, samesite="Strict", path="/")
        return response


def _descendants(pid: int | str = "self") -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            children = [int(child) for child in task.read_text().split()]
        except OSError:
            continue
        for child in children:
            found += [child, *_descendants(child)]
    return found


def end_screens(grace: float = 3.0) -> None:
    """Every screen started for a browser tab ends with `serve`: a hang-up (the screen's clean
    exit: lease and presence released), then a kill for any that is still there after `grace`."""
    everyone = _descendants()  # the shell textual-serve starts, and the screen under it
    for pid in everyone:
        try:
            os.kill(pid, signal.SIGHUP)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and any(_alive(pid) for pid in everyone):
        time.sleep(0.05)
    for pid in everyone:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    for pid in everyone:
        try:
            os.waitpid(pid, 0)  # ours to reap (the shell); the screen under it is the shell's
        except ChildProcessError:
            pass


def _alive(pid: int) -> bool:
    """Not yet ended: reaps it if it is our child, and treats a zombie as ended."""
    try:
        if os.waitpid(pid, os.WNOHANG) != (0, 0):
            return False
    except ChildProcessError:
        pass
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False
