"""The service catalog: who owns what, which customer touchpoint it serves, and its health.

A service's health is the worst of its vendor components and its own probe; the services it
depends on (transitively) can only make it *at risk*, never down. When the vendor's word and our
probe disagree the service says so ("trust the territory"). No Textual or httpx here.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from .. import signals as sig
from ..config import Config, Service
from ..signals import SignalState
from ..status.model import MAJOR, OPERATIONAL, UNKNOWN, VendorStatus, is_problem, worst

AT_RISK, DISAGREE = "at_risk", "disagree"

# Display order, worst first: what the catalog sorts by.
HEALTH_RANK = {
    MAJOR: 0, "partial_outage": 1, DISAGREE: 2, "degraded": 3, AT_RISK: 4, UNKNOWN: 5,
    "maintenance": 6, OPERATIONAL: 7,
}  # fmt: skip


def probe_id(service_id: str) -> str:
    return f"probe:{service_id}"


def sources_behind(config: Config, service_ids: Iterable[str]) -> set[str]:
    """The vendors and probes the services hang on, through the services they depend on: what
    an incident's postmortem speaks of (another vendor's changes in the same hour are not its story)."""
    sources: set[str] = set()
    seen: set[str] = set()
    waiting = list(service_ids)
    while waiting:
        service_id = waiting.pop()
        service = config.service(service_id)
        if service_id in seen or service is None:
            continue
        seen.add(service_id)
        if service.vendor:
            sources.add(service.vendor)
        if service.probe:
            sources.add(probe_id(service_id))
        waiting.extend(service.depends_on)
    return sources


@dataclass(frozen=True)
class Health:
    state: str
    reason: str = ""
    via: tuple[str, ...] = ()  # what makes it so: vendor components, probe, or upstream services
    vendor_state: str = UNKNOWN
    probe_state: str | None = None


def _vendor_part(service: Service, status: VendorStatus | None) -> tuple[str, str, tuple[str, ...]]:
    state, reason, via = _page_part(service, status)
    if status is not None and status.override:  # the room's ruling, never passed off as the page's word
        reason += f" (room override; the page says {(status.page_state or UNKNOWN).replace('_', ' ')})"
    return state, reason, via


def _page_part(service: Service, status: VendorStatus | None) -> tuple[str, str, tuple[str, ...]]:
    if status is None:
        return UNKNOWN, "vendor not polled", ()
    if status.shown_state == UNKNOWN:
        why = status.reason or "unknown"
        return UNKNOWN, f"{status.name}: {'stale, ' if status.stale else ''}{why}", ()
    if not service.components:
        return status.state, f"{status.name}: {status.state.replace('_', ' ')}", (status.name,)
    states, via, missing = [], [], []
    for wanted in service.components:
        matches = [c for c in status.components if c.name == wanted or c.label() == wanted]
        if not matches:
            missing.append(wanted)
            continue
        state = worst(c.state for c in matches)
        states.append(state)
        if is_problem(state) or state == "maintenance":
            via.append(f"{status.name} {wanted}")
    if missing and not states:
        return status.state, f"{status.name}: component {missing[0]!r} not on its status page", (status.name,)
    state = worst(states)
    reason = f"{status.name} " + ", ".join(f"{w}" for w in service.components if w not in missing)
    return state, f"{reason}: {state.replace('_', ' ')}", tuple(via)


def _own_health(service: Service, statuses: Mapping[str, VendorStatus]) -> Health:
    vendor_state, vendor_reason, via = (
        _vendor_part(service, statuses.get(service.vendor)) if service.vendor else (UNKNOWN, "", ())
    )
    probe = statuses.get(probe_id(service.id)) if service.probe else None
    probe_state = probe.shown_state if probe else (UNKNOWN if service.probe else None)
    if (
        probe_state is not None
        and service.vendor
        and UNKNOWN not in (vendor_state, probe_state)
        and is_problem(vendor_state) != is_problem(probe_state)
    ):
        vendor = statuses.get(service.vendor)
        said = disagreement(vendor.name if vendor else service.vendor, vendor_state, probe_state)
        return Health(DISAGREE, said, via + ("probe",), vendor_state, probe_state)
    parts = [s for s in (vendor_state if service.vendor else None, probe_state) if s is not None]
    state = worst(parts)
    if probe_state is not None and is_problem(probe_state):
        via = via + ("probe",)
    reason = vendor_reason
    if probe is not None and probe_state is not None and (not reason or is_problem(probe_state)):
        reason = f"probe: {probe.reason or probe_state.replace('_', ' ')}"
    if not service.vendor and not service.probe:
        reason = "no vendor or probe configured"
    return Health(state, reason, via, vendor_state, probe_state)


def _with_signals(config: Config, service: Service, health: Health, signals: Mapping[str, SignalState]) -> Health:
    """A service's own signals (those naming it) fold in as our own measurement, like a probe: a
    signal in trouble while the vendor's page says operational is map ≠ territory."""
    mine = [signals[s.id] for s in config.signals if s.service == service.id and s.id in signals]
    troubled = [m for m in mine if m.state in (sig.DOWN, sig.DEGRADED) and not m.suppressed_by]
    if not troubled:
        return health
    worst_signal = min(troubled, key=lambda m: (m.state != sig.DOWN, m.name))
    said = f"our signal {worst_signal.name}: {worst_signal.why}"
    if service.vendor and health.vendor_state not in (UNKNOWN,) and not is_problem(health.vendor_state):
        return Health(
            DISAGREE,
            f"vendor says {health.vendor_state.replace('_', ' ')}, {said}",
            health.via + (worst_signal.name,),
            health.vendor_state,
            health.probe_state,
        )
    state = worst([health.state, worst_signal.vendor_state]) if health.state != DISAGREE else DISAGREE
    return Health(
        state,
        said if state != health.state or not is_problem(health.state) else health.reason,
        health.via + (worst_signal.name,),
        health.vendor_state,
        health.probe_state,
    )


