"""Postmortem export: from the log to Markdown (people, wikis), JSON (tools), CSV (spreadsheets).

Two streaming passes over the timeline: the first keeps only small state (metrics, stars,
corrections), the second writes. A 100,000-event incident is never held in memory.
Metrics use `occurred_at`; ordering problems are reported, never hidden. Untrusted text is
escaped for each format and never carries escape sequences.
"""

from __future__ import annotations

from typing import IO

from ..config import Config
from ..domain.model import incident_label
from ..store import Store
from .context import FORMATS, Export, csv_cell, md_inline, prepare
from .data import write_csv, write_json
from .markdown import write_markdown

__all__ = ["FORMATS", "Export", "csv_cell", "default_filename", "export_incident", "md_inline", "prepare"]

WRITERS = {"md": write_markdown, "json": write_json, "csv": write_csv}


def export_incident(store: Store, incident_id: int, config: Config, fmt: str, out: IO[str], **options) -> Export:
    prepared = prepare(store, incident_id, config, **options)
    WRITERS[fmt](store, prepared, out)
    return prepared


def default_filename(incident_id: int, fmt: str) -> str:
    return f"{incident_label(incident_id)}-postmortem.{fmt}"
