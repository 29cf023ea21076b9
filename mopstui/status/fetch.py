"""Fetching status pages politely and defensively.

- Bounded: a concurrency cap, a total time limit per request (a slow drip cannot hold a slot),
  a size cap read as a stream (a 50 MB body is cut off at the cap), a redirect limit.
- Polite: conditional requests (ETag / Last-Modified) so an unchanged page costs a 304, retries
  with exponential backoff and jitter, `Retry-After` honoured on 429/503.
- Fast at high concurrency: httpx's connection pool bookkeeping grows with the requests queued
  on one client, so targets are spread over several small clients instead of one big pool
  (measured in bench/bench_poll.py).
"""

from __future__ import annotations

import asyncio
import functools
import math
import os
import random
import ssl
import time
from dataclasses import dataclass, field, replace
from email.utils import parsedate_to_datetime

import httpx

from .. import __version__
from ..config import Polling
from .addresses import CONFIGURED_URL, InternalAddressRefused, may_go
from .providers import Fetched

USER_AGENT = f"mopstui/{__version__} (+status poller)"
RETRYABLE_STATUS = {500, 502, 503, 504}
CLIENT_SLOTS = 8  # in-flight requests per client before another client is used
MAX_REDIRECTS = 5
MAX_INLINE_RETRY_AFTER = 2.0  # longer Retry-After: skip this target until then
MAX_RETRY_AFTER = 3600.0  # a vendor may ask us to wait, but not forever


@functools.cache
def shared_ssl_context() -> ssl.SSLContext:
    """One certificate store for every client of the process: loading the bundle costs ~50 ms,
    and the fetcher keeps several small clients. `SSL_CERT_FILE` / `SSL_CERT_DIR` are honoured,
    as for every other tool on the host (a company proxy's CA)."""
    import certifi

    cafile, capath = os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR")
    if cafile or capath:
        return ssl.create_default_context(cafile=cafile or None, capath=capath or None)
    return ssl.create_default_context(cafile=certifi.where())


class RedirectRefused(Exception):
    """A redirect to somewhere a status page has no business sending us."""


async def _guard_redirect(response: httpx.Response) -> None:
    """Follow a redirect only to http(s), and never into our own network unless the configured
    URL itself is in that part of it (see `addresses`): a vendor page must not be able to point
    the poller at the jump host's neighbours or the cloud's metadata service."""
    if not response.has_redirect_location:
        return
    target = response.request.url.join(response.headers["location"])
    if target.scheme not in ("http", "https"):
        raise RedirectRefused(f"redirect to a {target.scheme or 'relative'} URL refused")
    configured = response.request.extensions.get(CONFIGURED_URL)
    configured_host = httpx.URL(configured).host if configured else ""
    if not await may_go(configured_host, target.host):
        raise RedirectRefused(f"redirect to an internal address ({target.host}) refused")


@dataclass
class Validators:
    """What the last answer said about itself, for the next conditional request."""

    etag: str | None = None
    last_modified: str | None = None
    not_before: float = 0.0  # monotonic: a Retry-After we must honour


@dataclass
class Outcome:
    fetched: Fetched | None = None
    reason: str = ""  # why there is nothing to read (timeout, HTTP 503, too large ...)
    not_modified: bool = False
    skipped: bool = False  # still inside a Retry-After window
    latency_ms: int | None = None
    validators: Validators = field(default_factory=Validators)
    unreachable: bool = False  # no answer at the network level (DNS, connect, timeout): nobody spoke
    redirect_to: str = ""  # where a redirect pointed, when it was not followed (a metric's API call)


class TooLarge(Exception):
    pass


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError, OverflowError):
            return None
    if seconds != seconds:  # NaN
        return None
    return min(max(0.0, seconds), MAX_RETRY_AFTER)


# What the resolver says when a name has no answer (glibc, macOS, a resolver that gave up).
_NO_DNS_ANSWER = (
    "name or service not known",
    "nodename nor servname",
    "no address associated",
    "temporary failure in name resolution",
)


def _host_of(error: Exception) -> str:
    try:
        return str(error.request.url.host)  # type: ignore[attr-defined]
    except (AttributeError, RuntimeError):  # httpx raises RuntimeError when no request is set
        return ""


