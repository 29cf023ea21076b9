"""The export for tools (JSON) and spreadsheets (CSV)."""

from __future__ import annotations

import csv
import json
from typing import IO

from ..domain.followups import followups
from ..store import Store
from ..timeutil import format_duration
from .context import SCHEMA_VERSION, Export, _timeline, csv_cell

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
