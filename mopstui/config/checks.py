"""Reading values out of a merged config tree, every problem collected on the way as
`FILE:LINE: message`. Below both the config's sections (validate.py) and the vendor directory
(directory.py), which check entries with it, so neither needs the other to be imported first."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import overload
from urllib.parse import urlparse

from ..base.timeutil import TimeError, parse_duration
from .tree import Pos, _Map, _Seq, _type_name


def close_matches(word: str, candidates: Iterable[str], n: int = 1) -> list[str]:
    """The near names for a "did you mean": difflib is loaded only when a config has a mistake."""
    import difflib

    return difflib.get_close_matches(word, list(candidates), n=n)


class Checks:
    """Reads values out of a merged `_Map` tree, collecting every problem on the way."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.warnings: list[str] = []
        self.untrusted: dict[str, str] = {}  # files others can change -> why (trust.py)

    def fail(self, pos: Pos, message: str) -> None:
        self.problems.append(f"{pos}: {message}")

    def warn(self, pos: Pos, message: str) -> None:
        self.warnings.append(f"{pos}: warning: {message}")

    def keys(self, data: _Map, allowed: Iterable[str], where: str) -> None:
        allowed = list(allowed)
        for key in data:
            if key not in allowed:
                hint = close_matches(key, allowed, n=1)
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

    def text(self, data: _Map, key: str, *, required: bool = False, where: str = "", default: str | None = None) -> str | None:
        value = data.get(key)
        if value is None:
            if required:
                self.fail(data.pos, f"{where}missing required key {key!r}")
            return default
        if isinstance(value, (dict, list, bool)):
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

    @overload
    def duration(self, data: _Map, key: str, default: timedelta) -> timedelta: ...

    @overload
    def duration(self, data: _Map, key: str, default: None = None) -> timedelta | None: ...

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
