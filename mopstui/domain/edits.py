"""Changing what was declared (title, summary, affected services) as new `edit` events: the log
stays append-only and the timeline shows the history. No I/O."""

from __future__ import annotations

import json

from .model import InputError
from .rules import title_text


def edit_value(
    before_title: str,
    before_summary: str,
    before_services: tuple[str, ...],
    *,
    title: str | None,
    summary: str | None,
    services: tuple[str, ...] | None,
) -> tuple[str, str]:
    """(text, value) of an `edit` event: only what changes; refused when nothing does."""
    change: dict[str, object] = {}
    said = []
    if title is not None and title.strip() and title.strip() != before_title:
        title = title_text(title)
        change["title"] = title.strip()
        said.append(f"title → {title.strip()}")
    if summary is not None and summary.strip() != before_summary:
        change["summary"] = summary.strip()
        said.append(f"summary → {summary.strip() or '(none)'}")
    if services is not None and tuple(services) != tuple(before_services):
        change["services"] = list(services)
        added = [s for s in services if s not in before_services]
        removed = [s for s in before_services if s not in services]
        said.append("services " + ", ".join([f"+{s}" for s in added] + [f"-{s}" for s in removed]))
    if not change:
        raise InputError("nothing to change: that is what was declared already")
    return "edited: " + "; ".join(said), json.dumps(change, sort_keys=True)
