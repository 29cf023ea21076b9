"""Configuration: layered YAML files read into frozen dataclasses.

Every problem is reported as `FILE:LINE: message`, all of them at once, so that a marketer
editing the catalog can fix a file in one pass. No Textual or httpx here: the headless CLI
imports this.
"""

from __future__ import annotations

import difflib
import os
import stat
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, Iterable
from urllib.parse import urlparse

import yaml

from .timeutil import TimeError, parse_duration, zone

VENDOR_KINDS = ("statuspage", "instatus", "statusio", "slack", "google", "rss", "heroku", "probe")
DEFAULT_THRESHOLDS = {"abandon": "1m", "resolve": "30m"}
DEFAULT_SEVERITIES = {
    "SEV1": "Critical: customers cannot buy, sign up or reach us",
    "SEV2": "Major: a key touchpoint is broken for many customers",
    "SEV3": "Minor: degraded or partial, with a workaround",
    "SEV4": "Low: cosmetic or internal only",
}
SYSTEM_CONFIG = Path("/etc/mopstui/config.yaml")


def user_config_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "mopstui" / "config.yaml"


def default_database_path() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "mopstui" / "warroom.db"


# --------------------------------------------------------------------------- the model


@dataclass(frozen=True)
class Threshold:
    name: str
    after: timedelta


@dataclass(frozen=True)
class Severity:
    name: str
    description: str
    thresholds: tuple[Threshold, ...] | None = None
    update_every: timedelta | None = None


@dataclass(frozen=True)
class Polling:
    interval: timedelta = timedelta(seconds=60)
    timeout: timedelta = timedelta(seconds=10)
    concurrency: int = 16
    max_bytes: int = 4 * 1024 * 1024


@dataclass(frozen=True)
class WatchedComponent:
    """A vendor component we care about; `group` is None when any group will do."""

    name: str
    group: str | None = None

    def label(self) -> str:
        return f"{self.group} / {self.name}" if self.group else self.name


@dataclass(frozen=True)
class Vendor:
    id: str
    name: str
    kind: str
    url: str
    components: tuple[WatchedComponent, ...] = ()
    interval: timedelta | None = None
    product: str | None = None  # google: which product's incidents


@dataclass(frozen=True)
class Probe:
    url: str
    expect_status: int = 200
    expect_text: str | None = None
    max_latency: timedelta = timedelta(seconds=2)


@dataclass(frozen=True)
class Service:
    id: str
    name: str
    owner: str = ""
    tier: int = 3
    touchpoint: str = ""
    vendor: str | None = None
    components: tuple[str, ...] = ()
    probe: Probe | None = None
    runbook: str | None = None
    contacts: tuple[str, ...] = ()
    depends_on: tuple[str, ...] = ()
    description: str = ""


@dataclass(frozen=True)
class Webhook:
    url: str
    events: tuple[str, ...] = ("declared", "severity", "resolved", "threshold", "overdue")


@dataclass(frozen=True)
class Config:
    database: Path
    database_group: str | None = None
    timezone: str = "UTC"
    thresholds: tuple[Threshold, ...] = ()
    update_every: timedelta = timedelta(minutes=15)
    severities: dict[str, Severity] = field(default_factory=dict)
    polling: Polling = Polling()
    vendors: tuple[Vendor, ...] = ()
    services: tuple[Service, ...] = ()
    bell: bool = True
    animations: bool | None = None  # None: on, except over SSH
    webhooks: tuple[Webhook, ...] = ()
    anchor_file: Path | None = None  # where the lease holder notes the log's head (outside the war-room)
    anchor_every: timedelta = timedelta(minutes=5)
    sources: tuple[str, ...] = ()

    def thresholds_for(self, severity: str | None) -> tuple[Threshold, ...]:
        sev = self.severities.get(severity or "")
        return sev.thresholds if sev and sev.thresholds is not None else self.thresholds

    def update_every_for(self, severity: str | None) -> timedelta:
        sev = self.severities.get(severity or "")
        return sev.update_every if sev and sev.update_every else self.update_every

    def vendor(self, vendor_id: str) -> Vendor | None:
        return next((v for v in self.vendors if v.id == vendor_id), None)

    def service(self, service_id: str) -> Service | None:
        return next((s for s in self.services if s.id == service_id), None)

    @property
    def tz(self):
        return zone(self.timezone)


