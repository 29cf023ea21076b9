"""The config's `signals:` section: what the marketing territory says, beside the vendors' map.

Each signal is tied to a touchpoint (and optionally a service). Kinds: `form` (the lead form is
on its page), `tag` (the tag container serves), `silence` (something the business does keeps
arriving), `metric` (a number from a JSON endpoint), `deliverability` (an ESP's event webhooks).
Secrets never live here: a header names an environment variable (`${GA_TOKEN}`) or `{token}`
from `token_command`; a receiver's token comes from `token_env`.
"""

from __future__ import annotations

import ipaddress
import math
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

from .checks import close_matches
from .tree import Pos, _Map, _type_name
from .validate import _Checker

ARRIVALS_KEPT_AT_LEAST = timedelta(days=8)  # a week of learning, and a day to spare
SIGNAL_KINDS = ("form", "tag", "silence", "metric", "deliverability")
COMMON_KEYS = ("id", "name", "kind", "touchpoint", "service", "interval", "after")
KIND_KEYS = {
    "form": ("url", "selector", "blocked_selector"),
    "tag": ("url", "min_bytes", "page", "container"),
    "silence": ("expect_every", "learn", "what", "token_env", "down_after"),
    "metric": ("url", "method", "body", "path", "scale", "headers", "token_command", "below", "above", "baseline",
               "what", "gives", "confirms", "expect"),
    "deliverability": ("window", "max_share", "token_env", "min_events"),
}  # fmt: skip
METRIC_GIVES = ("value", "spend", "conversions", "status")
# The marketing mitigations the playbooks name, which a `gives: status` metric can read back.
MITIGATIONS = {
    "pause-ads": "pause ads",
    "pause-sends": "pause sends",
    "banner-up": "banner up",
    "switch-channel": "switch channel",
}
ENV_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
SECRET_HEADER = re.compile(r"authorization|token|key|secret|cookie|password", re.IGNORECASE)
SIGNAL_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


@dataclass(frozen=True)
class Signal:
    id: str
    kind: str
    touchpoint: str
    name: str = ""
    service: str | None = None
    interval: timedelta | None = None
    after: int = 2  # consecutive failures before down (form, tag, metric)
    url: str | None = None
    selector: str | None = None  # form: the CSS that must match
    blocked_selector: str | None = None  # form: a bot wall or challenge, when this matches
    min_bytes: int = 1000  # tag: a published container is tens of KB
    page: str | None = None  # tag: a page whose HTML must still load `container`
    container: str | None = None
    expect_every: timedelta | None = None  # silence: longer without one is degraded
    learn: timedelta | None = None  # silence: learn the usual gap per hour of the week over this much history
    down_after: float = 2.0  # silence: degraded past the gap, down past this many gaps
    what: str = ""  # what arrives or is counted, in a marketer's word: "leads", "orders"
    token_env: str | None = None  # silence, deliverability: the receiver's secret, from this variable
    method: str = "GET"  # metric
    body: str | None = None  # metric: a JSON body to POST (GA4 runRealtimeReport, Ads searchStream)
    path: str | None = None  # metric: where the number is, e.g. rows[0].metricValues[0].value, or sum(...)
    headers: tuple[tuple[str, str], ...] = ()
    token_command: str | None = None
    below: float | None = None
    above: float | None = None
    baseline: int = 0  # metric: compare with the same hour of this many previous weeks
    confirms: str | None = None  # metric (gives: status): the mitigation it reads back, e.g. pause-ads
    expect: str | None = None  # ... and the status that confirms it, e.g. PAUSED
    scale: float = 1.0  # metric: multiplies what the path reads (0.000001: micros to money)
    gives: str = "value"  # metric: what its number is (spend feeds blind spend; status reads a mitigation back)
    window: timedelta = timedelta(minutes=30)  # deliverability
    max_share: float = 0.05  # deliverability: bounce + dropped + deferred over this share is degraded
    min_events: int = 20

    @property
    def label(self) -> str:
        return self.name or self.id

    @property
    def source_id(self) -> str:
        """The id its state changes carry in the vendor-and-signal history."""
        return f"signal:{self.id}"

    @property
    def keeps_arrivals_for(self) -> timedelta:
        """How long its arrivals are kept: what its judgement reads back (the learning, the window,
        the baseline weeks), a day more, and never less than ARRIVALS_KEPT_AT_LEAST."""
        needed = max(
            self.learn or timedelta(0),
            (self.expect_every or timedelta(0)) * 4,
            self.window,
            timedelta(weeks=self.baseline, hours=1),
        )
        return max(ARRIVALS_KEPT_AT_LEAST, needed + timedelta(days=1))

    @property
    def polled(self) -> bool:
        return self.kind in ("form", "tag", "metric")