def service_health(
    config: Config, statuses: Mapping[str, VendorStatus], signals: Mapping[str, SignalState] | None = None
) -> dict[str, Health]:
    """Every service's health: its own (vendor, probe, its signals), then *at risk* from anything it depends on."""
    own = {s.id: _own_health(s, statuses) for s in config.services}
    if signals:
        own = {s.id: _with_signals(config, s, own[s.id], signals) for s in config.services}
    # Walk back from each troubled service to everything that depends on it: one pass per
    # troubled service (usually few), not one per service, so 10,000 services stay fast.
    troubled = [s.id for s in config.services if is_problem(own[s.id].state) or own[s.id].state == DISAGREE]
    upstream_trouble: dict[str, list[str]] = {}
    for culprit in troubled:
        for service_id in _walk(config.required_by, culprit):
            upstream_trouble.setdefault(service_id, []).append(culprit)
    result: dict[str, Health] = {}
    for service in config.services:
        health = own[service.id]
        upstream = upstream_trouble.get(service.id)
        if upstream and (health.state in (OPERATIONAL, UNKNOWN, "maintenance")):
            names = ", ".join(config.service_name(d) for d in upstream)
            health = Health(AT_RISK, f"depends on {names}", tuple(upstream), health.vendor_state, health.probe_state)
        result[service.id] = health
    return result


def _walk(edges: Mapping[str, Sequence[str]], start: str) -> list[str]:
    """Everything reachable from `start` along `edges`, breadth first, each once, `start` itself
    never (whatever cycles lead back to it)."""
    seen, order, queue = {start}, [], deque(edges.get(start, ()))
    while queue:
        node = queue.popleft()
        if node in seen:
            continue
        seen.add(node)
        order.append(node)
        queue.extend(edges.get(node, ()))
    return order


def upstream(config: Config, service_id: str) -> list[str]:
    """Everything `service_id` depends on, transitively, each once (diamonds and cycles included)."""
    return _walk(config.depends_graph, service_id)


def dependents(config: Config, service_id: str) -> list[str]:
    """Services that depend on `service_id`, directly or not, in catalog order."""
    reached = set(_walk(config.required_by, service_id))
    return [s.id for s in config.services if s.id in reached]


@dataclass(frozen=True)
class Touchpoint:
    name: str
    state: str
    services: tuple[str, ...]
    culprits: tuple[str, ...]  # the services making it as bad as it is