class ConfigError(Exception):
    """One or more `FILE:LINE: message` problems."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


# --------------------------------------------------------------------------- YAML with lines


@dataclass(frozen=True)
class Pos:
    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


class _Map(dict):
    """A YAML mapping that remembers where it and each of its keys came from."""

    pos: Pos
    key_pos: dict


class _Seq(list):
    pos: Pos
    item_pos: list


# Bounds that keep a hostile or broken file from costing more than a moment: merge keys (`<<`) can
# grow a mapping exponentially in a few hundred bytes, and nesting drives the parser's recursion.
MAX_CONFIG_BYTES = 16 * 1024 * 1024
MAX_MAPPING_ENTRIES = 100_000
MAX_NESTING = 64


class _Loader(yaml.SafeLoader):
    source_file = "<config>"
    problems: list

    def flatten_mapping(self, node: yaml.MappingNode) -> None:
        super().flatten_mapping(node)  # calls back here for each merged mapping: every level is bounded
        if len(node.value) > MAX_MAPPING_ENTRIES:
            raise yaml.constructor.ConstructorError(
                None, None, f"a mapping grows past {MAX_MAPPING_ENTRIES:,} keys through merge keys (<<)", node.start_mark)

    def compose_node(self, parent, index):  # type: ignore[no-untyped-def]
        self._depth = getattr(self, "_depth", 0) + 1
        try:
            if self._depth > MAX_NESTING:
                raise yaml.composer.ComposerError(None, None, f"nested more than {MAX_NESTING} levels deep",
                                                  self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _pos(loader: _Loader, node: yaml.Node) -> Pos:
    return Pos(loader.source_file, node.start_mark.line + 1)


def _construct_map(loader: _Loader, node: yaml.MappingNode) -> _Map:
    loader.flatten_mapping(node)
    result = _Map()
    result.pos, result.key_pos = _pos(loader, node), {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, (str, int, float, bool)) or key is None:
            loader.problems.append(f"{_pos(loader, key_node)}: a key must be a plain word")
            continue
        key = str(key)
        if key in result:
            loader.problems.append(f"{_pos(loader, key_node)}: duplicate key {key!r}")
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_pos[key] = _pos(loader, key_node)
    return result


def _construct_seq(loader: _Loader, node: yaml.SequenceNode) -> _Seq:
    result = _Seq(loader.construct_object(child, deep=True) for child in node.value)
    result.pos, result.item_pos = _pos(loader, node), [_pos(loader, child) for child in node.value]
    return result


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)


def _load_file(path: Path, problems: list[str]) -> _Map | None:
    try:
        text = _read_config_text(path)
    except FileNotFoundError:
        problems.append(f"{path}:0: no such file")
        return None
    except ValueError as error:  # UnicodeDecodeError included
        problems.append(f"{path}:0: {error}" if not isinstance(error, UnicodeDecodeError) else f"{path}:0: not UTF-8 text")
        return None
    except OSError as error:
        problems.append(f"{path}:0: cannot read: {error.strerror or error}")
        return None
    loader = None
    try:
        loader = _Loader(text)
        loader.source_file, loader.problems = str(path), []
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 0
        problems.append(f"{path}:{line}: not valid YAML: {error.problem or error.context}")
        return None
    except yaml.YAMLError as error:
        position = getattr(error, "position", None)  # a ReaderError knows the offending character's offset
        line = text.count("\n", 0, position) + 1 if isinstance(position, int) else 0
        problems.append(f"{path}:{line}: not valid YAML: {_yaml_reason(error)}")
        return None
    except RecursionError:
        problems.append(f"{path}:0: not valid YAML: nested too deeply")
        return None
    finally:
        if loader is not None:
            loader.dispose()
    problems.extend(loader.problems)
    if data is None:
        empty = _Map()
        empty.pos, empty.key_pos = Pos(str(path), 1), {}
        return empty
    if not isinstance(data, _Map):
        problems.append(f"{path}:1: the top level must be a mapping of settings, not {_type_name(data)}")
        return None
    return data


def _read_config_text(path: Path) -> str:
    """A config is a regular file of bounded size: a FIFO, a device (/dev/zero) or a huge file
    is refused before reading. A symlink is followed only when it belongs to this user or to
    root: another group member's link must not make us read (and quote) a file of ours."""
    info = os.lstat(path)
    if stat.S_ISLNK(info.st_mode) and info.st_uid not in (os.geteuid(), 0):
        raise ValueError("is a symbolic link owned by another user; refusing to follow it")
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    with os.fdopen(fd, "rb") as handle:
        opened = os.fstat(fd)
        if not stat.S_ISREG(opened.st_mode):
            raise ValueError("not a regular file (a FIFO, device or directory); a config must be a file")
        if opened.st_size > MAX_CONFIG_BYTES:
            raise ValueError(f"larger than {MAX_CONFIG_BYTES // (1024 * 1024)} MiB; not a config file")
        data = handle.read(MAX_CONFIG_BYTES + 1)
    if len(data) > MAX_CONFIG_BYTES:
        raise ValueError(f"larger than {MAX_CONFIG_BYTES // (1024 * 1024)} MiB; not a config file")
    return data.decode("utf-8")


