"""What every export format is made from: the incident, its metrics, its annotations, the
vendor evidence and the log's head, gathered once."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from functools import cached_property

from ..base.textsafe import clean
from ..base.timeutil import humanize_duration, utcnow
from ..config import Config
from ..domain.blind import read_history
from ..domain.catalog import sources_behind
from ..domain.impact import Impact, estimate
from ..domain.model import COMMAND_KINDS, ENTRY_KINDS, KIND_LABELS, Event, Incident
from ..domain.pagelag import lags
from ..domain.timeline import Annotations
from ..room import verified as checkpoints
from ..store import Head, SQLStore, VerifyResult, with_exported_rehashed

SCHEMA_VERSION = 1
TICK_COLUMNS = 800  # the SVG timeline's plot width, in its own units
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
    ticks: dict[int, str] = field(default_factory=dict)  # the SVG's entry ticks: column -> "comms" | "entry",
    # filled by the Markdown pass (the SVG is written after it)

    def tick(self, moment: datetime, kind: str) -> None:
        self.tick_at((moment - self.start) // timedelta(microseconds=1), kind)

    @cached_property
    def span_us(self) -> int:
        return (self.end - self.start) // timedelta(microseconds=1)

    def tick_at(self, since_start_us: int, kind: str) -> None:
        """`since_start_us`: microseconds from the start to the entry."""
        span_us = self.span_us
        if span_us > 0 and 0 <= since_start_us <= span_us:
            # One tick per picture column, however many entries share it (100,000 entries must
            # not become 100,000 SVG elements); a customer update wins its column. (The same
            # float steps as `timedelta.total_seconds()` would take.)
            column = int(since_start_us / 1_000_000 / (span_us / 1_000_000) * TICK_COLUMNS)
            if kind == "comms" or column not in self.ticks:
                self.ticks[column] = "comms" if kind == "comms" else "entry"

    def figures(self) -> list[tuple[str, str, timedelta | None]]:
        return [
            ("time_to_first_action", "Time to first action", self.first_action),
            ("time_to_first_customer_update", "Time to first customer update (comms)", self.first_comms),
            ("time_to_identified", "Time to identified", self.identified),
            ("time_to_mitigated", "Time to mitigated (monitoring)", self.mitigated),
            ("time_to_resolved", "Time to resolved", self.resolved),
        ]

    def to_dict(self) -> dict:
        data: dict[str, object] = {
            key: (value.total_seconds() if value is not None else None) for key, _, value in self.figures()
        }
        data.update(
            thresholds=self.thresholds,
            overdue_updates=self.overdue,
            ordering_problems=self.problems,
            participants=self.participants,
            events=self.events,
        )
        return data


def compute(incident: Incident, store: SQLStore, config: Config, now: datetime, notes: Annotations) -> Metrics:
    """Metrics, ordering problems, participants, ticks; stars and corrections into `notes` — from a
    few SQL aggregates (the store's digest), not a pass over every event: the writing pass is the
    only one that touches them all."""
    start = incident.impact_start  # the declaration, or an entry dated before it
    metrics = Metrics(start=start, end=max(incident.resolved_at or now, start))
    digest = store.incident_digest(incident.id, start, participant_kinds=ENTRY_KINDS + COMMAND_KINDS)
    metrics.events = digest["count"]
    metrics.participants = digest["participants"]
    for event in digest["notes"]:
        notes.add(event)
    for event_id, kind, occurred in digest["early"]:
        since = datetime.fromisoformat(occurred) - start
        label = KIND_LABELS.get(kind, kind)
        metrics.problems.append(f"entry #{event_id} ({label}) is dated {humanize_duration(-since)} before the start")
    if digest["first_action"]:
        metrics.first_action = datetime.fromisoformat(digest["first_action"]) - start
    if digest["first_comms"]:
        metrics.first_comms = datetime.fromisoformat(digest["first_comms"]) - start
    comms_times = [datetime.fromisoformat(t) for t in digest["comms"]]
    times = incident.status_times
    for key, status in (("identified", "identified"), ("mitigated", "monitoring"), ("resolved", "resolved")):
        if status in times and (status != "resolved" or incident.resolved):
            if times[status] < start:  # written before mopstui refused it: said, never a negative figure
                metrics.problems.append(
                    f"{status} ({_hm(times[status], config.tz)}) is dated before the start "
                    f"({_hm(start, config.tz)}); it is left out of the figures"
                )
                continue
            setattr(metrics, key, times[status] - start)
    order = [s for s in ("identified", "monitoring", "resolved") if s in times]
    for earlier, later in itertools.pairwise(order):
        if times[later] < times[earlier]:
            metrics.problems.append(
                f"{later} ({_hm(times[later], config.tz)}) is before {earlier} ({_hm(times[earlier], config.tz)})"
            )
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
    """A figure's duration; never negative (figures dated before the start are left out)."""
    if value is None:
        return NOT_YET
    return humanize_duration(max(value, timedelta(0)))


# --------------------------------------------------------------------------- escaping


_MARKDOWN_ESCAPES = str.maketrans(
    {"\n": " ", "&": "&amp;", "<": "&lt;", ">": "&gt;", **{char: "\\" + char for char in "\\`*_[]|"}}
)


# `#` matters only where it starts the text (a list item `- # x` is a heading), so `#5` reads as
# typed; `!` makes an image only before a `[`, which is escaped.
_MARKDOWN_SPECIAL = re.compile(r"[\n&<>\\`*_\[\]|]")


def md_inline(text: object) -> str:
    """Untrusted text inside Markdown: no HTML, no links or emphasis, no table breaks. (A translate
    with replacements costs 1.6 µs a cell, a search 0.2: most cells have nothing to escape.)"""
    value = clean(text)
    if _MARKDOWN_SPECIAL.search(value):
        value = value.translate(_MARKDOWN_ESCAPES)
    value = value.strip()
    return "\\" + value if value.startswith("#") else value


FORMULA_STARTS = "=+-@\t\r"  # what a spreadsheet reads as the start of a formula


def csv_cell(value: object) -> str:
    """A spreadsheet must not run a cell as a formula (=, +, -, @, tab, CR first)."""
    if value is None:
        return ""
    text = str(value) if isinstance(value, int) else clean(value)
    if text and text[0] in FORMULA_STARTS:
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
    impact: Impact | None = None  # what it cost marketing: estimates, with their inputs
    svg_name: str | None = None  # the SVG timeline beside a Markdown file, to link
    signal_changes: list[dict] = field(default_factory=list)  # our own signals' state changes in the window
    # Vendor changes in the window that none of the incident's services hangs on: counted, not listed.
    unrelated_vendor_changes: list[dict] = field(default_factory=list)
    verified: VerifyResult | None = None  # the chain's check at export
    # The writer re-hashes the events it writes up to this id (the user's checkpoint) in its own
    # pass, then says so with `rehashed`; 0: the check above did it all (or found the log broken).
    rehash_below: int = 0

    def rehashed(self, store: SQLStore, broken: str | None, count: int) -> None:
        """The writer's pass re-hashed `count` events up to `rehash_below`; `broken`: what is
        wrong with the first that failed. The integrity is said, and the checkpoint moved, now."""
        assert self.verified is not None
        self.verified = with_exported_rehashed(self.verified, broken, count, quick=True)
        self.integrity = _integrity_line(store, self.verified)
        if self.verified.ok and self.verified.head is not None:
            checkpoints.save(store.location, self.verified.head)


def _integrity_line(store: SQLStore, verified: VerifyResult) -> str:
    line = ("ok: " if verified.ok else "FAILED: ") + verified.message
    notice = store.snapshot_notice()
    return line + f" ({notice})" if notice else line


def prepare(
    store: SQLStore,
    incident_id: int,
    config: Config,
    *,
    tz: tzinfo | None = None,
    now: datetime | None = None,
    starred_only: bool = False,
    rehash_in_pass: bool = False,
) -> Export:
    """`rehash_in_pass`: the writer re-hashes the exported events before the user's checkpoint
    as it writes them (one pass over them, not two), and calls `Export.rehashed` at its end."""
    incident = store.incident(incident_id)
    now = now or utcnow()
    notes = Annotations()
    metrics = compute(incident, store, config, now, notes)
    window_end = metrics.end
    seen = store.observations(since=incident.impact_start.isoformat(), until=window_end.isoformat())
    vendor_changes = [c for c in seen if not c["vendor_id"].startswith("signal:")]
    behind = sources_behind(config, incident.services)  # empty: the services are not known here
    left_out = [c for c in vendor_changes if behind and c["vendor_id"] not in behind]
    vendor_changes = [c for c in vendor_changes if not behind or c["vendor_id"] in behind]
    signal_changes = [c for c in seen if c["vendor_id"].startswith("signal:")]
    sessions = store.sessions_between(incident.impact_start, window_end)
    # From this user's last verified checkpoint: what was written since is re-hashed, and every
    # event this export shows, however old.
    checkpoint = checkpoints.load(store.location)
    verified = store.verify(checkpoint=checkpoint, quick=True, exported=None if rehash_in_pass else incident_id)
    rehash_below = verified.resumed if rehash_in_pass and verified.ok else 0
    if verified.ok and verified.head is not None and not rehash_below:
        checkpoints.save(store.location, verified.head)
    start, end = incident.impact_start.isoformat(), window_end.isoformat()
    affected = set(incident.services)
    page_lags = [
        lag
        for lag in lags(config, store.observations(until=end))
        if (not affected or lag.service_id in affected)
        and lag.probe_failed_at <= end
        and (lag.probe_recovered_at is None or lag.probe_recovered_at >= start)
    ]
    overrides = [e for e in store.room_events("override") if incident.impact_start <= e.occurred_at <= window_end]
    return Export(
        incident,
        config,
        tz or config.tz,
        now,
        starred_only,
        metrics,
        notes,
        vendor_changes,
        sessions,
        _integrity_line(store, verified),
        store.catalog_at_declaration(incident_id),
        verified.head or store.head(),
        page_lags,
        overrides,
        estimate(config, incident, window_end, signal_history=read_history(store, config, window_end)),
        signal_changes=signal_changes,
        unrelated_vendor_changes=left_out,
        verified=verified,
        rehash_below=rehash_below,
    )


NOT_CHAINED = (
    "The vendor and signal changes and where people connected from are not covered by the "
    "fingerprint: they come from the room's own notes, not the log, so treat them as unverified."
)


def zone_words(tz: tzinfo, start: datetime, end: datetime) -> str:
    """The zone the export's times are in, said once: `Europe/London time (GMT)`, or with both
    abbreviations when the clocks changed in the window (`Europe/London time (GMT, then BST)`)."""
    name = getattr(tz, "key", None) or "UTC"
    first, last = start.astimezone(tz).strftime("%Z"), max(start, end).astimezone(tz).strftime("%Z")
    short = first if first == last else f"{first}, then {last}"
    if name in ("UTC", "Etc/UTC") and short in ("", "UTC"):
        return "UTC"
    return f"{name} time" if short in ("", name) else f"{name} time ({short})"


def source_name(config: Config, source: str) -> str:
    """A vendor changes row's name in words: the vendor's name, or the service a probe or a
    page-versus-probe comparison is about (`probe:chat-widget` -> `Website chat widget (our probe)`)."""
    vendor = config.vendor(source)
    if vendor is not None:
        return vendor.name
    kind, _, service_id = source.partition(":")
    service = config.service(service_id) if kind in ("probe", "service") else None
    name = service.name if service is not None else service_id or source
    return {"probe": f"{name} (our probe)", "service": f"{name} (page vs our probe)"}.get(kind, source)


_CHANGE_WORDS = {
    ("agree", "disagree"): "the page and our probe start to disagree",
    ("disagree", "agree"): "the page and our probe agree again",
}


def change_words(change: dict) -> str:
    """`operational → major outage`, or a disagreement between page and probe in words."""
    before, after = str(change.get("previous_state") or ""), str(change.get("state") or "")
    said = _CHANGE_WORDS.get((before, after))
    return said or f"{before.replace('_', ' ')} → {after.replace('_', ' ')}"
