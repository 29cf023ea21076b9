"""Writing to the war-room: one writer thread takes jobs in order, retries while the database
is locked and never drops one; a failed entry stays on screen as NOT SAVED and ctrl+r saves it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime

from textual import work

from ..base.plain import said
from ..base.timeutil import TimeError
from ..domain.model import InputError
from ..store import ReadOnlyStore, SQLStore, StoreBusy, StoreError, open_store
from .guards import _skip_when_screen_gone
from .messages import WriteDone, WriteFailed, WriteWaiting
from .state import AppState
from .timeline_entry import Pending


class Writing(AppState):
    """Part of WarRoomApp (app.py), by concern."""

    def _queue_write(self, pending: Pending | None, action: Callable[[SQLStore], object], on_done: Callable | None = None) -> int:
        if self._store is not None and self.store.readonly:
            if pending is not None:  # background writes (heartbeats) are skipped silently
                self._can_write()
            return 0
        if pending is None:
            self._tokens += 1
        token = pending.token if pending else self._tokens
        if pending is not None:
            self.incident_pane.timeline.add_pending(pending)
        self._callbacks[token] = on_done
        self._writes.put((token, action))
        return token

    @work(thread=True, exit_on_error=False, group="writer", name="writer")
    def _writer(self) -> None:
        """The one writer: jobs in order, retried while the database is locked, never dropped."""
        store = open_store(self.config.database_location, group=self.config.database_group, readonly=self.store.readonly)
        try:
            while True:
                job = self._writes.get()
                if job is None:
                    return
                token, action = job
                while True:
                    try:
                        result = action(store)
                    except StoreBusy as error:
                        self.post_message(WriteWaiting(said(error)))
                        continue
                    except (InputError, ReadOnlyStore, StoreError, TimeError) as error:
                        self.post_message(WriteFailed(token, said(error), action))
                    except Exception as error:  # anything else: said out loud, the entry kept, the writer alive
                        self.post_message(WriteFailed(token, said(error), action))
                    else:
                        self.post_message(WriteDone(token, result))
                    break
        finally:
            store.close()

    @_skip_when_screen_gone
    def on_write_done(self, message: WriteDone) -> None:
        self._waiting_notice = False
        timeline = self.incident_pane.timeline
        self._check_changes()  # bring in the confirmed event before dropping the pending line
        timeline.settle_pending(message.token)
        callback = self._callbacks.pop(message.token, None)
        if callback:
            callback(message.result)

    @_skip_when_screen_gone
    def on_write_failed(self, message: WriteFailed) -> None:
        self._callbacks.pop(message.token, None)
        timeline = self.incident_pane.timeline
        kept = any(p.token == message.token for p in timeline.pending)
        timeline.settle_pending(message.token, failed=message.reason)
        if kept and message.action is not None:  # an entry on screen: its text is kept, ctrl+r tries again
            self._unsaved[message.token] = message.action
        hint = " It stays on screen as NOT SAVED: ctrl+r tries again." if kept else ""
        if not kept and self.state.unreachable:
            return  # a heartbeat while the server is away: already said once, and said again when it is back
        self.notify(message.reason + hint, title="Not saved", severity="error", timeout=10, markup=False)

    def action_retry_unsaved(self) -> None:
        """ctrl+r: write the entries shown as NOT SAVED again, in their order."""
        if not self._unsaved:
            self.notify("Nothing to retry: every entry is saved.", timeout=3)
            return
        timeline = self.incident_pane.timeline
        for token, action in sorted(self._unsaved.items()):
            timeline.retry_pending(token)
            self._writes.put((token, action))
        self.notify(f"Saving {len(self._unsaved)} unsaved entr{'y' if len(self._unsaved) == 1 else 'ies'} again…", timeout=3)
        self._unsaved.clear()

    def on_write_waiting(self, message: WriteWaiting) -> None:
        if not self._waiting_notice:
            self._waiting_notice = True
            self.notify(
                "Another process holds the database lock; your entry is kept and will be saved.", severity="warning", timeout=6
            )

    def _can_write(self) -> bool:
        if self._store is not None and self.store.readonly:
            self.notify(
                f"You can watch but not write: {self.config.database_label} is read-only for you (ask for the war-room group).",
                severity="warning",
                timeout=8,
                markup=False,
            )
            return False
        return True

    def log_entry(self, incident_id: int, kind: str, text: str, at: datetime | None = None, value: str | None = None) -> int:
        self._tokens += 1
        pending = Pending(self._tokens, kind, text, self.user, at or self.now())
        return self._queue_write(pending, lambda s: s.append(incident_id, kind, text, author=self.user, at=at, value=value))

    async def _writes_drained(self, timeout: float) -> None:
        deadline = asyncio.get_running_loop().time() + timeout
        timeline = self.incident_pane.timeline
        while [p for p in timeline.pending if not p.failed] and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.1)