def _yaml_reason(error: yaml.YAMLError) -> str:
    if isinstance(error, yaml.reader.ReaderError):
        return "it holds a character YAML does not allow (a NUL or other control character)"
    return str(error)


# Lists whose items merge across layers by `id` rather than being replaced.
_MERGE_BY_ID = {("vendors",), ("services",)}


def _merge(base: Any, over: Any, path: tuple[str, ...]) -> Any:
    if isinstance(base, _Map) and isinstance(over, _Map):
        merged = _Map(base)
        merged.pos, merged.key_pos = over.pos, dict(base.key_pos)
        for key, value in over.items():
            merged[key] = _merge(base[key], value, path + (key,)) if key in base else value
            merged.key_pos[key] = over.key_pos[key]
        return merged
    if path in _MERGE_BY_ID and isinstance(base, _Seq) and isinstance(over, _Seq):
        merged_seq = _Seq(base)
        merged_seq.pos, merged_seq.item_pos = over.pos, list(base.item_pos)
        index = {item.get("id"): i for i, item in enumerate(base) if isinstance(item, _Map)}
        for item, pos in zip(over, over.item_pos):
            item_id = item.get("id") if isinstance(item, _Map) else None
            if item_id is not None and item_id in index:
                merged_seq[index[item_id]] = _merge(base[index[item_id]], item, path + ("[]",))
                merged_seq.item_pos[index[item_id]] = pos
            else:
                merged_seq.append(item)
                merged_seq.item_pos.append(pos)
        return merged_seq
    return over


# --------------------------------------------------------------------------- validation


