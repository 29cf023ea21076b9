"""`mopstui mcp`: the war-room as a Model Context Protocol server on stdio, for an agent's host.

An agent reads the room (incidents, timelines, vendors, catalog, follow-ups, drafts) and adds
evidence, attributed to it *for* the person who started it; people decide. Built on the official
Python SDK (`mcp`, the optional extra `mopstui[mcp]`), imported only by this command.

This package is not named `mcp`: that would shadow the SDK.
"""

from __future__ import annotations

import os
import sys
from io import TextIOWrapper
from typing import TYPE_CHECKING

from ..base.extras import install_hint
from ..domain.model import InputError

if TYPE_CHECKING:
    from .visit import Context

INSTALL_HINT = "`mopstui mcp` needs the optional extra: " + install_hint("mcp")


def serve(ctx: Context) -> None:
    """Serve until the client closes our standard input."""
    try:
        import anyio
        from mcp.server.stdio import stdio_server

        from .tools import build
        from .visit import Visit
    except ImportError:
        raise InputError(INSTALL_HINT) from None

    # The protocol owns the real standard output; anything else that prints (a warning, a stray
    # print) goes to standard error, where the host logs it, instead of corrupting the stream.
    protocol_out = TextIOWrapper(os.fdopen(os.dup(sys.stdout.fileno()), "wb"), encoding="utf-8", newline="\n")
    protocol_in = TextIOWrapper(os.fdopen(os.dup(sys.stdin.fileno()), "rb"), encoding="utf-8", errors="replace")
    sys.stdout.flush()
    sys.stdout = sys.stderr
    # Opened now: a war-room that cannot be opened is said before the handshake (exit 1).
    if ctx.store.readonly:
        print(
            "mopstui: warning: this war-room is read-only for you: the client can read it, and adding evidence will be refused",
            file=sys.stderr,
        )
    visit = Visit(ctx)
    server = build(visit)

    async def run() -> None:
        streams = stdio_server(anyio.wrap_file(protocol_in), anyio.wrap_file(protocol_out))
        async with streams as (reader, writer), anyio.create_task_group() as group:
            group.start_soon(visit.keep_present)
            low = server._mcp_server
            await low.run(reader, writer, low.create_initialization_options())
            group.cancel_scope.cancel()

    try:
        anyio.run(run)
    except BaseExceptionGroup as group:
        # A client that stops reading (it died, or closed our output) ends the visit, quietly:
        # there is nobody left to tell. Anything else is a real failure.
        _, rest = group.split((BrokenPipeError, anyio.BrokenResourceError, anyio.ClosedResourceError))
        if rest is not None:
            raise rest from None
        print("mopstui: the MCP client stopped reading; ending", file=sys.stderr)
    finally:
        visit.leave()
