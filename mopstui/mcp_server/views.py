"""What `mopstui mcp` reads out of the room, as plain data and a short text: the same domain
functions and store calls the commands use (`incidents`, `timeline --search`, `status`,
`overrides`, `catalog`, `catalog show`, `catalog impact`, `followups`, `draft`), nothing decided
here. No MCP here either: `tools.py` turns these into tools.

Every string that came from a person, a vendor or the config is cleaned (textsafe) before it
leaves, as on screen: an agent's host may show it to a person in a terminal.
"""

from __future__ import annotations

import difflib
from datetime import datetime, timedelta

from ..base.textsafe import clean, clean_line
from ..base.timeutil import format_duration
from ..config import Config
from ..domain import catalog as cat
from ..domain import overrides as ov
from ..domain.clocks import incident_clocks
from ..domain.drafts import draft
from ..domain.followups import followups
from ..domain.grammar import parse_search
from ..domain.model import FOLLOWUP_KINDS, Event, Incident, InputError, incident_label, parse_incident_ref
from ..domain.takeback import ANNOTATION_KINDS
from ..domain.timeline import Annotations, annotated_text
from ..status.model import UNKNOWN, VendorStatus, from_payloads
from ..store import SQLStore

MAX_ENTRIES = 500


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _seconds(delta: timedelta) -> int:
    return int(delta.total_seconds())


def incident_facts(incident: Incident, config: Config, store: SQLStore, now: datetime) -> dict:
    comms = store.last_customer_update(incident.id)
    clocks = []
    for clock in incident_clocks(incident, config, comms, now):
        clocks.append({
            "name": clock.label(), "kind": clock.kind, "limit_seconds": _seconds(clock.limit),
            "elapsed_seconds": _seconds(clock.elapsed), "remaining_seconds": _seconds(clock.remaining),
            "crossed": clock.crossed, "due_at": clock.crossed_at.isoformat(), "says": clock.status_text(),
        })  # fmt: skip
    update = next((c for c in clocks if c["kind"] == "update"), None)
    return {
        "id": incident.id, "label": incident.label, "title": clean_line(incident.title),
        "summary": clean(incident.summary).strip(), "severity": incident.severity, "status": incident.status,
        "started_at": incident.started_at.isoformat(), "resolved_at": _iso(incident.resolved_at),
        "elapsed_seconds": _seconds((incident.resolved_at or now) - incident.started_at),
        "declared_by": clean_line(incident.declared_by),
        "roles": {role: clean_line(name) for role, name in incident.roles.items()},
        "services": [clean_line(s) for s in incident.services],
        "clocks": clocks, "update_due_at": update["due_at"] if update else None,
        "last_entry_id": store.last_event_id(),
    }  # fmt: skip


def incident_line(facts: dict) -> str:
    roles = ", ".join(f"{role} {name}" for role, name in facts["roles"].items()) or "no roles taken"
    clocks = "; ".join(f"{c['name']}: {c['says']}" for c in facts["clocks"])
    return (
        f"{facts['label']} {facts['severity']} {facts['status']} (+{_duration(facts['elapsed_seconds'])}): "
        f"{facts['title']} — {roles}" + (f" — {clocks}" if clocks else "")
    )


def _duration(seconds: int) -> str:
    return format_duration(timedelta(seconds=seconds))


def active_incidents(config: Config, store: SQLStore, now: datetime) -> tuple[dict, str]:
    incidents = [incident_facts(i, config, store, now) for i in store.incidents()]
    text = "\n".join(incident_line(f) for f in incidents) or "no active incidents"
    return {"incidents": incidents}, text


def entry(event: Event, notes: Annotations) -> dict:
    return {
        "id": event.id, "incident": incident_label(event.incident_id) if event.incident_id else None,
        "occurred_at": event.occurred_at.isoformat(), "recorded_at": event.recorded_at.isoformat(),
        "author": clean_line(event.author), "account": clean_line(event.account_label or "") or None,
        "kind": event.kind, "text": clean(event.text).strip(), "ref": event.ref, "backdated": event.backdated,
        "kind_now": notes.kind_now(event), "starred": event.id in notes.starred,
        "corrected_by": [c.id for c in notes.corrections.get(event.id, ())],
        "withdrawn_by": notes.withdrawn[event.id].id if event.id in notes.withdrawn else None,
    }  # fmt: skip


