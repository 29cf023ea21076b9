"""The postmortem draft in Markdown (people, wikis)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, tzinfo
from typing import IO

from ..base.timeutil import humanize_duration, short_duration
from ..domain.followups import STATE_WORDS, followups
from ..domain.model import COMMAND_KINDS, ENTRY_KINDS, FOLLOWUP_KINDS, KIND_LABELS, Event, who
from ..domain.overrides import ruling_line
from ..domain.rows import Memo, RowTimes, store_shaped
from ..domain.takeback import new_words
from ..domain.timeline import Annotations, catalog_words, entry_text, entry_words, todo_words
from ..store import SQLStore
from ..store.events import _event
from .context import NOT_CHAINED, NOT_YET, Export, _hm, _span, change_words, md_inline, source_name, zone_words
from .pictures import mermaid_flowchart, mermaid_gantt

# --------------------------------------------------------------------------- Markdown


def write_markdown(store: SQLStore, export: Export, out: IO[str]) -> None:
    incident, metrics, tz = export.incident, export.metrics, export.tz

    # The zone is said once at the top; a date carries its abbreviation only when the clocks
    # changed in the window (01:30 can then happen twice).
    later = max(export.now, incident.impact_start)
    shifted = incident.impact_start.astimezone(tz).utcoffset() != later.astimezone(tz).utcoffset()
    stamp = "%Y-%m-%d %H:%M:%S %Z" if shifted else "%Y-%m-%d %H:%M:%S"

    def when(moment: datetime | None) -> str:
        return moment.astimezone(tz).strftime(stamp) if moment else NOT_YET

    w = out.write
    w(f"# {incident.label}: {md_inline(incident.title)}\n\n")
    w(f"All times are {md_inline(zone_words(tz, incident.impact_start, export.now))}, to the second.\n\n")
    if not export.config.services and not export.config.vendors:
        w(
            "_The service list was not available when this was exported (the config used names no "
            "services or vendors): vendors are named by their ids and times are in the default zone. "
            "Export with `--config` to name them as the war-room's screen does._\n\n"
        )
    w("| Field | Value |\n|---|---|\n")
    for label, value in (
        ("Severity", incident.severity), ("Status", incident.status), ("Started", when(incident.started_at)),
        *([("Impact started", when(incident.impact_start) + " (an entry dated before the declaration)")]
          if incident.impact_start < incident.started_at else []),
        *[("Resolved, then reopened", f"{when(resolved)} → reopened {when(reopened)}: {md_inline(why)}")
          for resolved, reopened, why in incident.reopenings],
        ("Resolved" + (" again" if incident.reopenings and incident.resolved else ""), when(incident.resolved_at)),
        ("Declared by", md_inline(incident.declared_by)),
        ("Roles", md_inline(", ".join(f"{r}: {u}" for r, u in incident.roles.items())) or "none"),
        ("Exported", when(export.now) + (" (starred entries only)" if export.starred_only else "")),
    ):  # fmt: skip
        w(f"| {label} | {value} |\n")
    w("\n## Summary\n\n_To be written by a human: what happened, in two or three sentences._\n\n")
    w("## Impact\n\n")
    if incident.services:
        w("Affected services:\n\n")
        touchpoints: set[str] = set()
        for line, touchpoint in _affected_services(export):
            w(f"- {line}\n")
            if touchpoint is not None:
                touchpoints.add(touchpoint)
        if touchpoints:
            w(f"\nCustomer touchpoints: {md_inline(', '.join(sorted(touchpoints)))}\n\n")
        else:
            w("\nCustomer touchpoints: not known (the service list was not available when this was exported)\n\n")
    else:
        w("No affected services were recorded.\n\n")
    if export.impact and export.impact.figures:
        w("Estimated cost to marketing (estimates from the config's rates, over the incident's duration):\n\n")
        for figure in export.impact.figures:
            w(f"- {md_inline(figure.text)} ({md_inline(figure.inputs)})\n")
        w("\n")
    w("_To be written by a human: how many customers, what they saw, for how long._\n\n")

    counted = (
        "the incident's start"
        if incident.impact_start >= incident.started_at
        else f"when the impact started ({_hm(incident.impact_start, tz)}, before the declaration)"
    )
    w(
        f"## Key figures\n\nEach from {counted}, when things happened, not when they were written. Withdrawn "
        "entries do not count.\n\n"
    )
    w("| Measure | Time from start |\n|---|---|\n")
    for _, label, span in metrics.figures():
        w(f"| {label} | {_span(span)} |\n")
    w("\n### Customer-patience thresholds\n\n")
    for item in metrics.thresholds:
        limit = humanize_duration(timedelta(seconds=item["limit_seconds"]))
        if item["crossed"]:
            over = humanize_duration(timedelta(seconds=item["over_by_seconds"]))
            w(f"- {md_inline(item['name'])} ({limit}): **crossed**, and went {over} past it\n")
        else:
            w(f"- {md_inline(item['name'])} ({limit}): not crossed\n")
    w("\n### Customer updates overdue\n\n")
    if not metrics.overdue:
        w(
            "None: a customer update went out at least every "
            f"{humanize_duration(export.config.update_every_for(incident.severity))}.\n"
        )
    for item in metrics.overdue:
        start, end = datetime.fromisoformat(item["from"]), datetime.fromisoformat(item["to"])
        state = " (still overdue)" if item["still_open"] else ""
        overdue = humanize_duration(timedelta(seconds=item["overdue_by_seconds"]))
        w(f"- {_hm(start, tz)} → {_hm(end, tz)}: overdue by {overdue}{state}\n")
    if metrics.problems:
        w("\n### Times out of order\n\nThe log says these happened out of order; check them:\n\n")
        for problem in metrics.problems:
            w(f"- {md_inline(problem)}\n")

    w("\n## Vendor status during the incident\n\n")
    if export.vendor_changes:
        w("| Vendor | Component | Change | Vendor time | Seen |\n|---|---|---|---|---|\n")
        for change in export.vendor_changes:
            seen = datetime.fromisoformat(change["seen_at"])
            w(
                f"| {md_inline(source_name(export.config, change['vendor_id']))} | "
                f"{md_inline(change['component'] or '(overall)')} | {md_inline(change_words(change))} | "
                f"{_source_time(change.get('vendor_time'), tz)} | {_hm(seen, tz)} |\n"
            )
    else:
        w("No vendor status changes were seen in the incident's window.\n")
    others = export.unrelated_vendor_changes
    if others:
        vendors = len({c["vendor_id"] for c in others})
        w(
            f"\n{len(others)} change{'s' * (len(others) != 1)} of {vendors} other vendor{'s' * (vendors != 1)} in the "
            "same window left out: none of this incident's services depends on them.\n"
        )
    _signals(w, export)
    w("\n## The incident in pictures\n\n")
    if export.svg_name:
        w(
            f"![Timeline of {md_inline(incident.label)}: vendor, probe and touchpoint states, thresholds, updates]"
            f"({export.svg_name})\n\n"
        )
    w(mermaid_gantt(export) + "\n" + mermaid_flowchart(export))
    if export.page_lags:
        w("\n### How honest were the vendors' pages\n\n")
        for lag in export.page_lags:
            vendor = export.config.vendor(lag.vendor_id)
            service = export.config.service(lag.service_id)
            w(
                f"- {md_inline(lag.sentence(vendor.name if vendor else lag.vendor_id))} "
                f"({md_inline(service.name if service else lag.service_id)})\n"
            )
    if export.overrides:
        w("\n### The room overruled the pages\n\n")
        for event in export.overrides:
            ruling = ruling_line(event, lambda vendor_id: source_name(export.config, vendor_id))
            w(f"- {_hm(event.occurred_at, tz)} {md_inline(ruling)}\n")

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
        w(
            f"| {md_inline(person)} | {metrics.participants.get(person, 0)} | {md_inline(', '.join(roles.get(person, [])))} | "
            f"{md_inline(', '.join(sorted(clients.get(person, ()))))} |\n"
        )

    w(
        "\n## Timeline\n\n★ starred · ↶ back-dated (written later than it happened) · ✎ corrected later · "
        "⊘ withdrawn (struck through, with who and why)\n\n"
    )
    w("| Time | Elapsed | Author | Kind | Entry |\n|---|---|---|---|---|\n")
    action_items, lessons = _write_timeline(store, export, w)
    w("\n## Action items\n\n")
    for followup in followups(store.events_of_kinds(FOLLOWUP_KINDS, incident.id)):
        box = {"done": "x", "wont_do": "~"}.get(followup.state, " ")
        said = ", ".join(
            filter(
                None,
                (
                    STATE_WORDS[followup.state],
                    followup.owner and f"owner {followup.owner}",
                    followup.due and f"due {followup.due}",
                ),
            )
        )
        w(f"- [{box}] {md_inline(followup.text)} ({md_inline(said)}; #{followup.event_id} by {md_inline(followup.author)})\n")
    if not action_items:
        w("_To be filled in._\n")
    w("\n## Lessons learned\n\n")
    if not lessons:
        w("_To be filled in._\n")
    for event in lessons:
        if event.id not in export.notes.withdrawn:
            w(f"- {md_inline(event.text)} ({md_inline(event.who)})\n")
    _integrity(w, export)


def _write_timeline(store: SQLStore, export: Export, w: Callable[[str], object]) -> tuple[list[Event], list[Event]]:
    """The timeline's rows, 5,000 to a write, from raw rows: a row in the store's own time format
    is made from lookups (the same second, author and kind recur); any other from its Event.
    Returns the action items and lessons met on the way."""
    incident, metrics, tz, notes = export.incident, export.metrics, export.tz, export.notes
    times = RowTimes(incident.impact_start, tz)
    clocks = Memo(lambda second: second[11:])  # "YYYY-MM-DD HH:MM:SS" -> "HH:MM:SS"
    names = Memo(lambda author_login: md_inline(who(*author_login)))
    kinds = Memo(lambda kind: md_inline(KIND_LABELS.get(kind, kind)))  # `todo`, never `action_item`
    ticked = set(ENTRY_KINDS) | set(COMMAND_KINDS)
    action_items, lessons = [], []
    rows: list[str] = []  # written 5,000 at a time: one write per row cost a second on 100,000
    for row in store.iter_event_rows(incident.id):
        id_, occurred, recorded, kind, ref = row[0], row[2], row[3], row[5], row[8]
        if export.starred_only and id_ not in notes.starred:
            continue
        slow = kind in ("action_item", "lesson") or id_ in notes.taken_back.kinds or not store_shaped(occurred, recorded)
        event = _event(row) if slow else None
        if event is not None:
            rows.append(_timeline_row(event, export))
            if kind == "action_item":
                action_items.append(event)
            elif kind == "lesson":
                lessons.append(event)
        else:
            since, local = times.at(occurred)
            if kind in ticked:
                metrics.tick_at(since, kind)
            backdated = times.at(recorded)[0] - since > 60_000_000
            mark = ("★ " if id_ in notes.starred else "") + ("↶ " if backdated else "")
            text = (
                md_inline(catalog_words(row[6]))
                if kind == "catalog"
                else taken_back(id_, md_inline(entry_words(kind, ref, row[6])), notes)
            )
            rows.append(
                f"| {clocks[local]} | {times.elapsed(since, signed=True, units=True)} | "
                f"{names[row[4], row[10]]} | {kinds[kind]} | {mark}{text} |\n"
            )
        if len(rows) >= 5000:
            w("".join(rows))
            rows.clear()
    w("".join(rows))
    return action_items, lessons


def taken_back(event_id: int, text: str, notes: Annotations) -> str:
    """An entry's cell with what was said about it since: corrections, a new kind, a withdrawal."""
    for correction in notes.corrections.get(event_id, ()):
        words = new_words(correction)
        if words:
            text += f" — ✎ corrected to: {md_inline(words)}"
    kind = notes.taken_back.kinds.get(event_id)
    if kind:
        text += f" — ✎ now {md_inline(KIND_LABELS.get(kind, kind))}"
    withdrawal = notes.withdrawn.get(event_id)
    if withdrawal:
        text = f"⊘ ~~{text}~~ — withdrawn by {md_inline(withdrawal.who)}: {md_inline(withdrawal.text)}"
    return text


