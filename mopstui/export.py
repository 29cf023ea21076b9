"""Postmortem export: from the log to Markdown (people, wikis), JSON (tools), CSV (spreadsheets).

Two streaming passes over the timeline: the first keeps only small state (metrics, stars,
corrections), the second writes. A 100,000-event incident is never held in memory.
Metrics use `occurred_at`; ordering problems are reported, never hidden. Untrusted text is
escaped for each format and never carries escape sequences.
"""

from __future__ import annotations

import csv
import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from typing import IO

from .config import Config
from .domain.followups import STATE_WORDS, followups
from .domain.model import ENTRY_KINDS, STATE_KINDS, Event, Incident, incident_label
from .domain.overrides import ruling_line
from .domain.pagelag import lags
from .store import Head, Store
from .textsafe import clean
from .timeline import Annotations, entry_text
from .timeutil import format_duration, humanize_duration, utcnow

SCHEMA_VERSION = 1
FORMATS = ("md", "json", "csv")
NOT_YET = "not yet"


@dataclass
class Metrics:
    start: datetime
    end: datetime  # resolved, or the export time for an open incident
    first_action: timedelta | None = None
    first_comms: timedelta | None = None
    identified: timedelta | None = None
    mitigated: timedelta | None = None
    resolved: timedelta | None = None
    thresholds: list[dict] = field(default_factory=list)
    overdue: list[dict] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    participants: dict[str, int] = field(default_factory=dict)
    events: int = 0

    def figures(self) -> list[tuple[str, str, timedelta | None]]:
        return [
            ("time_to_first_action", "Time to first action", self.first_action),
            ("time_to_first_customer_update", "Time to first customer update (comms)", self.first_comms),
            ("time_to_identified", "Time to identified", self.identified),
            ("time_to_mitigated", "Time to mitigated (monitoring)", self.mitigated),
            ("time_to_resolved", "Time to resolved", self.resolved),
        ]

    def to_dict(self) -> dict:
        data: dict[str, object] = {key: (value.total_seconds() if value is not None else None)
                                   for key, _, value in self.figures()}
        data.update(thresholds=self.thresholds, overdue_updates=self.overdue, ordering_problems=self.problems,
                    participants=self.participants, events=self.events)
        return data


def compute(incident: Incident, events: Iterator[Event], config: Config, now: datetime, notes: Annotations) -> Metrics:
    """One pass: metrics, ordering problems, participants; stars and corrections into `notes`."""
    start = incident.started_at
    metrics = Metrics(start=start, end=incident.resolved_at or now)
    comms_times: list[datetime] = []
    for event in events:
        metrics.events += 1
        notes.add(event)
        since = event.occurred_at - start
        if event.kind in ENTRY_KINDS or event.kind in STATE_KINDS:
            metrics.participants[event.author] = metrics.participants.get(event.author, 0) + 1
        if event.occurred_at < start:
            metrics.problems.append(f"entry #{event.id} ({event.kind}) is dated {humanize_duration(-since)} before the start")
        if event.kind == "action" and metrics.first_action is None:
            metrics.first_action = since
        elif event.kind == "comms":
            comms_times.append(event.occurred_at)
            if metrics.first_comms is None:
                metrics.first_comms = since
    times = incident.status_times
    for key, status in (("identified", "identified"), ("mitigated", "monitoring"), ("resolved", "resolved")):
        if status in times and (status != "resolved" or incident.resolved):
            setattr(metrics, key, times[status] - start)
    order = [s for s in ("identified", "monitoring", "resolved") if s in times]
    for earlier, later in itertools.pairwise(order):
        if times[later] < times[earlier]:
            metrics.problems.append(
                f"{later} ({_hm(times[later], config.tz)}) is before {earlier} ({_hm(times[earlier], config.tz)})")
    elapsed = metrics.end - start
    for threshold in config.thresholds_for(incident.severity):
        crossed = elapsed >= threshold.after
        metrics.thresholds.append({
            "name": threshold.name, "limit_seconds": threshold.after.total_seconds(), "crossed": crossed,
            "over_by_seconds": (elapsed - threshold.after).total_seconds() if crossed else 0.0,
        })  # fmt: skip
    every = config.update_every_for(incident.severity)
    anchors = [start] + sorted(t for t in comms_times if t >= start) + [metrics.end]
    for before, after in itertools.pairwise(anchors):
        if after - before > every:
            metrics.overdue.append({
                "from": before.isoformat(), "to": after.isoformat(), "due_at": (before + every).isoformat(),
                "overdue_by_seconds": (after - before - every).total_seconds(),
                "still_open": after == metrics.end and not incident.resolved,
            })  # fmt: skip
    return metrics


def _hm(moment: datetime, tz: tzinfo) -> str:
    return moment.astimezone(tz).strftime("%H:%M:%S")


