"""Pictures for the postmortem: an SVG timeline of the incident (vendor, probe and touchpoint
states as bands; thresholds and update-due moments as lines; entries as ticks), and Mermaid
blocks (a gantt of the same story, a flowchart of vendor → service → touchpoint) that GitHub
renders inside the Markdown. Hand-written: no dependency; every text escaped for its target.
"""

from __future__ import annotations

import itertools
import re
import zlib
from datetime import UTC, datetime, timedelta

from ..domain import catalog as cat
from ..status.model import RANK, UNKNOWN, worst
from .context import TICK_COLUMNS, Export

LEFT, PLOT, ROW, TOP = 190, TICK_COLUMNS, 22, 40
COLOURS = {"operational": "#2e7d32", "maintenance": "#1565c0", "degraded": "#f9a825", "partial_outage": "#ef6c00",
           "major_outage": "#c62828", "unknown": "#9e9e9e"}  # fmt: skip
WORDS = {"operational": "ok", "maintenance": "maint.", "degraded": "degraded", "partial_outage": "partial",
         "major_outage": "down", "unknown": "unknown"}  # fmt: skip


# What xml.sax.saxutils' escape and quoteattr do, written out: that module imports urllib,
# http and ssl (12 ms of an export's start-up) for these few lines.
_XML_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_XML_ATTRIBUTE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"})


def escape(text: str) -> str:
    return text.translate(_XML_TEXT)


def quoteattr(value: str) -> str:
    value = value.translate(_XML_ATTRIBUTE)
    if '"' not in value:
        return f'"{value}"'
    if "'" not in value:
        return f"'{value}'"
    return '"' + value.replace('"', "&quot;") + '"'


def _segments(changes: list[dict], start: datetime, end: datetime) -> list[tuple[datetime, datetime, str]]:
    """A source's states over [start, end] from its overall changes, oldest first."""
    state = (changes[0].get("previous_state") or UNKNOWN) if changes else UNKNOWN
    moments = [(start, state)]
    for change in changes:
        moments.append((max(start, datetime.fromisoformat(change["seen_at"])), change["state"]))
    found = []
    for (at, state), (until, _) in zip(moments, moments[1:] + [(end, "")]):
        if until > at:
            found.append((at, min(until, end), state))
    return found


def rows(export: Export) -> list[tuple[str, str, list[tuple[datetime, datetime, str]]]]:
    """(row key, label, segments): each vendor and probe seen in the window, then each affected
    touchpoint as the worst of its services' sources at each moment."""
    start, end = export.metrics.start, export.metrics.end
    by_source: dict[str, list[dict]] = {}
    for change in export.vendor_changes:
        if change["component"] is None and not change["vendor_id"].startswith("service:"):
            by_source.setdefault(change["vendor_id"], []).append(change)
    found = []
    for source, changes in by_source.items():
        vendor = export.config.vendor(source)
        service = export.config.service(source.split(":", 1)[1]) if source.startswith("probe:") else None
        signal = export.config.signal(source.split(":", 1)[1]) if source.startswith("signal:") else None
        label = (
            vendor.name if vendor else f"{service.name} (probe)" if service else f"{signal.label} (signal)" if signal else source
        )
        found.append((f"source:{source}", label, _segments(sorted(changes, key=lambda c: c["seen_at"]), start, end)))
    segments_of = {key.split(":", 1)[1]: segs for key, _, segs in found}
    touchpoints: dict[str, list[str]] = {}
    for service_id in export.incident.services:
        service = export.config.service(service_id)
        if service is not None:
            sources = [s for s in (service.vendor, cat.probe_id(service.id) if service.probe else None) if s in segments_of]
            touchpoints.setdefault(service.touchpoint or "other", []).extend(sources)
    for name, sources in touchpoints.items():
        cuts = sorted({start, end, *(a for s in sources for a, _, _ in segments_of[s])})
        segs: list[tuple[datetime, datetime, str]] = []
        for at, until in itertools.pairwise(cuts):
            states = [state for s in sources for a, b, state in segments_of[s] if a <= at < b]
            state = worst(states) if states else UNKNOWN
            if segs and segs[-1][2] == state:  # one band per stretch of one state
                segs[-1] = (segs[-1][0], until, state)
            else:
                segs.append((at, until, state))
        found.append((f"touchpoint:{name}", f"◆ {name}", segs))
    return found