def touchpoints(
    config: Config, health: Mapping[str, Health], signals: Mapping[str, SignalState] | None = None
) -> list[Touchpoint]:
    """The customer's view: each touchpoint's worst service health, worst touchpoint first. A
    touchpoint's own signals (those naming no service) count too: the form missing while every
    vendor says operational is map ≠ territory."""
    signals = signals or {}
    groups: dict[str, list[str]] = {}
    for service in config.services:
        groups.setdefault(service.touchpoint or "other", []).append(service.id)
    result = []
    for name, ids in groups.items():
        state = min((health[i].state for i in ids), key=lambda s: HEALTH_RANK.get(s, 5))
        culprits = tuple(i for i in ids if health[i].state == state) if state != OPERATIONAL else ()
        troubled = [
            signals[s.id]
            for s in config.signals
            if s.touchpoint == name
            and not s.service
            and s.id in signals
            and signals[s.id].state in (sig.DOWN, sig.DEGRADED)
            and not signals[s.id].suppressed_by
        ]
        if troubled:
            worst_signal = worst([m.vendor_state for m in troubled])
            if state in (OPERATIONAL, "maintenance"):
                state, culprits = DISAGREE, tuple(m.name for m in troubled)
            elif HEALTH_RANK.get(worst_signal, 5) < HEALTH_RANK.get(state, 5):
                state, culprits = worst_signal, tuple(m.name for m in troubled)
            elif HEALTH_RANK.get(worst_signal, 5) == HEALTH_RANK.get(state, 5):
                culprits += tuple(m.name for m in troubled)
        result.append(Touchpoint(name, state, tuple(ids), culprits))
    return sorted(result, key=lambda t: (HEALTH_RANK.get(t.state, 5), t.name))


def sorted_services(config: Config, health: Mapping[str, Health]) -> list[Service]:
    return sorted(config.services, key=lambda s: (HEALTH_RANK.get(health[s.id].state, 5), s.tier, s.name.lower()))


def follows(service: Service, vendor_id: str, component: str | None, group: str | None = None) -> bool:
    """Whether `service` takes its vendor health from `component` of `vendor_id` (None: the
    vendor's overall indicator). The one reach rule: health, impact and evidence all use it. A
    service that names components follows only those; one that names none follows the
    indicator; a component nobody names reaches nobody."""
    if service.vendor != vendor_id:
        return False
    if component is None:
        return not service.components
    return component in service.components or (group is not None and f"{group} / {component}" in service.components)


def impact(config: Config, vendor_id: str, component: str | None = None, group: str | None = None) -> dict:
    """Which services and touchpoints a vendor (or one of its components) reaches: the services
    that follow it (a component's trouble also moves the indicator, which reaches the services
    that follow the whole vendor), then, at risk, everything that depends on those."""
    direct = [
        s.id for s in config.services
        if s.vendor == vendor_id and (component is None or follows(s, vendor_id, component, group) or not s.components)
    ]  # fmt: skip
    return reach(config, direct) | {"vendor": vendor_id, "component": component}


def reach(config: Config, direct: list[str]) -> dict:
    """`direct` services, those at risk through them (transitive dependents, each once, cycles
    included), and the touchpoints of all of them."""
    indirect = list(dict.fromkeys(d for sid in direct for d in dependents(config, sid) if d not in direct))
    reached = direct + indirect
    return {
        "direct": direct,
        "at_risk": indirect,
        "touchpoints": sorted({(config.service(s) or Service(s, s)).touchpoint or "other" for s in reached}),
    }


def catalog_snapshot(config: Config) -> dict:
    """The catalog as plain data, recorded when an incident is declared."""
    return {
        "services": [
            {
                "id": s.id,
                "name": s.name,
                "owner": s.owner,
                "tier": s.tier,
                "touchpoint": s.touchpoint,
                "vendor": s.vendor,
                "components": list(s.components),
                "depends_on": list(s.depends_on),
                "runbook": s.runbook,
                "contacts": list(s.contacts),
            }
            for s in config.services
        ],
        "vendors": [{"id": v.id, "name": v.name, "kind": v.kind, "url": v.url} for v in config.vendors],
    }