def _type_name(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    return f"{type(value).__name__} {value!r}"


class _Checker:
    """Reads a merged `_Map` tree into dataclasses, collecting every problem on the way."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def fail(self, pos: Pos, message: str) -> None:
        self.problems.append(f"{pos}: {message}")

    def keys(self, data: _Map, allowed: Iterable[str], where: str) -> None:
        allowed = list(allowed)
        for key in data:
            if key not in allowed:
                hint = difflib.get_close_matches(key, allowed, n=1)
                suggestion = f"; did you mean {hint[0]!r}?" if hint else f" (known: {', '.join(allowed)})"
                self.fail(data.key_pos[key], f"unknown key {key!r} in {where}{suggestion}")

    def at(self, data: _Map, key: str) -> Pos:
        return data.key_pos.get(key, data.pos)

    def mapping(self, data: _Map, key: str) -> _Map | None:
        value = data.get(key)
        if value is None:
            return None
        if not isinstance(value, _Map):
            self.fail(self.at(data, key), f"{key} must be a mapping, not {_type_name(value)}")
            return None
        return value

    def seq(self, data: _Map, key: str) -> _Seq:
        value = data.get(key)
        if value is None:
            empty = _Seq()
            empty.pos, empty.item_pos = self.at(data, key), []
            return empty
        if not isinstance(value, _Seq):
            self.fail(self.at(data, key), f"{key} must be a list, not {_type_name(value)}")
            empty = _Seq()
            empty.pos, empty.item_pos = self.at(data, key), []
            return empty
        return value

    def text(self, data: _Map, key: str, *, required: bool = False, where: str = "", default: str | None = None):
        value = data.get(key)
        if value is None:
            if required:
                self.fail(data.pos, f"{where}missing required key {key!r}")
            return default
        if isinstance(value, (dict, list)) or isinstance(value, bool):
            self.fail(self.at(data, key), f"{key} must be text, not {_type_name(value)}")
            return default
        return str(value)

    def texts(self, data: _Map, key: str) -> tuple[str, ...]:
        value = data.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            return (value,)
        if not isinstance(value, list) or any(isinstance(v, (dict, list)) or v is None for v in value):
            self.fail(self.at(data, key), f"{key} must be a list of text, not {_type_name(value)}")
            return ()
        return tuple(str(v) for v in value)

    def duration(self, data: _Map, key: str, default: timedelta | None = None) -> timedelta | None:
        value = data.get(key)
        if value is None:
            return default
        try:
            return parse_duration(value)
        except TimeError as error:
            self.fail(self.at(data, key), f"{key}: {error}")
            return default

    def integer(self, data: _Map, key: str, default: int, low: int, high: int) -> int:
        value = data.get(key)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(self.at(data, key), f"{key} must be a whole number, not {_type_name(value)}")
            return default
        if not low <= value <= high:
            self.fail(self.at(data, key), f"{key} must be between {low} and {high}, not {value}")
            return default
        return value

    def boolean(self, data: _Map, key: str, default: bool | None) -> bool | None:
        value = data.get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.fail(self.at(data, key), f"{key} must be true or false, not {_type_name(value)}")
            return default
        return value

    def url(self, data: _Map, key: str, *, required: bool, where: str) -> str | None:
        value = self.text(data, key, required=required, where=where)
        if value is None:
            return None
        parsed = urlparse(value)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            self.fail(self.at(data, key), f"{key} must be an http(s) URL, not {value!r}")
            return None
        return value

    # -- sections

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
            if isinstance(item, _Map):
                self.keys(item, ("name", "group"), "a component")
                name = self.text(item, "name", required=True, where="component: ")
                if name:
                    result.append(WatchedComponent(name, self.text(item, "group")))
            elif isinstance(item, (str, int, float)) and not isinstance(item, bool):
                result.append(WatchedComponent(str(item)))
            else:
                self.fail(pos, f"a component is a name or {{group: ..., name: ...}}, not {_type_name(item)}")
        return tuple(result)

    def vendors(self, data: _Map) -> tuple[Vendor, ...]:
        result: list[Vendor] = []
        items = self.seq(data, "vendors")
        for item, pos in zip(items, items.item_pos):
            if not isinstance(item, _Map):
                self.fail(pos, f"a vendor must be a mapping, not {_type_name(item)}")
                continue
            self.keys(item, ("id", "name", "kind", "url", "components", "interval", "product"), "a vendor")
            vendor_id = self.text(item, "id", required=True, where="vendor: ")
            kind = self.text(item, "kind", required=True, where=f"vendor {vendor_id}: ")
            if kind is not None and kind not in VENDOR_KINDS:
                hint = difflib.get_close_matches(kind, VENDOR_KINDS, n=1)
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
            "runbook", "contacts", "depends_on", "description",
        )  # fmt: skip
        for item, pos in zip(items, items.item_pos):
            if not isinstance(item, _Map):
                self.fail(pos, f"a service must be a mapping, not {_type_name(item)}")
                continue
            self.keys(item, allowed, "a service")
            service_id = self.text(item, "id", required=True, where="service: ")
            vendor = self.text(item, "vendor")
            if vendor is not None and vendor not in vendor_ids:
                hint = difflib.get_close_matches(vendor, vendor_ids, n=1)
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
                    hint = difflib.get_close_matches(dep, sorted(ids), n=1)
                    extra = f"; did you mean {hint[0]!r}?" if hint else ""
                    self.fail(self.at(positions[service.id], "depends_on"),
                              f"service {service.id} depends on unknown service {dep!r}{extra}")
        for cycle in _cycles(graph):
            first = positions[cycle[0]]
            self.fail(self.at(first, "depends_on"), "depends_on cycle: " + " -> ".join(cycle + [cycle[0]]))

    def webhooks(self, data: _Map) -> tuple[Webhook, ...]:
        section = self.mapping(data, "notify")
        if section is None:
            return ()
        self.keys(section, ("webhooks",), "notify")
        result = []
        items = self.seq(section, "webhooks")
        for item, pos in zip(items, items.item_pos):
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
        while pending:
            dep = next(pending[-1], None)
            if dep is None:
                state[path.pop()] = 2
                pending.pop()
            elif state.get(dep) == 1:
                cycle = path[path.index(dep):]
                if frozenset(cycle) not in seen_cycles:
                    seen_cycles.add(frozenset(cycle))
                    found.append(cycle)
            elif dep not in state:
                state[dep] = 1
                path.append(dep)
                pending.append(iter(graph.get(dep, [])))
    return found


TOP_LEVEL_KEYS = (
    "database", "database_group", "timezone", "thresholds", "comms", "severities", "polling",
    "vendors", "services", "ui", "notify", "anchor",
)  # fmt: skip


def _build(data: _Map, sources: tuple[str, ...], database_override: str | None) -> Config:
    check = _Checker()
    check.keys(data, TOP_LEVEL_KEYS, "the config")
    timezone_name = check.text(data, "timezone", default="UTC") or "UTC"
    try:
        zone(timezone_name)
    except TimeError as error:
        check.fail(check.at(data, "timezone"), str(error))
        timezone_name = "UTC"
    thresholds = check.thresholds(data, "thresholds")
    if thresholds is None:
        thresholds = tuple(Threshold(n, parse_duration(d)) for n, d in DEFAULT_THRESHOLDS.items())
    comms = check.mapping(data, "comms")
    update_every = timedelta(minutes=15)
    if comms is not None:
        check.keys(comms, ("update_every",), "comms")
        update_every = check.duration(comms, "update_every", update_every) or update_every
    ui = check.mapping(data, "ui")
    bell, animations = True, None
    if ui is not None:
        check.keys(ui, ("bell", "animations"), "ui")
        bell = bool(check.boolean(ui, "bell", True))
        animations = check.boolean(ui, "animations", None)
    vendors = check.vendors(data)
    services = check.services(data, vendors)
    database = _database_path(check, data, database_override)
    anchor_file, anchor_every = None, timedelta(minutes=5)
    anchor = check.mapping(data, "anchor")
    if anchor is not None:
        check.keys(anchor, ("file", "every"), "anchor")
        value = check.text(anchor, "file")
        anchor_file = Path(value).expanduser() if value else None
        if anchor_file is not None and not anchor_file.is_absolute():
            check.fail(check.at(anchor, "file"), "anchor.file must be an absolute path")
        elif anchor_file is not None and anchor_file.parent.resolve() == database.parent.resolve():
            check.fail(check.at(anchor, "file"), "anchor.file must be outside the war-room's directory (the group "
                       "can rewrite what is in it)")
        anchor_every = check.duration(anchor, "every", anchor_every) or anchor_every
    config = Config(
        database=database,
        database_group=check.text(data, "database_group"),
        timezone=timezone_name,
        thresholds=thresholds,
        update_every=update_every,
        severities=check.severities(data),
        polling=check.polling(data),
        vendors=vendors,
        services=services,
        bell=bell,
        animations=animations,
        webhooks=check.webhooks(data),
        anchor_file=anchor_file,
        anchor_every=anchor_every,
        sources=sources,
    )
    if check.problems:
        raise ConfigError(check.problems)
    return config


def _database_path(check: _Checker, data: _Map, override: str | None) -> Path:
    if override:
        return Path(override).expanduser()
    if os.environ.get("MOPSTUI_DB"):
        return Path(os.environ["MOPSTUI_DB"]).expanduser()
    value = check.text(data, "database")
    if not value:
        return default_database_path()
    path = Path(value).expanduser()
    if not path.is_absolute():
        # Relative to the file that set it, so a shared config means the same file for everyone.
        path = Path(check.at(data, "database").file).resolve().parent / path
    return path


def config_files(explicit: Iterable[str] = ()) -> list[Path]:
    """Which files to layer: `--config` ones, else $MOPSTUI_CONFIG, else system then user."""
    explicit = list(explicit)
    if explicit:
        return [Path(p).expanduser() for p in explicit]
    env = os.environ.get("MOPSTUI_CONFIG")
    if env:
        return [Path(p).expanduser() for p in env.split(os.pathsep) if p]
    return [p for p in (SYSTEM_CONFIG, user_config_path()) if p.is_file()]


def load(paths: Iterable[str | Path] = (), *, database: str | None = None) -> Config:
    """Load and layer `paths` (later ones win) into a `Config`, or raise `ConfigError`."""
    problems: list[str] = []
    merged = _Map()
    merged.pos, merged.key_pos = Pos("<defaults>", 0), {}
    sources: list[str] = []
    for path in paths:
        data = _load_file(Path(path), problems)
        if data is not None:
            merged = _merge(merged, data, ())
            sources.append(str(path))
    if problems:
        raise ConfigError(problems)
    return _build(merged, tuple(sources), database)


def load_default(explicit: Iterable[str] = (), *, database: str | None = None) -> Config:
    return load(config_files(explicit), database=database)


def secret_warnings(config: Config) -> list[str]:
    """Webhook URLs carry tokens: a config file that holds them must not be readable by others."""
    if not config.webhooks:
        return []
    found = []
    for source in config.sources:
        try:
            mode = os.stat(source).st_mode
        except OSError:
            continue
        if mode & 0o004:
            found.append(f"{source} holds webhook URLs (secrets) and is readable by every user; run: chmod o-r {source}")
    return found


def bundled_path(name: str) -> Path:
    return Path(__file__).parent / "data" / name