def _span(value: timedelta | None) -> str:
    if value is None:
        return NOT_YET
    sign = "-" if value < timedelta(0) else ""
    return sign + humanize_duration(value)


# --------------------------------------------------------------------------- escaping


def md_inline(text: object) -> str:
    """Untrusted text inside Markdown: no HTML, no links or emphasis, no table breaks."""
    value = clean(text).replace("\n", " ")
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    for char in "\\`*_[]|#!":
        value = value.replace(char, "\\" + char)
    return value.strip()


def csv_cell(value: object) -> str:
    """A spreadsheet must not run a cell as a formula (=, +, -, @, tab, CR first)."""
    if value is None:
        return ""
    text = str(value) if isinstance(value, int) else clean(value)
    if text and text[0] in "=+-@\t\r":
        return "'" + text
    return text


# --------------------------------------------------------------------------- context


@dataclass
class Export:
    incident: Incident
    config: Config
    tz: tzinfo
    now: datetime
    starred_only: bool
    metrics: Metrics
    notes: Annotations
    vendor_changes: list[dict]
    sessions: list[dict]
    integrity: str
    catalog: dict | None
    head: Head | None = None
    page_lags: list = field(default_factory=list)  # PageLag episodes of the affected services in the window
    overrides: list[Event] = field(default_factory=list)  # the room's rulings made during the window


def prepare(store: Store, incident_id: int, config: Config, *, tz: tzinfo | None = None, now: datetime | None = None,
            starred_only: bool = False) -> Export:
    incident = store.incident(incident_id)
    now = now or utcnow()
    notes = Annotations()
    metrics = compute(incident, store.iter_events(incident_id), config, now, notes)
    window_end = metrics.end
    vendor_changes = store.observations(since=incident.started_at.isoformat(), until=window_end.isoformat())
    sessions = store.sessions_between(incident.started_at, window_end)
    verified = store.verify()
    integrity = ("ok: " if verified.ok else "FAILED: ") + verified.message
    if store.snapshot_notice():
        integrity += f" ({store.snapshot_notice()})"
    start, end = incident.started_at.isoformat(), window_end.isoformat()
    affected = set(incident.services)
    page_lags = [lag for lag in lags(config, store.observations(until=end))
                 if (not affected or lag.service_id in affected) and lag.probe_failed_at <= end
                 and (lag.probe_recovered_at is None or lag.probe_recovered_at >= start)]
    overrides = [e for e in store.room_events("override") if incident.started_at <= e.occurred_at <= window_end]
    return Export(incident, config, tz or config.tz, now, starred_only, metrics, notes, vendor_changes, sessions,
                  integrity, store.catalog_at_declaration(incident_id),
                  verified.head or store.head(), page_lags, overrides)


def _timeline(store: Store, export: Export) -> Iterator[Event]:
    for event in store.iter_events(export.incident.id):
        if export.starred_only and event.id not in export.notes.starred:
            continue
        yield event


# --------------------------------------------------------------------------- Markdown