def service_facts(config: Config, service: Service) -> list[tuple[str, str]]:
    """A service's detail as label and value rows: the same in `catalog show` and the screen."""
    vendor = config.vendor(service.vendor) if service.vendor else None

    def thing_name(thing_id: str) -> str:  # a dependency is a service or a vendor: by its name, as people say it
        known = config.vendor(thing_id)
        return config.service_name(thing_id) if config.service(thing_id) or known is None else known.name

    return [
        ("Owner", service.owner), ("Tier", str(service.tier)), ("Touchpoint", service.touchpoint),
        ("Vendor", f"{vendor.name} ({vendor.url})" if vendor else (service.vendor or "—")),
        ("Components", ", ".join(service.components) or "—"), ("Probe", service.probe.url if service.probe else "—"),
        ("Runbook", service.runbook or "—"), ("Contacts", ", ".join(service.contacts) or "—"),
        ("Depends on", ", ".join(map(thing_name, service.depends_on)) or "—"),
        ("Needed by", ", ".join(map(config.service_name, dependents(config, service.id))) or "—"),
    ]  # fmt: skip


def todo(service: Service) -> list[str]:
    """What a person still has to decide about a service before the room can rely on it."""
    found = []
    if service.proposed:
        found.append(f"proposed {', '.join(service.proposed)}: confirm, then remove `proposed`")
    if not service.touchpoint:
        found.append("no touchpoint")
    if not service.vendor and not service.probe:
        found.append("no vendor or probe (nothing says whether it is healthy)")
    return found


def culprits_line(config: Config, touchpoint: Touchpoint, limit: int | None = None) -> str:
    """ "via Lead form, CDN": what makes a touchpoint as bad as it is ('' when it is fine)."""
    if not touchpoint.culprits or touchpoint.state in (OPERATIONAL, UNKNOWN):
        return ""
    return "via " + ", ".join(config.service_name(s) for s in touchpoint.culprits[:limit])


def change_line(change: dict, tz: tzinfo | None = None, now: datetime | None = None) -> str:
    """One stored vendor change, for a service's or vendor's recent history: in the room's zone
    `00:44:10` today, `Mon 7 Dec 23:10:02` before (the stored `2026-12-08T00:44` otherwise), the
    states in the screen's words (`ok → down`)."""
    seen = str(change["seen_at"])
    try:
        moment = datetime.fromisoformat(seen.replace("Z", "+00:00"))
    except ValueError:
        moment = None
    if tz is None or moment is None or moment.tzinfo is None:
        shown = seen[:16]
    else:
        local = moment.astimezone(tz)
        today = (now or datetime.now(UTC)).astimezone(tz).date()
        shown = f"{local:%H:%M:%S}" if local.date() == today else f"{local:%a} {local.day} {local:%b %H:%M:%S}"
    before, after = (state_word(str(change[key] or "unknown")) for key in ("previous_state", "state"))
    return f"{shown}  {change['component'] or 'overall'}: {before} → {after}"


# A signal's kind as a marketer reads it beside its name (`(silence)` and `(metric)` were the
# config's words).
SIGNAL_KIND_WORDS = {
    "form": "form check", "tag": "tag check", "silence": "too-quiet check", "metric": "number check",
    "deliverability": "email delivery check",
}  # fmt: skip


def state_word(state: str) -> str:
    words = {OPERATIONAL: "ok", AT_RISK: "at risk", "partial_outage": "partial", MAJOR: "down", "maintenance": "maint"}
    return words.get(state, state.replace("_", " "))


SYMBOLS = {
    OPERATIONAL: "✓", "degraded": "◐", "partial_outage": "▲", MAJOR: "✖", "maintenance": "⚒",
    UNKNOWN: "?", AT_RISK: "!", DISAGREE: "≠",
}  # fmt: skip


def disagreement(vendor_name: str, vendor_state: str, probe_state: str) -> str:
    """`✖ down (our probe) — Intercom's page still says operational`: what a marketer reads when
    the vendor's page and our own probe disagree."""
    page = vendor_state.replace("_", " ")
    still = "still " if is_problem(probe_state) else ""
    return f"{badge(probe_state)} (our probe) — {vendor_name}'s page {still}says {page}"


def badge(state: str) -> str:
    """Symbol + word, never colour alone."""
    return f"{SYMBOLS.get(state, '?')} {state_word(state)}"
