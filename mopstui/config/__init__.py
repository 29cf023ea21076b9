"""Configuration: layered YAML files read into frozen dataclasses.

Every problem is reported as `FILE:LINE: message`, all of them at once, so that a marketer
editing the catalog can fix a file in one pass. The model is in `model`, YAML with line marks in
`yaml_lines` (the tree it builds, with no YAML, in `tree`), checking in `validate`, finding and layering
files in `load`. No Textual or httpx.
"""

from typing import TYPE_CHECKING, Any

from .load import config_files, load, load_default, secret_warnings
from .model import (
    DEFAULT_SEVERITIES,
    DEFAULT_THRESHOLDS,
    SYSTEM_CONFIG,
    VENDOR_KINDS,
    Config,
    ConfigError,
    Polling,
    Severity,
    Threshold,
    bundled_path,
    default_database_path,
    user_config_path,
)
from .tree import MAX_CONFIG_BYTES, MAX_MAPPING_ENTRIES, MAX_NESTING

if TYPE_CHECKING:
    from .parts import Link, Probe, Service, Vendor, WatchedComponent, Webhook

__all__ = [
    "DEFAULT_SEVERITIES",
    "DEFAULT_THRESHOLDS",
    "MAX_CONFIG_BYTES",
    "MAX_MAPPING_ENTRIES",
    "MAX_NESTING",
    "SYSTEM_CONFIG",
    "VENDOR_KINDS",
    "Config",
    "ConfigError",
    "Link",
    "Polling",
    "Probe",
    "Service",
    "Severity",
    "Threshold",
    "Vendor",
    "WatchedComponent",
    "Webhook",
    "bundled_path",
    "config_files",
    "default_database_path",
    "load",
    "load_default",
    "secret_warnings",
    "user_config_path",
]


def __getattr__(name: str) -> Any:
    """The catalog's parts (`Service`, `Vendor` ...): loaded by the first who asks (see parts.py)."""
    if name in ("Link", "Probe", "Service", "Vendor", "WatchedComponent", "Webhook"):
        from . import parts

        return getattr(parts, name)
    raise AttributeError(name)
