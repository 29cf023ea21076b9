"""How what the poller saw becomes evidence on incident timelines, with no I/O.

One reach rule (`catalog.follows` and `catalog.reach`, the same the health column and `catalog
impact` use) decides which incidents a change concerns: the services that follow the changed
vendor part, and everything that depends on them. A burst of changes from one source in one
round becomes one entry per incident, never thousands.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, tzinfo

from ..base.textsafe import clean_line
from ..config import Config
from . import catalog as cat
from .model import Incident

LISTED = 5  # changes named in one entry; the rest are counted


@dataclass(frozen=True)
class Evidence:
    incident_id: int
    text: str
    dedupe: str


def _word(state: str) -> str:
    """The screen's one set of state words (`down`, `partial`), before and after alike."""
    return cat.state_word(state)


def local_time(moment: str | None, tz: tzinfo) -> str:
    if not moment:
        return "?"
    try:
        parsed = datetime.fromisoformat(moment.replace("Z", "+00:00"))
    except ValueError:
        return clean_line(moment, 25)
    if parsed.tzinfo is None:
        return clean_line(moment, 25)
    return parsed.astimezone(tz).strftime("%H:%M")


def change_text(change: dict, name: str, tz: tzinfo) -> str:
    """`Intercom Messenger ◐ degraded — was operational (seen 14:05)`."""
    component = change.get("component") or ""
    # `Intercom Messenger`, never `Intercom Intercom Messenger` when the page names it so itself
    what = (component if component.lower().startswith(name.lower()) else f"{name} {component}") if component else name
    return f"{what} {cat.badge(change['state'])} — was {_word(change['previous_state'])} ({_when(change, tz)})"


def _when(change: dict, tz: tzinfo) -> str:
    seen = local_time(change["seen_at"], tz)
    dated = local_time(change.get("vendor_time"), tz)
    return f"seen {seen}" if dated in ("?", seen) else f"the page dates it {dated}, seen {seen}"


def directly_reached(config: Config, change: dict) -> list[str]:
    """The services a change is about: a probe's or a disagreement's own service, or the services
    following the changed vendor part."""
    source = change["vendor_id"]
    if source.startswith("signal:"):
        return signal_services(config, source.split(":", 1)[1])
    if source.startswith(("service:", "probe:")):
        service_id = source.split(":", 1)[1]
        return [service_id] if config.service(service_id) else []
    return [s.id for s in config.services if cat.follows(s, source, change.get("component"), change.get("group_name"))]


def signal_services(config: Config, signal_id: str) -> list[str]:
    """The services a signal speaks for: its own, or every service of its touchpoint."""
    signal = config.signal(signal_id)
    if signal is None:
        return []
    if signal.service:
        return [signal.service] if config.service(signal.service) else []
    return [s.id for s in config.services if s.touchpoint == signal.touchpoint]


def signal_text(change: dict, name: str, tz: tzinfo) -> str:
    """ "Lead form (signal): ok → down: form missing from its page (source 10:02, seen 10:03)"."""
    why = clean_line(change.get("reason") or "", 200)
    source = f"source time {local_time(change.get('vendor_time'), tz)}, " if change.get("vendor_time") else ""
    return (
        f"{name} (signal): {_word(change['previous_state'])} → {_word(change['state'])}{': ' + why if why else ''} "
        f"({source}seen {local_time(change['seen_at'], tz)})"
    )


def _one_text(config: Config, change: dict, name: str) -> str:
    source = change["vendor_id"]
    if source.startswith("signal:"):
        return signal_text(change, name, config.tz)
    if source.startswith("service:"):
        service = config.service(source.split(":", 1)[1])
        label = service.name if service else source
        if change["state"] == cat.DISAGREE:
            return f"{label} {change.get('reason') or '≠ disagrees with its vendor'}"
        return f"{label}: the vendor's page and our own checks agree again"
    return change_text(change, name, config.tz)


def entry_text(config: Config, changes: list[dict], name: str) -> str:
    """One timeline entry for one source's changes in one round."""
    if len(changes) == 1 or changes[0]["vendor_id"].startswith("signal:"):
        return _one_text(config, changes[0], name)
    listed = "; ".join(
        f"{clean_line(c['component'] or 'overall')} {cat.badge(c['state'])} (was {_word(c['previous_state'])})"
        for c in changes[:LISTED]
    )
    more = f"; and {len(changes) - LISTED} more" if len(changes) > LISTED else ""
    return f"{name}: {len(changes)} changes — {listed}{more} ({_when(changes[0], config.tz)})"


def evidence(
    config: Config, incidents: Iterable[Incident], changes: list[dict], observation_ids: list[int], names: dict[str, str]
) -> list[Evidence]:
    """The entries to write: for each incident, one per source whose changes reach its services."""
    by_source: dict[str, list[tuple[dict, int, set[str]]]] = {}
    reached_cache: dict[tuple, set[str]] = {}
    for change, observation_id in zip(changes, observation_ids):
        key = (change["vendor_id"], change.get("component"), change.get("group_name"))
        if key not in reached_cache:
            reach = cat.reach(config, directly_reached(config, change))
            reached_cache[key] = set(reach["direct"]) | set(reach["at_risk"])
        if reached_cache[key]:
            by_source.setdefault(change["vendor_id"], []).append((change, observation_id, reached_cache[key]))
    found = []
    for incident in incidents:
        affected = set(incident.services)
        for source, items in by_source.items():
            relevant = [(c, oid) for c, oid, reached in items if reached & affected]
            if not relevant:
                continue
            text = entry_text(config, [c for c, _ in relevant], names.get(source, source))
            found.append(Evidence(incident.id, text, f"INC-{incident.id}:observation:{relevant[0][1]}"))
    return found
