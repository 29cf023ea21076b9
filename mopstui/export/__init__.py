"""Postmortem export: from the log to Markdown (people, wikis), JSON (tools), CSV (spreadsheets).

One streaming pass over the timeline writes it (`context` gathers the metrics, stars and
corrections from a few SQL aggregates first): a 100,000-event incident is never held in memory.
Metrics use `occurred_at`; ordering problems are reported, never hidden. Untrusted text is
escaped for each format and never carries escape sequences. Modules: `context` (what every
format is made from), `markdown`, `data` (JSON, CSV), `pictures` (SVG timeline, Mermaid).
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

from ..config import Config
from ..domain.model import incident_label
from ..store import SQLStore
from .context import FORMATS, Export, csv_cell, md_inline, prepare
from .data import write_csv, write_json
from .markdown import write_markdown
from .pictures import svg_timeline

__all__ = [
    "FORMATS",
    "Export",
    "csv_cell",
    "default_filename",
    "export_incident",
    "export_to_file",
    "md_inline",
    "prepare",
    "svg_timeline",
]

WRITERS = {"md": write_markdown, "json": write_json, "csv": write_csv}


def export_incident(
    store: SQLStore, incident_id: int, config: Config, fmt: str, out: IO[str], *, svg_name: str | None = None, **options: Any
) -> Export:
    """`svg_name`: the SVG timeline written beside a Markdown export, which links it."""
    # CSV re-hashes the events it writes in its writing pass; Markdown and JSON say the log's
    # check before their timelines (and show the room's own events too), so theirs comes first.
    prepared = prepare(store, incident_id, config, rehash_in_pass=fmt == "csv", **options)
    prepared.svg_name = svg_name
    WRITERS[fmt](store, prepared, out)
    return prepared


def export_to_file(
    store: SQLStore,
    incident_id: int,
    config: Config,
    fmt: str,
    path: str | Path,
    *,
    made: list[Export] | None = None,
    **options: Any,
) -> list[Path]:
    """Write the export to `path` (never through a planted link: a fresh file renamed into place)
    and, for Markdown, its SVG timeline beside it. Returns the files written; `made` gets the
    export (its integrity, for one who wants to say it)."""
    from ..base.files import check_output_target, open_shared_files

    path = check_output_target(path)
    if fmt != "md":
        with open_shared_files([path], config.database_group, newline="" if fmt == "csv" else None) as (out,):
            prepared = export_incident(store, incident_id, config, fmt, out, **options)
        paths = [path]
    else:
        # The Markdown links its picture: both go in together, or neither does.
        svg_path = path.with_suffix(".svg")
        with open_shared_files([path, svg_path], config.database_group) as (out, picture):
            prepared = export_incident(store, incident_id, config, fmt, out, svg_name=svg_path.name, **options)
            picture.write(svg_timeline(prepared))
        paths = [path, svg_path]
    if made is not None:
        made.append(prepared)
    return paths


def default_filename(incident_id: int, fmt: str) -> str:
    return f"{incident_label(incident_id)}-postmortem.{fmt}"
