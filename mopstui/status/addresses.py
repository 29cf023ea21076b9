"""Which part of the network an address is in, so a vendor's page cannot point the poller at
the jump host's neighbours.

A status page may redirect us, or name a canonical host, anywhere. Anything not globally routable
counts as internal, including the ranges a plain "private" test misses: carrier-grade NAT
(100.64.0.0/10, where some clouds keep their metadata service), IPv6 site-local (fec0::/10), and
IPv4 addresses wrapped in IPv6 (IPv4-mapped, 6to4, Teredo, NAT64) which reach the IPv4 host inside.
Following into our own network is allowed only within the class the user configured themselves:
a page on 127.0.0.1 may send us to localhost, a page on 10.x to another 10.x, but no page may
send us to the metadata service unless the configured URL is there too.
"""

from __future__ import annotations

import asyncio
import ipaddress

PUBLIC = "public"
LOOPBACK = "loopback"
PRIVATE = "private"
LINK_LOCAL = "link-local"  # 169.254.0.0/16 (cloud metadata), fe80::/10
SHARED = "shared"  # 100.64.0.0/10: carrier-grade NAT, Alibaba's metadata at 100.100.100.200
SPECIAL = "special"  # anything else not globally routable: multicast, reserved, documentation ...

_SHARED_V4 = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_V4_COMPATIBLE = ipaddress.ip_network("::/96")
_SITE_LOCAL = ipaddress.ip_network("fec0::/10")
_UNIQUE_LOCAL = ipaddress.ip_network("fc00::/7")
_PRIVATE_V4 = tuple(ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# The request extension that names the page a person configured; httpx copies a request's
# extensions onto each redirect, so every hop of a fetch carries it (fetch.py sets it, the guards
# on redirects and on connections read it).
CONFIGURED_URL = "mopstui_configured_url"


class InternalAddressRefused(Exception):
    """A host other than the configured page's answered an address inside our own network when
    we connected (connect.py)."""


def _unwrap(ip: Address) -> Address:
    """The IPv4 address an IPv6 one carries, when packets to it reach that IPv4 host."""
    if isinstance(ip, ipaddress.IPv4Address):
        return ip
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if ip in _NAT64 or (ip in _V4_COMPATIBLE and int(ip) > 1):  # ::a.b.c.d, but not :: or ::1
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip


def address_class(address: str) -> str:
    """`PUBLIC` for a globally routable address (or a name, which is not an address), else which
    internal class it is in."""
    try:
        ip = _unwrap(ipaddress.ip_address(address.strip("[]").split("%", 1)[0]))
    except ValueError:
        return PUBLIC
    if ip.is_loopback or ip.is_unspecified:  # 0.0.0.0 and :: reach this host too
        return LOOPBACK
    if ip.is_link_local:
        return LINK_LOCAL
    if isinstance(ip, ipaddress.IPv4Address):
        if ip in _SHARED_V4:
            return SHARED
        if any(ip in network for network in _PRIVATE_V4):
            return PRIVATE
    elif ip in _UNIQUE_LOCAL or ip in _SITE_LOCAL:
        return PRIVATE
    if not ip.is_global or ip.is_multicast or ip.is_reserved:
        return SPECIAL
    return PUBLIC


def is_internal(address: str) -> bool:
    return address_class(address) != PUBLIC


async def host_classes(host: str) -> set[str]:
    """The classes of every address `host` is, or resolves to (empty when it does not resolve:
    the request itself will fail and say so)."""
    name = host.strip("[]").lower().rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        return {LOOPBACK}
    if address_class(name) != PUBLIC:
        return {address_class(name)}
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(name, None)
    except (OSError, UnicodeError):
        return set()
    return {address_class(str(info[4][0])) for info in infos}


async def may_go(configured_host: str, target_host: str) -> bool:
    """Whether a redirect or a canonical link may take us from the configured page's host to
    `target_host`: anywhere public, and into our own network only within the classes the
    configured host itself is in."""
    inside = await host_classes(target_host) - {PUBLIC}
    if not inside:
        return True
    return inside <= await host_classes(configured_host)
