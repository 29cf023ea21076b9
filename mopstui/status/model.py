"""What we know about a vendor: one model for every status-page format and for our own probes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace

from ..base.textsafe import clean, clean_line

OPERATIONAL, MAINTENANCE, DEGRADED, PARTIAL, MAJOR, UNKNOWN = (
    "operational", "maintenance", "degraded", "partial_outage", "major_outage", "unknown",
)  # fmt: skip
STATES = (OPERATIONAL, DEGRADED, PARTIAL, MAJOR, MAINTENANCE, UNKNOWN)
# How bad a known state is; unknown is not a rank, it is the absence of one.
RANK = {OPERATIONAL: 0, MAINTENANCE: 1, DEGRADED: 2, PARTIAL: 3, MAJOR: 4}

MAX_NAME, MAX_TITLE, MAX_UPDATE = 120, 200, 600


def worst(states: Iterable[str | None]) -> str:
    """The worst known state; unknown only when nothing is known."""
    known = [s for s in states if s in RANK]
    return max(known, key=RANK.__getitem__) if known else UNKNOWN


def is_problem(state: str) -> bool:
    return RANK.get(state, 0) >= RANK[DEGRADED]


@dataclass(frozen=True)
class Component:
    name: str
    state: str
    group: str | None = None
    watched: bool = True  # False: on the page, shown in the detail, but not part of our verdict
    id: str | None = None  # the page's own id, where it has one (incident.io pages repeat names)
    note: str = ""  # why a watched component is unknown: not on the page, or which of several it could be

    def label(self) -> str:
        return f"{self.group} / {self.name}" if self.group else self.name


@dataclass(frozen=True)
class Group:
    """A component group as the page shows it: its own status (unknown where the page gives none)."""

    name: str
    state: str = UNKNOWN
    id: str | None = None


@dataclass(frozen=True)
class VendorIncident:
    title: str
    impact: str  # a state: the worst it says it causes
    status: str = ""
    updated_at: str | None = None
    latest_update: str = ""


@dataclass(frozen=True)
class Maintenance:
    title: str
    status: str = ""
    starts_at: str | None = None
    ends_at: str | None = None


@dataclass(frozen=True)
class Parsed:
    """What a provider read from one payload."""

    state: str
    components: tuple[Component, ...] = ()
    incidents: tuple[VendorIncident, ...] = ()
    maintenances: tuple[Maintenance, ...] = ()
    updated_at: str | None = None
    # The page's component groups with their own status (`children`: the names under them), kept
    # apart from `components` so a group is shown only when someone watches it.
    groups: tuple[Group, ...] = ()
    note: str = ""  # a word on a reading that worked, e.g. that no watched component is on the page
    # The format lists only the components something affects (incident.io's widget API): one it
    # does not name is operational by the page's word, not missing from the page.
    affected_only: bool = False

    def sanitized(self) -> Parsed:
        """Vendor text is untrusted: plain, single-line where it is shown in one line, capped."""
        return Parsed(
            state=self.state if self.state in STATES else UNKNOWN,
            components=tuple(
                Component(
                    clean_line(c.name, MAX_NAME),
                    c.state if c.state in STATES else UNKNOWN,
                    clean_line(c.group, MAX_NAME) or None,
                    c.watched,
                    clean_line(c.id, MAX_NAME) or None,
                    clean_line(c.note, MAX_UPDATE),
                )
                for c in self.components
            ),
            incidents=tuple(
                VendorIncident(
                    clean_line(i.title, MAX_TITLE),
                    i.impact if i.impact in STATES else UNKNOWN,
                    clean_line(i.status, 40),
                    clean_line(i.updated_at, 40) or None,
                    clean(i.latest_update, max_length=MAX_UPDATE).strip(),
                )
                for i in self.incidents
            ),
            maintenances=tuple(
                Maintenance(
                    clean_line(m.title, MAX_TITLE),
                    clean_line(m.status, 40),
                    clean_line(m.starts_at, 40) or None,
                    clean_line(m.ends_at, 40) or None,
                )
                for m in self.maintenances
            ),
            updated_at=clean_line(self.updated_at, 40) or None,
            groups=tuple(
                Group(clean_line(g.name, MAX_NAME), g.state if g.state in STATES else UNKNOWN, clean_line(g.id, MAX_NAME) or None)
                for g in self.groups
            ),
            note=clean_line(self.note, MAX_UPDATE),
            affected_only=self.affected_only,
        )


@dataclass(frozen=True)
class VendorStatus:
    """A vendor's (or a probe's) last known status, as every session reads it from the database."""

    id: str
    name: str
    kind: str
    state: str = UNKNOWN
    stale: bool = False
    reason: str = "not yet fetched"
    checked_at: str | None = None  # when we last tried
    last_good_at: str | None = None  # when we last had an answer we could read
    latency_ms: int | None = None
    vendor_updated_at: str | None = None
    components: tuple[Component, ...] = ()
    incidents: tuple[VendorIncident, ...] = ()
    maintenances: tuple[Maintenance, ...] = ()
    # Set only where the room overruled the page (domain/overrides.py): the page's own state, and why.
    page_state: str | None = None
    override: str = ""
    # A `kind: auto` vendor whose page moved platform: the format it spoke before, and when the
    # move was seen; kept at every round until the config names a format.
    moved_from: str = ""
    moved_at: str = ""

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> VendorStatus:
        return cls(
            **{k: v for k, v in data.items() if k not in ("components", "incidents", "maintenances")},
            components=tuple(Component(**c) for c in data.get("components", ())),
            incidents=tuple(VendorIncident(**i) for i in data.get("incidents", ())),
            maintenances=tuple(Maintenance(**m) for m in data.get("maintenances", ())),
        )

    def with_parsed(self, parsed: Parsed, *, checked_at: str, latency_ms: int | None) -> VendorStatus:
        return replace(
            self, state=parsed.state, stale=False, reason=parsed.note, checked_at=checked_at, last_good_at=checked_at,
            latency_ms=latency_ms, vendor_updated_at=parsed.updated_at, components=parsed.components,
            incidents=parsed.incidents, maintenances=parsed.maintenances,
        )  # fmt: skip

    def with_failure(self, reason: str, *, checked_at: str, latency_ms: int | None = None) -> VendorStatus:
        """A failed fetch: never up or down. The last good answer is kept, marked stale, with why."""
        if self.last_good_at:
            return replace(self, stale=True, reason=reason, checked_at=checked_at, latency_ms=latency_ms)
        return replace(self, state=UNKNOWN, stale=False, reason=reason, checked_at=checked_at, latency_ms=latency_ms)

    @property
    def watched_components(self) -> tuple[Component, ...]:
        return tuple(c for c in self.components if c.watched)

    @property
    def shown_state(self) -> str:
        """Stale knowledge is not knowledge of now: a stale vendor shows as unknown, unless the
        room has ruled on it."""
        return UNKNOWN if self.stale and not self.override else self.state


def from_payloads(payloads: dict[str, dict]) -> dict[str, VendorStatus]:
    """The poller's stored results as models; a payload from another version that does not fit
    is left out (that vendor shows as not yet fetched) rather than breaking the reader."""
    found = {}
    for vendor_id, payload in payloads.items():
        try:
            found[vendor_id] = VendorStatus.from_dict(payload)
        except TypeError:
            continue
    return found


def grouped(components: tuple[Component, ...]) -> list[Component]:
    """Components under their group, groups in the order the page first shows them, and the page's
    order within each group (a page listing groups interleaved reads as a list of groups)."""
    order: dict[str | None, int] = {}
    for component in components:
        order.setdefault(component.group, len(order))
    return sorted(components, key=lambda c: order[c.group])  # sorted() is stable: the page's order within
