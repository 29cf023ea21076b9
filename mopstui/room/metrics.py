"""Reading a metric signal's number: the API call (its secrets from environment variables or a
`token_command`, never from the config file), bounded like every other fetch, then the number at
its path. An API that refuses, errs or answers something unreadable is *cannot see* (unknown),
never a drop in the number."""

from __future__ import annotations

import asyncio
import os
import shlex
import time
from datetime import datetime, timedelta
from typing import Any

from ..base.timeutil import from_store, to_store
from ..signals.metric import PathError, extract, first_text, judge_metric
from ..signals.state import BLIND, PASS, Reading

TOKEN_TIMEOUT = 20.0
TOKEN_MAX_BYTES = 16 * 1024
TOKEN_KEEP = 300.0  # a cloud access token lasts an hour: asked again every five minutes
_tokens: dict[str, tuple[float, str]] = {}


class CannotSee(Exception):
    pass


async def _token(command: str) -> str:
    kept = _tokens.get(command)
    if kept and kept[0] > time.monotonic():
        return kept[1]
    try:
        proc = await asyncio.create_subprocess_exec(
            *shlex.split(command),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
        )
    except (OSError, ValueError) as error:
        raise CannotSee(f"token_command would not start ({error.__class__.__name__})") from None
    try:
        out = await asyncio.wait_for(proc.stdout.read(TOKEN_MAX_BYTES) if proc.stdout else asyncio.sleep(0, b""), TOKEN_TIMEOUT)
        code = await asyncio.wait_for(proc.wait(), TOKEN_TIMEOUT)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        raise CannotSee(f"token_command took longer than {TOKEN_TIMEOUT:.0f}s") from None
    token = out.decode("utf-8", "replace").strip()
    if code != 0 or not token or any(c in token for c in "\r\n"):
        raise CannotSee(f"token_command failed (exit {code})" if code else "token_command printed no single token")
    _tokens[command] = (time.monotonic() + TOKEN_KEEP, token)
    return token


def _expand(text: str, token: str | None) -> str:
    from ..config.signals import ENV_REFERENCE

    def value(match: Any) -> str:
        name = match.group(1)
        found = os.environ.get(name)
        if not found:
            raise CannotSee(f"the environment variable {name} is not set")
        return found

    text = ENV_REFERENCE.sub(value, text)
    if "{token}" in text:
        if token is None:
            raise CannotSee("a header uses {token} but the signal has no token_command")
        text = text.replace("{token}", token)
    if any(c in text for c in "\r\n"):
        raise CannotSee("a header's value holds a line break")
    return text


async def read_metric(signal: Any, fetcher: Any, store: Any, now: datetime, tz: Any) -> Reading:
    try:
        token = await _token(signal.token_command) if signal.token_command else None
        headers = {name: _expand(value, token) for name, value in signal.headers}
    except CannotSee as error:
        return Reading(BLIND, str(error))
    if signal.body is not None:
        headers.setdefault("Content-Type", "application/json")
    # Never followed: the request carries the signal's secrets, and httpx strips only Authorization
    # on a change of host (an API key or developer token would reach wherever a redirect points).
    outcome = await fetcher.fetch(
        signal.url,
        conditional=False,
        judge_any_status=True,
        method=signal.method,
        headers=headers,
        content=signal.body.encode() if signal.body is not None else None,
        follow_redirects=False,
    )
    if outcome.redirect_to:
        return Reading(
            BLIND,
            f"the API redirected to {_host(outcome.redirect_to)} (not followed: our credentials "
            "go only to the configured address; put the new URL in the config)",
        )
    fetched = outcome.fetched
    if fetched is None:
        return Reading(BLIND, f"the API did not answer ({outcome.reason})")
    if fetched.status_code in (401, 403):
        return Reading(BLIND, f"the API refused our credentials (HTTP {fetched.status_code})")
    if fetched.status_code != 200:
        return Reading(BLIND, f"the API answered HTTP {fetched.status_code}")
    history = _history(signal, store, now)  # here: the store belongs to this thread
    return await asyncio.to_thread(_judge, signal, fetched.body, history, now, tz)


def _host(url: str) -> str:
    from urllib.parse import urlsplit

    from ..base.textsafe import clean_line

    try:
        parts = urlsplit(url)
        host = f"{parts.hostname}:{parts.port}" if parts.port else (parts.hostname or "")
        return clean_line(host, 80) or "another address"  # never the userinfo of user:password@
    except ValueError:
        return "another address"


def _history(signal: Any, store: Any, now: datetime) -> list[tuple[datetime, float]]:
    history: list[tuple[datetime, float]] = []
    if signal.baseline:
        since = to_store(now - timedelta(weeks=signal.baseline, hours=1))
        for row in store.arrivals(signal.id, since=since):
            try:
                history.append((from_store(row["arrived_at"]), float(row["value"])))
            except (TypeError, ValueError):
                continue
    return history


def _judge(signal: Any, body: bytes, history: list[tuple[datetime, float]], now: datetime, tz: Any) -> Reading:
    """Reading the answer: in a worker thread, as a big report must not stall the loop's fetches."""
    import json

    try:
        data = json.loads(body)
        if signal.gives == "status":  # a campaign's or a send's state, read as words
            text = first_text(data, signal.path)
            return Reading(PASS, f"reads {text}", text)
        value = extract(data, signal.path, signal.scale)
    except (ValueError, RecursionError) as error:
        why = str(error) if isinstance(error, PathError) else "the API's answer is not JSON we can read"
        return Reading(BLIND, why)
    reading = judge_metric(signal, value, history, now, tz)
    return Reading(reading.outcome, reading.why, reading.value, reading.source_time, reading.level, number=value)
