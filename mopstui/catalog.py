"""The service catalog: who owns what, which customer touchpoint it serves."""

from __future__ import annotations

from .config import Config


def catalog_snapshot(config: Config) -> dict:
    """The catalog as plain data, recorded when an incident is declared."""
    return {
        "services": [
            {
                "id": s.id,
                "name": s.name,
                "owner": s.owner,
                "tier": s.tier,
                "touchpoint": s.touchpoint,
                "vendor": s.vendor,
                "components": list(s.components),
                "depends_on": list(s.depends_on),
                "runbook": s.runbook,
            }
            for s in config.services
        ],
        "vendors": [{"id": v.id, "name": v.name, "kind": v.kind, "url": v.url} for v in config.vendors],
    }
