"""The catalog's parts of a config: vendors and the components watched on their pages, probes,
services and their links, webhooks. Built only for a config that has them: six frozen dataclasses
cost a command with no catalog 5 ms of start-up (`config.X` and `config.model.X` load them when
asked)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class WatchedComponent:
    """A vendor component we care about; `group` is None when any group will do, "" for the top
    level only; `id` is the page's own id (for pages that repeat names), and then `name` is a label."""

    name: str
    group: str | None = None
    id: str | None = None

    def label(self) -> str:
        if self.id is not None and not self.name:
            return f"id {self.id}"
        return f"{self.group} / {self.name}" if self.group else self.name


@dataclass(frozen=True)
class Vendor:
    id: str
    name: str
    kind: str
    url: str
    components: tuple[WatchedComponent, ...] = ()
    interval: timedelta | None = None
    product: str | None = None  # google: which product; salesforce: which instance; meta: which organisation


@dataclass(frozen=True)
class Probe:
    url: str
    expect_status: int = 200
    expect_text: str | None = None
    max_latency: timedelta = timedelta(seconds=2)


@dataclass(frozen=True)
class Link:
    title: str
    url: str


@dataclass(frozen=True)
class Service:
    id: str
    name: str
    owner: str = ""
    tier: int = 3
    touchpoint: str = ""
    vendor: str | None = None
    components: tuple[str, ...] = ()
    probe: Probe | None = None
    runbook: str | None = None
    contacts: tuple[str, ...] = ()
    depends_on: tuple[str, ...] = ()
    description: str = ""
    tags: tuple[str, ...] = ()
    links: tuple[Link, ...] = ()
    system: str = ""  # the larger system it belongs to (Backstage's spec.system), for people
    proposed: tuple[str, ...] = ()  # fields an import proposed and nobody has confirmed yet


@dataclass(frozen=True)
class Webhook:
    url: str
    events: tuple[str, ...] = ("declared", "severity", "resolved", "threshold", "overdue", "override")
