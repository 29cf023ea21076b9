"""Export rows formatted by SQLite itself: a 100,000-event incident is mostly formatting, and
`json_object` in C writes an event's JSON several times faster than `json.dumps` of a dict built
in Python. A row whose times are not in the store's own format comes back unformatted, for the
Python path. (CSV and Markdown stay in Python, `domain/rows.py`: their cells — local time, elapsed,
guards, cleaning — cost SQLite more than Python's lookups of values already seen, measured.)"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from .connection import SQLiteConnection


def _iso(column: str) -> str:
    """The stored `…T10:00:00.123456Z` as Python's isoformat writes it."""
    return (
        f"(CASE WHEN substr({column}, 21, 6) = '000000' THEN substr({column}, 1, 19) "
        f"ELSE substr({column}, 1, 26) END || '+00:00')"
    )


def _micros(column: str) -> str:
    """Microseconds since :start_s/:start_us, an exact integer. The seconds are read without their
    fraction (SQLite rounds a time to the millisecond, which .9995 would carry into the next second);
    unixepoch() (SQLite 3.38+) reads them three times faster than strftime('%s')."""
    epoch = (
        f"unixepoch(substr({column}, 1, 19))"
        if sqlite3.sqlite_version_info >= (3, 38)
        else f"CAST(strftime('%s', substr({column}, 1, 19)) AS INTEGER)"
    )
    return f"(({epoch} - :start_s) * 1000000 + (CAST(substr({column}, 21, 6) AS INTEGER) - :start_us))"


_ANNOTATIONS = """
    LEFT JOIN (SELECT ref, 1 AS starred FROM events WHERE incident_id = :incident AND kind IN ('star', 'unstar')
               GROUP BY ref HAVING max(id) = max(CASE WHEN kind = 'star' THEN id END)) s ON s.ref = e.id
    LEFT JOIN (SELECT ref, min(id) AS id FROM events WHERE incident_id = :incident AND kind = 'withdraw' GROUP BY ref) w
        ON w.ref = e.id
    LEFT JOIN (SELECT ref, json_extract(value, '$.kind') AS kind, max(id) FROM events
               WHERE incident_id = :incident AND kind = 'correction' AND json_extract(value, '$.kind') IS NOT NULL
               GROUP BY ref) k ON k.ref = e.id
    LEFT JOIN (SELECT ref, json_group_array(id) AS ids, max(id) AS last FROM events
               WHERE incident_id = :incident AND kind = 'correction' GROUP BY ref) c ON c.ref = e.id
    LEFT JOIN events lc ON lc.id = c.last
"""


class ExportRowsMixin(SQLiteConnection):
    def _params(self, incident_id: int, start: datetime) -> dict:
        whole = (start - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(seconds=1)
        return {"incident": incident_id, "start_s": whole, "start_us": start.microsecond}

    def export_json_rows(
        self, incident_id: int, start: datetime, *, starred_only: bool, batch: int = 5000
    ) -> Iterator[tuple[int, str | None]]:
        """(id, the event as a JSON object) in timeline order; None where Python must format it."""
        # Two json_object()s spliced around the booleans (json('true') would parse for each row).
        sql = f"""
            SELECT e.id, CASE WHEN length(e.occurred_at) != 27 OR length(e.recorded_at) != 27 THEN NULL ELSE
                rtrim(json_object('id', e.id, 'incident_id', e.incident_id, 'occurred_at', {_iso("e.occurred_at")},
                    'recorded_at', {_iso("e.recorded_at")}, 'author', e.author, 'kind', e.kind, 'text', e.text,
                    'value', e.value, 'ref', e.ref), '}}')
                || ',"backdated":' || CASE WHEN {_micros("e.recorded_at")} - {_micros("e.occurred_at")} > 60000000
                                      THEN 'true' ELSE 'false' END || ','
                || ltrim(rtrim(json_object('login', e.login, 'uid', e.uid, 'hash', e.hash,
                    'elapsed_seconds', {_micros("e.occurred_at")} / 1000000.0), '}}'), '{{')
                || ',"starred":' || CASE WHEN s.starred THEN 'true' ELSE 'false' END
                || ',"corrected_by":' || COALESCE(c.ids, '[]')
                || ',"withdrawn_by":' || COALESCE(w.id, 'null')
                || ',"kind_now":' || COALESCE(json_quote(k.kind), 'null') || '}}' END
            FROM events e {_ANNOTATIONS}
            WHERE e.incident_id = :incident {"AND s.starred" if starred_only else ""}
            ORDER BY e.occurred_at, e.id
        """
        cursor = self.conn.execute(sql, self._params(incident_id, start))
        while rows := cursor.fetchmany(batch):
            yield from rows