def write_markdown(store: Store, export: Export, out: IO[str]) -> None:
    incident, metrics, tz = export.incident, export.metrics, export.tz
    zone = getattr(tz, "key", None) or "UTC"

    def when(moment: datetime | None) -> str:
        return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S %Z") if moment else NOT_YET

    w = out.write
    w(f"# {incident.label}: {md_inline(incident.title)}\n\n")
    w("| Field | Value |\n|---|---|\n")
    for label, value in (
        ("Severity", incident.severity), ("Status", incident.status), ("Started", when(incident.started_at)),
        ("Resolved", when(incident.resolved_at)), ("Declared by", md_inline(incident.declared_by)),
        ("Roles", md_inline(", ".join(f"{r}: {u}" for r, u in incident.roles.items())) or "none"),
        ("Exported", when(export.now) + (" (starred entries only)" if export.starred_only else "")),
    ):  # fmt: skip
        w(f"| {label} | {value} |\n")
    w("\n## Summary\n\n_To be written by a human: what happened, in two or three sentences._\n\n")
    w("## Impact\n\n")
    services = [export.config.service(s) for s in incident.services]
    if services:
        w("Affected services:\n\n")
        for sid, service in zip(incident.services, services):
            if service is None:
                w(f"- {md_inline(sid)} (no longer in the catalog)\n")
            else:
                w(f"- {md_inline(service.name)} — touchpoint: {md_inline(service.touchpoint or 'other')}, "
                  f"owner: {md_inline(service.owner or 'unknown')}, tier {service.tier}\n")
        touchpoints = sorted({(s.touchpoint or "other") for s in services if s})
        w(f"\nCustomer touchpoints: {md_inline(', '.join(touchpoints))}\n\n")
    else:
        w("No affected services were recorded.\n\n")
    w("_To be written by a human: how many customers, what they saw, for how long._\n\n")

    w("## Key figures\n\nEach from the incident's start (when things happened, not when they were written).\n\n")
    w("| Measure | Time from start |\n|---|---|\n")
    for _, label, span in metrics.figures():
        w(f"| {label} | {_span(span)} |\n")
    w("\n### Customer-patience thresholds\n\n")
    for item in metrics.thresholds:
        limit = humanize_duration(timedelta(seconds=item["limit_seconds"]))
        if item["crossed"]:
            over = humanize_duration(timedelta(seconds=item["over_by_seconds"]))
            w(f"- {md_inline(item['name'])} ({limit}): **crossed**, by {over}\n")
        else:
            w(f"- {md_inline(item['name'])} ({limit}): not crossed\n")
    w("\n### Customer updates overdue\n\n")
    if not metrics.overdue:
        w("None: a customer update went out at least every "
          f"{humanize_duration(export.config.update_every_for(incident.severity))}.\n")
    for item in metrics.overdue:
        start, end = datetime.fromisoformat(item["from"]), datetime.fromisoformat(item["to"])
        state = " (still overdue)" if item["still_open"] else ""
        overdue = humanize_duration(timedelta(seconds=item["overdue_by_seconds"]))
        w(f"- {_hm(start, tz)} → {_hm(end, tz)}: overdue by {overdue}{state}\n")
    if metrics.problems:
        w("\n### Ordering problems\n\nThe log says these happened out of order; check them:\n\n")
        for problem in metrics.problems:
            w(f"- {md_inline(problem)}\n")

    w("\n## Vendor status during the incident\n\n")
    if export.vendor_changes:
        w("| Vendor | Component | Change | Vendor time | Seen |\n|---|---|---|---|---|\n")
        for change in export.vendor_changes:
            vendor = export.config.vendor(change["vendor_id"])
            name = vendor.name if vendor else change["vendor_id"]
            seen = datetime.fromisoformat(change["seen_at"])
            w(f"| {md_inline(name)} | {md_inline(change['component'] or '(overall)')} | "
              f"{md_inline(change['previous_state'].replace('_', ' '))} → {md_inline(change['state'].replace('_', ' '))} | "
              f"{md_inline(change['vendor_time'] or '')} | {_hm(seen, tz)} |\n")
    else:
        w("No vendor status changes were seen in the incident's window.\n")
    w(f"\n{NOT_CHAINED}\n")
    if export.page_lags:
        w("\n### How honest were the vendors' pages\n\n")
        for lag in export.page_lags:
            vendor = export.config.vendor(lag.vendor_id)
            w(f"- {md_inline(lag.sentence(vendor.name if vendor else lag.vendor_id))} ({md_inline(lag.service_id)})\n")
    if export.overrides:
        w("\n### The room overruled the pages\n\n")
        for event in export.overrides:
            w(f"- {_hm(event.occurred_at, tz)} {md_inline(ruling_line(event))}\n")

    w("\n## Participants and roles\n\n| Person | Entries | Roles | Connected from |\n|---|---|---|---|\n")
    roles: dict[str, list[str]] = {}
    for role, person in incident.roles.items():
        roles.setdefault(person, []).append(role)
    clients: dict[str, set] = {}
    for session in export.sessions:
        if session.get("client"):
            clients.setdefault(session["user"], set()).add(session["client"])
    people = sorted(set(metrics.participants) | set(roles), key=lambda p: (-metrics.participants.get(p, 0), p))
    for person in people:
        w(f"| {md_inline(person)} | {metrics.participants.get(person, 0)} | {md_inline(', '.join(roles.get(person, [])))} | "
          f"{md_inline(', '.join(sorted(clients.get(person, ()))))} |\n")
    w(f"\n{NOT_CHAINED}\n")

    w("\n## Timeline\n\n★ starred · ↶ back-dated (written later than it happened) · ✎ corrected later\n\n")
    w(f"| Time ({md_inline(zone)}) | Elapsed | Author | Kind | Entry |\n|---|---|---|---|---|\n")
    action_items, lessons = [], []
    for event in _timeline(store, export):
        mark = ("★ " if event.id in export.notes.starred else "") + ("↶ " if event.backdated else "")
        text = md_inline(entry_text(event))
        for correction in export.notes.corrections.get(event.id, ()):
            text += f" — ✎ corrected to: {md_inline(correction.text)}"
        if event.kind == "catalog":
            text = md_inline(event.text)
        w(f"| {_hm(event.occurred_at, tz)} | {format_duration(event.occurred_at - incident.started_at, signed=True)} | "
          f"{md_inline(event.who)} | {md_inline(event.kind)} | {mark}{text} |\n")
        if event.kind == "action_item":
            action_items.append(event)
        elif event.kind == "lesson":
            lessons.append(event)
    w("\n## Action items\n\n")
    for item in followups(store.events_of_kinds(("action_item", "followup"), incident.id)):
        box = {"done": "x", "wont_do": "~"}.get(item.state, " ")
        said = ", ".join(filter(None, (STATE_WORDS[item.state], item.owner and f"owner {item.owner}",
                                       item.due and f"due {item.due}")))
        w(f"- [{box}] {md_inline(item.text)} ({md_inline(said)}; #{item.event_id} by {md_inline(item.author)})\n")
    if not action_items:
        w("_To be filled in._\n")
    w("\n## Lessons learned\n\n")
    if not lessons:
        w("_To be filled in._\n")
    for event in lessons:
        w(f"- {md_inline(event.text)} ({md_inline(event.who)})\n")
    w(f"\n---\n\nLog integrity at export: {md_inline(export.integrity)}\n")
    if export.head:
        w(f"\nLog {md_inline(export.head.line())} (compare with `mopstui verify --since-head HASH`)\n")