def entry_line(item: dict, event: Event, notes: Annotations) -> str:
    when = item["occurred_at"][:16]
    return f"{item['incident']} #{item['id']} {when} {event.who} {item['kind']}: {annotated_text(event, notes)}"


def timeline(
    config: Config, store: SQLStore, incident_ref: str, *, since: int = 0, search: str = "", limit: int = 200
) -> tuple[dict, str]:
    """An incident's entries written after entry `since`, in timeline order; only those matching
    `search` (the grammar of `timeline --search`) when given; the last `limit` of them."""
    incident = store.incident(parse_incident_ref(incident_ref))
    query = parse_search(search or "")
    if query.empty:
        events = store.events(incident.id, after_id=since)
    else:
        events = [e for e in store.search(incident.id, query.words, kind=query.kind, author=query.author) if e.id > since]
    notes = Annotations.of(store.events_of_kinds(ANNOTATION_KINDS, incident.id))
    limit = max(1, min(limit, MAX_ENTRIES))
    left_out = max(0, len(events) - limit)
    shown = events[left_out:]
    items = [entry(e, notes) for e in shown]
    last = store.last_event_id()
    data = {"incident": {"id": incident.id, "label": incident.label, "title": clean_line(incident.title),
                         "severity": incident.severity, "status": incident.status},
            "entries": items, "earlier_left_out": left_out, "last_entry_id": last}  # fmt: skip
    lines = [f"{incident.label} {incident.severity} {incident.status}: {clean_line(incident.title)}"]
    if left_out:
        lines.append(f"({left_out} earlier entries left out; ask with a higher limit or a search)")
    lines += [entry_line(item, event, notes) for item, event in zip(items, shown)]
    if not items:
        lines.append("no entries" + (" match" if not query.empty else "") + (f" after #{since}" if since else ""))
    lines.append(f"(next time, since={last} gives only what is new)")
    return data, "\n".join(lines)


def _watched(config: Config) -> list[tuple[str, str, str]]:
    """Every vendor and probe the room watches: (id, name, kind)."""
    found = [(v.id, v.name, v.kind) for v in config.vendors]
    found += [(cat.probe_id(s.id), f"{s.name} (our probe)", "probe") for s in config.services if s.probe]
    return found


def vendors(config: Config, store: SQLStore) -> tuple[dict, str]:
    from ..room.duties import statuses_as_ruled

    exists = config.war_room_exists()
    raw: dict[str, VendorStatus] = from_payloads(store.vendor_status_payloads()) if exists else {}
    ruled = statuses_as_ruled(store, raw) if exists else {}
    rows, lines = [], []
    for vendor_id, name, kind in _watched(config):
        status = ruled.get(vendor_id) or VendorStatus(vendor_id, name, kind)
        state = status.shown_state
        cannot_see = state == UNKNOWN
        why = clean_line(status.reason) or ("the last answer is too old" if status.stale else "")
        problems = [
            {"component": clean_line(c.label()), "state": c.state}
            for c in status.watched_components
            if c.state not in ("operational", UNKNOWN)
        ]
        rows.append({
            "id": vendor_id, "name": clean_line(name), "kind": kind, "state": state,
            "page_state": status.page_state, "override": clean_line(status.override) or None,
            "cannot_see": cannot_see, "why": why or None, "checked_at": status.checked_at,
            "last_good_at": status.last_good_at, "components_in_trouble": problems,
            "open_vendor_incidents": [clean_line(i.title) for i in status.incidents],
        })  # fmt: skip
        said = "cannot see" + (f" ({why})" if why else "") if cannot_see else cat.badge(state)
        extra = (
            f" — overruled by the room: {clean_line(status.override)} (page says {status.page_state})" if status.override else ""
        )
        lines.append(f"{clean_line(name)} [{vendor_id}]: {said}{extra}")
    overrides = [{"vendor": o.vendor_id, "component": o.component, "verdict": o.verdict, "reason": clean_line(o.reason),
                  "until": o.until, "author": clean_line(o.author), "set_at": o.at, "lapsed": ov.lapsed(o, raw)}
                 for o in (ov.current(store.room_events("override")).values() if exists else ())]  # fmt: skip
    if not rows:
        lines.append("no vendors or probes configured")
    return {"vendors": rows, "overrides": overrides}, "\n".join(lines)


