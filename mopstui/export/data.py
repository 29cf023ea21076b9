"""The export for tools (JSON) and spreadsheets (CSV)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import datetime, tzinfo
from typing import IO

from ..base.timeutil import format_duration
from ..domain.followups import followups
from ..domain.model import FOLLOWUP_KINDS
from ..domain.rows import Memo, RowTimes, store_shaped, utc_iso
from ..domain.timeline import Annotations
from ..store import SQLStore, rehash_problem
from .context import FORMULA_STARTS, SCHEMA_VERSION, Export, csv_cell

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
        "signal_changes": export.signal_changes,
        "impact": [f.to_dict() for f in export.impact.figures] if export.impact else [],
        "page_lags": [lag.to_dict() for lag in export.page_lags],
        "followups": [f.to_dict() for f in followups(store.events_of_kinds(FOLLOWUP_KINDS, incident.id))],
        "withdrawn": [
            {"entry": ref, "by": e.who, "at": e.occurred_at.isoformat(), "reason": e.text, "event": e.id}
            for ref, e in sorted(export.notes.withdrawn.items())
        ],
        "overrides": [
            {"id": e.id, "at": e.occurred_at.isoformat(), "by": e.who, "reason": e.text, **json.loads(e.value or "{}")}
            for e in export.overrides
        ],
        "participants": [{"user": u, "entries": n} for u, n in sorted(export.metrics.participants.items())],
        "sessions": export.sessions,
        "catalog_snapshot": export.catalog,
        "integrity": export.integrity,
        "head": export.head.to_dict() if export.head else None,
        "not_tamper_evident": ["vendor_changes", "signal_changes", "page_lags", "sessions"],
    }
    text = json.dumps(head, ensure_ascii=False, indent=2)
    out.write(text[:-2] + ',\n  "events": [')  # stream the events into the same object
    # SQLite writes each event's JSON (json_object, in C); a row it cannot (times not in the
    # store's own format) is written here, the same fields in the same order.
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    start, starred, corrections = incident.impact_start, export.notes.starred, export.notes.corrections

    def python_json(id_: int) -> str:
        event = store.event(id_)
        assert event is not None
        item = event.to_dict()
        withdrawal = export.notes.withdrawn.get(event.id)
        item.update(
            elapsed_seconds=(event.occurred_at - start).total_seconds(),
            starred=event.id in starred,
            corrected_by=[c.id for c in corrections.get(event.id, ())],
            withdrawn_by=withdrawal.id if withdrawal else None,
            kind_now=export.notes.taken_back.kinds.get(event.id),
        )
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

CSV_COLUMNS = (
    "id",
    "time_local",
    "occurred_at_utc",
    "recorded_at_utc",
    "elapsed",
    "author",
    "login",
    "kind",
    "text",
    "starred",
    "backdated",
    "corrects",
    "corrected_to",
    "withdrawn",
    "kind_now",
    "log_head",
)


def _csv_row(
    row: tuple, local: Callable[[datetime], str], start: datetime, starred: set[int], corrections: dict, notes: Annotations
) -> tuple:
    """The obviously right way, for a row whose cells need cleaning or whose times are not the
    store's own (the fast way below must write exactly this)."""
    id_, _, occurred_s, recorded_s, author, kind, text, _, ref, _, login, _, _ = row
    occurred, recorded = datetime.fromisoformat(occurred_s), datetime.fromisoformat(recorded_s)
    corrected = corrections.get(id_)
    return (
        id_, local(occurred), occurred.isoformat(), recorded.isoformat(), format_duration(occurred - start),
        csv_cell(author), csv_cell(login) or "(not recorded)", csv_cell(kind), csv_cell(text), "yes" if id_ in starred else "",
        "yes" if (recorded - occurred).total_seconds() > 60 else "", ref if kind == "correction" else "",
        csv_cell(corrected[-1].text) if corrected else "", csv_cell(_withdrawn_cell(notes, id_)),
        notes.taken_back.kinds.get(id_, ""),
    )  # fmt: skip


