"""Finding, layering and loading config files."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from . import cache
from .build import _build
from .model import SYSTEM_CONFIG, Config, ConfigError, user_config_path
from .tree import Pos, _Map, _merge


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
    """Load and layer `paths` (later ones win) into a `Config`, or raise `ConfigError`. A big
    config is cached once loaded (see cache.py)."""
    files = [Path(p) for p in paths]
    cache_key = cache.key(files, database)
    if cache_key is not None:
        cached = cache.read(cache_key)
        if cached is not None:
            return cached
    problems: list[str] = []
    merged = _Map()
    merged.pos, merged.key_pos = Pos("<defaults>", 0), {}
    sources: list[str] = []
    untrusted: dict[str, str] = {}
    if files:
        from .yaml_lines import _load_file  # YAML only to read a file: the defaults need none
    for path in files:
        data = _load_file(path, problems, untrusted)
        if data is not None:
            merged = _merge(merged, data, ())
            sources.append(str(path))
    if problems:
        raise ConfigError(problems)
    config = _build(merged, tuple(sources), database, untrusted)
    if cache_key is not None:
        cache.write(cache_key, config)
    return config


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
