"""Webhook notifications (Slack-compatible incoming-webhook JSON), off unless configured.

Sent by one session only (the poller's lease holder), from its background thread: never from
the screen. Each event is sent at most once per webhook across sessions and takeovers (a dedupe
key), retried with backoff, and every send, or failure, is written to the incident's timeline as
a `system` event. Webhook URLs carry tokens: only their host is ever shown or stored.
"""

from __future__ import annotations

import asyncio
import random
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from ..base.textsafe import clean_line
from ..base.timeutil import utcnow
from ..config import Config, Webhook
from ..domain.model import Event, incident_label
from ..store import Head, SQLStore, StoreError

if TYPE_CHECKING:
    import httpx

CURSOR = "notify"


def host_of(url: str) -> str:
    """What may be shown of a webhook URL: its host, never the path that holds the token."""
    return urlparse(url).hostname or "webhook"


def classify(event: Event) -> str | None:
    """Which notification an event is, if any."""
    if event.kind == "declared":
        return "declared"
    if event.kind == "severity":
        return "severity"
    if event.kind == "status" and event.value == "resolved":
        return "resolved"
    if event.kind == "system" and event.dedupe:
        if ":threshold:" in event.dedupe:
            return "threshold"
        if ":overdue:" in event.dedupe:
            return "overdue"
    if event.kind == "vendor" and event.dedupe and ":override:" in event.dedupe:
        return "override"  # the room overruled a vendor's page, on this incident's timeline
    return None


def slack_escape(text: str) -> str:
    """Slack reads `<...>` as links and mentions (`<!channel>`, `<https://x|label>`) and `&` as an
    entity: escaped, untrusted text is shown as typed and can never ping or disguise a link."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def message(event: Event, what: str, title: str, head: Head | None = None) -> str:
    """The notification's text: every piece escaped for Slack; the chain's head at the end, so
    that each notification is an anchor the war-room group cannot rewrite."""
    label = incident_label(event.incident_id) if event.incident_id else "mopstui"
    text = clean_line(event.text, 300)
    by = clean_line(event.who)
    if what == "declared":
        line = f"{label} declared: {text} (by {by})"
    elif what in ("severity", "resolved"):
        line = f"{label} {clean_line(title, 120)}: {text} (by {by})"
    else:
        line = f"{label} {clean_line(title, 120)}: {text}"
    if head is not None:
        line += f" · log head #{head.last_id} {head.hash[:16]}"
    return slack_escape(line)


class Notifier:
    def __init__(self, config: Config, store: SQLStore, *, retries: int = 3, backoff: float = 0.5, timeout: float = 5.0) -> None:
        self.config = config
        self.store = store
        self.retries = retries
        self.backoff = backoff
        self.timeout = timeout

    async def send(self, client: httpx.AsyncClient, hook: Webhook, text: str) -> tuple[bool, str, int]:
        """(delivered, reason, tries)."""
        import httpx

        reason = ""
        for attempt in range(1, self.retries + 1):
            try:
                response = await client.post(hook.url, json={"text": text}, timeout=self.timeout)
                if response.status_code < 300:
                    return True, "", attempt
                reason = f"HTTP {response.status_code}"
                if response.status_code < 500 and response.status_code != 429:
                    return False, reason, attempt  # the URL is wrong; retrying will not help
            except httpx.HTTPError as error:
                reason = type(error).__name__
            if attempt < self.retries:
                await asyncio.sleep(self.backoff * 2 ** (attempt - 1) * (0.5 + random.random()))
        return False, reason, self.retries

    async def round(self, client: httpx.AsyncClient) -> int:
        """Send what is new since the cursor; returns how many notifications were attempted."""
        if not self.config.webhooks:
            return 0
        cursor = self.store.cursor(CURSOR)
        catching_up: set[int] | None = None  # on the first run: the open incidents, the only ones told
        if cursor is None:  # first run on this database: only the last `notify.catch_up` is news
            cursor = self.store.last_event_id_before(utcnow() - self.config.notify_catch_up)
            self.store.set_cursor(CURSOR, cursor)
            catching_up = {incident.id for incident in self.store.incidents()}
        attempted = 0
        for event in self.store.events_since(cursor):
            what = classify(event)
            if what and event.incident_id is not None and (catching_up is None or event.incident_id in catching_up):
                title = self.store.incident(event.incident_id).title
                for number, hook in enumerate(self.config.webhooks, start=1):
                    if what not in hook.events:
                        continue
                    key = f"notify:{number}:{event.id}"
                    if self.store.has_dedupe(key):
                        continue
                    attempted += 1
                    ok, reason, tries = await self.send(client, hook, message(event, what, title, self.store.head()))
                    host = host_of(hook.url)
                    record = (
                        f"Notified {host} of #{event.id} ({what})"
                        if ok
                        else f"Webhook {host} failed after {tries} tries ({reason}): #{event.id} ({what}) not delivered"
                    )
                    try:
                        self.store.append(event.incident_id, "system", record, author="mopstui", dedupe=key)
                    except StoreError:
                        pass
            self.store.set_cursor(CURSOR, event.id)
        return attempted
