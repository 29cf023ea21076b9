"""Checking a merged config tree and building the `Config`: every problem at once, as
`FILE:LINE: message`, with a "did you mean" where one fits."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from ..base.timeutil import TimeError, parse_duration
from .checks import Checks, close_matches
from .model import CATCH_UP, DEFAULT_SEVERITIES, VENDOR_KINDS, Polling, Severity, Threshold
from .tree import Pos, _Map, _Seq, _type_name

if TYPE_CHECKING:
    from .parts import Link, Probe, Service, Vendor, WatchedComponent, Webhook

MAX_CYCLES_SHOWN = 20


class _Checker(Checks):
    """Reads the config's sections into dataclasses."""

    def thresholds(self, data: _Map, key: str) -> tuple[Threshold, ...] | None:
        value = self.mapping(data, key)
        if value is None:
            return None
        result = []
        for name, raw in value.items():
            try:
                result.append(Threshold(name, parse_duration(raw)))
            except TimeError as error:
                self.fail(value.key_pos[name], f"threshold {name!r}: {error}")
        return tuple(sorted(result, key=lambda t: t.after))

    def severities(self, data: _Map) -> dict[str, Severity]:
        result = {name: Severity(name, text) for name, text in DEFAULT_SEVERITIES.items()}
        section = self.mapping(data, "severities")
        if section is None:
            return result
        for name, raw in section.items():
            if name.upper() not in DEFAULT_SEVERITIES:
                self.fail(section.key_pos[name], f"unknown severity {name!r} (use SEV1, SEV2, SEV3 or SEV4)")
                continue
            if isinstance(raw, str):
                result[name.upper()] = Severity(name.upper(), raw)
                continue
            if not isinstance(raw, _Map):
                self.fail(section.key_pos[name], f"severity {name} must be a mapping or a description")
                continue
            self.keys(raw, ("description", "thresholds", "update_every"), f"severity {name}")
            result[name.upper()] = Severity(
                name.upper(),
                self.text(raw, "description", default=DEFAULT_SEVERITIES[name.upper()]) or "",
                self.thresholds(raw, "thresholds"),
                self.duration(raw, "update_every"),
            )
        return result

    def polling(self, data: _Map) -> Polling:
        section = self.mapping(data, "polling")
        if section is None:
            return Polling()
        self.keys(section, ("interval", "timeout", "concurrency", "max_bytes"), "polling")
        default = Polling()
        return Polling(
            interval=self.duration(section, "interval", default.interval),
            timeout=self.duration(section, "timeout", default.timeout),
            concurrency=self.integer(section, "concurrency", default.concurrency, 1, 1000),
            max_bytes=self.integer(section, "max_bytes", default.max_bytes, 1024, 512 * 1024 * 1024),
        )

    def components(self, data: _Map, key: str) -> tuple[WatchedComponent, ...]:
        result = []
        items = self.seq(data, key)
        for item, pos in zip(items, items.item_pos):
            from .parts import WatchedComponent  # the catalog's parts: only for a config that has them

            if isinstance(item, _Map):
                self.keys(item, ("name", "group", "id"), "a component")
                component_id = self.text(item, "id")
                name = self.text(item, "name", required=component_id is None, where="component: ")
                if name or component_id:
                    result.append(WatchedComponent(name or "", self.text(item, "group"), component_id))
            elif isinstance(item, (str, int, float)) and not isinstance(item, bool):
                result.append(WatchedComponent(str(item)))
            else:
                self.fail(
                    pos, f"a component is a name, Group / Name, {{group: ..., name: ...}} or {{id: ...}}, not {_type_name(item)}"
                )
        return tuple(result)

    def vendors(self, data: _Map) -> tuple[Vendor, ...]:
        result: list[Vendor] = []
        items = self.seq(data, "vendors")
        for item, pos in zip(items, items.item_pos):
            from . import directory  # the vendor directory: only for a config that names vendors
            from .parts import Vendor

            item = directory.resolve(self, item, pos)
            if item is None:
                continue
            self.keys(item, ("id", "name", "kind", "url", "components", "interval", "product"), "a vendor")
            vendor_id = self.text(item, "id", required=True, where="vendor: ")
            kind = self.text(item, "kind", default="auto")  # found by asking the page (status/detect.py)
            if kind is not None and kind not in VENDOR_KINDS:
                hint = close_matches(kind, VENDOR_KINDS, n=1)
                extra = f"; did you mean {hint[0]!r}?" if hint else f" (known: {', '.join(VENDOR_KINDS)})"
                self.fail(self.at(item, "kind"), f"unknown vendor kind {kind!r}{extra}")
                kind = None
            url = self.url(item, "url", required=True, where=f"vendor {vendor_id}: ")
            if vendor_id and kind and url:
                result.append(
                    Vendor(
                        id=vendor_id,
                        name=self.text(item, "name", default=vendor_id) or vendor_id,
                        kind=kind,
                        url=url,
                        components=self.components(item, "components"),
                        interval=self.duration(item, "interval"),
                        product=self.text(item, "product"),
                    )
                )
        self.unique(result, items, "vendor")
        return tuple(result)

    def probe(self, item: _Map) -> Probe | None:
        raw = item.get("probe")
        if raw is None:
            return None
        if isinstance(raw, str):
            raw_map = _Map(url=raw)
            raw_map.pos, raw_map.key_pos = self.at(item, "probe"), {"url": self.at(item, "probe")}
            raw = raw_map
        if not isinstance(raw, _Map):
            self.fail(self.at(item, "probe"), f"probe must be a URL or a mapping, not {_type_name(raw)}")
            return None
        self.keys(raw, ("url", "expect_status", "expect_text", "max_latency"), "a probe")
        url = self.url(raw, "url", required=True, where="probe: ")
        if url is None:
            return None
        from .parts import Probe

        return Probe(
            url=url,
            expect_status=self.integer(raw, "expect_status", 200, 100, 599),
            expect_text=self.text(raw, "expect_text"),
            max_latency=self.duration(raw, "max_latency", timedelta(seconds=2)),
        )

    def services(self, data: _Map, vendors: tuple[Vendor, ...]) -> tuple[Service, ...]:
        vendor_ids = [v.id for v in vendors]
        result: list[Service] = []
        items = self.seq(data, "services")
        allowed = (
            "id", "name", "owner", "tier", "touchpoint", "vendor", "components", "probe",
            "runbook", "contacts", "depends_on", "description", "tags", "links", "system", "proposed",
        )  # fmt: skip
        for item, pos in zip(items, items.item_pos):
            from .parts import Service

            if not isinstance(item, _Map):
                self.fail(pos, f"a service must be a mapping, not {_type_name(item)}")
                continue
            self.keys(item, allowed, "a service")
            service_id = self.text(item, "id", required=True, where="service: ")
            vendor = self.text(item, "vendor")
            if vendor is not None and vendor not in vendor_ids:
                hint = close_matches(vendor, vendor_ids, n=1)
                extra = f"; did you mean {hint[0]!r}?" if hint else " (add it under vendors:)"
                self.fail(self.at(item, "vendor"), f"service {service_id} names unknown vendor {vendor!r}{extra}")
            if not service_id:
                continue
            result.append(
                Service(
                    id=service_id,
                    name=self.text(item, "name", default=service_id) or service_id,
                    owner=self.text(item, "owner", default="") or "",
                    tier=self.integer(item, "tier", 3, 1, 4),
                    touchpoint=self.text(item, "touchpoint", default="") or "",
                    vendor=vendor,
                    components=self.texts(item, "components"),
                    probe=self.probe(item),
                    runbook=self.url(item, "runbook", required=False, where=""),
                    contacts=self.texts(item, "contacts"),
                    depends_on=self.texts(item, "depends_on"),
                    description=self.text(item, "description", default="") or "",
                    tags=self.texts(item, "tags"),
                    links=self.links(item),
                    system=self.text(item, "system", default="") or "",
                    proposed=self.texts(item, "proposed"),
                )
            )
        self.unique(result, items, "service")
        self.dependencies(result, items)
        return tuple(result)

    def unique(self, entries: list, items: _Seq, what: str) -> None:
        seen: dict[str, Pos] = {}
        for item, pos in zip(items, items.item_pos):
            item_id = item.get("id") if isinstance(item, _Map) else None
            if item_id is None:
                continue
            if item_id in seen:
                self.fail(pos, f"duplicate {what} id {item_id!r} (first at line {seen[item_id].line})")
            else:
                seen[item_id] = pos

    def dependencies(self, services: list[Service], items: _Seq) -> None:
        positions = {item.get("id"): item for item in items if isinstance(item, _Map)}
        ids = {s.id for s in services}
        graph = {s.id: [d for d in s.depends_on if d in ids] for s in services}
        for service in services:
            for dep in service.depends_on:
                if dep not in ids:
                    hint = close_matches(dep, sorted(ids), n=1)
                    extra = f"; did you mean {hint[0]!r}?" if hint else ""
                    self.fail(
                        self.at(positions[service.id], "depends_on"),
                        f"service {service.id} depends on unknown service {dep!r}{extra}",
                    )
        # Real organisations have cycles (Backstage allows them): health and impact count each
        # service once whatever the graph, so a cycle is worth a look, not a refusal.
        cycles = _cycles(graph)
        for cycle in cycles[:MAX_CYCLES_SHOWN]:
            first = positions[cycle[0]]
            shown = cycle if len(cycle) <= 12 else [*cycle[:10], f"… ({len(cycle)} services)"]
            self.warn(self.at(first, "depends_on"), "depends_on cycle: " + " -> ".join([*shown, cycle[0]]))
        if len(cycles) > MAX_CYCLES_SHOWN:
            self.warn(
                self.at(positions[cycles[MAX_CYCLES_SHOWN][0]], "depends_on"),
                f"and {len(cycles) - MAX_CYCLES_SHOWN} more depends_on cycles",
            )

    def links(self, item: _Map) -> tuple[Link, ...]:
        raw = item.get("links")
        if raw is None:
            return ()
        if not isinstance(raw, _Seq):
            self.fail(self.at(item, "links"), f"links must be a list, not {_type_name(raw)}")
            return ()
        found = []
        for link, pos in zip(raw, raw.item_pos):
            from .parts import Link

            if not isinstance(link, _Map):
                self.fail(pos, f"a link is {{title: ..., url: ...}}, not {_type_name(link)}")
                continue
            self.keys(link, ("title", "url"), "a link")
            url = self.url(link, "url", required=True, where="link: ")
            if url:
                found.append(Link(self.text(link, "title", default="") or url, url))
        return tuple(found)

    def catch_up(self, data: _Map) -> timedelta:
        """How far back the first notifier on a war-room sends what open incidents saw."""
        section = data.get("notify")
        if not isinstance(section, _Map):
            return CATCH_UP
        return self.duration(section, "catch_up", CATCH_UP)

    def webhooks(self, data: _Map) -> tuple[Webhook, ...]:
        section = self.mapping(data, "notify")
        if section is None:
            return ()
        self.keys(section, ("webhooks", "catch_up"), "notify")
        result = []
        items = self.seq(section, "webhooks")
        for item, pos in zip(items, items.item_pos):
            from .parts import Webhook

            if isinstance(item, str):
                item_map = _Map(url=item)
                item_map.pos, item_map.key_pos = pos, {"url": pos}
                item = item_map
            if not isinstance(item, _Map):
                self.fail(pos, f"a webhook is a URL or a mapping, not {_type_name(item)}")
                continue
            self.keys(item, ("url", "events"), "a webhook")
            url = self.url(item, "url", required=True, where="webhook: ")
            events = self.texts(item, "events") or Webhook("").events
            known = Webhook("").events
            for event in events:
                if event not in known:
                    self.fail(self.at(item, "events"), f"unknown webhook event {event!r} (known: {', '.join(known)})")
            if url:
                result.append(Webhook(url, tuple(events)))
        return tuple(result)


def _cycles(graph: dict[str, list[str]]) -> list[list[str]]:
    """Each dependency cycle once, starting from its first member in config order. Iterative: a
    chain of thousands of services must not exhaust Python's recursion."""
    found: list[list[str]] = []
    seen_cycles: set[frozenset] = set()
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for root in graph:
        if root in state:
            continue
        state[root] = 1
        path, pending = [root], [iter(graph.get(root, []))]
        at = {root: 0}  # where each node on the current path stands in it
        while pending:
            dep = next(pending[-1], None)
            if dep is None:
                done = path.pop()
                state[done] = 2
                del at[done]
                pending.pop()
            elif state.get(dep) == 1:
                cycle = path[at[dep] :]
                if frozenset(cycle) not in seen_cycles:
                    seen_cycles.add(frozenset(cycle))
                    found.append(cycle)
            elif dep not in state:
                state[dep] = 1
                at[dep] = len(path)
                path.append(dep)
                pending.append(iter(graph.get(dep, [])))
    return found
