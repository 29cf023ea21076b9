"""Connecting only to an address that was checked: the name is resolved once, its addresses are
checked, and the connection goes to one of those very addresses.

The guard against being sent into our own network (addresses.py: a redirect, or a page's
canonical host) used to resolve a name to check it, and the connection resolved it again. A name
whose DNS answers a public address to the first question and 127.0.0.1 or 10.x to the second (DNS
rebinding) got through. Here the one answer is both checked and used: httpcore asks its network
backend to connect to a host name, and this backend resolves it, checks every address, and connects
to a checked one by its number. TLS still names the host (httpcore passes the name to `start_tls`
after the connection is made) and so does the Host header (httpx writes it from the URL).

The page a person configured may be anywhere, as before; every other host (one a redirect or a
canonical link took us to) may be reached only within the parts of the network the configured
page's own host is in (`addresses.may_go`'s rule, applied at the moment of connecting).
"""

from __future__ import annotations

import asyncio
import contextvars
import socket
import ssl
from collections.abc import Iterable

import httpcore
import httpx

from .addresses import CONFIGURED_URL, PUBLIC, InternalAddressRefused, address_class, host_classes

# The host of the page being fetched on a person's behalf, for the connections this task makes.
_configured_host: contextvars.ContextVar[str] = contextvars.ContextVar("configured_host", default="")


def _same_host(one: str, other: str) -> bool:
    return one.strip("[]").lower().rstrip(".") == other.strip("[]").lower().rstrip(".")


async def checked_addresses(host: str, port: int) -> list[str]:
    """The addresses `host` resolves to, once, when a connection to each is allowed now."""
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise httpcore.ConnectError(str(error)) from error
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    configured = _configured_host.get()
    if not configured or _same_host(host, configured):
        return addresses  # the page a person configured: their choice, wherever it is
    inside = {address_class(address) for address in addresses} - {PUBLIC}
    if inside and not inside <= await host_classes(configured):
        raise InternalAddressRefused(f"{host} answered an internal address when we connected: refused")
    return addresses


class CheckedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's own backend, connecting by number to addresses `checked_addresses` allowed."""

    def __init__(self) -> None:
        self.inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        failure: Exception | None = None
        for address in await checked_addresses(host, port):
            try:
                return await self.inner.connect_tcp(
                    address, port, timeout=timeout, local_address=local_address, socket_options=socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as error:
                failure = error  # the name's next address, as a resolver's answer is meant to be used
        raise failure or httpcore.ConnectError(f"{host} has no address")

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None
    ) -> httpcore.AsyncNetworkStream:
        return await self.inner.connect_unix_socket(path, timeout=timeout, socket_options=socket_options)

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


class CheckedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport, connecting through `CheckedBackend`, told for each request (redirects
    included) which page it is fetched for."""

    def __init__(self, *, ssl_context: ssl.SSLContext, limits: httpx.Limits) -> None:
        super().__init__(verify=ssl_context, limits=limits)
        # httpx (0.29) has no argument for httpcore's network backend (encode/httpx#3180), so the
        # pool it made is replaced by the same pool with ours; tests/test_rebinding.py proves it is used.
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=CheckedBackend(),
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        configured = request.extensions.get(CONFIGURED_URL)
        # The host as httpcore will name it to the backend (an international name in its ASCII form).
        url = httpx.URL(configured) if configured else request.url
        token = _configured_host.set(url.raw_host.decode("ascii"))
        try:
            return await super().handle_async_request(request)
        finally:
            _configured_host.reset(token)
