"""The config's tree as read from YAML, and layered: mappings and lists that remember where they
came from (for `FILE:LINE` errors). No YAML here: building a config from no file at all (the
defaults) needs none, and `yaml_lines` is loaded only to read a file."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Bounds that keep a hostile or broken file from costing more than a moment: merge keys (`<<`) can
# grow a mapping exponentially in a few hundred bytes, and nesting drives the parser's recursion.
MAX_CONFIG_BYTES = 16 * 1024 * 1024
MAX_MAPPING_ENTRIES = 100_000
MAX_NESTING = 64


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


def _type_name(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    return f"{type(value).__name__} {value!r}"