def _describe(error: Exception, timeout: float) -> str:
    if isinstance(error, (asyncio.TimeoutError, httpx.TimeoutException)):
        return f"timeout after {timeout:g}s"
    if isinstance(error, (RedirectRefused, InternalAddressRefused)):
        return str(error)
    if isinstance(error, httpx.TooManyRedirects):
        return f"redirect loop (more than {MAX_REDIRECTS} redirects)"
    if isinstance(error, httpx.ConnectError):
        cause: BaseException | None = error
        while cause is not None:  # httpx wraps the OS error; the cause says what happened
            if isinstance(cause, ConnectionRefusedError) or "refused" in str(cause).lower():
                return "connection refused"
            if any(words in str(cause).lower() for words in _NO_DNS_ANSWER):
                return f"this host cannot find {_host_of(error) or 'the page'} (no DNS answer)"
            cause = cause.__cause__ or cause.__context__
        return f"cannot connect ({str(error)[:60]})" if str(error) else "cannot connect"
    if isinstance(error, httpx.RemoteProtocolError):
        return "connection closed mid-answer"
    if isinstance(error, httpx.UnsupportedProtocol):
        return "unsupported URL"
    if isinstance(error, httpx.HTTPError):
        return type(error).__name__
    return str(error) or type(error).__name__


def _checked_transport(per_client: int) -> httpx.AsyncBaseTransport | None:
    """A transport that connects only to the addresses it checked (connect.py), or None (httpx's
    own) when the environment names a proxy: the proxy then resolves names and connects, and what
    our resolver would answer says nothing about where it goes."""
    import urllib.request

    if any(scheme != "no" for scheme in urllib.request.getproxies()):  # "no": NO_PROXY, no proxy at all
        return None
    from .connect import CheckedTransport

    limits = httpx.Limits(max_connections=per_client, max_keepalive_connections=per_client)
    return CheckedTransport(ssl_context=shared_ssl_context(), limits=limits)


