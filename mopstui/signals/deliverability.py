"""Deliverability: the share of emails bounced, dropped or deferred over a window, from an ESP's
event webhooks (SendGrid's JSON array of events, Mailgun's `event-data`), with the receivers'
rejection codes named in words. No I/O: `mopstui listen` stores each event as `EVENT|CODE`."""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import TYPE_CHECKING

from .state import DEGRADED, DOWN, FAIL, PASS, Reading

if TYPE_CHECKING:
    from ..config.signals import Signal

BAD = ("bounce", "dropped", "deferred")
COUNTED = ("delivered", *BAD)
# What the big mailbox providers' rejection codes mean, for a marketer.
CODE_WORDS = {
    "5.7.26": "Gmail: not authenticated (SPF, DKIM and DMARC must pass)",
    "5.7.9": "Yahoo: fails its sender authentication rules",
    "5.7.515": "Microsoft: the sending domain fails SPF, DKIM or DMARC (enforced since May 2025)",
    "4.7.28": "Gmail: too much mail at once, throttled",
    "5.7.1": "refused by the receiver's policy (blocklist or reputation)",
    "4.7.0": "deferred by the receiver (reputation or rate)",
    "5.1.1": "the address does not exist",
    "5.2.2": "the mailbox is full",
    "4.2.2": "the mailbox is full",
}
ENHANCED = re.compile(r"\b([245]\.\d{1,3}\.\d{1,3})\b")
MAX_VALUE = 120


def code_words(code: str) -> str:
    words = CODE_WORDS.get(code)
    return f"{code} {words}" if words else code


def _enhanced(text: object) -> str:
    match = ENHANCED.search(str(text or ""))
    return match.group(1) if match else ""


def _sendgrid(event: dict) -> str | None:
    kind = str(event.get("event", ""))
    if kind not in ("processed", *COUNTED):
        return None  # opens, clicks, unsubscribes: not deliverability
    code = _enhanced(event.get("response")) or _enhanced(event.get("status")) or _enhanced(event.get("reason"))
    return f"{kind}|{code}"


def _mailgun(data: dict) -> str | None:
    kind = str(data.get("event", ""))
    found = data.get("delivery-status")
    status: dict = found if isinstance(found, dict) else {}
    code = _enhanced(status.get("enhanced-code")) or _enhanced(status.get("message")) or _enhanced(status.get("description"))
    if kind == "failed":
        kind = "deferred" if data.get("severity") == "temporary" else "bounce"
    elif kind == "rejected":
        kind = "dropped"
    elif kind not in COUNTED:
        return None
    return f"{kind}|{code}"


def parse_events(body: bytes) -> list[str]:
    """`EVENT|CODE` for each deliverability event in a SendGrid or Mailgun webhook body."""
    try:
        data = json.loads(body)
    except ValueError:
        raise ValueError("the body is not JSON (SendGrid posts an array of events, Mailgun an object)") from None
    if isinstance(data, list):
        return [v for e in data if isinstance(e, dict) and (v := _sendgrid(e)) is not None]
    if isinstance(data, dict) and isinstance(data.get("event-data"), dict):
        value = _mailgun(data["event-data"])
        return [value] if value else []
    raise ValueError("not an event webhook: SendGrid posts an array of events, Mailgun an object with event-data")


def judge_deliverability(signal: Signal, values: list[str | None], window_words: str) -> Reading:
    kinds: Counter = Counter()
    codes: Counter = Counter()
    for value in values:
        kind, _, code = (value or "").partition("|")
        if kind in COUNTED:
            kinds[kind] += 1
            if kind in BAD and code:
                codes[code[:20]] += 1
    total = sum(kinds.values())
    bad = sum(kinds[k] for k in BAD)
    if total < signal.min_events:
        return Reading(
            PASS, f"{total} emails in the last {window_words}: too few to judge (at least {signal.min_events})", f"{total} emails"
        )
    share = bad / total
    value = f"{share:.0%} of {total}"
    top = f"; most: {code_words(codes.most_common(1)[0][0])}" if codes else ""
    parts = ", ".join(f"{kinds[k]} {k}" for k in BAD if kinds[k])
    if share <= signal.max_share:
        return Reading(PASS, f"{share:.1%} of {total} emails bounced, dropped or deferred in the last {window_words}", value)
    level = DOWN if share > 2 * signal.max_share else DEGRADED
    return Reading(
        FAIL,
        f"{share:.0%} of {total} emails bounced, dropped or deferred in the last {window_words} ({parts}){top}",
        value,
        level=level,
    )
