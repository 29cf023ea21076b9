"""The war-room as MCP tools: read the room, add evidence, follow what is new. Nothing here decides.

No tool declares, resolves, changes status, severity or roles, logs a customer update, overrides a
vendor or withdraws anything: people decide in the room. `tests/test_mcp.py` lists the tools and
fails if one could. Each tool is a thin call into `views` (reads) or the store (the one write).
"""

# No `from __future__ import annotations`: the SDK reads these signatures at run time to publish
# each tool's input and output schemas.

import sqlite3
import time
from collections.abc import Callable, Sequence
from typing import Annotated, Any, TypeVar

import anyio
from mcp.server.fastmcp import Context as Request
from mcp.server.fastmcp import FastMCP
from mcp.server.fastmcp.exceptions import ToolError
from mcp.types import CallToolResult, ContentBlock, TextContent, Tool, ToolAnnotations
from pydantic import BaseModel, Field, ValidationError

from .. import __version__
from ..base.files import UnsafeFile
from ..base.textsafe import clean_line
from ..base.timeutil import TimeError, utcnow
from ..domain.model import InputError, parse_incident_ref
from ..store import StoreError
from . import schemas, views
from .visit import Visit

T = TypeVar("T")
READ = ToolAnnotations(readOnlyHint=True, destructiveHint=False, idempotentHint=True, openWorldHint=False)
ADD = ToolAnnotations(readOnlyHint=False, destructiveHint=False, idempotentHint=False, openWorldHint=False)
MAX_WAIT = 300.0

INSTRUCTIONS = (
    "The war-room of an on-call marketing team during customer-facing incidents. Read the active incidents, "
    "their timelines, vendor and probe state, the service catalog and what a vendor reaches, open follow-ups, "
    "and draft customer updates (text only). You may add evidence to an incident's timeline: it is shown as "
    "yours, written for the person who started you. People decide: nothing here declares, resolves, changes "
    "status, severity or roles, sends or logs a customer update, or overrules a vendor."
)

IncidentRef = Annotated[str | int, Field(description="the incident: 7 or 'INC-7'")]


def _plain(call: Callable[[], T]) -> T:
    """Refusals and failures as one plain sentence the client is shown as a tool error (never a
    traceback, never a library's words)."""
    try:
        return call()
    except (InputError, StoreError, TimeError, UnsafeFile) as error:
        raise ToolError(str(error)) from None
    except sqlite3.DatabaseError:
        raise ToolError("the war-room cannot be read; `mopstui verify` says where it is damaged") from None
    except ToolError:
        raise
    except Exception as error:
        raise ToolError(
            f"internal error ({type(error).__name__}: {clean_line(str(error), 200)}); nothing more was "
            "done. This is a bug in mopstui: please report it"
        ) from None


def _result(model: type[BaseModel], data: dict[str, Any], text: str) -> CallToolResult:
    return CallToolResult(content=[TextContent(type="text", text=text)], structuredContent=schemas.shape(model, data))


class WarRoomServer(FastMCP):
    """FastMCP that notes who its client is as soon as the client lists the tools (for presence)."""

    room: Visit

    async def list_tools(self) -> list[Tool]:
        self.room.met(self.get_context())
        return await super().list_tools()

    async def call_tool(self, name: str, arguments: dict[str, Any]) -> Sequence[ContentBlock] | dict[str, Any]:
        """A refusal in the tool's own words ("impact: unknown vendor 'x'"); bad arguments as one line
        per argument, without the validation library's links."""
        try:
            return await super().call_tool(name, arguments)
        except ToolError as error:
            cause = error.__cause__
            if isinstance(cause, ValidationError):
                problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'arguments'}: {e['msg']}" for e in cause.errors())
                raise ToolError(f"{name}: bad arguments ({clean_line(problems, 500)}); nothing was done") from None
            if isinstance(cause, ToolError):
                raise ToolError(f"{name}: {cause}") from None
            raise