class Fetcher:
    def __init__(self, polling: Polling, *, retries: int = 2, backoff: float = 0.25, partitions: int | None = None):
        self.polling = polling
        self.timeout = polling.timeout.total_seconds()
        self.retries = retries
        self.backoff = backoff
        count = partitions or max(1, math.ceil(polling.concurrency / CLIENT_SLOTS))
        per_client = max(1, math.ceil(polling.concurrency / count))
        self.clients = [
            httpx.AsyncClient(
                transport=_checked_transport(per_client),
                timeout=httpx.Timeout(self.timeout),
                follow_redirects=True,
                max_redirects=MAX_REDIRECTS,
                limits=httpx.Limits(max_connections=per_client, max_keepalive_connections=per_client),
                headers={"User-Agent": USER_AGENT, "Accept": "application/json, application/xml;q=0.9, */*;q=0.5"},
                trust_env=True,  # proxy settings from the environment
                verify=shared_ssl_context(),
                event_hooks={"response": [_guard_redirect]},
            )
            for _ in range(count)
        ]
        self.gate = asyncio.Semaphore(polling.concurrency)
        self._next = 0

    async def aclose(self) -> None:
        await asyncio.gather(*(c.aclose() for c in self.clients))

    def _client(self, slot: int) -> httpx.AsyncClient:
        return self.clients[slot % len(self.clients)]

    async def fetch(
        self,
        url: str,
        validators: Validators | None = None,
        *,
        slot: int | None = None,
        conditional: bool = True,
        judge_any_status: bool = False,
        method: str = "GET",
        headers: dict[str, str] | None = None,
        content: bytes | None = None,
        follow_redirects: bool = True,
        on_behalf_of: str | None = None,
    ) -> Outcome:
        """GET `url` within every bound. `judge_any_status`: a probe measures whatever answers.
        `method`, `headers`, `content`: a metric signal's API call (a POST of a report query).
        `follow_redirects=False`: a redirect is answered, not followed (its target in `redirect_to`).
        `on_behalf_of`: the configured page `url` was found from (a canonical host's endpoint): where
        that page may send us bounds where this fetch may connect, as for its redirects."""
        request = (method, headers or {}, content, follow_redirects)
        validators = validators or Validators()
        if validators.not_before > time.monotonic():
            wait = validators.not_before - time.monotonic()
            return Outcome(reason=f"rate limited: retrying in {wait:.0f}s (Retry-After)", skipped=True, validators=validators)
        if slot is None:
            slot, self._next = self._next, self._next + 1
        client = self._client(slot)
        attempt = 0
        # One deadline for the whole check, retries and backoff included: `timeout: 5s` means the
        # answer is known within 5 s, not three times that.
        deadline: float | None = None
        while True:
            async with self.gate:
                started = time.perf_counter()
                if deadline is None:
                    deadline = time.monotonic() + self.timeout
                try:
                    outcome = await asyncio.wait_for(
                        self._get(
                            client,
                            url,
                            validators if conditional else Validators(),
                            judge_any_status,
                            request,
                            configured=on_behalf_of or url,
                        ),
                        max(0.001, deadline - time.monotonic()),
                    )
                except Exception as error:
                    outcome = Outcome(
                        reason=_describe(error, self.timeout),
                        validators=validators,
                        unreachable=isinstance(error, (httpx.TransportError, asyncio.TimeoutError))
                        and not isinstance(error, (httpx.UnsupportedProtocol, httpx.RemoteProtocolError)),
                    )
                    # A name that does not resolve or a port that refuses will not change its mind in a
                    # second: retrying them only queued more lookups behind a slow resolver (offline,
                    # `status` over 19 targets took 7-12 s although each lookup failed in 10 ms).
                    retryable = not isinstance(
                        error,
                        (
                            httpx.TooManyRedirects,
                            httpx.UnsupportedProtocol,
                            TooLarge,
                            RedirectRefused,
                            InternalAddressRefused,
                            httpx.ConnectError,
                        ),
                    )
                else:
                    retryable = outcome.fetched is None and (
                        outcome.reason.startswith("HTTP 5") or hasattr(outcome, "_retry_after")
                    )
                if outcome.latency_ms is None:  # no transport timing (it failed before): the wall time
                    outcome.latency_ms = int((time.perf_counter() - started) * 1000)
                if outcome.fetched is not None:
                    outcome.fetched = replace(outcome.fetched, latency_ms=outcome.latency_ms)
            delay = self.backoff * (2**attempt) * (0.5 + random.random())
            retry_after = getattr(outcome, "_retry_after", None)
            if retry_after is not None:
                if retry_after > MAX_INLINE_RETRY_AFTER:
                    outcome.validators.not_before = time.monotonic() + retry_after
                    return outcome
                delay = max(delay, retry_after)
            if not retryable or attempt >= self.retries or time.monotonic() + delay >= deadline:
                return outcome
            attempt += 1
            await asyncio.sleep(delay)

    async def _get(
        self,
        client: httpx.AsyncClient,
        url: str,
        validators: Validators,
        judge_any_status: bool,
        request: tuple[str, dict[str, str], bytes | None, bool] = ("GET", {}, None, True),
        *,
        configured: str = "",
    ) -> Outcome:
        method, extra_headers, content, follow = request
        headers = dict(extra_headers)
        if validators.etag:
            headers["If-None-Match"] = validators.etag
        if validators.last_modified:
            headers["If-Modified-Since"] = validators.last_modified
        # Latency is the network's: from the first byte sent on a connection (connect, or the
        # request on a kept-alive one) to the last byte read, not the time spent queued for a slot.
        sent: list[float] = []

        async def trace(name: str, info: dict) -> None:
            if not sent and name.endswith(("connect_tcp.started", "send_request_headers.started")):
                sent.append(time.perf_counter())

        # The configured URL rides along with every redirect (httpx copies extensions), for the guard
        # on each redirect and on each connection (connect.py).
        extensions = {CONFIGURED_URL: configured or url, "trace": trace}
        async with client.stream(
            method, url, headers=headers, content=content, extensions=extensions, follow_redirects=follow
        ) as response:
            fresh = Validators(response.headers.get("etag"), response.headers.get("last-modified"))
            if not follow and response.has_redirect_location:
                target = response.request.url.join(response.headers["location"])
                return Outcome(reason=f"HTTP {response.status_code}", validators=validators, redirect_to=str(target))
            if response.status_code == 304:
                return Outcome(not_modified=True, validators=Validators(validators.etag, validators.last_modified))
            if not judge_any_status and response.status_code >= 400:
                outcome = Outcome(reason=f"HTTP {response.status_code}", validators=validators)
                if response.status_code in (429, 503):
                    after = _retry_after(response)
                    if after is not None:
                        outcome.reason += f" (retry after {after:.0f}s)"
                        outcome._retry_after = after  # type: ignore[attr-defined]
                return outcome
            body = await self._read_capped(response)
            latency = int((time.perf_counter() - sent[0]) * 1000) if sent else None
            fetched = Fetched(response.status_code, body, latency or 0, response.headers.get("content-type", ""))
            return Outcome(fetched=fetched, validators=fresh, latency_ms=latency)

    async def _read_capped(self, response: httpx.Response) -> bytes:
        cap = self.polling.max_bytes
        declared = response.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > cap:
            raise TooLarge(f"too large ({int(declared) / 1e6:.1f} MB, limit {cap / 1e6:.1f} MB)")
        chunks, size = [], 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > cap:
                raise TooLarge(f"too large (over {cap / 1e6:.1f} MB)")
            chunks.append(chunk)
        return b"".join(chunks)
