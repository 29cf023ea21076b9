"""Status-page formats, one small module each, registered by the `kind` a vendor's config names.

Every provider turns a fetched payload into the same `Parsed` model; a payload it cannot read
raises `ParseError` with a short reason, which the poller shows as unknown/stale, never as up
or down.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ...config import Vendor
from ..model import Parsed


class ParseError(ValueError):
    """The payload is not what this kind of page sends: the reason is shown to the user."""


@dataclass(frozen=True)
class Fetched:
    """One HTTP answer, as the poller read it (body already capped in size)."""

    status_code: int
    body: bytes
    latency_ms: int
    content_type: str = ""


def configured_url(vendor: Vendor) -> str:
    """For formats with no well-known path: the URL in the config is the endpoint."""
    return vendor.url


@dataclass(frozen=True)
class Provider:
    kind: str
    url: Callable[[Vendor], str]
    parse: Callable[[Fetched, Vendor], Parsed]
    own_check: bool = False  # probes judge the HTTP answer itself; pages only their payload


def _registry() -> dict[str, Provider]:
    from . import (
        betterstack,
        cachet,
        google,
        heroku,
        hyperping,
        incidentio,
        incidentio_widget,
        instatus,
        meta,
        probe,
        rootly,
        rss,
        salesforce,
        slack,
        sorry,
        statusio,
        statuspage,
        stripe,
        zendesk,
    )

    modules = (
        statuspage,
        incidentio,
        incidentio_widget,
        instatus,
        betterstack,
        statusio,
        sorry,
        hyperping,
        rootly,
        cachet,
        slack,
        google,
        rss,
        heroku,
        salesforce,
        stripe,
        zendesk,
        meta,
        probe,
    )
    return {m.PROVIDER.kind: m.PROVIDER for m in modules}


PROVIDERS: dict[str, Provider] = _registry()


def provider(kind: str) -> Provider:
    return PROVIDERS[kind]
