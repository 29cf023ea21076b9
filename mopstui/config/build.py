"""Building the `Config` from a merged tree: top-level keys, sections, dependency cycles, the
database path. Every problem at once, never the first only."""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from ..base.locations import is_server_url, url_problem
from ..base.timeutil import TimeError, parse_duration, zone
from .model import DEFAULT_THRESHOLDS, Config, ConfigError, Threshold, default_database_path
from .templates import DEFAULT_TEMPLATES
from .tree import _Map
from .validate import _Checker

TOP_LEVEL_KEYS = (
    "database", "database_group", "timezone", "thresholds", "comms", "severities", "polling",
    "vendors", "services", "ui", "notify", "anchor", "touchpoints", "templates",
    "signals", "keys",
)  # fmt: skip


def _build(
    data: _Map, sources: tuple[str, ...], database_override: str | None, untrusted: dict[str, str] | None = None
) -> Config:
    """`untrusted`: the files others can change, and why (trust.py): no commands or secrets from them."""
    check = _Checker()
    check.untrusted = untrusted or {}
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
    bell, animations, away_after = True, None, timedelta(seconds=60)
    if ui is not None:
        check.keys(ui, ("bell", "animations", "away_after"), "ui")
        bell = bool(check.boolean(ui, "bell", True))
        animations = check.boolean(ui, "animations", None)
        away_after = check.duration(ui, "away_after", away_after) or away_after
    vendors = check.vendors(data)
    services = check.services(data, vendors)
    database, database_url = _database_location(check, data, database_override)
    anchor_file, anchor_every = None, timedelta(minutes=5)
    anchor = check.mapping(data, "anchor")
    if anchor is not None:
        check.keys(anchor, ("file", "every"), "anchor")
        value = check.text(anchor, "file")
        anchor_file = Path(value).expanduser() if value else None
        if anchor_file is not None and not anchor_file.is_absolute():
            check.fail(check.at(anchor, "file"), "anchor.file must be an absolute path")
        elif anchor_file is not None and anchor_file.parent.resolve() == database.parent.resolve():
            check.fail(
                check.at(anchor, "file"),
                "anchor.file must be outside the war-room's directory (the group can rewrite what is in it)",
            )
        anchor_every = check.duration(anchor, "every", anchor_every) or anchor_every
    economics, templates, signals, keys = _marketing_sections(check, data, services)
    config = Config(
        database=database,
        database_url=database_url,
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
        away_after=away_after,
        webhooks=check.webhooks(data),
        notify_catch_up=check.catch_up(data),
        anchor_file=anchor_file,
        anchor_every=anchor_every,
        sources=sources,
        economics=economics,
        templates=templates,
        signals=signals,
        keys=keys,
    )
    if check.problems:
        raise ConfigError(check.problems)
    config = replace(config, warnings=tuple(check.warnings))
    return config


def _marketing_sections(check: _Checker, data: _Map, services: tuple) -> tuple[dict, dict[str, str], tuple, tuple]:
    """touchpoints:, templates:, signals: and keys:, each read by its own module, loaded only for a
    config that has the section (a command with no config reads none of them: 5 ms of start-up)."""
    touchpoints = {s.touchpoint for s in services if s.touchpoint}
    economics: dict = {}
    templates = dict(DEFAULT_TEMPLATES)
    if "touchpoints" in data or "templates" in data:
        from . import marketing

        economics = marketing.touchpoints(check, data, touchpoints)
        templates = marketing.templates(check, data)
    signals: tuple = ()
    if "signals" in data:
        from . import signals as signal_config

        signals = signal_config.signals(check, data, touchpoints, {s.id for s in services})
    keys: tuple = ()
    if "keys" in data:
        from . import keymap

        keys = keymap.keys_section(check, data)
    return economics, templates, signals, keys


def _database_location(check: _Checker, data: _Map, override: str | None) -> tuple[Path, str | None]:
    """The SQLite file's path, or a PostgreSQL URL (with the default path beside it, where
    exports and the like go by default). A URL never carries a password: the shared config is
    readable by the whole group, and a command line by everyone on the host."""
    for source, value in (("--db", override), ("MOPSTUI_DB", os.environ.get("MOPSTUI_DB"))):
        if value:
            if is_server_url(value):
                problem = url_problem(value)
                if problem:
                    raise ConfigError([f"{source}: {problem}"])
                return default_database_path(), value
            return Path(value).expanduser(), None
    value = check.text(data, "database")
    if not value:
        return default_database_path(), None
    if is_server_url(value):
        problem = url_problem(value)
        if problem:
            check.fail(check.at(data, "database"), problem)
        return default_database_path(), value
    path = Path(value).expanduser()
    if not path.is_absolute():
        # Relative to the file that set it, so a shared config means the same file for everyone.
        path = Path(check.at(data, "database").file).resolve().parent / path
    return path, None
