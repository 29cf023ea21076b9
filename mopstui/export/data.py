"""The export for tools (JSON) and spreadsheets (CSV)."""

from __future__ import annotations

import csv
import json
from datetime import datetime, tzinfo
from typing import IO

from ..domain.followups import followups
from ..store import SQLStore
from ..timeutil import format_duration
from .context import SCHEMA_VERSION, Export, csv_cell

# --------------------------------------------------------------------------- JSON


def write_json(store: SQLStore, export: Export, out: IO[str]) -> None:
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
        "impact": [f.to_dict() for f in export.impact.figures] if export.impact else [],
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
    # SQLite writes each event's JSON (json_object, in C); a row it cannot (times not in the
    # store's own format) is written here, the same fields in the same order.
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    start, starred, corrections = incident.started_at, export.notes.starred, export.notes.corrections

    def python_json(id_: int) -> str:
        event = store.event(id_)
        assert event is not None
        item = event.to_dict()
        item.update(elapsed_seconds=(event.occurred_at - start).total_seconds(), starred=event.id in starred,
                    corrected_by=[c.id for c in corrections.get(event.id, ())])
        return encode(item)

    separator, batch = "\n    ", []
    for id_, line in store.export_json_rows(incident.id, start, starred_only=export.starred_only):
        batch.append(line if line is not None else python_json(id_))
        if len(batch) >= 5000:
            out.write(separator + ",\n    ".join(batch))
            separator, batch = ",\n    ", []
    if batch:
        out.write(separator + ",\n    ".join(batch))
    out.write("\n  ]\n}\n")


# --------------------------------------------------------------------------- CSV

CSV_COLUMNS = ("id", "time_local", "occurred_at_utc", "recorded_at_utc", "elapsed", "author", "login", "kind", "text",
               "starred", "backdated", "corrects", "corrected_to", "log_head")


class LocalTimes:
    """UTC → the export's zone, as `YYYY-MM-DD HH:MM:SS`, computed once per second of the log
    (a busy incident writes many entries a second), not once per row."""

    def __init__(self, tz: tzinfo) -> None:
        self.tz, self.seen = tz, dict[str, str]()

    def __call__(self, moment: datetime, stored: str) -> str:
        local = self.seen.get(stored[:19])
        if local is None:
            local = self.seen[stored[:19]] = moment.astimezone(self.tz).strftime("%Y-%m-%d %H:%M:%S")
        return local


def utc_iso(stored: str) -> str:
    """The stored `…T10:00:00.123456Z` as `datetime.isoformat()` writes it (`+00:00`, no zero
    microseconds), by string: the C isoformat of an aware datetime costs ~2 µs a call."""
    if len(stored) != 27 or stored[-1] != "Z":  # not the store's own format (an older row): the slow way
        return datetime.fromisoformat(stored).isoformat()
    return (stored[:19] if stored[20:26] == "000000" else stored[:26]) + "+00:00"


def _csv_row(row: tuple, local: LocalTimes, start: datetime, starred: set[int], corrections: dict) -> tuple:
    id_, _, occurred_s, recorded_s, author, kind, text, _, ref, _, login, _, _ = row
    occurred, recorded = datetime.fromisoformat(occurred_s), datetime.fromisoformat(recorded_s)
    corrected = corrections.get(id_)
    return (
        id_, local(occurred, occurred_s), utc_iso(occurred_s), utc_iso(recorded_s), format_duration(occurred - start),
        csv_cell(author), csv_cell(login) or "(not recorded)", csv_cell(kind), csv_cell(text), "yes" if id_ in starred else "",
        "yes" if (recorded - occurred).total_seconds() > 60 else "", ref if kind == "correction" else "",
        csv_cell(corrected[-1].text) if corrected else "",
    )  # fmt: skip


def write_csv(store: SQLStore, export: Export, out: IO[str]) -> None:
    """One pass over raw rows (no object per event), written in batches."""
    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180
    writer.writerow(CSV_COLUMNS)
    head = export.head.hash if export.head else ""  # on the first row only: the head this export was made from
    start, local = export.incident.started_at, LocalTimes(export.tz)
    starred, corrections, starred_only = export.notes.starred, export.notes.corrections, export.starred_only
    batch: list[tuple] = []
    for row in store.iter_event_rows(export.incident.id):
        if starred_only and row[0] not in starred:
            continue
        batch.append((*_csv_row(row, local, start, starred, corrections), head))
        head = ""
        if len(batch) >= 5000:
            writer.writerows(batch)
            batch.clear()
    writer.writerows(batch)
