"""Import a Backstage catalog (`catalog-info.yaml` files) as mopstui `services:` YAML.

Reads multi-document YAML; maps `Component`, `System` and `Resource` entities; resolves
`[kind:][namespace/]name` references (dependsOn, owner) the way Backstage does; and reports,
rather than guesses, everything it could not map.

mopstui-specific facts go in annotations:
  mopstui.io/tier: "1"                         (1 = revenue or lead capture … 4 = internal)
  mopstui.io/touchpoint: lead capture
  mopstui.io/vendor: hubspot                   (a vendor id from your mopstui config)
  mopstui.io/vendor-components: Forms, Landing Pages
  mopstui.io/statuspage: https://status.hubspot.com   (adds a statuspage vendor)
  mopstui.io/probe: https://www.example.com/contact
  mopstui.io/contacts: "#web-oncall, priya@example.com"
A link whose title or type mentions "runbook" becomes the runbook.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import yaml

SERVICE_KINDS = ("component", "system", "resource")
PREFIX = "mopstui.io/"
_REF = re.compile(r"^(?:(?P<kind>[A-Za-z]+):)?(?:(?P<namespace>[^/:]+)/)?(?P<name>[^/:]+)$")


@dataclass(frozen=True)
class Ref:
    kind: str
    namespace: str
    name: str

    def __str__(self) -> str:
        return f"{self.kind}:{self.namespace}/{self.name}"


def parse_ref(text: str, *, default_kind: str | None, default_namespace: str = "default") -> Ref | None:
    """`component:default/web`, `web`, `resource:ops/db` -> Ref (kinds lower-cased)."""
    match = _REF.match(str(text).strip())
    if not match:
        return None
    kind = (match["kind"] or default_kind or "").lower()
    if not kind:
        return None
    return Ref(kind, match["namespace"] or default_namespace, match["name"])


@dataclass
class ImportResult:
    services: list[dict] = field(default_factory=list)
    vendors: list[dict] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # what could not be mapped, and why

    def to_yaml(self) -> str:
        document: dict = {}
        if self.vendors:
            document["vendors"] = self.vendors
        document["services"] = self.services
        header = "# Imported from a Backstage catalog by `mopstui catalog import-backstage`.\n"
        return header + yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)


def _files(paths: Iterable[str | Path]) -> list[Path]:
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())
        else:
            found.append(path)
    return found


def _owner(value: object) -> str:
    ref = parse_ref(str(value), default_kind="group") if value else None
    return ref.name if ref else ""


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "vendor"


def import_backstage(paths: Iterable[str | Path]) -> ImportResult:
    result = ImportResult()
    entities: list[tuple[str, dict]] = []  # (where, entity)
    for path in _files(paths):
        try:
            documents = list(yaml.safe_load_all(path.read_text(encoding="utf-8")))
        except FileNotFoundError:
            result.problems.append(f"{path}: no such file")
            continue
        except (OSError, UnicodeDecodeError) as error:
            result.problems.append(f"{path}: cannot read: {error}")
            continue
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            result.problems.append(f"{path}:{mark.line + 1 if mark else 0}: not valid YAML")
            continue
        for number, document in enumerate(documents, start=1):
            where = f"{path} (document {number})"
            if document is None:
                continue
            if not isinstance(document, dict) or not isinstance(document.get("metadata"), dict):
                result.problems.append(f"{where}: skipped: not a Backstage entity (no metadata)")
                continue
            entities.append((where, document))

    # Index every service-like entity by its full reference, to resolve dependsOn.
    index: dict[Ref, dict] = {}
    names: dict[str, int] = {}
    for where, entity in entities:
        kind = str(entity.get("kind", "")).lower()
        meta = entity["metadata"]
        if kind not in SERVICE_KINDS:
            result.problems.append(f"{where}: skipped {kind or 'entity'}:{meta.get('name')}: "
                                   f"kind {entity.get('kind')!r} is not a service (mapped: Component, System, Resource)")
            continue
        if not meta.get("name"):
            result.problems.append(f"{where}: skipped: {kind} without metadata.name")
            continue
        ref = Ref(kind, str(meta.get("namespace") or "default"), str(meta["name"]))
        index[ref] = entity
        names[ref.name] = names.get(ref.name, 0) + 1

    def service_id(ref: Ref) -> str:
        # Plain names where they are unique; namespaced where two namespaces share a name.
        if names.get(ref.name, 0) > 1 and ref.namespace != "default":
            return f"{ref.namespace}-{ref.name}"
        return ref.name

    vendor_ids: dict[str, str] = {}
    for ref, entity in index.items():
        meta, spec = entity["metadata"], entity.get("spec") or {}
        annotations = {str(k)[len(PREFIX):]: str(v) for k, v in (meta.get("annotations") or {}).items()
                       if str(k).startswith(PREFIX)}
        service: dict = {"id": service_id(ref), "name": str(meta.get("title") or meta["name"])}
        if spec.get("owner"):
            service["owner"] = _owner(spec["owner"])
        tier = annotations.get("tier", "")
        if tier:
            if tier.isdigit() and 1 <= int(tier) <= 4:
                service["tier"] = int(tier)
            else:
                result.problems.append(f"{ref}: tier {tier!r} is not 1..4; left at the default")
        if annotations.get("touchpoint"):
            service["touchpoint"] = annotations["touchpoint"]
        vendor = annotations.get("vendor")
        page = annotations.get("statuspage")
        if page:
            parsed = urlparse(page)
            if parsed.scheme in ("http", "https") and parsed.netloc:
                host = parsed.netloc.removeprefix("status.").removeprefix("www.")
                vendor_id = vendor or _slug(host.split(".")[0])
                if vendor_id not in vendor_ids:
                    vendor_ids[vendor_id] = page
                    result.vendors.append({"id": vendor_id, "name": vendor_id.capitalize(), "kind": "statuspage", "url": page})
                vendor = vendor_id
            else:
                result.problems.append(f"{ref}: status page {page!r} is not an http(s) URL")
        if vendor:
            service["vendor"] = vendor
        if annotations.get("vendor-components"):
            service["components"] = [c.strip() for c in annotations["vendor-components"].split(",") if c.strip()]
        if annotations.get("probe"):
            service["probe"] = annotations["probe"]
        runbook = next(
            (str(link.get("url")) for link in meta.get("links") or [] if isinstance(link, dict)
             and "runbook" in f"{link.get('title', '')} {link.get('type', '')}".lower() and link.get("url")),
            None,
        )
        if runbook:
            service["runbook"] = runbook
        if annotations.get("contacts"):
            service["contacts"] = [c.strip() for c in annotations["contacts"].split(",") if c.strip()]
        depends = []
        for raw in spec.get("dependsOn") or []:
            target = parse_ref(str(raw), default_kind=None, default_namespace=ref.namespace)
            if target is None:
                result.problems.append(f"{ref}: dependsOn {raw!r}: a reference needs a kind (component:…, resource:…)")
            elif target not in index:
                result.problems.append(f"{ref}: dependsOn {target}: not in the files given; left out")
            else:
                depends.append(service_id(target))
        if depends:
            service["depends_on"] = depends
        details = [f"Backstage {ref}"]
        if spec.get("lifecycle"):
            details.append(f"lifecycle {spec['lifecycle']}")
        if spec.get("system"):
            details.append(f"system {spec['system']}")
        service["description"] = ", ".join(details)
        if str(spec.get("lifecycle", "")).lower() == "deprecated":
            result.problems.append(f"{ref}: lifecycle deprecated; imported anyway, check it is still used")
        result.services.append(service)
    return result