def build(room: Visit) -> WarRoomServer:
    server = WarRoomServer("mopstui", instructions=INSTRUCTIONS, log_level="WARNING")
    server.room = room
    server._mcp_server.version = __version__  # the handshake names mopstui's version, not the SDK's
    ctx = room.ctx
    tool = server.tool

    @tool(annotations=READ, structured_output=True)
    def active_incidents(request: Request) -> Annotated[CallToolResult, schemas.ActiveIncidents]:
        """Active incidents: severity, status, roles, and clocks (time to each customer-patience threshold,
        when the next customer update is due)."""
        room.met(request)
        return _result(schemas.ActiveIncidents, *_plain(lambda: views.active_incidents(ctx.config, ctx.store, utcnow())))

    @tool(annotations=READ, structured_output=True)
    def incident_timeline(
        request: Request,
        incident: IncidentRef,
        since: Annotated[int, Field(ge=0, description="only entries written after this entry id: what is new")] = 0,
        search: Annotated[str, Field(max_length=500, description="words, kind:comms, author:sam (as `timeline --search`)")] = "",
        limit: Annotated[int, Field(ge=1, le=views.MAX_ENTRIES, description="at most this many, the latest")] = 200,
    ) -> Annotated[CallToolResult, schemas.Timeline]:
        """An incident's timeline, oldest first: every entry with its author, kind and marks."""
        room.met(request)
        data, text = _plain(lambda: views.timeline(ctx.config, ctx.store, str(incident), since=since, search=search, limit=limit))
        return _result(schemas.Timeline, data, text)

    @tool(annotations=READ, structured_output=True)
    def vendor_status(request: Request) -> Annotated[CallToolResult, schemas.Vendors]:
        """Every vendor and our own probes as the room last saw them (no fetching here), with the room's overrides
        and which ones we cannot see now."""
        room.met(request)
        return _result(schemas.Vendors, *_plain(lambda: views.vendors(ctx.config, ctx.store)))

    @tool(annotations=READ, structured_output=True)
    def service_catalog(request: Request) -> Annotated[CallToolResult, schemas.Catalog]:
        """The service catalog, worst first: owner, tier, touchpoint and health; touchpoints rolled up."""
        room.met(request)
        return _result(schemas.Catalog, *_plain(lambda: views.catalog(ctx.config, ctx.store)))

    @tool(annotations=READ, structured_output=True)
    def service_dependencies(
        request: Request,
        service: Annotated[str, Field(max_length=200, description="a service id from the catalog")],
    ) -> Annotated[CallToolResult, schemas.ServiceDetail]:
        """One service: what it depends on and what depends on it (both ways, transitively), runbook and contacts."""
        room.met(request)
        return _result(schemas.ServiceDetail, *_plain(lambda: views.service(ctx.config, ctx.store, service)))

    @tool(annotations=READ, structured_output=True)
    def impact(
        request: Request,
        target: Annotated[str, Field(max_length=300, description="VENDOR or VENDOR:COMPONENT")],
    ) -> Annotated[CallToolResult, schemas.Impact]:
        """Which services (directly, and at risk through them) and touchpoints a vendor or one component reaches."""
        room.met(request)
        return _result(schemas.Impact, *_plain(lambda: views.impact(ctx.config, target)))

    @tool(annotations=READ, structured_output=True)
    def open_followups(request: Request) -> Annotated[CallToolResult, schemas.FollowUps]:
        """Open action items across incidents, with owner, due date and whether overdue."""
        room.met(request)
        return _result(schemas.FollowUps, *_plain(lambda: views.open_followups(ctx.config, ctx.store, utcnow())))

    @tool(annotations=READ, structured_output=True)
    def draft_customer_update(
        request: Request,
        incident: IncidentRef,
        template: Annotated[str, Field(max_length=100, description="the channel: site-banner, email, ...")] = "site-banner",
    ) -> Annotated[CallToolResult, schemas.Draft]:
        """A customer update drafted from a channel's template, as text only: never posted, never logged."""
        room.met(request)
        data, text = _plain(lambda: views.customer_draft(ctx.config, ctx.store, str(incident), template, utcnow()))
        return _result(schemas.Draft, data, text)

    @tool(annotations=ADD, structured_output=True)
    def add_evidence(
        request: Request,
        incident: IncidentRef,
        text: Annotated[str, Field(description="what was seen, in plain words (at most 10,000 characters)")],
        source: Annotated[str | None, Field(description="where it was seen: a link, a query, a log")] = None,
    ) -> Annotated[CallToolResult, schemas.Added]:
        """Add evidence to an incident's timeline, shown as '<you> for <the person who started you>'. It informs;
        it decides nothing. At most 10 at once on an incident, then one a second."""
        room.met(request)
        data, line = _plain(lambda: room.add_evidence(parse_incident_ref(incident), text, source))
        return _result(schemas.Added, data, line)

    @tool(annotations=READ, structured_output=True)
    async def wait_for_entries(
        request: Request,
        incident: Annotated[str | int | None, Field(description="one incident (7 or 'INC-7'), or every one")] = None,
        since: Annotated[int | None, Field(ge=0, description="entries written after this id (default: from now)")] = None,
        timeout_seconds: Annotated[float, Field(gt=0, le=MAX_WAIT, description="give up after this long")] = 30.0,
    ) -> Annotated[CallToolResult, schemas.NewEntries]:
        """Wait until someone writes to the room (or one incident), then return the new entries; empty on timeout."""
        room.met(request)
        incident_id = _plain(lambda: parse_incident_ref(incident)) if incident is not None else None
        start = since if since is not None else _plain(ctx.store.last_event_id)
        deadline = time.monotonic() + timeout_seconds
        while True:
            found = _plain(lambda: room.entries_since(start, incident_id))
            if found[0]["entries"] or time.monotonic() >= deadline:
                return _result(schemas.NewEntries, {**found[0], "timed_out": not found[0]["entries"]}, found[1])
            await anyio.sleep(min(room.poll_every, max(0.0, deadline - time.monotonic())))

    return server