def _timeline_row(event: Event, export: Export) -> str:
    """One row the obviously right way (the fast way above must write exactly this)."""
    incident, notes, tz = export.incident, export.notes, export.tz
    if event.kind in ENTRY_KINDS or event.kind in COMMAND_KINDS:
        export.metrics.tick(event.occurred_at, event.kind)
    mark = ("★ " if event.id in notes.starred else "") + ("↶ " if event.backdated else "")
    text = taken_back(event.id, md_inline(entry_text(event)), notes)
    if event.kind == "catalog":
        text = md_inline(catalog_words(event.text))
    todo = todo_words(event, notes, export.now.astimezone(tz).date()) if event.id not in notes.withdrawn else None
    if todo:  # its owner and due date, as the screen and `mopstui timeline` say them
        text += f" — {md_inline(todo[0])}"
    return (
        f"| {_hm(event.occurred_at, tz)} | {short_duration(event.occurred_at - incident.impact_start, signed=True)}"
        f" | {md_inline(event.who)} | {md_inline(KIND_LABELS.get(event.kind, event.kind))} | {mark}{text} |\n"
    )


def _signals(w: Callable[[str], object], export: Export) -> None:
    """Our own signals (the territory) beside the vendors' pages (the map): what changed, why, the
    source's own time and when we saw it."""
    if not export.config.signals and not export.signal_changes:
        return
    tz = export.tz
    w("\n## Our signals during the incident\n\n")
    if not export.signal_changes:
        w("No signal changed state in the incident's window.\n")
        return
    w("| Signal | Change | Why | Source time | Seen |\n|---|---|---|---|---|\n")
    for change in export.signal_changes:
        signal = export.config.signal(change["vendor_id"].split(":", 1)[1])
        name = signal.label if signal else change["vendor_id"]
        seen = datetime.fromisoformat(change["seen_at"])
        try:
            source = datetime.fromisoformat(change["vendor_time"]) if change.get("vendor_time") else None
        except ValueError:  # the source's own time, as it gave it: shown only when it reads as one
            source = None
        w(
            f"| {md_inline(name)} | {md_inline(change_words(change))} | "
            f"{md_inline(change.get('reason') or '')} | {_hm(source, tz) if source else ''} | {_hm(seen, tz)} |\n"
        )