def signals(check: _Checker, data: _Map, touchpoints: set[str], service_ids: set[str]) -> tuple[Signal, ...]:
    found: list[Signal] = []
    items = check.seq(data, "signals")
    seen: dict[str, int] = {}
    for item, pos in zip(items, items.item_pos):
        if not isinstance(item, _Map):
            check.fail(pos, f"a signal must be a mapping, not {_type_name(item)}")
            continue
        signal = _signal(check, item)
        if signal is None:
            continue
        if signal.id in seen:
            check.fail(pos, f"duplicate signal id {signal.id!r} (first at line {seen[signal.id]})")
            continue
        seen[signal.id] = pos.line
        if touchpoints and signal.touchpoint not in touchpoints:
            hint = close_matches(signal.touchpoint, sorted(touchpoints), n=1)
            check.fail(
                check.at(item, "touchpoint"),
                f"signal {signal.id}: no service has touchpoint {signal.touchpoint!r}"
                + (f"; did you mean {hint[0]!r}?" if hint else ""),
            )
        if signal.service is not None and signal.service not in service_ids:
            hint = close_matches(signal.service, sorted(service_ids), n=1)
            check.fail(
                check.at(item, "service"),
                f"signal {signal.id} names unknown service {signal.service!r}" + (f"; did you mean {hint[0]!r}?" if hint else ""),
            )
        found.append(signal)
    return tuple(found)


def _signal(check: _Checker, item: _Map) -> Signal | None:
    signal_id = check.text(item, "id", required=True, where="signal: ")
    kind = check.text(item, "kind", required=True, where=f"signal {signal_id}: ")
    if kind is not None and kind not in SIGNAL_KINDS:
        hint = close_matches(kind, SIGNAL_KINDS, n=1)
        check.fail(
            check.at(item, "kind"),
            f"unknown signal kind {kind!r}"
            + (f"; did you mean {hint[0]!r}?" if hint else f" (known: {', '.join(SIGNAL_KINDS)})"),
        )
        kind = None
    allowed = COMMON_KEYS + (KIND_KEYS[kind] if kind else tuple(k for keys in KIND_KEYS.values() for k in keys))
    check.keys(item, allowed, f"a {kind} signal" if kind else "a signal")
    if signal_id is not None and not SIGNAL_ID.match(signal_id):
        check.fail(check.at(item, "id"), f"signal id {signal_id!r}: use letters, digits, - _ . (up to 64)")
        signal_id = None
    touchpoint = check.text(item, "touchpoint", required=True, where=f"signal {signal_id}: ")
    if not (signal_id and kind and touchpoint):
        return None
    common: dict[str, Any] = dict(  # the keys every kind has, passed on as they are
        id=signal_id,
        kind=kind,
        touchpoint=touchpoint,
        name=check.text(item, "name", default="") or "",
        service=check.text(item, "service"),
        interval=check.duration(item, "interval"),
        after=check.integer(item, "after", 2, 1, 100),
    )
    where = f"signal {signal_id}: "
    if kind == "form":
        url = check.url(item, "url", required=True, where=where)
        selector = _css(check, item, "selector", required=True, where=where)
        return Signal(**common, url=url, selector=selector, blocked_selector=_css(check, item, "blocked_selector"))
    if kind == "tag":
        url = check.url(item, "url", required=False, where=where)
        page = check.url(item, "page", required=False, where=where)
        container = check.text(item, "container")
        if (url is None) == (page is None):
            check.fail(item.pos, f"{where}a tag signal has either url (the container's script) or page + container")
        if page is not None and not container:
            check.fail(check.at(item, "page"), f"{where}page: needs container: the id the page must load (GTM-…)")
        return Signal(
            **common, url=url, page=page, container=container, min_bytes=check.integer(item, "min_bytes", 1000, 1, 100_000_000)
        )
    if kind == "silence":
        expect_every, learn = check.duration(item, "expect_every"), check.duration(item, "learn")
        if expect_every is None and learn is None:
            check.fail(item.pos, f"{where}a silence signal needs expect_every (e.g. 30m), learn (e.g. 7d), or both")
        return Signal(
            **common,
            expect_every=expect_every,
            learn=learn,
            what=check.text(item, "what", default="") or "",
            token_env=_env_name(check, item, "token_env"),
            down_after=_number(check, item, "down_after", 2.0, low=1.0),
        )
    if kind == "metric":
        return _metric(check, item, common, where)
    return Signal(
        **common,
        window=check.duration(item, "window", timedelta(minutes=30)),
        max_share=_number(check, item, "max_share", 0.05, low=0.0, high=1.0),
        min_events=check.integer(item, "min_events", 20, 1, 1_000_000),
        token_env=_env_name(check, item, "token_env"),
    )


