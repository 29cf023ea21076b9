"""The war-room on a PostgreSQL server, for a team across hosts: the same store, the same SQL
where the engines agree (`..events`, `..chain`, …), the server's own ways where they do not
(`connection`: locking, reconnection, notifications; `schema`: tables, guards; `export_rows`:
streaming). Imported only when the configured database is a `postgresql://` URL."""

from __future__ import annotations

from .. import SQLStore
from .connection import CHAIN_LOCK, PostgresConnection
from .export_rows import PostgresExportRowsMixin
from .schema import CHANNEL, STEPS


class PostgresStore(PostgresExportRowsMixin, SQLStore, PostgresConnection):
    """A connection to a war-room on a PostgreSQL server. One per thread."""


__all__ = ["CHAIN_LOCK", "CHANNEL", "STEPS", "PostgresStore"]
