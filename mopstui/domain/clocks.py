"""Customer-patience clocks: elapsed time against thresholds, and the customer-update-due clock.

Pure functions of (incident, config, events, now), so the screen, the export and the tests agree,
and a test can move time by passing `now`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..base.timeutil import humanize_duration, short_duration
from ..config import Config
from .model import Event, Incident

PRECISE_WITHIN = timedelta(minutes=5)


@dataclass(frozen=True)
class Clock:
    name: str
    limit: timedelta
    elapsed: timedelta
    kind: str  # "threshold" or "update"
    anchor: datetime  # what it counts from: the start, or the last comms entry
    anchor_id: int = 0  # update clock: the comms entry it counts from (0: the start)
    stopped: bool = False  # the incident is resolved: the clock shows where it stopped, no countdown

    @property
    def crossed_at(self) -> datetime:
        return self.anchor + self.limit

    @property
    def crossed(self) -> bool:
        return self.elapsed >= self.limit

    @property
    def fraction(self) -> float:
        if self.limit.total_seconds() <= 0:
            return 1.0
        return max(0.0, min(1.0, self.elapsed / self.limit))

    @property
    def remaining(self) -> timedelta:
        return self.limit - self.elapsed

    def label(self) -> str:
        if self.kind == "update":
            return "update due"
        return f"{self.name} {humanize_duration(self.limit)}"

    def status_text(self) -> str:
        """Seconds while they matter (within 5 minutes of the threshold, either side), minutes
        otherwise: the text then changes once a minute, and so does what is sent to terminals."""
        if self.stopped:  # `19m left` on a resolved incident read as a clock still running
            return f"resolved in {short_duration(self.elapsed)}"
        distance = abs(self.remaining)
        # with units (`1m 5s`, `1h 45m`), as every duration the marketer reads: `+01:05` read as a clock time
        whole = distance if distance < PRECISE_WITHIN else timedelta(minutes=int(distance.total_seconds() // 60))
        amount = humanize_duration(whole)
        if self.crossed:
            return f"OVERDUE {amount}" if self.kind == "update" else f"OVER +{amount}"
        return f"{amount} left"

    def dedupe_key(self, incident_id: int) -> str:
        if self.kind == "update":
            return f"INC-{incident_id}:overdue:{self.anchor_id}"
        return f"INC-{incident_id}:threshold:{self.name}"

    def crossing_text(self) -> str:
        if self.kind == "update":
            return f"Customer update overdue: nothing sent for {humanize_duration(self.limit)}"
        return f"Crossed the {humanize_duration(self.limit)} customer-patience threshold ({self.name})"


def incident_clocks(incident: Incident, config: Config, comms: Event | None, now: datetime) -> list[Clock]:
    """The threshold clocks (stopped at resolution) and, while open, the update-due clock."""
    end = incident.resolved_at or now
    elapsed = max(end - incident.impact_start, timedelta(0))
    clocks = [
        Clock(t.name, t.after, elapsed, "threshold", incident.impact_start, stopped=incident.resolved)
        for t in config.thresholds_for(incident.severity)
    ]
    if not incident.resolved:
        anchor = comms.occurred_at if comms else incident.started_at
        clocks.append(
            Clock(
                "update",
                config.update_every_for(incident.severity),
                max(now - anchor, timedelta(0)),
                "update",
                anchor,
                anchor_id=comms.id if comms else 0,
            )
        )
    return clocks


def crossed(clocks: Iterable[Clock]) -> list[Clock]:
    return [c for c in clocks if c.crossed]
