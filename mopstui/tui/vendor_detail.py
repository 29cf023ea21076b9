"""A vendor's detail, opened from the vendor pane: its last 24 hours as a sparkline, the
components under their groups (the ones nobody here watches apart), the room's override, how far
the page lagged our probes, open incidents and maintenances."""

from __future__ import annotations

from datetime import datetime, tzinfo

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Label, Sparkline, Static

from ..base.textsafe import clean_line
from ..base.timeutil import humanize_duration
from ..domain.pagelag import PageLag
from ..domain.vendor_line import source_words, vendor_mark
from ..status.model import VendorStatus, grouped
from .screens import _Dialog
from .widgets import badge_text

HOURS = 24
LEGEND = "height: ▁ not known · ok · maintenance · degraded · partial · █ down"  # the screen's state words


def when(moment: str | None, tz: tzinfo | None, now: datetime | None = None) -> str:
    """A stored time as the room reads it: `14:48:27` in the room's zone, with how long ago
    (`2026-12-06T14:48:27.709908+00:00` was shown as it was stored)."""
    if not moment:
        return "never"
    try:
        parsed = datetime.fromisoformat(moment.replace("Z", "+00:00"))
    except ValueError:
        return clean_line(moment, 40)
    if parsed.tzinfo is None or tz is None:
        return clean_line(moment, 40)
    now = now or datetime.now(parsed.tzinfo)
    shown = parsed.astimezone(tz)
    day = "" if shown.date() == now.astimezone(tz).date() else shown.strftime("%a %d %b ")
    return f"{day}{shown:%H:%M:%S} ({humanize_duration(now - parsed)} ago)" if now >= parsed else f"{day}{shown:%H:%M:%S}"


def detail_text(status: VendorStatus, lags: list[PageLag], tz: tzinfo | None = None) -> Text:
    body = Text()
    body.append_text(badge_text(status.state, mark=vendor_mark(status)))
    if status.stale or status.state == "unknown":
        body.append(f"  {'stale: ' if status.stale else ''}{clean_line(status.reason)}")
    if status.override:
        body.append("\nOverride: ", "bold")
        body.append(clean_line(status.override, 300))
        body.append(f"\nThe page itself says: {(status.page_state or 'unknown').replace('_', ' ')}")
    heard, checked = when(status.last_good_at, tz), when(status.checked_at, tz)
    body.append(f"\nLast heard: {heard}   checked: {checked}")
    if status.latency_ms is not None:
        body.append(f"   latency: {status.latency_ms} ms")
    components = grouped(status.components)
    for title, wanted in (("Components", True), ("On the page, not watched here", False)):
        chosen = [c for c in components if c.watched is wanted]
        if not chosen and not wanted:
            continue
        body.append(f"\n\n{title}\n", "bold")
        group = None
        for component in chosen:
            if component.group != group and component.group:
                body.append(f"  {clean_line(component.group)}\n", "italic")
            group = component.group
            body.append("    " if component.group else "  ")
            body.append_text(badge_text(component.state))
            body.append(f"  {clean_line(component.name)}\n")
            if component.note:  # not on the page, or which of several: said under it
                body.append(f"      {clean_line(component.note, 300)}\n", "italic")
        if not chosen:
            body.append("none\n")
    body.append("\nOpen vendor incidents\n", "bold")
    for incident in status.incidents or ():
        body.append_text(badge_text(incident.impact))
        body.append(
            f"  {clean_line(incident.title)} ({clean_line(incident.status or 'open')}, "
            f"updated {when(incident.updated_at, tz)})\n",
            "bold",
        )
        if incident.latest_update:
            body.append(f"    {clean_line(incident.latest_update, 400)}\n")
    if not status.incidents:
        body.append("none\n")
    if status.maintenances:
        body.append("\nMaintenance\n", "bold")
        for item in status.maintenances:
            span = " → ".join(when(t, tz) for t in (item.starts_at, item.ends_at) if t)
            body.append(f"  {clean_line(item.title)} ({clean_line(item.status)}){' ' + span if span else ''}\n")
    body.append("\nHow honest is the page (behind our probes)\n", "bold")
    for lag in lags[-5:]:
        body.append(f"  {clean_line(lag.sentence(status.name), 300)} ({clean_line(lag.service_id)})\n")
    if not lags:
        body.append("no probe episode to compare with yet\n")
    return body


class VendorDetailScreen(_Dialog[None]):
    """A vendor's detail, with its last 24 hours on top."""

    BINDINGS = [Binding("escape,q,enter", "dismiss", "Close")]

    def __init__(self, status: VendorStatus, lags: list[PageLag], series: list[float], tz: tzinfo | None = None) -> None:
        super().__init__()
        self.status, self.lags, self.series, self.tz = status, lags, series, tz

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog detail"):
            yield Label(Text(f"{clean_line(self.status.name)} — {source_words(self.status.kind)}"), classes="dialog-title")
            yield Static(Text(f"Last {HOURS} hours ({LEGEND})", style="italic"), classes="legend")
            yield Sparkline(self.series, summary_function=max, id="detail-history")
            yield Static(detail_text(self.status, self.lags, self.tz), id="detail-body")
            yield Label("O to overrule this vendor's page · Escape to close", classes="hint")
