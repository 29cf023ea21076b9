"""Customer updates drafted from the config's per-channel templates: the fields filled from the
incident as it stands. No I/O."""

from __future__ import annotations

from datetime import datetime

from ..base.textsafe import clean
from ..base.timeutil import humanize_duration
from ..config import Config
from ..config.templates import DEFAULT_TEMPLATES, STATUS_TEMPLATES
from .model import Incident, InputError


def incident_touchpoints(config: Config, incident: Incident) -> list[str]:
    """The touchpoints the incident's services serve, in the order they were named."""
    found: list[str] = []
    for service_id in incident.services:
        service = config.service(service_id)
        if service is not None and service.touchpoint and service.touchpoint not in found:
            found.append(service.touchpoint)
    return found


def spoken_list(items: list[str], empty: str) -> str:
    if not items:
        return empty
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def fields(config: Config, incident: Incident, now: datetime) -> dict[str, str]:
    tz = config.tz
    # Logging the update resets the update-due clock: the next one is due a full interval from now.
    next_update = now + config.update_every_for(incident.severity)
    names = [config.service(s).name if config.service(s) else s for s in incident.services]  # type: ignore[union-attr]
    return {
        "incident": incident.label, "title": incident.title, "summary": incident.summary or incident.title,
        "severity": incident.severity, "status": incident.status,
        "touchpoints": spoken_list(incident_touchpoints(config, incident), "some of our services"),
        "services": spoken_list(names, "some of our services"),
        "elapsed": humanize_duration(now - incident.started_at),
        "next_update": next_update.astimezone(tz).strftime("%H:%M %Z").strip(),
        "started": incident.started_at.astimezone(tz).strftime("%H:%M %Z").strip(),
    }  # fmt: skip


def draft(config: Config, incident: Incident, channel: str, now: datetime) -> str:
    """The channel's template with the incident's fields; the result is plain text. A built-in
    channel the config leaves alone has a text for each status."""
    template = config.templates.get(channel)
    if template is None:
        raise InputError(f"no template {channel!r} (templates: {', '.join(sorted(config.templates)) or 'none'})")
    if template == DEFAULT_TEMPLATES.get(channel):
        template = STATUS_TEMPLATES[channel].get(incident.status, template)
    return clean(template.format_map(fields(config, incident, now))).strip()


def one_line(text: str) -> str:
    """A draft for the one-line entry input: its lines joined."""
    return " ".join(line.strip() for line in text.splitlines() if line.strip())
