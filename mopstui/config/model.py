"""The configuration's model: frozen dataclasses, defaults, and where files live by default."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..base.timeutil import zone

if TYPE_CHECKING:
    from .parts import Service, Vendor, Webhook

VENDOR_KINDS = (
    "auto",
    "statuspage",
    "incidentio",
    "incidentio_widget",
    "instatus",
    "betterstack",
    "statusio",
    "sorry",
    "hyperping",
    "rootly",
    "cachet",
    "slack",
    "google",
    "rss",
    "heroku",
    "salesforce",
    "stripe",
    "zendesk",
    "meta",
    "probe",
)
DEFAULT_THRESHOLDS = {"abandon": "1m", "resolve": "30m"}
DEFAULT_SEVERITIES = {
    "SEV1": "Critical: customers cannot buy, sign up or reach us",
    "SEV2": "Major: a key touchpoint is broken for many customers",
    "SEV3": "Minor: degraded or partial, with a workaround",
    "SEV4": "Low: cosmetic or internal only",
}
SYSTEM_CONFIG = Path("/etc/mopstui/config.yaml")


def bundled_path(name: str) -> Path:
    """A file shipped with mopstui (the example config, the vendor directory)."""
    return Path(__file__).parent.parent / "data" / name


def user_config_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "mopstui" / "config.yaml"


def default_database_path() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "mopstui" / "warroom.db"


# --------------------------------------------------------------------------- the model


# The first notifier on a war-room sends what open incidents saw this long before it started
# (`notify.catch_up`): a watch started after a declaration still tells the channel; older is history.
CATCH_UP = timedelta(minutes=15)


@dataclass(frozen=True)
class Threshold:
    name: str
    after: timedelta


@dataclass(frozen=True)
class Severity:
    name: str
    description: str
    thresholds: tuple[Threshold, ...] | None = None
    update_every: timedelta | None = None


@dataclass(frozen=True)
class Polling:
    interval: timedelta = timedelta(seconds=60)
    timeout: timedelta = timedelta(seconds=10)
    concurrency: int = 16
    max_bytes: int = 4 * 1024 * 1024


@dataclass(frozen=True)
class Config:
    database: Path  # the SQLite file; with `database_url`, where exports go by default
    database_url: str | None = None  # postgresql://…: the war-room on a server (never with a password)
    database_group: str | None = None
    timezone: str = "UTC"
    thresholds: tuple[Threshold, ...] = ()
    update_every: timedelta = timedelta(minutes=15)
    severities: dict[str, Severity] = field(default_factory=dict)
    polling: Polling = Polling()
    vendors: tuple[Vendor, ...] = ()
    services: tuple[Service, ...] = ()
    bell: bool = True
    animations: bool | None = None  # None: on, except over SSH
    away_after: timedelta = timedelta(seconds=60)  # a terminal silent this long (a frozen link) is away
    webhooks: tuple[Webhook, ...] = ()
    notify_catch_up: timedelta = CATCH_UP  # what the first notifier on a war-room still sends
    anchor_file: Path | None = None  # where the lease holder notes the log's head (outside the war-room)
    anchor_every: timedelta = timedelta(minutes=5)
    sources: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()  # `FILE:LINE: ...` that work but deserve a look (check-config shows them)
    economics: dict[str, Any] = field(default_factory=dict)  # touchpoint -> marketing.TouchpointEconomics
    templates: dict[str, str] = field(default_factory=dict)  # channel -> customer-update template
    signals: tuple[Any, ...] = ()  # signals.Signal: what the marketing territory says, beside the vendors' map
    keys: tuple[tuple[str, str], ...] = ()  # `keys:`: (command id, keys) that replace its default keys

    def signal(self, signal_id: str) -> Any:
        return next((s for s in self.signals if s.id == signal_id), None)

    def signals_of(self, service: Service) -> tuple[Any, ...]:
        """The signals that speak for a service: its own, and its touchpoint's that name no service."""
        return tuple(
            s
            for s in self.signals
            if s.service == service.id or (s.service is None and service.touchpoint and s.touchpoint == service.touchpoint)
        )

    def thresholds_for(self, severity: str | None) -> tuple[Threshold, ...]:
        sev = self.severities.get(severity or "")
        return sev.thresholds if sev and sev.thresholds is not None else self.thresholds

    def update_every_for(self, severity: str | None) -> timedelta:
        sev = self.severities.get(severity or "")
        return sev.update_every if sev and sev.update_every else self.update_every

    def vendor(self, vendor_id: str) -> Vendor | None:
        return next((v for v in self.vendors if v.id == vendor_id), None)

    def service(self, service_id: str) -> Service | None:
        return self._services_by_id.get(service_id)

    @cached_property
    def depends_graph(self) -> dict[str, tuple[str, ...]]:
        """Each service's direct dependencies that are in the catalog."""
        return {s.id: tuple(d for d in s.depends_on if d in self._services_by_id) for s in self.services}

    @cached_property
    def required_by(self) -> dict[str, list[str]]:
        """The reverse: for each service, the services that list it in depends_on."""
        reverse: dict[str, list[str]] = {}
        for service_id, deps in self.depends_graph.items():
            for dep in deps:
                reverse.setdefault(dep, []).append(service_id)
        return reverse

    @cached_property
    def _services_by_id(self) -> dict[str, Service]:
        # A dict, not a scan: a 10,000-service catalog asks this for every service.
        return {s.id: s for s in self.services}

    def service_name(self, service_id: str) -> str:
        """A service's name, or its id when the catalog no longer has it."""
        service = self.service(service_id)
        return service.name if service else service_id

    @property
    def database_location(self) -> str | Path:
        """What `open_store` takes: the server's URL, or the file's path."""
        return self.database_url or self.database

    @property
    def database_label(self) -> str:
        """The war-room as messages name it."""
        return self.database_url or str(self.database)

    @property
    def database_name(self) -> str:
        """The war-room in a few words, for the room bar: the file's name, or the server's URL."""
        return self.database_url or self.database.name

    def war_room_exists(self) -> bool:
        """Whether there is a war-room to read (a server is asked when the store opens)."""
        return self.database_url is not None or self.database.exists()

    @property
    def tz(self) -> Any:
        return zone(self.timezone)


class ConfigError(Exception):
    """One or more `FILE:LINE: message` problems."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


_PARTS = ("Link", "Probe", "Service", "Vendor", "WatchedComponent", "Webhook")


def __getattr__(name: str) -> Any:
    """The catalog's parts (vendors, services, probes ...) live in `parts`, loaded by the first
    config that has any: `from .model import Service` still answers."""
    if name in _PARTS:
        from . import parts

        return getattr(parts, name)
    raise AttributeError(name)
