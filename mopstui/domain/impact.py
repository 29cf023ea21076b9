"""What the incident is costing marketing: estimates from the config's per-touchpoint rates, with
their inputs shown, and the blind-spend clock (ads still spending while the tracking they rely on
is down). No I/O. Every figure is an estimate and says so."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..base.timeutil import humanize_duration
from ..config import Config
from .drafts import incident_touchpoints
from .model import Incident

PROBLEM_STATES = ("down", "degraded", "major_outage", "partial_outage", "disagree")


@dataclass(frozen=True)
class Figure:
    touchpoint: str
    what: str  # leads | orders | revenue | blind_spend
    amount: float
    text: str  # "≈ 38 leads not captured"
    inputs: str  # "lead capture: 1h 20m x 30 leads/h"

    def to_dict(self) -> dict:
        return {
            "touchpoint": self.touchpoint,
            "what": self.what,
            "estimate": round(self.amount, 2),
            "text": self.text,
            "inputs": self.inputs,
        }


@dataclass(frozen=True)
class Impact:
    figures: tuple[Figure, ...]
    blind_since: datetime | None  # when the blind-spend clock started, if it runs

    def line(self) -> str:
        return " · ".join(f.text for f in self.figures)


def _money(currency: str, amount: float) -> str:
    return f"{currency}{amount:,.0f}"


def _count(amount: float) -> str:
    return f"{amount:,.0f}" if amount >= 10 else f"{amount:.1f}".rstrip("0").rstrip(".")


def estimate(
    config: Config,
    incident: Incident,
    now: datetime,
    touchpoint_states: Mapping[str, str] | None = None,
    signal_history: tuple | None = None,
) -> Impact:
    """Estimates from the incident's start to its resolution (or now) for each affected
    touchpoint with rates; `touchpoint_states` (live health), when given, decides whether an ads
    touchpoint is still up and so spending blind. `signal_history` (the signals' state changes
    and spend readings, see room.signals.history) turns blind spend from an estimate into what a
    spend metric measured while a tag or conversions signal said the tracking was blind."""
    end = incident.resolved_at or now
    duration = max(timedelta(0), end - incident.impact_start)
    hours = duration.total_seconds() / 3600
    span = humanize_duration(duration)
    affected = incident_touchpoints(config, incident)
    figures: list[Figure] = []
    for name in affected:
        rates = config.economics.get(name)
        if rates is None:
            continue
        if rates.leads_per_hour:
            n = rates.leads_per_hour * hours
            figures.append(
                Figure(
                    name,
                    "leads",
                    n,
                    f"≈ {_count(n)} leads not captured",
                    f"{name}: {span} x {_count(rates.leads_per_hour)} leads/h",
                )
            )
        if rates.orders_per_hour:
            n = rates.orders_per_hour * hours
            figures.append(
                Figure(
                    name, "orders", n, f"≈ {_count(n)} orders lost", f"{name}: {span} x {_count(rates.orders_per_hour)} orders/h"
                )
            )
            if rates.average_order_value:
                value = n * rates.average_order_value
                figures.append(
                    Figure(
                        name,
                        "revenue",
                        value,
                        f"≈ {_money(rates.currency, value)} revenue at risk",
                        f"{_count(n)} orders x {_money(rates.currency, rates.average_order_value)}",
                    )
                )
    blind_since = None
    measured_for: set[str] = set()
    if signal_history is not None:
        from .blind import measured

        for touchpoint, amount, text, inputs in measured(config, incident, now, *signal_history):
            figures.append(Figure(touchpoint, "blind_spend", amount, text, inputs))
            measured_for.add(touchpoint)
            blind_since = incident.started_at
    for name, rates in config.economics.items():
        if name in measured_for:
            continue  # measured beats estimated
        blinded = [t for t in rates.tracked_by if t in affected]
        ads_down = name in affected or (touchpoint_states or {}).get(name) in PROBLEM_STATES
        if not rates.ad_spend_per_hour or not blinded or ads_down:
            continue
        # Ads still buying clicks while the tracking or analytics they depend on is down: money
        # spent with nothing measured ("pause spend when conversions are 0 and spend is > 0").
        spent = rates.ad_spend_per_hour * hours
        blind_since = incident.started_at
        figures.append(
            Figure(
                name,
                "blind_spend",
                spent,
                f"≈ {_money(rates.currency, spent)} {name} spend while {' and '.join(blinded)} is down",
                f"{name}: {span} x {_money(rates.currency, rates.ad_spend_per_hour)}/h; consider pausing spend",
            )
        )
    return Impact(tuple(figures), blind_since if incident.resolved_at is None else None)