def svg_timeline(export: Export) -> str:
    start, end = export.metrics.start, export.metrics.end
    span = max((end - start).total_seconds(), 1.0)

    def x(moment: datetime) -> float:
        return round(LEFT + (moment - start).total_seconds() / span * PLOT, 1)

    bands = rows(export)
    height = TOP + ROW * (len(bands) + 2) + 60
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{LEFT + PLOT + 20}" height="{height}" '
        f'font-family="sans-serif" font-size="12">',
        f"<title>{escape(f'{export.incident.label}: {export.incident.title}')}</title>",
        f'<rect x="0" y="0" width="{LEFT + PLOT + 20}" height="{height}" fill="#ffffff"/>',
        f'<text x="10" y="20" font-weight="bold">{escape(f"{export.incident.label}: {export.incident.title}")}</text>',
    ]
    for index, (key, label, segments) in enumerate(bands):
        y = TOP + index * ROW
        out.append(f'<text x="10" y="{y + 15}">{escape(label[:28])}</text>')
        for at, until, state in segments:
            out.append(
                f'<rect data-row={quoteattr(key)} data-state={quoteattr(state)} x="{x(at)}" y="{y + 3}" '
                f'width="{round(x(until) - x(at), 1)}" height="{ROW - 6}" fill="{COLOURS.get(state, "#9e9e9e")}">'
                f"<title>{escape(f'{label}: {WORDS.get(state, state)}')}</title></rect>"
            )
    axis = TOP + len(bands) * ROW + 8
    tz = export.tz
    out.append(f'<line x1="{LEFT}" y1="{axis}" x2="{LEFT + PLOT}" y2="{axis}" stroke="#424242"/>')
    for column, kind in sorted(export.metrics.ticks.items()):
        colour = "#6a1b9a" if kind == "comms" else "#424242"
        out.append(
            f'<line data-tick="{kind}" x1="{LEFT + column}" y1="{axis}" x2="{LEFT + column}" y2="{axis + 8}" stroke="{colour}"/>'
        )
    for threshold in export.metrics.thresholds:
        moment = start + timedelta(seconds=threshold["limit_seconds"])
        if moment <= end:
            out.append(
                f'<line data-threshold={quoteattr(threshold["name"])} x1="{x(moment)}" y1="{TOP - 6}" '
                f'x2="{x(moment)}" y2="{axis + 10}" stroke="#b71c1c" stroke-dasharray="4 3"/>'
            )
            out.append(
                f'<text x="{x(moment) + 3}" y="{TOP - 8}" fill="#b71c1c">'
                f"{escape(threshold['name'])} {_duration(threshold['limit_seconds'])}</text>"
            )
    for item in export.metrics.overdue:
        due = datetime.fromisoformat(item["due_at"])
        out.append(
            f'<line data-due="update" x1="{x(due)}" y1="{TOP - 2}" x2="{x(due)}" y2="{axis + 10}" '
            f'stroke="#6a1b9a" stroke-dasharray="1 3"/>'
        )
    out.append(f'<text x="{LEFT}" y="{axis + 26}">{escape(start.astimezone(tz).strftime("%H:%M"))}</text>')
    last = escape(end.astimezone(tz).strftime("%H:%M"))
    out.append(f'<text x="{LEFT + PLOT}" y="{axis + 26}" text-anchor="end">{last}</text>')
    out.append(f'<text x="10" y="{axis + 12}" fill="#424242">entries</text>')
    legend_y, legend_x = axis + 46, 10
    for state in ("operational", "maintenance", "degraded", "partial_outage", "major_outage", "unknown"):
        out.append(
            f'<rect x="{legend_x}" y="{legend_y - 10}" width="12" height="12" fill="{COLOURS[state]}"/>'
            f'<text x="{legend_x + 16}" y="{legend_y}">{WORDS[state]}</text>'
        )
        legend_x += 90
    out.append(
        f'<text x="{legend_x}" y="{legend_y}" fill="#b71c1c">┆ threshold</text>'
        f'<text x="{legend_x + 90}" y="{legend_y}" fill="#6a1b9a">┊ update due · purple tick: customer update</text>'
    )
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _duration(seconds: float) -> str:
    minutes = int(seconds // 60)
    return f"{minutes // 60}h{minutes % 60:02d}" if minutes >= 60 else f"{minutes}m" if minutes else f"{int(seconds)}s"


# --------------------------------------------------------------------------- Mermaid


def _mermaid_text(text: str) -> str:
    """A label Mermaid cannot read as syntax: quotes and the characters its grammars split on."""
    text = re.sub(r"[\r\n]+", " ", str(text))
    return "".join(
        {'"': "#quot;", "#": "#35;", ":": "#58;", ";": "#59;", "<": "#lt;", ">": "#gt;", "`": "'"}.get(c, c) for c in text
    )[:80]


def _mermaid_id(prefix: str, text: str) -> str:
    # Readable, and distinct even when two names differ only in punctuation (crc32: the same in every run).
    return prefix + "_" + re.sub(r"[^A-Za-z0-9_]", "_", text)[:40] + f"_{zlib.crc32(text.encode()) % 10_000}"


def mermaid_gantt(export: Export) -> str:
    # The export's zone, as every other time in it; UTC only when the clocks changed in the window
    # (Mermaid's dates carry no zone, so a repeated or skipped hour would draw wrong), and then said.
    start, end = export.incident.impact_start, max(export.metrics.end, export.incident.impact_start)
    same_offset = start.astimezone(export.tz).utcoffset() == end.astimezone(export.tz).utcoffset()
    tz = export.tz if same_offset else UTC
    fmt = "%Y-%m-%d %H:%M:%S"
    zone = "" if same_offset else " (in UTC: the clocks changed during it)"
    lines = [
        "```mermaid",
        "gantt",
        f"    title {_mermaid_text(export.incident.label + ' ' + export.incident.title)}{zone}",
        "    dateFormat YYYY-MM-DD HH:mm:ss",
        "    axisFormat %H:%M",
        "    section Incident",
    ]
    times = sorted(export.incident.status_times.items(), key=lambda kv: kv[1])
    ends = [t for _, t in times[1:]] + [export.metrics.end]
    for (status, at), until in zip(times, ends):
        if status != "resolved" and until > at:
            lines.append(f"    {_mermaid_text(status)} :{at.astimezone(tz):{fmt}}, {until.astimezone(tz):{fmt}}")
    for _, label, segments in rows(export):
        problems = [(a, b, s) for a, b, s in segments if RANK.get(s, 0) >= RANK["degraded"]]
        if problems:
            lines.append(f"    section {_mermaid_text(label)}")
            for at, until, state in problems:
                tag = "crit, " if state == "major_outage" else ""
                lines.append(f"    {WORDS[state]} :{tag}{at.astimezone(tz):{fmt}}, {until.astimezone(tz):{fmt}}")
    lines.append("```")
    return "\n".join(lines) + "\n"


def mermaid_flowchart(export: Export) -> str:
    """Vendor → service → touchpoint, for the incident's services."""
    lines = ["```mermaid", "flowchart LR"]
    seen: set[str] = set()

    def node(node_id: str, label: str, opening: str = "[", closing: str = "]") -> str:
        if node_id in seen:
            return node_id
        seen.add(node_id)
        return f'{node_id}{opening}"{_mermaid_text(label)}"{closing}'

    for service_id in export.incident.services:
        service = export.config.service(service_id)
        if service is None:
            continue
        sid = _mermaid_id("s", service.id)
        target = node(_mermaid_id("t", service.touchpoint or "other"), service.touchpoint or "other", "([", "])")
        lines.append(f"    {node(sid, service.name)} --> {target}")
        if service.vendor:
            vendor = export.config.vendor(service.vendor)
            name = vendor.name if vendor else service.vendor
            lines.append(f"    {node(_mermaid_id('v', service.vendor), name, '[(', ')]')} --> {sid}")
    lines.append("```")
    return "\n".join(lines) + "\n"
