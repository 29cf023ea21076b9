"""Import a Backstage catalog (`catalog-info.yaml` files) as mopstui `services:` YAML.

Reads multi-document YAML from files and folders; maps `Component`, `System` and `Resource`
entities; follows every relation Backstage defines that means "depends on" (`dependsOn`,
`dependencyOf`, `consumesApis` → the components providing that API, `subcomponentOf`, and a
system's member components); keeps descriptions, tags, links and the system; skips template
skeletons and decommissioned entities; and reports, rather than guesses, everything it could not
map, in one summary. Cycles are kept: Backstage allows them and mopstui loads them.

An engineering catalog says little a marketer needs, so the import *proposes* a touchpoint, a
tier and a vendor from what each entity says (tags, system, name, type, links to a vendor's
domain), lists them under `proposed:` in the output, and prints what a person still has to
decide. mopstui-specific facts can also be given exactly, in annotations:
  mopstui.io/tier: "1"   mopstui.io/touchpoint: lead capture   mopstui.io/vendor: hubspot
  mopstui.io/vendor-components: Forms   mopstui.io/statuspage: https://status.hubspot.com
  mopstui.io/probe: https://www.example.com/contact   mopstui.io/contacts: "#web-oncall"
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import yaml

SERVICE_KINDS = ("component", "system", "resource")
PREFIX = "mopstui.io/"
_REF = re.compile(r"^(?:(?P<kind>[A-Za-z]+):)?(?:(?P<namespace>[^/:]+)/)?(?P<name>[^/:]+)$")
TEMPLATE_MARK = "${{"

# What a tag, system, name or type says about the customer touchpoint, first match wins.
TOUCHPOINT_WORDS = (
    # Not "order": work orders, purchase orders and sort orders are not where customers pay.
    (("checkout", "payment", "cart", "billing", "shop"), "checkout"),
    (("lead", "form", "signup", "crm", "demo-request"), "lead capture"),
    (("chat", "support", "helpdesk", "inbox"), "chat"),
    (("email", "mail", "newsletter", "sms", "notification"), "email"),
    (("analytics", "tracking", "tag-manager", "segment", "metrics", "attribution"), "analytics"),
    (("ads", "advertising", "campaign", "paid"), "advertising"),
    (("website", "web", "landing", "cms", "cdn", "site", "search", "frontend"), "website"),
)
TIER_FOR_TOUCHPOINT = {"checkout": 1, "lead capture": 1, "chat": 2, "email": 2, "website": 2, "analytics": 3, "advertising": 3}
# Product domains of the vendors the bundled example config knows (its status pages are reused).
VENDOR_DOMAINS = {
    "hubspot": ("hubspot.com", "hs-scripts.com", "hsforms.com"), "segment": ("segment.com", "segment.io"),
    "intercom": ("intercom.com", "intercom.io"), "twilio": ("twilio.com",), "sendgrid": ("sendgrid.com", "sendgrid.net"),
    "cloudflare": ("cloudflare.com",), "shopify": ("shopify.com", "myshopify.com"), "zapier": ("zapier.com",),
    "mailchimp": ("mailchimp.com", "list-manage.com"), "slack": ("slack.com",), "stripe": ("stripe.com",),
    "salesforce": ("salesforce.com", "force.com"), "google-ads": ("ads.google.com",),
}  # fmt: skip


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
    problems: list[str] = field(default_factory=list)  # every loss, with where and why
    skipped: Counter = field(default_factory=Counter)  # reason -> how many entities
    to_decide: list[str] = field(default_factory=list)  # what a person still has to do

    def skip(self, reason: str, detail: str) -> None:
        self.skipped[reason] += 1
        self.problems.append(f"{detail}: skipped: {reason}")

    def summary(self) -> list[str]:
        """One report: counts by reason, then the details, then what is left to decide."""
        lines = [
            f"imported {len(self.services)} services and {len(self.vendors)} vendors; "
            f"skipped {sum(self.skipped.values())} entities"
        ]
        lines += [f"  {count} {reason}" for reason, count in self.skipped.most_common()]
        if self.problems:
            lines.append("details:")
            lines += [f"  {problem}" for problem in self.problems]
        if self.to_decide:
            lines.append("to decide (a person, before relying on it):")
            lines += [f"  {item}" for item in self.to_decide]
        return lines

    def to_yaml(self) -> str:
        document: dict = {}
        if self.vendors:
            document["vendors"] = self.vendors
        document["services"] = self.services
        header = (
            "# Imported from a Backstage catalog by `mopstui catalog import-backstage`.\n"
            "# `proposed:` lists the fields the import guessed: confirm or change each, then remove it.\n"
        )
        return header + yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)


@dataclass
class _Entity:
    where: str
    ref: Ref
    data: dict

    @property
    def meta(self) -> dict:
        return self.data["metadata"]

    @property
    def spec(self) -> dict:
        spec = self.data.get("spec")
        return spec if isinstance(spec, dict) else {}


def _files(paths: Iterable[str | Path]) -> list[Path]:
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())
        else:
            found.append(path)
    return found


def _read(paths: Iterable[str | Path], result: ImportResult) -> list[_Entity]:
    entities: list[_Entity] = []
    for path in _files(paths):
        try:
            text = path.read_text(encoding="utf-8")
            documents = list(yaml.safe_load_all(text))
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
        skeleton = "skeleton" in path.parts
        for number, document in enumerate(documents, start=1):
            where = f"{path} (document {number})"
            if document is None:
                continue
            if not isinstance(document, dict) or not isinstance(document.get("metadata"), dict):
                result.problems.append(f"{where}: skipped: not a Backstage entity (no metadata)")
                continue
            meta = document["metadata"]
            kind = str(document.get("kind", "")).lower()
            if skeleton or TEMPLATE_MARK in str(meta.get("name", "")) or TEMPLATE_MARK in str(document.get("spec", "")):
                result.skip("template skeleton (a scaffolder template, not a live service)", where)
                continue
            if not meta.get("name"):
                result.skip("no metadata.name", where)
                continue
            entities.append(_Entity(where, Ref(kind, str(meta.get("namespace") or "default"), str(meta["name"])), document))
    return entities


def _refs(entity: _Entity, key: str, default_kind: str | None, result: ImportResult) -> list[Ref]:
    found = []
    value = entity.spec.get(key) or []
    if isinstance(value, str):  # `subcomponentOf: web` is one reference, not a list of characters
        value = [value]
    elif not isinstance(value, list):
        result.problems.append(f"{entity.ref}: {key} is neither a reference nor a list of them; left out")
        value = []
    for raw in value:
        ref = parse_ref(str(raw), default_kind=default_kind, default_namespace=entity.ref.namespace)
        if ref is None:
            result.problems.append(f"{entity.ref}: {key} {raw!r}: a reference needs a kind (component:…, resource:…)")
        else:
            found.append(ref)
    return found


def _owner(value: object) -> str:
    ref = parse_ref(str(value), default_kind="group") if value else None
    return ref.name if ref else ""


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "vendor"


def _links(meta: dict) -> list[dict]:
    return [
        {"title": str(link.get("title") or link.get("url")), "url": str(link["url"])}
        for link in meta.get("links") or []
        if isinstance(link, dict) and link.get("url")
    ]


def import_backstage(paths: Iterable[str | Path]) -> ImportResult:
    result = ImportResult()
    entities = _read(paths, result)
    services: dict[Ref, _Entity] = {}
    providers: dict[Ref, list[Ref]] = {}  # api -> the components that provide it
    for entity in entities:
        kind = entity.ref.kind
        lifecycle = str(entity.spec.get("lifecycle", "")).lower()
        if kind == "api":
            result.skip("API (used to resolve consumesApis, not a service)", str(entity.ref))
        elif kind not in SERVICE_KINDS:
            result.skip(
                f"kind {entity.data.get('kind')!r} is not a service (mapped: Component, System, Resource)",
                f"{entity.where} {kind or 'entity'}:{entity.meta.get('name')}",
            )
        elif lifecycle == "decommissioned":
            result.skip("decommissioned", str(entity.ref))
        else:
            services[entity.ref] = entity
    for ref, entity in services.items():
        for api in _refs(entity, "providesApis", "api", result):
            providers.setdefault(api, []).append(ref)

    names = Counter(ref.name for ref in services)

    def service_id(ref: Ref) -> str:
        # Plain names where they are unique; namespaced where two namespaces share a name.
        return f"{ref.namespace}-{ref.name}" if names[ref.name] > 1 and ref.namespace != "default" else ref.name

    depends: dict[Ref, list[Ref]] = {ref: [] for ref in services}

    def edge(source: Ref, target: Ref, how: str) -> None:
        if target not in services:
            result.problems.append(f"{source}: {how} {target}: not in the files given (or skipped); left out")
        elif target != source and target not in depends[source]:
            depends[source].append(target)

    for ref, entity in services.items():
        for target in _refs(entity, "dependsOn", None, result):
            edge(ref, target, "dependsOn")
        for dependent in _refs(entity, "dependencyOf", None, result):  # the same edge, declared from below
            if dependent in services:
                edge(dependent, ref, "dependencyOf")
            else:
                result.problems.append(f"{ref}: dependencyOf {dependent}: not in the files given (or skipped); left out")
        for api in _refs(entity, "consumesApis", "api", result):
            if not providers.get(api):
                result.problems.append(f"{ref}: consumesApis {api}: no component in the files provides it; left out")
            for provider in providers.get(api, []):
                edge(ref, provider, f"consumesApis {api} via")
        for parent in _refs(entity, "subcomponentOf", "component", result):
            if parent in services:
                edge(parent, ref, "subcomponentOf")
        system = entity.spec.get("system")
        system_ref = parse_ref(str(system), default_kind="system", default_namespace=ref.namespace) if system else None
        if system_ref is not None and system_ref in services and ref.kind != "system":
            edge(system_ref, ref, "member")  # a system is down when a member it is made of is

    vendors = _VendorBook(result)
    for ref, entity in services.items():
        service = _service(entity, service_id(ref), vendors, result)
        if depends[ref]:
            service["depends_on"] = [service_id(target) for target in depends[ref]]
        result.services.append(service)
    return result


class _VendorBook:
    """Vendors the import adds: from `mopstui.io/statuspage`, or proposed from a link to a vendor
    the bundled example config knows."""

    def __init__(self, result: ImportResult) -> None:
        self.result = result
        self.ids: set[str] = set()
        self._known: dict[str, dict] | None = None

    def known(self) -> dict[str, dict]:
        if self._known is None:
            from . import bundled_path, load

            example = load([bundled_path("example.yaml")], database="/dev/null")
            self._known = {v.id: {"id": v.id, "name": v.name, "kind": v.kind, "url": v.url} for v in example.vendors}
        return self._known

    def add(self, entry: dict) -> str:
        if entry["id"] not in self.ids:
            self.ids.add(entry["id"])
            self.result.vendors.append(entry)
        return str(entry["id"])

    def from_page(self, page: str, vendor: str | None) -> str | None:
        parsed = urlparse(page)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            return None
        host = parsed.netloc.removeprefix("status.").removeprefix("www.")
        vendor_id = vendor or _slug(host.split(".")[0])
        return self.add({"id": vendor_id, "name": vendor_id.capitalize(), "kind": "statuspage", "url": page})

    def from_links(self, links: list[dict]) -> str | None:
        for link in links:
            if _is_conversation(link["url"]):
                continue  # the team's Slack channel is where people talk, not a vendor the service runs on
            host = (urlparse(link["url"]).hostname or "").lower()
            for vendor_id, domains in VENDOR_DOMAINS.items():
                if any(host == d or host.endswith("." + d) for d in domains) and vendor_id in self.known():
                    return self.add(dict(self.known()[vendor_id]))
        return None


def _is_conversation(url: str) -> bool:
    """A link to a chat workspace or channel (`acme.slack.com/archives/C01`, `app.slack.com/client/…`)."""
    parsed = urlparse(url)
    host = (parsed.hostname or "").lower()
    if not (host == "slack.com" or host.endswith(".slack.com")):
        return False
    return host not in ("slack.com", "www.slack.com", "api.slack.com", "status.slack.com") or parsed.path.startswith(
        ("/archives", "/app_redirect", "/client", "/messages", "/team")
    )


def _touchpoint_from(entity: _Entity) -> str | None:
    meta, spec = entity.meta, entity.spec
    words = " ".join(
        str(w)
        for w in (
            *(meta.get("tags") or []),
            spec.get("system") or "",
            meta["name"],
            meta.get("title") or "",
            spec.get("type") or "",
        )
    ).lower()
    tokens = set(re.split(r"[^a-z0-9-]+", words)) | set(re.split(r"[^a-z0-9]+", words))
    for keys, touchpoint in TOUCHPOINT_WORDS:
        if tokens & set(keys):
            return touchpoint
    return None


def _service(entity: _Entity, service_id: str, vendors: _VendorBook, result: ImportResult) -> dict:
    ref, meta, spec = entity.ref, entity.meta, entity.spec
    annotations = {str(k)[len(PREFIX) :]: str(v) for k, v in (meta.get("annotations") or {}).items() if str(k).startswith(PREFIX)}
    service: dict = {"id": service_id, "name": str(meta.get("title") or meta["name"])}
    proposed: list[str] = []
    if spec.get("owner"):
        service["owner"] = _owner(spec["owner"])
    tier = annotations.get("tier", "")
    if tier and not (tier.isdigit() and 1 <= int(tier) <= 4):
        result.problems.append(f"{ref}: tier {tier!r} is not 1..4; left at the default")
        tier = ""
    touchpoint = annotations.get("touchpoint") or _touchpoint_from(entity)
    if touchpoint:
        service["touchpoint"] = touchpoint
        if not annotations.get("touchpoint"):
            proposed.append("touchpoint")
    if tier:
        service["tier"] = int(tier)
    elif touchpoint:
        service["tier"] = 4 if str(spec.get("lifecycle", "")).lower() == "experimental" else TIER_FOR_TOUCHPOINT[touchpoint]
        proposed.append("tier")
    links = _links(meta)
    vendor = annotations.get("vendor")
    if annotations.get("statuspage"):
        vendor = vendors.from_page(annotations["statuspage"], vendor)
        if vendor is None:
            result.problems.append(f"{ref}: status page {annotations['statuspage']!r} is not an http(s) URL")
    if not vendor and not annotations.get("probe"):
        vendor = vendors.from_links(links)
        if vendor:
            proposed.append("vendor")
    if vendor:
        service["vendor"] = vendor
    if annotations.get("vendor-components"):
        service["components"] = [c.strip() for c in annotations["vendor-components"].split(",") if c.strip()]
    if annotations.get("probe"):
        service["probe"] = annotations["probe"]
    runbook = next((link["url"] for link in links if "runbook" in link["title"].lower()), None)
    runbook = runbook or next(
        (
            str(link.get("url"))
            for link in meta.get("links") or []
            if isinstance(link, dict) and "runbook" in str(link.get("type", "")).lower()
        ),
        None,
    )
    if runbook:
        service["runbook"] = runbook
    others = [link for link in links if link["url"] != runbook]
    if others:
        service["links"] = others
    if annotations.get("contacts"):
        service["contacts"] = [c.strip() for c in annotations["contacts"].split(",") if c.strip()]
    service["description"] = str(meta.get("description") or f"Backstage {ref}").strip()
    if meta.get("tags"):
        service["tags"] = [str(tag) for tag in meta["tags"]]
    if spec.get("system"):
        service["system"] = str(spec["system"])
    if str(spec.get("lifecycle", "")).lower() == "deprecated":
        result.problems.append(f"{ref}: lifecycle deprecated; imported anyway, check it is still used")
    if proposed:
        service["proposed"] = proposed
    _decisions(service, result)
    return service


def _decisions(service: dict, result: ImportResult) -> None:
    todo = []
    if service.get("proposed"):
        todo.append(f"confirm the proposed {', '.join(service['proposed'])}")
    if not service.get("touchpoint"):
        todo.append("choose the customer touchpoint it serves")
    if not service.get("vendor") and not service.get("probe"):
        todo.append("add a vendor or a probe (nothing says whether it is healthy)")
    if todo:
        result.to_decide.append(f"{service['id']}: " + "; ".join(todo))
