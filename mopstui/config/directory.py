"""The vendor directory (`data/vendors.yaml`): the SaaS tools marketing runs most, so a config
names them by id (`vendors: [hubspot, {id: braze, cluster: US 03}]`) and gets the status page and
its format. Whatever a config entry says overrides the directory's; a vendor with nothing
machine-readable is refused by name, with the probe or signal to use instead."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from .checks import Checks
from .model import bundled_path
from .tree import Pos, _Map, _Seq, _type_name  # the tree, not yaml_lines: a config with no file needs no YAML


def _at(pos: Pos, value: dict | list) -> _Map | _Seq:
    """A mapping or list made here, placed at `pos` for messages."""
    if isinstance(value, list):
        seq = _Seq(value)
        seq.pos, seq.item_pos = pos, [pos] * len(value)
        return seq
    made = _Map(value)
    made.pos, made.key_pos = pos, dict.fromkeys(value, pos)
    return made


@dataclass(frozen=True)
class Entry:
    id: str
    name: str
    touchpoint: str
    url: str
    kind: str = ""
    product: str | None = None
    components: tuple[str, ...] = ()  # what the page is known to show: hints, never watched by default
    clusters: tuple[str, ...] = ()  # Braze-like pages: one group per cluster
    none: str = ""  # why nothing on its page is machine-readable
    probe: str = ""  # what to watch instead
    needs: str = ""  # what a config must add (Salesforce: the instance)
    note: str = ""
    checked: str = ""  # when this entry was last checked (the directory's date, unless the entry says)

    @property
    def readable(self) -> bool:
        return not self.none

    def words(self) -> str:
        return " ".join((self.id, self.name, self.touchpoint, self.kind, self.url, self.note)).casefold()


@functools.cache
def directory() -> tuple[str, tuple[Entry, ...]]:
    """(when it was checked, the entries), from the bundled file."""
    import yaml

    data = yaml.safe_load(bundled_path("vendors.yaml").read_text(encoding="utf-8"))
    checked = str(data["checked"])
    entries = []
    for raw in data["vendors"]:
        entries.append(Entry(
            id=str(raw["id"]), name=str(raw["name"]), touchpoint=str(raw.get("touchpoint", "")), url=str(raw["url"]),
            kind=str(raw.get("kind", "")), product=raw.get("product"),
            components=tuple(str(c) for c in raw.get("components", ())), clusters=tuple(str(c) for c in raw.get("clusters", ())),
            none=str(raw.get("none", "")), probe=str(raw.get("probe", "")), needs=str(raw.get("needs", "")),
            note=str(raw.get("note", "")), checked=str(raw.get("checked", checked)),
        ))  # fmt: skip
    return checked, tuple(entries)


def find(vendor_id: str) -> Entry | None:
    wanted = str(vendor_id).strip().casefold()
    return next((e for e in directory()[1] if e.id == wanted), None)


def suggest(vendor_id: str) -> list[str]:
    ids = [e.id for e in directory()[1]]
    by_name = [e.id for e in directory()[1] if str(vendor_id).casefold() in e.name.casefold()]
    import difflib  # only for a name that is not in the directory

    return by_name[:2] or difflib.get_close_matches(str(vendor_id).casefold(), ids, n=2, cutoff=0.6)


def search(word: str) -> list[Entry]:
    words = word.casefold().split()
    return [e for e in directory()[1] if all(w in e.words() for w in words)]


def not_readable(entry: Entry) -> str:
    return (
        f"{entry.name} publishes no machine-readable status page ({entry.none}; checked {entry.checked}): "
        f"watch {entry.probe} instead, on the service that depends on it; or give url: and kind: if that has changed"
    )


def filled(item: _Map, entry: Entry) -> _Map:
    """A config's vendor entry with the directory's values where the config says nothing; the
    filled keys point at the entry's own line (for messages)."""
    merged = _Map({"name": entry.name, "kind": entry.kind or "auto", "url": entry.url})
    if entry.product:
        merged["product"] = entry.product
    merged.update(item)
    merged.pos = item.pos
    merged.key_pos = {key: item.key_pos.get(key, item.pos) for key in merged}
    cluster = merged.pop("cluster", None)
    if cluster is not None:
        merged.key_pos.pop("cluster", None)
        # A cluster is the page's group of that name; components named under it are that cluster's.
        where = item.key_pos.get("cluster", item.pos)
        names = item.get("components")
        if isinstance(names, list) and names:
            merged["components"] = _at(
                where, [_at(where, {"group": str(cluster), "name": n}) if isinstance(n, str) else n for n in names]
            )
        else:
            merged["components"] = _at(where, [_at(where, {"group": "", "name": str(cluster)})])
        merged.key_pos["components"] = where
    return merged


def resolve(check: Checks, item: object, pos: Pos) -> _Map | None:
    """A vendor named by its directory id (`hubspot`, `{id: braze, cluster: US 03}`), filled
    from the directory; an entry with its own `url:` is the config's alone."""
    if isinstance(item, str):
        named = _Map(id=item)
        named.pos, named.key_pos = pos, {"id": pos}
        item = named
    if not isinstance(item, _Map):
        check.fail(pos, f"a vendor is a directory id or a mapping, not {_type_name(item)}")
        return None
    if "url" in item or not isinstance(item.get("id"), str):
        return item
    entry = find(item["id"])
    if entry is None:
        hint = suggest(item["id"])
        extra = f"did you mean {' or '.join(repr(h) for h in hint)}? " if hint else ""
        check.fail(
            item.pos,
            f"vendor {item['id']}: no url:, and {item['id']!r} is not in the vendor directory; {extra}"
            "(`mopstui vendors search WORD` lists it)",
        )
        return None
    if not entry.readable:
        check.fail(item.pos, f"vendor {item['id']}: {not_readable(entry)}")
        return None
    if "cluster" in item and item["cluster"] not in entry.clusters:
        known = f"one of: {', '.join(entry.clusters)}" if entry.clusters else "it has no clusters"
        check.fail(check.at(item, "cluster"), f"vendor {item['id']}: unknown cluster {item['cluster']!r} ({known})")
        return None
    if entry.needs and entry.needs.split(":")[0] not in item:
        check.warn(item.pos, f"vendor {item['id']}: add {entry.needs}")
    return filled(item, entry)