def _withdrawn_cell(notes: Annotations, event_id: int) -> str:
    withdrawal = notes.withdrawn.get(event_id)
    return f"by {withdrawal.who}: {withdrawal.text}" if withdrawal else ""


def _plain_cell(value: str | None) -> str | None:
    """`csv_cell` and the writer's quoting of printable text (no line breaks, nothing to clean);
    None for text that needs the writer's full treatment."""
    if value is None:
        return ""
    if not value.isprintable():
        return None
    if value and value[0] in FORMULA_STARTS:
        value = "'" + value
    if '"' in value:
        return '"' + value.replace('"', '""') + '"'
    return '"' + value + '"' if "," in value else value


def write_csv(store: SQLStore, export: Export, out: IO[str]) -> None:
    """One pass over raw rows (no object per event), written in batches. A row of printable text
    in the store's own time format is joined here; any other goes through the csv writer."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")  # RFC 4180
    writer.writerow(CSV_COLUMNS)
    out.write(buffer.getvalue())
    head = export.head.hash if export.head else ""  # on the first row only: the head this export was made from
    start, tz = export.incident.impact_start, export.tz
    times, slow_local = RowTimes(start, tz), _local_time(tz)
    notes = export.notes
    starred, corrections, starred_only = notes.starred, notes.corrections, export.starred_only
    cells = Memo(_plain_cell)  # authors, logins, kinds
    lines: list[str] = []
    # The events before the user's checkpoint are re-hashed here, as they are written: each row
    # comes with its predecessor's stored hash. The first broken one (by id) is what is said.
    below, broken, broken_id, rehashed = export.rehash_below, None, 0, 0
    for row in store.iter_event_rows(export.incident.id, previous_hash=below > 0):
        if below:
            previous, row = row[-1], row[:-1]
            if row[0] <= below:
                rehashed += 1
                problem = rehash_problem(row, previous)
                if problem and (broken is None or row[0] < broken_id):
                    broken, broken_id = problem, row[0]
        id_, _, occurred, recorded, author, kind, text, _, ref, _, login, _, _ = row
        if starred_only and id_ not in starred:
            continue
        line = None
        if store_shaped(occurred, recorded):
            author_cell, login_cell, kind_cell, text_cell = cells[author], cells[login], cells[kind], _plain_cell(text)
            corrected = corrections.get(id_)
            corrected_cell = _plain_cell(corrected[-1].text) if corrected else ""
            withdrawn_cell = _plain_cell(_withdrawn_cell(notes, id_)) if id_ in notes.withdrawn else ""
            if None not in (author_cell, login_cell, kind_cell, text_cell, corrected_cell, withdrawn_cell):
                since, local = times.at(occurred)
                line = (
                    f"{id_},{local},{utc_iso(occurred)},{utc_iso(recorded)},{times.elapsed(since)},"
                    f"{author_cell},{login_cell or '(not recorded)'},{kind_cell},{text_cell},"
                    f"{'yes' if id_ in starred else ''},"
                    f"{'yes' if times.at(recorded)[0] - since > 60_000_000 else ''},"
                    f"{ref if kind == 'correction' and ref is not None else ''},{corrected_cell},"
                    f"{withdrawn_cell},{notes.taken_back.kinds.get(id_, '')},{head}"
                )
        if line is None:
            buffer.seek(0)
            buffer.truncate()
            writer.writerow((*_csv_row(row, slow_local, start, starred, corrections, notes), head))
            line = buffer.getvalue()[:-2]
        lines.append(line)
        head = ""
        if len(lines) >= 5000:
            out.write("\r\n".join(lines) + "\r\n")
            lines.clear()
    if lines:
        out.write("\r\n".join(lines) + "\r\n")
    if below:
        export.rehashed(store, broken, rehashed)


def _local_time(tz: tzinfo) -> Callable[[datetime], str]:
    return lambda moment: moment.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S")
