"""The config's marketing sections: what a minute of outage costs per touchpoint, and the
customer-update templates per channel."""

from __future__ import annotations

import difflib
import math
import string
from dataclasses import dataclass

from .validate import _Checker, _type_name
from .yaml_lines import _Map

# The fields a template may use; drafts fill them from the incident (domain/drafts.py).
TEMPLATE_FIELDS = ("incident", "title", "summary", "severity", "status", "touchpoints", "services", "elapsed",
                   "next_update", "started")
DEFAULT_TEMPLATES = {
    "site-banner": "We're aware of a problem affecting {touchpoints} and are working on it. Next update by {next_update}.",
    "email": ("Subject: {title}\n\nWe're currently experiencing an issue affecting {touchpoints}, since {started}. "
              "Our team is {status} and we will update you by {next_update}. We're sorry for the trouble."),
    "social": "We know {touchpoints} isn't working as it should right now. We're on it; next update by {next_update}.",
    "support-macro": ("Thanks for reaching out. We're aware of an issue with {touchpoints} (status: {status}, for "
                      "{elapsed}). No need to retry; we'll post an update by {next_update}."),
}  # fmt: skip
RATES = ("leads_per_hour", "orders_per_hour", "average_order_value", "ad_spend_per_hour")


@dataclass(frozen=True)
class TouchpointEconomics:
    """What an hour of this touchpoint is worth, in a marketer's units (all optional)."""

    name: str
    leads_per_hour: float | None = None
    orders_per_hour: float | None = None
    average_order_value: float | None = None
    ad_spend_per_hour: float | None = None
    currency: str = "€"
    tracked_by: tuple[str, ...] = ()  # touchpoints whose loss blinds this one (ads → tracking, analytics)


def _number(check: _Checker, item: _Map, key: str) -> float | None:
    value = item.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        check.fail(check.at(item, key), f"{key} must be a number ≥ 0, not {_type_name(value)} {str(value)[:20]!r}")
        return None
    return float(value)


def touchpoints(check: _Checker, data: _Map, known: set[str]) -> dict[str, TouchpointEconomics]:
    section = check.mapping(data, "touchpoints")
    found: dict[str, TouchpointEconomics] = {}
    if section is None:
        return found
    for name in section:
        item = section[name]
        if not isinstance(item, _Map):
            check.fail(check.at(section, name), f"touchpoint {name!r} is a mapping of rates, not {_type_name(item)}")
            continue
        check.keys(item, (*RATES, "currency", "tracked_by"), f"touchpoint {name}")
        if known and str(name) not in known:
            hint = difflib.get_close_matches(str(name), sorted(known), n=1)
            check.fail(check.at(section, name), f"no service has touchpoint {name!r}"
                       + (f"; did you mean {hint[0]!r}?" if hint else ""))
        tracked_by = check.texts(item, "tracked_by")
        for other in tracked_by:
            if known and other not in known:
                check.fail(check.at(item, "tracked_by"), f"tracked_by: no service has touchpoint {other!r}")
        rates = {key: _number(check, item, key) for key in RATES}
        found[str(name)] = TouchpointEconomics(str(name), **rates, currency=check.text(item, "currency", default="€") or "€",
                                               tracked_by=tracked_by)
    return found


def templates(check: _Checker, data: _Map) -> dict[str, str]:
    section = check.mapping(data, "templates")
    found = dict(DEFAULT_TEMPLATES)
    if section is None:
        return found
    for channel in section:
        text = section[channel]
        if not isinstance(text, str):
            check.fail(check.at(section, channel), f"template {channel!r} is text, not {_type_name(text)}")
            continue
        try:
            fields = [f for _, f, _, _ in string.Formatter().parse(text) if f is not None]
        except ValueError as error:
            check.fail(check.at(section, channel), f"template {channel!r}: {error} (write {{{{ for a literal brace}})")
            continue
        for field_name in fields:
            if field_name not in TEMPLATE_FIELDS:
                hint = difflib.get_close_matches(field_name, TEMPLATE_FIELDS, n=1)
                check.fail(check.at(section, channel), f"template {channel!r}: unknown field {{{field_name}}}"
                           + (f"; did you mean {{{hint[0]}}}?" if hint else f" (fields: {', '.join(TEMPLATE_FIELDS)})"))
        found[str(channel)] = text
    return found