def _integrity(w: Callable[[str], object], export: Export) -> None:
    """The reviewer's detail, once, at the end: whether the log was intact, its fingerprint, and
    which sections the fingerprint does not cover."""
    w("\n---\n\n## Integrity\n\n")
    w(integrity_lead(export) + "\n\n")  # in plain words first; the reviewer's detail below it
    if export.head:
        head = export.head
        w(
            f"- Its fingerprint, for a reviewer: `{head.hash}` ({head.events} entries, last #{head.last_id}, "
            "SHA-256); anyone can compare it later with `mopstui verify --since FINGERPRINT`.\n"
        )
    w(f"- The check at export, in its own words: {md_inline(export.integrity)}.\n")
    w(f"- {NOT_CHAINED}\n")


def integrity_lead(export: Export) -> str:
    """What the check at export found, as a reader of the postmortem says it."""
    verified = export.verified
    if verified is None or verified.ok:
        return "Nothing in this record was changed or removed after it was written (checked when it was exported)."
    return "Warning: " + md_inline(verified.plain or "the check at export found the log changed; see below.")


def _source_time(text: str | None, tz: tzinfo) -> str:
    """A vendor's own time for a change, in the export's zone when it reads as a time."""
    if not text:
        return ""
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return md_inline(text)
    return _hm(moment, tz) if moment.tzinfo else md_inline(text)