def _metric(check: _Checker, item: _Map, common: dict, where: str) -> Signal:
    url = check.url(item, "url", required=True, where=where)
    path = check.text(item, "path", required=True, where=where)
    method = (check.text(item, "method", default="GET") or "GET").upper()
    if method not in ("GET", "POST"):
        check.fail(check.at(item, "method"), f"method must be GET or POST, not {method!r}")
    body = item.get("body")
    if body is not None and not isinstance(body, str):
        import json

        body = json.dumps(body)
    below, above = _number(check, item, "below", None), _number(check, item, "above", None)
    gives = check.text(item, "gives", default="value") or "value"
    if gives not in METRIC_GIVES:
        check.fail(check.at(item, "gives"), f"gives must be one of {', '.join(METRIC_GIVES)}, not {gives!r}")
    confirms, expect = check.text(item, "confirms"), check.text(item, "expect")
    if confirms is not None and confirms not in MITIGATIONS:
        hint = close_matches(confirms, list(MITIGATIONS), n=1)
        check.fail(
            check.at(item, "confirms"),
            f"confirms names a mitigation ({', '.join(MITIGATIONS)}), not {confirms!r}"
            + (f"; did you mean {hint[0]!r}?" if hint else ""),
        )
    elif confirms is not None and (gives != "status" or not expect):
        check.fail(
            check.at(item, "confirms"),
            f"{where}confirms needs gives: status and expect: (the status that confirms it, e.g. PAUSED)",
        )
    token_command = check.text(item, "token_command")
    if token_command is not None and _refused_here(check, check.at(item, "token_command"), f"{where}token_command"):
        token_command = None
    headers = _headers(check, item)
    if url is not None and _secret_in_clear(url, headers):
        check.fail(
            check.at(item, "url"),
            f"{where}url is plain http:// but the headers carry a secret (${{VAR}} or "
            "{token}): anyone on the network path could read it; use https://",
        )
    return Signal(
        **common,
        url=url,
        path=path,
        method=method,
        body=body,
        headers=headers,
        token_command=token_command,
        below=below,
        above=above,
        baseline=check.integer(item, "baseline", 0, 0, 12),
        what=check.text(item, "what", default="") or "",
        gives=gives,
        scale=_number(check, item, "scale", 1.0),
        confirms=confirms,
        expect=expect,
    )


def _secret_in_clear(url: str, headers: tuple[tuple[str, str], ...]) -> bool:
    """A secret-bearing header on plain http to anywhere but this host itself (a local relay or a test)."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.scheme != "http" or not any(ENV_REFERENCE.search(value) or "{token}" in value for _, value in headers):
        return False
    host = (parts.hostname or "").rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return False
    try:
        return not ipaddress.ip_address(host).is_loopback
    except ValueError:
        return True


def _headers(check: _Checker, item: _Map) -> tuple[tuple[str, str], ...]:
    section = check.mapping(item, "headers")
    if section is None:
        return ()
    found = []
    for name, value in section.items():
        if isinstance(value, (dict, list)) or value is None:
            check.fail(check.at(section, name), f"header {name!r} must be text, not {_type_name(value)}")
            continue
        text = str(value)
        if SECRET_HEADER.search(str(name)) and not (ENV_REFERENCE.search(text) or "{token}" in text):
            # The config is readable by the whole group: a secret written here is everyone's.
            check.fail(
                check.at(section, name),
                f"header {name!r} holds a secret: write ${{ENV_VAR}} or {{token}} (from token_command), never the secret itself",
            )
            continue
        if ENV_REFERENCE.search(text) and _refused_here(check, check.at(section, name), f"header {name!r} (${{VAR}})"):
            continue
        found.append((str(name), text))
    return tuple(found)


def _refused_here(check: _Checker, pos: Pos, what: str) -> bool:
    """A command or an environment secret from a file others can change is a config error (trust.py)."""
    reason = check.untrusted.get(pos.file)
    if reason is None:
        return False
    from .trust import refusal

    check.fail(pos, refusal(what, pos.file, reason))
    return True


def _css(check: _Checker, item: _Map, key: str, *, required: bool = False, where: str = "") -> str | None:
    value = check.text(item, key, required=required, where=where)
    if value is None:
        return None
    from selectolax.lexbor import LexborHTMLParser

    try:
        LexborHTMLParser("<p></p>").css_first(value)
    except Exception as error:  # the parser names the problem; a marketer gets the line
        check.fail(check.at(item, key), f"{key} is not a CSS selector we can read: {value!r} ({error})")
        return None
    return value


def _env_name(check: _Checker, item: _Map, key: str) -> str | None:
    value = check.text(item, key)
    if value is not None and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", value):
        check.fail(check.at(item, key), f"{key} names an environment variable (e.g. MOPSTUI_LEADS_TOKEN), not {value!r}")
        return None
    return value


_Default = TypeVar("_Default", float, None)


def _number(
    check: _Checker, item: _Map, key: str, default: _Default, *, low: float | None = None, high: float | None = None
) -> float | _Default:
    value = item.get(key)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        check.fail(check.at(item, key), f"{key} must be a number, not {_type_name(value)}")
        return default
    if (low is not None and value < low) or (high is not None and value > high):
        check.fail(
            check.at(item, key),
            f"{key} must be between {low if low is not None else '-∞'} and {high if high is not None else '∞'}, not {value}",
        )
        return default
    return float(value)
