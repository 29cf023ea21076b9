"""One MCP client's visit to the room: who it says it is, its presence (the screen's top line shows
`claude for ana` among those here), its pace, and its one write."""

from __future__ import annotations

import os
import time
import uuid
from datetime import timedelta
from typing import Any, Protocol

import anyio

from ..base.identity import hostname
from ..base.textsafe import clean_line
from ..base.timeutil import utcnow
from ..config import Config
from ..domain.contributions import PACE_WINDOW, client_name, contributor, evidence_entry, pace_wait
from ..domain.model import InputError, incident_label
from ..domain.takeback import ANNOTATION_KINDS
from ..domain.timeline import Annotations
from ..store import SQLStore
from ..store.sessions import HEARTBEAT_EVERY, MCP_CLIENT
from . import views


class Context(Protocol):
    """What the command line hands over: the loaded config, who started us, the war-room (opened
    on first use). The CLI's own context is one."""

    config: Config
    user: str

    @property
    def store(self) -> SQLStore: ...


class Visit:
    def __init__(self, ctx: Context, *, poll_every: float = 0.25) -> None:
        self.ctx = ctx
        self.session_id = f"mcp-{uuid.uuid4().hex[:12]}"
        self.client: str | None = None  # the client's self-declared name, once it has said it
        self.poll_every = poll_every
        self._beat_at = 0.0
        self._present = False

    @property
    def author(self) -> str:
        return contributor(self.client, self.ctx.user)

    def met(self, request: Any) -> None:
        """Note the client's name from the MCP handshake (`clientInfo`), and say we are here."""
        try:
            info = request.session.client_params.clientInfo
        except (AttributeError, ValueError, LookupError):
            info = None
        if info is not None and self.client is None:
            self.client = client_name(getattr(info, "name", ""))
        if self.client is not None and time.monotonic() - self._beat_at >= HEARTBEAT_EVERY:
            self.heartbeat()

    def heartbeat(self) -> None:
        store = self.ctx.store
        if store.readonly or self.client is None:
            return
        self._beat_at = time.monotonic()
        try:
            store.heartbeat(
                self.session_id, user=self.author, host=hostname(), client=MCP_CLIENT, pid=os.getpid(), incident_id=None
            )
            self._present = True
        except Exception:
            pass  # presence is a courtesy: a busy database gets the next beat, and the tools still answer

    async def keep_present(self) -> None:
        while True:
            await anyio.sleep(HEARTBEAT_EVERY)
            self.heartbeat()

    def leave(self) -> None:
        if self._present:
            try:
                self.ctx.store.leave(self.session_id)
            except Exception:
                pass  # it drops out of the list within three missed beats anyway

    def add_evidence(self, incident_id: int, text: str, source: str | None) -> tuple[dict, str]:
        user = self.ctx.user
        shown, value = evidence_entry(text, source, self.client or "", user)
        store = self.ctx.store
        store.incident(incident_id)  # an unknown incident is said before the pace
        now = utcnow()
        earlier = store.written_since(incident_id, "evidence", self.author, now - timedelta(seconds=PACE_WINDOW))
        wait = pace_wait([(moment - now).total_seconds() for moment in earlier], 0.0)
        if wait:
            raise InputError(
                f"too much at once: at most 10 entries together, then one a second; try again in "
                f"{wait:.1f} s (nothing was written)"
            )
        event = store.append(incident_id, "evidence", shown, author=self.author, value=value)
        item = views.entry(event, Annotations())
        line = (
            f"#{event.id} added to {incident_label(incident_id)} as {clean_line(event.author)}"
            f" (login {event.login}): {clean_line(event.text, 200)}"
        )
        return {"entry": item, "incident": incident_label(incident_id)}, line

    def entries_since(self, after_id: int, incident_id: int | None) -> tuple[dict, str]:
        """Entries written after `after_id` (on incidents; of one, when given), at most MAX_ENTRIES."""
        written = self.ctx.store.events_since(after_id)
        events = [e for e in written if e.incident_id is not None and incident_id in (None, e.incident_id)]
        events = events[: views.MAX_ENTRIES]
        # Where the next wait starts: after everything looked at here, or after the last one returned.
        last = events[-1].id if len(events) == views.MAX_ENTRIES else max([after_id, *(e.id for e in written)])
        notes = Annotations.of(e for e in events if e.kind in ANNOTATION_KINDS)
        items = [views.entry(e, notes) for e in events]
        lines = [views.entry_line(item, e, notes) for item, e in zip(items, events)]
        return {"entries": items, "last_entry_id": last}, "\n".join(lines) or f"nothing new after #{after_id}"
