"""mopstui's command line: the war-room screen, and headless commands for scripts and bots.

This interface is a contract: scripts, cron jobs and chat bots rely on its commands, options,
output and exit codes (0 ok, 1 bad input or refused, 2 bad config or usage).
Heavy modules (Textual, httpx) are imported only by the commands that need them.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import sqlite3
import sys
from collections.abc import Callable, Sequence
from datetime import datetime

from . import __version__
from .config import Config, ConfigError, load_default, secret_warnings
from .domain.model import ENTRY_KINDS, KIND_LABELS, ROLES, SEVERITIES, STATUSES, InputError, TooLong, parse_incident_ref
from .files import UnsafeFile
from .identity import current_user
from .store import Store, StoreError
from .textsafe import clean_line
from .timeline import Annotations, format_line
from .timeutil import TimeError, format_duration, parse_at, utcnow

EXIT_OK, EXIT_INPUT, EXIT_CONFIG = 0, 1, 2


class Context:
    """What every command gets: the loaded config, who is typing, and a lazily opened store."""

    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.config: Config = load_default(getattr(args, "config", None) or (), database=getattr(args, "db", None))
        self.user = current_user(getattr(args, "user", None))
        self._store: Store | None = None

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = Store(self.config.database, group=self.config.database_group)
            notice = self._store.snapshot_notice()
            if notice:
                print(f"mopstui: warning: {notice}", file=sys.stderr)
        return self._store

    def at(self) -> datetime | None:
        value = getattr(self.args, "at", None)
        return parse_at(value, self.config.tz) if value else None

    def close(self) -> None:
        if self._store is not None:
            self._store.close()


def _print_json(data: object) -> None:
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


# --------------------------------------------------------------------------- commands


def cmd_check_config(ctx: Context) -> int:
    config = ctx.config
    sources = ", ".join(config.sources) or "no config file (built-in defaults)"
    print(f"ok: {sources}")
    print(f"  database: {config.database}")
    print(f"  {len(config.vendors)} vendors, {len(config.services)} services, time zone {config.timezone}")
    from .files import directory_warnings

    for warning in directory_warnings(config.database.parent, config.database_group):
        print(f"mopstui: warning: {warning}", file=sys.stderr)
    return EXIT_OK


def cmd_declare(ctx: Context) -> int:
    unknown = [s for s in ctx.args.service if ctx.config.service(s) is None]
    if unknown and ctx.config.services:
        raise InputError(f"unknown service {unknown[0]!r} (see `mopstui catalog`)")
    from .domain.catalog import catalog_snapshot

    incident = ctx.store.declare(
        ctx.args.title,
        severity=ctx.args.severity,
        author=ctx.user,
        services=ctx.args.service,
        at=ctx.at(),
        catalog=catalog_snapshot(ctx.config),
    )
    print(incident.label)
    return EXIT_OK


def cmd_log(ctx: Context) -> int:
    from .domain.grammar import parse_entry

    incident = parse_incident_ref(ctx.args.incident)
    # The screen's entry grammar: `/comms …`, `!…` (an action), `@10:02 …` (back-dated).
    entry = parse_entry(ctx.args.text, ctx.args.kind or "note", ctx.config.tz, utcnow())
    if ctx.args.kind and entry.kind != ctx.args.kind:
        raise InputError(f"--kind {ctx.args.kind} and the text's /{KIND_LABELS[entry.kind]} disagree; give the kind once")
    if entry.at and ctx.args.at:
        raise InputError("--at and the text's @TIME both give a time; give it once")
    event = ctx.store.append(incident, entry.kind, entry.text, author=ctx.user, at=entry.at or ctx.at())
    print(f"#{event.id}")
    return EXIT_OK


def cmd_set_status(ctx: Context) -> int:
    incident = parse_incident_ref(ctx.args.incident)
    event = ctx.store.set_status(incident, ctx.args.status, author=ctx.user, at=ctx.at())
    print(f"#{event.id}")
    return EXIT_OK


def cmd_resolve(ctx: Context) -> int:
    incident = parse_incident_ref(ctx.args.incident)
    event = ctx.store.set_status(incident, "resolved", author=ctx.user, at=ctx.at())
    print(f"#{event.id}")
    return EXIT_OK


def cmd_set_severity(ctx: Context) -> int:
    incident = parse_incident_ref(ctx.args.incident)
    event = ctx.store.set_severity(incident, ctx.args.severity, author=ctx.user, at=ctx.at())
    print(f"#{event.id}")
    return EXIT_OK


def cmd_role(ctx: Context) -> int:
    incident = parse_incident_ref(ctx.args.incident)
    user = None if ctx.args.release else (ctx.args.name or ctx.user)
    event = ctx.store.assign_role(incident, ctx.args.role, user, author=ctx.user, at=ctx.at())
    print(f"#{event.id}")
    return EXIT_OK


def cmd_star(ctx: Context) -> int:
    incident = parse_incident_ref(ctx.args.incident)
    event = ctx.store.star(incident, _event_ref(ctx.args.entry), author=ctx.user)
    print(f"#{event.id}")
    return EXIT_OK


def cmd_correct(ctx: Context) -> int:
    incident = parse_incident_ref(ctx.args.incident)
    event = ctx.store.correct(incident, _event_ref(ctx.args.entry), ctx.args.text, author=ctx.user)
    print(f"#{event.id}")
    return EXIT_OK


def _event_ref(text: str) -> int:
    value = text.lstrip("#")
    if not re.fullmatch(r"[0-9]{1,18}", value):
        raise InputError(f"{text!r} is not an entry number (write 12 or #12)")
    return int(value)


def cmd_incidents(ctx: Context) -> int:
    incidents = ctx.store.incidents(include_resolved=ctx.args.all)
    if ctx.args.json:
        _print_json([i.to_dict() for i in incidents])
        return EXIT_OK
    if not incidents:
        print("no active incidents" if not ctx.args.all else "no incidents")
        return EXIT_OK
    now = utcnow()
    print(f"{'ID':<8} {'SEV':<5} {'STATUS':<14} {'ELAPSED':>9}  {'COMMANDER':<12} TITLE")
    for incident in incidents:
        end = incident.resolved_at or now
        print(
            f"{incident.label:<8} {incident.severity:<5} {incident.status:<14} "
            f"{format_duration(end - incident.started_at):>9}  {clean_line(incident.roles.get('commander', ''))[:12]:<12} "
            f"{clean_line(incident.title)}"
        )
    return EXIT_OK


def cmd_timeline(ctx: Context) -> int:
    from .domain.grammar import parse_search

    incident = ctx.store.incident(parse_incident_ref(ctx.args.incident))
    query = parse_search(ctx.args.search or "")
    if query.empty:
        events = ctx.store.events(incident.id)
    else:
        events = ctx.store.search(incident.id, query.words, kind=query.kind, author=query.author)
    if ctx.args.json:
        _print_json({"incident": incident.to_dict(), "events": [e.to_dict() for e in events]})
        return EXIT_OK
    notes = Annotations.of(events)
    print(f"{incident.label} {incident.severity} {incident.status}: {clean_line(incident.title)}")
    for event in events:
        print(f"#{event.id:<5} " + format_line(event, incident.started_at, ctx.config.tz, notes))
    return EXIT_OK


_HASH = re.compile(r"[0-9a-f]{64}")


def _noted_heads(ctx: Context) -> list[str]:
    heads = []
    for value in ctx.args.since_head:
        value = value.strip().lower()
        if not re.fullmatch(r"[0-9a-f]{12,64}", value):
            raise InputError(f"{clean_line(value, 80)!r} is not a head hash (64 hex digits, or at least the first 12)")
        heads.append(value)
    if ctx.args.heads:
        try:
            with open(ctx.args.heads, encoding="utf-8", errors="replace") as handle:
                found = _HASH.findall(handle.read(16 * 1024 * 1024).lower())
        except OSError as error:
            raise InputError(f"cannot read {ctx.args.heads}: {error.strerror or error}") from None
        if not found:
            raise InputError(f"{ctx.args.heads} holds no head hash (a line with 64 hex digits)")
        heads.extend(found)
    return heads


def cmd_verify(ctx: Context) -> int:
    heads = _noted_heads(ctx)
    result = ctx.store.verify(heads)
    out = sys.stdout if result.ok else sys.stderr
    notice = ctx.store.snapshot_notice()
    print(("ok: " if result.ok else "FAILED: ") + result.message + (f" ({notice})" if notice else ""), file=out)
    if result.head is not None:
        print(result.head.line(), file=out)
    return EXIT_OK if result.ok else EXIT_INPUT


def cmd_tui(ctx: Context) -> int:
    from .tui.app import run_app  # Textual only when the screen is wanted

    return run_app(ctx.config, ctx.user)


def _last_known_statuses(ctx: Context) -> dict:
    """What the poller last stored (no network here); nothing when there is no database yet."""
    from .status.model import from_payloads

    if not ctx.config.database.exists():
        return {}
    return from_payloads(ctx.store.vendor_status_payloads())


def cmd_catalog(ctx: Context) -> int:
    from .domain import catalog as cat

    health = cat.service_health(ctx.config, _last_known_statuses(ctx))
    services = cat.sorted_services(ctx.config, health)
    if ctx.args.json:
        _print_json([
            {"id": s.id, "name": s.name, "owner": s.owner, "tier": s.tier, "touchpoint": s.touchpoint,
             "vendor": s.vendor, "health": health[s.id].state, "reason": health[s.id].reason}
            for s in services
        ])  # fmt: skip
        return EXIT_OK
    if not services:
        print("no services configured (see config.example.yaml)")
        return EXIT_OK
    for touchpoint in cat.touchpoints(ctx.config, health):
        via = ""
        if touchpoint.culprits and touchpoint.state not in ("operational", "unknown"):
            via = " via " + ", ".join(clean_line(ctx.config.service_name(s)) for s in touchpoint.culprits)
        print(f"{cat.badge(touchpoint.state):<12} {clean_line(touchpoint.name)}{via}")
    print()
    print(f"{'HEALTH':<12} {'ID':<18} {'T':<2} {'OWNER':<16} {'TOUCHPOINT':<16} NAME")
    for s in services:
        print(f"{cat.badge(health[s.id].state):<12} {s.id[:18]:<18} {s.tier:<2} {clean_line(s.owner)[:16]:<16} "
              f"{clean_line(s.touchpoint)[:16]:<16} {clean_line(s.name)}")
    return EXIT_OK


def cmd_catalog_show(ctx: Context) -> int:
    from .domain import catalog as cat

    service = ctx.config.service(ctx.args.id)
    if service is None:
        import difflib

        hint = difflib.get_close_matches(ctx.args.id, [s.id for s in ctx.config.services], n=1)
        raise InputError(f"unknown service {ctx.args.id!r}" + (f"; did you mean {hint[0]!r}?" if hint else ""))
    statuses = _last_known_statuses(ctx)
    health = cat.service_health(ctx.config, statuses)[service.id]
    vendor = ctx.config.vendor(service.vendor) if service.vendor else None
    if ctx.args.json:
        data = cat.catalog_snapshot(ctx.config)["services"]
        entry = next(d for d in data if d["id"] == service.id)
        entry.update(health=health.state, reason=health.reason, needed_by=cat.dependents(ctx.config, service.id),
                     probe=service.probe.url if service.probe else None)
        _print_json(entry)
        return EXIT_OK
    rows = [
        ("Health", f"{cat.badge(health.state)}  {health.reason}"), ("Owner", service.owner), ("Tier", str(service.tier)),
        ("Touchpoint", service.touchpoint), ("Vendor", f"{vendor.name} ({vendor.url})" if vendor else "—"),
        ("Components", ", ".join(service.components) or "—"), ("Probe", service.probe.url if service.probe else "—"),
        ("Runbook", service.runbook or "—"), ("Contacts", ", ".join(service.contacts) or "—"),
        ("Depends on", ", ".join(service.depends_on) or "—"),
        ("Needed by", ", ".join(cat.dependents(ctx.config, service.id)) or "—"),
    ]  # fmt: skip
    print(f"{clean_line(service.name)} ({service.id})")
    for label, value in rows:
        print(f"  {label:<11} {clean_line(value)}")
    if vendor is not None:
        history = ctx.store.observations(vendor_id=vendor.id, latest=8) if ctx.config.database.exists() else []
        for change in history:
            what = change["component"] or "overall"
            print(f"  {'Changed' if change is history[0] else '':<11} {change['seen_at'][:16]} "
                  f"{clean_line(what)}: {change['previous_state']} → {change['state']}")
    return EXIT_OK


def cmd_catalog_impact(ctx: Context) -> int:
    from .domain import catalog as cat

    vendor_id, _, component = ctx.args.target.partition(":")
    if ctx.config.vendor(vendor_id) is None:
        raise InputError(f"unknown vendor {vendor_id!r} (see `mopstui status`)")
    reach = cat.impact(ctx.config, vendor_id, component or None)
    if ctx.args.json:
        _print_json(reach)
        return EXIT_OK
    vendor = ctx.config.vendor(vendor_id)
    name = (vendor.name if vendor else vendor_id) + (f" · {component}" if component else "")
    if not reach["direct"]:
        print(f"{clean_line(name)} reaches no configured service")
        return EXIT_OK
    print(f"{clean_line(name)} reaches:")
    for label, ids in (("direct ", reach["direct"]), ("at risk", reach["at_risk"])):
        for s in filter(None, map(ctx.config.service, ids)):
            print(f"  {label}  {s.id:<18} {clean_line(s.name)} ({clean_line(s.touchpoint)}, owner {clean_line(s.owner)})")
    print("touchpoints: " + ", ".join(reach["touchpoints"]))
    return EXIT_OK


def cmd_import_backstage(ctx: Context) -> int:
    from .backstage import import_backstage

    result = import_backstage(ctx.args.paths)
    for problem in result.problems:
        print(f"mopstui: {problem}", file=sys.stderr)
    text = result.to_yaml()
    if ctx.args.output:
        with open(ctx.args.output, "w", encoding="utf-8") as handle:
            handle.write(text)
        print(f"wrote {len(result.services)} services and {len(result.vendors)} vendors to {ctx.args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return EXIT_OK if result.services else EXIT_INPUT


def cmd_export(ctx: Context) -> int:
    from .export import FORMATS, export_incident
    from .files import open_shared_file
    from .timeutil import zone

    incident = parse_incident_ref(ctx.args.incident)
    tz = zone(ctx.args.tz) if ctx.args.tz else None
    fmt = ctx.args.format
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r} (use {', '.join(FORMATS)})")
    options = dict(tz=tz, starred_only=ctx.args.starred_only)
    if ctx.args.output and ctx.args.output != "-":
        with open_shared_file(ctx.args.output, ctx.config.database_group, newline="" if fmt == "csv" else None) as out:
            export_incident(ctx.store, incident, ctx.config, fmt, out, **options)
        print(f"wrote {ctx.args.output}", file=sys.stderr)
    else:
        if fmt == "csv" and isinstance(sys.stdout, io.TextIOWrapper):
            sys.stdout.reconfigure(newline="")
        export_incident(ctx.store, incident, ctx.config, fmt, sys.stdout, **options)
    return EXIT_OK


def cmd_serve(ctx: Context) -> int:
    import shlex

    try:
        from .serve import GuardedServer, end_screens, new_token
    except ImportError:
        raise InputError("serving to a browser needs the optional extra: pip install 'mopstui[serve]'") from None
    if ctx.args.host not in ("127.0.0.1", "localhost", "::1"):
        print(f"mopstui: warning: serving on {ctx.args.host}: anyone who can reach it and learns the link can write "
              "to the war-room; put it behind TLS and your own authentication", file=sys.stderr)
    # Every browser tab runs the same screen as an SSH user would, on the same database.
    argv = [sys.executable, "-m", "mopstui", "--db", str(ctx.config.database), "--user", ctx.user]
    for path in ctx.config.sources:
        argv += ["--config", path]
    # `exec`: the shell textual-serve starts becomes the screen, so there is one process to end.
    server = GuardedServer("exec " + shlex.join(argv), host=ctx.args.host, port=ctx.args.port, title="mopstui war-room",
                           token=new_token())
    print(f"serving the war-room at {server.link}\n(only this link opens it: do not share it; Ctrl-C stops)",
          file=sys.stderr, flush=True)
    try:
        server.serve()
    finally:
        end_screens()
    return EXIT_OK


def cmd_status(ctx: Context) -> int:
    import asyncio

    from .domain.catalog import badge
    from .status.model import RANK
    from .status.poller import poll, status_rows, targets

    order = [t.id for t in targets(ctx.config)]
    if not order:
        print("no vendors or probes configured (see config.example.yaml)", file=sys.stderr)
        return EXIT_OK
    statuses = asyncio.run(poll(ctx.config))
    rows = status_rows(statuses, order)
    if ctx.args.json:
        _print_json(rows)
    else:
        print(f"{'STATE':<13} {'VENDOR':<24} {'KIND':<10} {'LATENCY':>8}  NOTE")
        for row in rows:
            note = (("stale: " if row["stale"] else "") + row["reason"]) if row["reason"] else ""
            if not note and row["incidents"]:
                note = row["incidents"][0]["title"]
            latency = f"{row['latency_ms']} ms" if row["latency_ms"] is not None else ""
            state = ("~" if row["stale"] else "") + badge(row["state"])
            print(f"{state:<13} {clean_line(row['name'])[:24]:<24} {row['kind']:<10} {latency:>8}  {clean_line(note, 80)}")
            for component in row["components"]:
                label = f"{component['group']} / {component['name']}" if component["group"] else component["name"]
                print(f"  {badge(component['state']):<11} {clean_line(label, 60)}")
    threshold = {"degraded": RANK["degraded"], "outage": RANK["partial_outage"]}.get(ctx.args.fail_on or "")
    if threshold is not None and any(RANK.get(r["state"], -1) >= threshold for r in rows):
        return EXIT_INPUT
    return EXIT_OK


def cmd_watch(ctx: Context) -> int:
    import asyncio
    import signal
    import threading

    from .identity import hostname
    from .status.poller import Poller

    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    holder = f"watch:{hostname()}:{os.getpid()}"
    quiet = ctx.args.quiet

    def report(summary: dict) -> None:
        if "problem" in summary:
            print(f"mopstui: warning: {summary['problem']}", file=sys.stderr, flush=True)
        elif not quiet:
            stamp = utcnow().astimezone(ctx.config.tz).strftime("%H:%M:%S")
            print(f"{stamp} polled {summary['polled']}, {summary['changes']} changes, {summary['unknown']} unknown", flush=True)

    poller = Poller(ctx.config, ctx.store, holder, on_round=report)
    if not quiet:
        print(f"watching {len(ctx.config.vendors)} vendors for {ctx.config.database} (lease holder {holder}); Ctrl-C stops",
              flush=True)
    asyncio.run(poller.run(stop))
    return EXIT_OK


def cmd_demo(ctx: Context) -> int:
    from .demo import run_demo

    return run_demo(ctx)


# --------------------------------------------------------------------------- the parser


class _Formatter(argparse.RawDescriptionHelpFormatter):
    pass


def _global_options(parser: argparse.ArgumentParser, *, top: bool) -> None:
    # On the subcommands the defaults are suppressed so that `mopstui --user a log ...` and
    # `mopstui log ... --user a` both work and neither overwrites the other.
    default = (lambda value: value) if top else (lambda value: argparse.SUPPRESS)
    parser.add_argument("--config", action="append", metavar="FILE", default=default(None),
                        help="config file; repeat to layer (later files win). Default: $MOPSTUI_CONFIG, "
                             "else /etc/mopstui/config.yaml and ~/.config/mopstui/config.yaml")
    parser.add_argument("--db", metavar="FILE", default=default(None),
                        help="the war-room database (default: config `database`, $MOPSTUI_DB, "
                             "or ~/.local/share/mopstui/warroom.db)")
    parser.add_argument("--user", metavar="NAME", default=default(None),
                        help="who you are (default: $MOPSTUI_USER, $SUDO_USER, your login)")


def _at_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--at", metavar="TIME",
                        help="when it happened, if not now: HH:MM (today, configured zone) or ISO 8601")


COMMANDS: dict[str, Callable[[Context], int]] = {}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mopstui",
        description="The incident war-room for marketing operations, in a terminal.\n\n"
        "Run with no command to open the war-room screen.",
        formatter_class=_Formatter,
        epilog="INCIDENT is 7 or INC-7. Exit codes: 0 ok, 1 bad input or refused, 2 bad config or usage.",
    )
    parser.add_argument("--version", action="version", version=f"mopstui {__version__}")
    _global_options(parser, top=True)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, func: Callable[[Context], int], help_text: str, description: str = "", *,
                under: argparse._SubParsersAction | None = None, prefix: str = "") -> argparse.ArgumentParser:
        p = (under or sub).add_parser(name, help=help_text, description=description or help_text, formatter_class=_Formatter)
        _global_options(p, top=False)
        p.set_defaults(func=func)
        COMMANDS[prefix + name] = func
        return p

    command("demo", cmd_demo, "offline demo: a seeded incident on a temporary database",
            "Open the war-room on a temporary database seeded with a bundled marketing catalog and an\n"
            "incident under way, with a scripted vendor outage served from this machine. No network.")
    command("check-config", cmd_check_config, "validate the config; exit 2 with FILE:LINE errors")

    p = command("declare", cmd_declare, "declare an incident; prints its id (INC-n)")
    p.add_argument("title", help="what customers see, e.g. 'Lead form not submitting'")
    p.add_argument("--severity", "-s", required=True, type=str.upper, choices=SEVERITIES, help="SEV1 (worst) .. SEV4")
    p.add_argument("--service", action="append", default=[], metavar="ID", help="an affected service id; repeat")
    _at_option(p)

    p = command("log", cmd_log, "add an entry to an incident's timeline; prints its #id")
    p.add_argument("incident", metavar="INCIDENT")
    p.add_argument("text")
    p.add_argument("--kind", "-k", choices=ENTRY_KINDS,
                   help="default: note, or what the text says as on screen: /comms …, !… (action), @10:02 … (back-dated)")
    _at_option(p)

    p = command("set-status", cmd_set_status, "move an incident along " + " → ".join(STATUSES))
    p.add_argument("incident", metavar="INCIDENT")
    p.add_argument("status", type=str.lower, choices=STATUSES)
    _at_option(p)

    p = command("resolve", cmd_resolve, "mark an incident resolved (same as set-status INCIDENT resolved)")
    p.add_argument("incident", metavar="INCIDENT")
    _at_option(p)

    p = command("set-severity", cmd_set_severity, "change an incident's severity")
    p.add_argument("incident", metavar="INCIDENT")
    p.add_argument("severity", type=str.upper, choices=SEVERITIES)
    _at_option(p)

    p = command("role", cmd_role, "take or assign a role (commander, comms, scribe)")
    p.add_argument("incident", metavar="INCIDENT")
    p.add_argument("role", choices=ROLES)
    p.add_argument("name", nargs="?", help="who takes it (default: you)")
    p.add_argument("--release", action="store_true", help="leave the role empty")
    _at_option(p)

    p = command("star", cmd_star, "star an entry for the postmortem")
    p.add_argument("incident", metavar="INCIDENT")
    p.add_argument("entry", metavar="ENTRY", help="the entry's number, 12 or #12")

    p = command("correct", cmd_correct, "correct an entry (a new entry that points at it; nothing is edited)")
    p.add_argument("incident", metavar="INCIDENT")
    p.add_argument("entry", metavar="ENTRY", help="the entry's number, 12 or #12")
    p.add_argument("text", help="the corrected text")

    p = command("incidents", cmd_incidents, "list active incidents")
    p.add_argument("--all", action="store_true", help="include resolved incidents")
    p.add_argument("--json", action="store_true", help="JSON for scripts")

    p = command("timeline", cmd_timeline, "print an incident's timeline")
    p.add_argument("incident", metavar="INCIDENT")
    p.add_argument("--search", metavar="QUERY", help="only matching entries: words, kind:comms, author:sam (as on screen)")
    p.add_argument("--json", action="store_true", help="JSON for scripts")

    p = command("catalog", cmd_catalog, "the service catalog: owner, tier, touchpoint and health of every service",
                "The service catalog, worst first, with the customer touchpoints at the top. Health is the\n"
                "last status the poller stored (run `mopstui watch` or keep a screen open).")
    p.add_argument("--json", action="store_true", help="JSON for scripts")
    catalog_sub = p.add_subparsers(dest="catalog_command", metavar="SUBCOMMAND")

    def catalog_command(name: str, func: Callable[[Context], int], help_text: str) -> argparse.ArgumentParser:
        return command(name, func, help_text, under=catalog_sub, prefix="catalog ")

    q = catalog_command("show", cmd_catalog_show, "one service: runbook, contacts, dependencies both ways, vendor history")
    q.add_argument("id", metavar="ID")
    q.add_argument("--json", action="store_true", help="JSON for scripts")
    q = catalog_command("impact", cmd_catalog_impact, "which services and touchpoints a vendor (or one component) reaches")
    q.add_argument("target", metavar="VENDOR[:COMPONENT]")
    q.add_argument("--json", action="store_true", help="JSON for scripts")
    q = catalog_command("import-backstage", cmd_import_backstage,
                        "read Backstage catalog-info.yaml files; write the equivalent services: YAML")
    q.add_argument("paths", nargs="+", metavar="FILE|DIR")
    q.add_argument("-o", "--output", metavar="FILE", help="write here instead of standard output")

    p = command("export", cmd_export, "postmortem export of an incident: Markdown, JSON or CSV",
                "Turn an incident's log into a postmortem draft (md), data for other tools (json) or a\n"
                "spreadsheet (csv): summary, impact, key figures, thresholds crossed, overdue updates,\n"
                "vendor changes, participants and the full timeline.")
    p.add_argument("incident", metavar="INCIDENT")
    p.add_argument("--format", "-f", default="md", choices=("md", "json", "csv"), help="default: md")
    p.add_argument("-o", "--output", metavar="FILE", help="write here (default: standard output)")
    p.add_argument("--tz", metavar="ZONE", help="show times in this IANA zone (default: the configured one)")
    p.add_argument("--starred-only", action="store_true", help="only starred entries in the timeline")

    p = command("serve", cmd_serve, "serve the war-room screen to a browser (needs the 'serve' extra)",
                "Serve the same screen to a web browser, for people who cannot SSH. Bound to this machine\n"
                "(127.0.0.1) unless --host says otherwise. Only the link printed at start (it carries a random\n"
                "token) opens it; other users of the host, and other sites in your browser, are refused.")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default: 8000)")

    p = command("status", cmd_status, "poll every vendor and probe once; print a table (exit 0 even when vendors are down)")
    p.add_argument("--json", action="store_true", help="a list with one object per vendor or probe")
    p.add_argument("--fail-on", choices=("degraded", "outage"), help="exit 1 when any vendor is at least this bad")

    p = command("watch", cmd_watch, "run the vendor poller headless (for systemd); one poller per database",
                "Poll vendors and probes for the database, storing every state change and writing it to the\n"
                "timelines of active incidents. Only one session per database polls (a lease): run this\n"
                "from systemd and every screen reads its results.")
    p.add_argument("--quiet", action="store_true", help="print nothing but errors")

    p = command("verify", cmd_verify, "check the log's hash chain and SQLite integrity; exit 1 naming the first bad event",
                "Recompute the log's hash chain and run SQLite's integrity check; print the head (events, last\n"
                "id, hash). Note the head somewhere the war-room group cannot write (every export and webhook\n"
                "notification carries it): a later `verify --since-head HASH` fails if events up to it were\n"
                "deleted or rewritten, even with every hash recomputed.")
    p.add_argument("--since-head", action="append", default=[], metavar="HASH",
                   help="a head noted earlier (64 hex digits, or the first 12+); repeat for several")
    p.add_argument("--heads", metavar="FILE", help="a file of heads noted earlier (an anchor file, a saved export)")

    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        func = cmd_tui
    ctx = None
    try:
        ctx = Context(args)
        for warning in secret_warnings(ctx.config):
            print(f"mopstui: warning: {warning}", file=sys.stderr)
        return func(ctx)
    except ConfigError as error:
        for line in error.errors:
            print(line, file=sys.stderr)
        return EXIT_CONFIG
    except TooLong as error:
        print(f"mopstui: {error}", file=sys.stderr)
        return EXIT_CONFIG
    except (InputError, StoreError, TimeError, UnsafeFile) as error:
        print(f"mopstui: {error}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except sqlite3.DatabaseError as error:
        where = ctx.config.database if ctx is not None else "the database"
        print(f"mopstui: {where} cannot be read ({error}); `mopstui verify` says where it is damaged", file=sys.stderr)
        return EXIT_INPUT
    except OSError as error:
        print(f"mopstui: {error.filename or 'a file'}: {error.strerror or error}", file=sys.stderr)
        return EXIT_INPUT
    except Exception as error:
        print(f"mopstui: internal error ({type(error).__name__}: {clean_line(str(error), 200)}); nothing more was done. "
              "This is a bug in mopstui: please report it", file=sys.stderr)
        return EXIT_INPUT
    finally:
        if ctx is not None:
            ctx.close()


if __name__ == "__main__":
    sys.exit(main())