def catalog(config: Config, store: SQLStore) -> tuple[dict, str]:
    health = _health(config, store)
    services = cat.sorted_services(config, health)
    rows = [{"id": s.id, "name": clean_line(s.name), "owner": clean_line(s.owner), "tier": s.tier,
             "touchpoint": clean_line(s.touchpoint), "vendor": s.vendor, "health": health[s.id].state,
             "reason": clean_line(health[s.id].reason)} for s in services]  # fmt: skip
    points = [
        {"name": clean_line(t.name), "state": t.state, "via": clean_line(cat.culprits_line(config, t))}
        for t in cat.touchpoints(config, health)
    ]
    lines = [f"touchpoint {p['name']}: {cat.badge(p['state'])} {p['via']}".rstrip() for p in points]
    lines += [f"{r['id']}: {cat.badge(r['health'])} — {r['name']} ({r['touchpoint']}, owner {r['owner']})" for r in rows]
    return {"touchpoints": points, "services": rows}, "\n".join(lines) or "no services configured"


def _health(config: Config, store: SQLStore) -> dict:
    from ..room.duties import statuses_as_ruled

    return cat.service_health(config, statuses_as_ruled(store) if config.war_room_exists() else {})


def service(config: Config, store: SQLStore, service_id: str) -> tuple[dict, str]:
    found = config.service(service_id)
    if found is None:
        hint = difflib.get_close_matches(service_id, [s.id for s in config.services], n=1)
        raise InputError(f"unknown service {clean_line(service_id, 60)!r}" + (f"; did you mean {hint[0]!r}?" if hint else ""))
    health = _health(config, store)[found.id]
    data = {
        "id": found.id, "name": clean_line(found.name), "health": health.state, "reason": clean_line(health.reason),
        "depends_on": list(found.depends_on), "depends_on_all": cat.upstream(config, found.id),
        "needed_by": cat.dependents(config, found.id),
        "facts": {label: clean_line(value) for label, value in cat.service_facts(config, found)},
    }  # fmt: skip
    lines = [f"{data['name']} ({found.id}): {cat.badge(health.state)} {data['reason']}".rstrip()]
    lines += [f"{label}: {value}" for label, value in data["facts"].items()]
    return data, "\n".join(lines)


def impact(config: Config, target: str) -> tuple[dict, str]:
    vendor_id, _, component = target.partition(":")
    if config.vendor(vendor_id) is None:
        hint = difflib.get_close_matches(vendor_id, [v.id for v in config.vendors], n=1)
        raise InputError(f"unknown vendor {clean_line(vendor_id, 60)!r}" + (f"; did you mean {hint[0]!r}?" if hint else ""))
    reach = cat.impact(config, vendor_id, component or None)
    if not reach["direct"]:
        return reach, f"{clean_line(target)} reaches no configured service"
    text = (
        f"{clean_line(target)} reaches directly: {', '.join(reach['direct'])}; at risk: "
        f"{', '.join(reach['at_risk']) or 'nothing more'}; touchpoints: {', '.join(reach['touchpoints'])}"
    )
    return reach, text


def open_followups(config: Config, store: SQLStore, now: datetime) -> tuple[dict, str]:
    items = followups(store.events_of_kinds(FOLLOWUP_KINDS)) if config.war_room_exists() else []
    today = now.astimezone(config.tz).date()
    rows = [f.to_dict() | {"text": clean_line(f.text), "owner": clean_line(f.owner or "") or None,
                           "overdue": f.overdue(today)} for f in items if f.state == "open"]  # fmt: skip
    lines = [
        f"INC-{r['incident']} #{r['entry']}: {r['text']} (owner {r['owner'] or 'none'}, due {r['due'] or 'not set'}"
        f"{', OVERDUE' if r['overdue'] else ''})"
        for r in rows
    ]
    return {"followups": rows}, "\n".join(lines) or "no open follow-ups"


def customer_draft(config: Config, store: SQLStore, incident_ref: str, template: str, now: datetime) -> tuple[dict, str]:
    incident = store.incident(parse_incident_ref(incident_ref))
    text = draft(config, incident, template, now)
    note = "A draft only: nothing was posted or logged. A person sends it, then logs it as comms."
    return {"incident": incident.label, "template": template, "text": text, "posted": False, "note": note}, text
