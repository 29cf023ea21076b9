"""The export's rows on PostgreSQL: a long timeline streamed through a server-side cursor (never
held whole in memory), and each event's JSON object made here, the same fields in the same
order as the SQLite store's `json_object` makes them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from ..backend import Backend
from ..events import EVENT_COLUMNS, _event, event_rows_query

_ANNOTATED = f"""
    SELECT {", ".join("e." + c for c in EVENT_COLUMNS.split(", "))},
           s.ref IS NOT NULL AS starred, coalesce(c.ids, '{{}}') AS corrected_by, w.id AS withdrawn_by, k.kind AS kind_now
    FROM events e
    LEFT JOIN (SELECT ref FROM events WHERE incident_id = %(incident)s AND kind IN ('star', 'unstar')
               GROUP BY ref HAVING max(id) = max(CASE WHEN kind = 'star' THEN id END)) s ON s.ref = e.id
    LEFT JOIN (SELECT ref, min(id) AS id FROM events WHERE incident_id = %(incident)s AND kind = 'withdraw'
               GROUP BY ref) w ON w.ref = e.id
    LEFT JOIN (SELECT DISTINCT ON (ref) ref, value::json ->> 'kind' AS kind FROM events
               WHERE incident_id = %(incident)s AND kind = 'correction' AND value IS NOT NULL
                 AND value::json ->> 'kind' IS NOT NULL
               ORDER BY ref, id DESC) k ON k.ref = e.id
    LEFT JOIN (SELECT ref, array_agg(id ORDER BY id) AS ids FROM events
               WHERE incident_id = %(incident)s AND kind = 'correction' GROUP BY ref) c ON c.ref = e.id
    WHERE e.incident_id = %(incident)s
"""


class PostgresExportRowsMixin(Backend):
    def _stream(self, query: str, params: Any, batch: int) -> Iterator[tuple]:
        """Rows in batches from a server-side cursor (its own transaction, read-only)."""
        raw = self._raw()  # type: ignore[attr-defined]
        with raw.transaction(), raw.cursor(name="mopstui_stream") as cursor:
            cursor.itersize = batch
            cursor.execute(query, params)
            while rows := cursor.fetchmany(batch):
                yield from rows

    def iter_event_rows(self, incident_id: int, batch: int = 5000, *, previous_hash: bool = False) -> Iterator[tuple]:
        yield from self._stream(event_rows_query(previous_hash, "%s"), (incident_id,), batch)

    def iter_events(self, incident_id: int, batch: int = 2000) -> Iterator:
        for row in self.iter_event_rows(incident_id, batch):
            yield _event(row)

    def export_json_rows(
        self, incident_id: int, start: datetime, *, starred_only: bool, batch: int = 5000
    ) -> Iterator[tuple[int, str | None]]:
        encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
        query = _ANNOTATED + (" AND s.ref IS NOT NULL" if starred_only else "") + " ORDER BY e.occurred_at, e.id"
        for row in self._stream(query, {"incident": incident_id}, batch):
            event = _event(row[:13])
            item = event.to_dict()
            item.update(
                elapsed_seconds=(event.occurred_at - start).total_seconds(),
                starred=bool(row[13]),
                corrected_by=list(row[14]),
                withdrawn_by=row[15],
                kind_now=row[16],
            )
            yield event.id, encode(item)