def _affected_services(export: Export) -> list[tuple[str, str | None]]:
    """Each affected service as a line, with its touchpoint: from the config the export was run
    with, else from the service list recorded when the incident was declared, else said plainly.
    Exported from the command line without the room's config, every service was 'no longer in
    the catalog', which was not true."""
    recorded = {
        str(s.get("id")): s for s in (export.catalog or {}).get("services", []) if isinstance(s, dict)
    }  # fmt: skip
    lines: list[tuple[str, str | None]] = []
    for sid in export.incident.services:
        service = export.config.service(sid)
        if service is not None:
            touchpoint = service.touchpoint or "other"
            lines.append((
                f"{md_inline(service.name)} — touchpoint: {md_inline(touchpoint)}, "
                f"owner: {md_inline(service.owner or 'unknown')}, tier {service.tier}", touchpoint,
            ))  # fmt: skip
        elif sid in recorded:
            was = recorded[sid]
            touchpoint = str(was.get("touchpoint") or "other")
            lines.append((
                f"{md_inline(str(was.get('name') or sid))} — touchpoint: {md_inline(touchpoint)}, "
                f"owner: {md_inline(str(was.get('owner') or 'unknown'))}, tier {md_inline(str(was.get('tier', '?')))} "
                "(as listed when the incident was declared)", touchpoint,
            ))  # fmt: skip
        elif not export.config.services:
            lines.append((f"{md_inline(sid)} (the service list was not available when this was exported)", None))
        else:
            lines.append((f"{md_inline(sid)} (no longer in the catalog)", None))
    return lines
