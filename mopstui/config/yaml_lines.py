"""YAML that remembers where every mapping, key and item came from (for `FILE:LINE` errors), read
within bounds: a regular file of bounded size, bounded merge keys and nesting."""

from __future__ import annotations

import errno
import os
import re
import stat
from pathlib import Path
from typing import Any

import yaml

from .tree import MAX_CONFIG_BYTES, MAX_MAPPING_ENTRIES, MAX_NESTING, Pos, _Map, _Seq, _type_name
from .trust import untrusted_reason


class _Bounded:
    source_file = "<config>"
    problems: list

    def flatten_mapping(self, node: yaml.MappingNode) -> None:
        super().flatten_mapping(node)  # type: ignore[misc]  # calls back here for each merged mapping: all bounded
        if len(node.value) > MAX_MAPPING_ENTRIES:
            raise yaml.constructor.ConstructorError(
                None, None, f"a mapping grows past {MAX_MAPPING_ENTRIES:,} keys through merge keys (<<)", node.start_mark
            )


class _Loader(_Bounded, yaml.SafeLoader):
    """The pure-Python loader: bounded nesting, with the line where it was passed."""

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        self._depth = getattr(self, "_depth", 0) + 1
        try:
            if self._depth > MAX_NESTING:
                raise yaml.composer.ComposerError(
                    None, None, f"nested more than {MAX_NESTING} levels deep", self.peek_event().start_mark
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


# libyaml (about 6x faster on a 10,000-service catalog) composes nodes recursively in C, where a
# file nested many thousands deep can crash the process. Only files that are plainly shallow go to
# it; anything else goes to the pure-Python loader, which refuses deep nesting with its line.
_CLoader: Any = None
if getattr(yaml, "__with_libyaml__", False):

    class _CLoaderImpl(_Bounded, yaml.CSafeLoader):
        pass

    _CLoader = _CLoaderImpl

_BRACKETS = re.compile(r"[\[\]{}]")
_COMPACT_NESTING = re.compile(rf"(?:[-?] ){{{MAX_NESTING}}}")
_DEEP_INDENT = re.compile(rf"^ {{{4 * MAX_NESTING}}}", re.MULTILINE)


def plainly_shallow(text: str) -> bool:
    """True when no flow, compact or indented nesting in `text` can pass MAX_NESTING (brackets
    inside quotes count too: a false alarm only costs the slower loader)."""
    depth = deepest = 0
    for char in _BRACKETS.findall(text):
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif depth:
            depth -= 1
    return deepest <= MAX_NESTING and not _COMPACT_NESTING.search(text) and not _DEEP_INDENT.search(text)


def _loader_for(text: str) -> _Bounded:
    if _CLoader is not None and plainly_shallow(text):
        return _CLoader(text)  # type: ignore[no-any-return,unused-ignore]
    return _Loader(text)


def _pos(loader: _Bounded, node: yaml.Node) -> Pos:
    return Pos(loader.source_file, node.start_mark.line + 1)


def _construct_map(loader: Any, node: yaml.MappingNode) -> _Map:
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


def _construct_seq(loader: Any, node: yaml.SequenceNode) -> _Seq:
    result = _Seq(loader.construct_object(child, deep=True) for child in node.value)
    result.pos, result.item_pos = _pos(loader, node), [_pos(loader, child) for child in node.value]
    return result


def _guarded(tag: str, construct: Any) -> Any:
    """A scalar YAML reads as a date, number, truth value or bytes, and that is not one (an
    unquoted `2026-02-30`, `!!int 0xZZ`, `!!bool maybe`): said with its line like any other bad
    value, never raised from deep in PyYAML. The text stays as written."""

    def construct_or_say(loader: Any, node: yaml.ScalarNode) -> object:
        try:
            return construct(loader, node)
        except (ValueError, KeyError, AttributeError, TypeError, yaml.constructor.ConstructorError) as error:
            what = _WHAT[tag]
            detail = f" ({error})" if isinstance(error, ValueError) else ""
            loader.problems.append(f"{_pos(loader, node)}: {node.value!r} is not {what}{detail}")
            return node.value

    return construct_or_say


_WHAT = {
    "timestamp": "a real date or time",
    "int": "a whole number",
    "float": "a number",
    "bool": "true or false",
    "binary": "base64 bytes",
}
_SCALARS = {
    "timestamp": yaml.SafeLoader.construct_yaml_timestamp,
    "int": yaml.SafeLoader.construct_yaml_int,
    "float": yaml.SafeLoader.construct_yaml_float,
    "bool": yaml.SafeLoader.construct_yaml_bool,
    "binary": yaml.SafeLoader.construct_yaml_binary,
}


for _loader_class in (_Loader, _CLoader):
    if _loader_class is not None:
        _loader_class.add_constructor("tag:yaml.org,2002:map", _construct_map)
        _loader_class.add_constructor("tag:yaml.org,2002:seq", _construct_seq)
        for _tag, _construct in _SCALARS.items():
            _loader_class.add_constructor(f"tag:yaml.org,2002:{_tag}", _guarded(_tag, _construct))


def _load_file(path: Path, problems: list[str], untrusted: dict[str, str] | None = None) -> _Map | None:
    """`untrusted` gets this file's path and why, when others than its owner can change it (trust.py)."""
    try:
        text = _read_config_text(path, untrusted)
    except FileNotFoundError:
        problems.append(f"{path}: no such file")
        return None
    except ValueError as error:  # UnicodeDecodeError included
        problems.append(f"{path}: {error}" if not isinstance(error, UnicodeDecodeError) else f"{path}: not UTF-8 text")
        return None
    except OSError as error:
        problems.append(f"{path}: cannot read: {error.strerror or error}")
        return None
    loader = None
    try:
        loader = _loader_for(text)
        loader.source_file, loader.problems = str(path), []
        data = loader.get_single_data()  # type: ignore[attr-defined]
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
        problems.append(f"{path}: not valid YAML: nested too deeply")
        return None
    finally:
        if loader is not None:
            loader.dispose()  # type: ignore[attr-defined]
    problems.extend(loader.problems)
    if data is None:
        empty = _Map()
        empty.pos, empty.key_pos = Pos(str(path), 1), {}
        return empty
    if not isinstance(data, _Map):
        problems.append(f"{path}:1: the top level must be a mapping of settings, not {_type_name(data)}")
        return None
    return data


def _read_config_text(path: Path, untrusted: dict[str, str] | None = None) -> str:
    """A config is a regular file of bounded size: a FIFO, a device (/dev/zero) or a huge file
    is refused before reading. A symlink is followed only when it belongs to this user or to
    root: another group member's link must not make us read (and quote) a file of ours."""
    info = os.lstat(path)
    if stat.S_ISLNK(info.st_mode) and info.st_uid not in (os.geteuid(), 0):
        raise ValueError("is a symbolic link owned by another user; refusing to follow it")
    # Not a link when looked at: then none may be followed when opened (one swapped in between).
    no_follow = 0 if stat.S_ISLNK(info.st_mode) else os.O_NOFOLLOW
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | no_follow)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise ValueError("was replaced by a symbolic link while being read; refusing to follow it") from None
        raise
    with os.fdopen(fd, "rb") as handle:
        opened = os.fstat(fd)
        if not stat.S_ISREG(opened.st_mode):
            raise ValueError("not a regular file (a FIFO, device or directory); a config must be a file")
        reason = untrusted_reason(opened)  # of the file actually read, not of what the name points at later
        if reason and untrusted is not None:
            untrusted[str(path)] = reason
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