# --------------------------------------------------------------------------- JSON


def write_json(store: Store, export: Export, out: IO[str]) -> None:
    """Documented in README ("Export formats"); field names are stable within a schema_version."""
    incident = export.incident
    head = {
        "schema_version": SCHEMA_VERSION,
        "exported_at": export.now.isoformat(),
        "time_zone": getattr(export.tz, "key", None) or "UTC",
        "starred_only": export.starred_only,
        "incident": incident.to_dict(),
        "metrics": export.metrics.to_dict(),
        "vendor_changes": export.vendor_changes,
        "page_lags": [lag.to_dict() for lag in export.page_lags],
        "followups": [f.to_dict() for f in followups(store.events_of_kinds(("action_item", "followup"), incident.id))],
        "overrides": [{"id": e.id, "at": e.occurred_at.isoformat(), "by": e.who, "reason": e.text,
                       **json.loads(e.value or "{}")} for e in export.overrides],
        "participants": [{"user": u, "entries": n} for u, n in sorted(export.metrics.participants.items())],
        "sessions": export.sessions,
        "catalog_snapshot": export.catalog,
        "integrity": export.integrity,
        "head": export.head.to_dict() if export.head else None,
        "not_tamper_evident": ["vendor_changes", "page_lags", "sessions"],
    }
    text = json.dumps(head, ensure_ascii=False, indent=2)
    out.write(text[:-2] + ',\n  "events": [')  # stream the events into the same object
    first = True
    for event in _timeline(store, export):
        item = event.to_dict()
        item.update(elapsed_seconds=(event.occurred_at - incident.started_at).total_seconds(),
                    starred=event.id in export.notes.starred,
                    corrected_by=[c.id for c in export.notes.corrections.get(event.id, ())])
        out.write(("\n    " if first else ",\n    ") + json.dumps(item, ensure_ascii=False))
        first = False
    out.write("\n  ]\n}\n")


# --------------------------------------------------------------------------- CSV

NOT_CHAINED = ("_Not tamper-evident: this section comes from tables the log's hash chain does not cover "
               "(vendor observations, sessions); treat it as unverified._")

CSV_COLUMNS = ("id", "time_local", "occurred_at_utc", "recorded_at_utc", "elapsed", "author", "login", "kind", "text",
               "starred", "backdated", "corrects", "corrected_to", "log_head")


def write_csv(store: Store, export: Export, out: IO[str]) -> None:
    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180
    writer.writerow(CSV_COLUMNS)
    head = export.head.hash if export.head else ""  # on the first row only: the head this export was made from
    for event in _timeline(store, export):
        corrections = export.notes.corrections.get(event.id, ())
        writer.writerow([csv_cell(v) for v in (
            event.id, event.occurred_at.astimezone(export.tz).strftime("%Y-%m-%d %H:%M:%S"),
            event.occurred_at.isoformat(), event.recorded_at.isoformat(),
            format_duration(event.occurred_at - export.incident.started_at), event.author,
            event.login or "(not recorded)", event.kind,
            event.text, "yes" if event.id in export.notes.starred else "", "yes" if event.backdated else "",
            event.ref if event.kind == "correction" else "", corrections[-1].text if corrections else "", head,
        )])  # fmt: skip
        head = ""


WRITERS = {"md": write_markdown, "json": write_json, "csv": write_csv}


def export_incident(store: Store, incident_id: int, config: Config, fmt: str, out: IO[str], **options) -> Export:
    prepared = prepare(store, incident_id, config, **options)
    WRITERS[fmt](store, prepared, out)
    return prepared


def default_filename(incident_id: int, fmt: str) -> str:
    return f"{incident_label(incident_id)}-postmortem.{fmt}"

