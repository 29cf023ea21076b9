"""The config's marketing sections: what a minute of outage costs per touchpoint, and the
customer-update templates per channel."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .checks import close_matches
from .templates import DEFAULT_TEMPLATES, TEMPLATE_FIELDS
from .tree import _Map, _type_name
from .validate import _Checker

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


def _entries(check: _Checker, data: _Map, key: str, kind: type, what: str) -> Iterator[tuple[str, Any, _Map]]:
    """(name, value, section) for each entry of a `name: value` section whose value is `kind`."""
    section = check.mapping(data, key)
    if section is None:
        return
    for name in section:
        value = section[name]
        if isinstance(value, kind):
            yield str(name), value, section
        else:
            check.fail(check.at(section, name), f"{key[:-1]} {name!r} is {what}, not {_type_name(value)}")


def touchpoints(check: _Checker, data: _Map, known: set[str]) -> dict[str, TouchpointEconomics]:
    found: dict[str, TouchpointEconomics] = {}
    for name, item, section in _entries(check, data, "touchpoints", _Map, "a mapping of rates"):
        check.keys(item, (*RATES, "currency", "tracked_by"), f"touchpoint {name}")
        if known and name not in known:
            hint = close_matches(name, sorted(known), n=1)
            check.fail(
                check.at(section, name), f"no service has touchpoint {name!r}" + (f"; did you mean {hint[0]!r}?" if hint else "")
            )
        tracked_by = check.texts(item, "tracked_by")
        for other in tracked_by:
            if known and other not in known:
                check.fail(check.at(item, "tracked_by"), f"tracked_by: no service has touchpoint {other!r}")
        rates = {key: _number(check, item, key) for key in RATES}
        found[name] = TouchpointEconomics(
            name, **rates, currency=check.text(item, "currency", default="€") or "€", tracked_by=tracked_by
        )
    return found


def templates(check: _Checker, data: _Map) -> dict[str, str]:
    found = dict(DEFAULT_TEMPLATES)
    for channel, text, section in _entries(check, data, "templates", str, "text"):
        import string  # here: only a config with templates of its own needs it

        try:
            fields = [f for _, f, _, _ in string.Formatter().parse(text) if f is not None]
        except ValueError as error:
            check.fail(check.at(section, channel), f"template {channel!r}: {error} (write {{{{ for a literal brace}})")
            continue
        for field_name in fields:
            if field_name not in TEMPLATE_FIELDS:
                hint = close_matches(field_name, TEMPLATE_FIELDS, n=1)
                check.fail(
                    check.at(section, channel),
                    f"template {channel!r}: unknown field {{{field_name}}}"
                    + (f"; did you mean {{{hint[0]}}}?" if hint else f" (fields: {', '.join(TEMPLATE_FIELDS)})"),
                )
        found[channel] = text
    return found
