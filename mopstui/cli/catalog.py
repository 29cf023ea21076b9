"""Commands on the service catalog: config check, catalog, service detail, impact, Backstage import."""

from __future__ import annotations

import sys

from ..base.textsafe import clean_line
from ..domain.model import InputError
from .context import EXIT_INPUT, EXIT_OK, Context, _print_json


def cmd_check_config(ctx: Context) -> int:
    config = ctx.config
    sources = ", ".join(config.sources) or "no config file (built-in defaults)"
    print(f"ok: {sources}")
    print(f"  database: {config.database_label}")
    signals = f", {len(config.signals)} signals" if config.signals else ""
    print(f"  {len(config.vendors)} vendors, {len(config.services)} services{signals}, time zone {config.timezone}")
    from ..base.files import directory_warnings

    for warning in config.warnings:
        print(warning, file=sys.stderr)
    for warning in directory_warnings(config.database.parent, config.database_group):
        print(f"mopstui: warning: {warning}", file=sys.stderr)
    if getattr(ctx.args, "online", False):
        return _check_online(ctx)
    return EXIT_OK


def _check_online(ctx: Context) -> int:
    """Each vendor's watched components against its live page: not there, or there several times."""
    from ..status.online import check_watched_components

    checks = check_watched_components(ctx.config)
    if not checks:
        print("  online: no vendor watches components; nothing to compare")
        return EXIT_OK
    failed = False
    for check in checks:
        name = clean_line(check.vendor_name)
        if check.unreadable:
            print(
                f"mopstui: warning: vendor {check.vendor_id} ({name}): cannot read its page "
                f"({clean_line(check.unreadable, 200)}); its components were not compared",
                file=sys.stderr,
            )
        for problem in check.problems:
            failed = True
            print(f"vendor {check.vendor_id} ({name}): {clean_line(problem, 400)}", file=sys.stderr)
        if check.ok:
            print(f"  online: {name}: every watched component is on the page, once")
    if failed:
        print(
            "mopstui: the config watches components its vendors' pages do not have as named; "
            "`mopstui vendors components ID` lists what each page has",
            file=sys.stderr,
        )
        return EXIT_INPUT
    return EXIT_OK


def _last_known_statuses(ctx: Context) -> dict:
    """What the poller last stored (no network here), as the room rules it (overrides applied);
    nothing when there is no database yet."""
    from ..room.duties import statuses_as_ruled
    from ..store import NoWarRoom

    try:
        return statuses_as_ruled(ctx.store)
    except NoWarRoom as error:  # the catalog is the config's: shown, and the missing room said
        print(f"mopstui: {error}: the catalog as configured, without the vendors' last states", file=sys.stderr)
        return {}


def _last_known_signals(ctx: Context) -> dict:
    """What the duty holder last stored for each signal (nothing without a war-room or signals)."""
    if not ctx.config.signals:
        return {}
    from ..room.signals import stored_states
    from ..store import NoWarRoom

    try:
        return stored_states(ctx.store, ctx.config)
    except NoWarRoom:
        return {}  # said once, with the vendors


def cmd_catalog(ctx: Context) -> int:
    from ..domain import catalog as cat

    signals = _last_known_signals(ctx)
    health = cat.service_health(ctx.config, _last_known_statuses(ctx), signals)
    services = cat.sorted_services(ctx.config, health)
    if ctx.args.json:
        _print_json([
            {"id": s.id, "name": s.name, "owner": s.owner, "tier": s.tier, "touchpoint": s.touchpoint,
             "vendor": s.vendor, "health": health[s.id].state, "reason": health[s.id].reason, "todo": cat.todo(s)}
            for s in services
        ])  # fmt: skip
        return EXIT_OK
    if not services:
        print("no services configured (see config.example.yaml)")
        return EXIT_OK
    for touchpoint in cat.touchpoints(ctx.config, health, signals):
        via = cat.culprits_line(ctx.config, touchpoint)
        print(f"{cat.badge(touchpoint.state):<12} {clean_line(touchpoint.name)}{' ' + clean_line(via) if via else ''}")
    print()
    # Ids whole: two services differing at the end ("lead-form-eu", "lead-form-us") must not print alike.
    width = max([len("ID"), *(len(s.id) for s in services)])
    print(f"{'HEALTH':<12} {'ID':<{width}} {'T':<2} {'OWNER':<16} {'TOUCHPOINT':<16} NAME")
    for s in services:
        print(
            f"{cat.badge(health[s.id].state):<12} {clean_line(s.id):<{width}} {s.tier:<2} {clean_line(s.owner)[:16]:<16} "
            f"{clean_line(s.touchpoint)[:16]:<16} {clean_line(s.name)}"
        )
    open_items = [(s, cat.todo(s)) for s in services if cat.todo(s)]
    if open_items:
        print(f"\nTO DO ({len(open_items)} services need a person before the room can rely on them)")
        for s, items in open_items:
            print(f"  {clean_line(s.id):<{width}} {clean_line('; '.join(items))}")
    return EXIT_OK


def cmd_catalog_show(ctx: Context) -> int:
    from ..domain import catalog as cat

    service = ctx.config.service(ctx.args.id)
    if service is None:
        import difflib

        hint = difflib.get_close_matches(ctx.args.id, [s.id for s in ctx.config.services], n=1)
        raise InputError(f"unknown service {ctx.args.id!r}" + (f"; did you mean {hint[0]!r}?" if hint else ""))
    statuses = _last_known_statuses(ctx)
    health = cat.service_health(ctx.config, statuses, _last_known_signals(ctx))[service.id]
    vendor = ctx.config.vendor(service.vendor) if service.vendor else None
    if ctx.args.json:
        data = cat.catalog_snapshot(ctx.config)["services"]
        entry = next(d for d in data if d["id"] == service.id)
        entry.update(
            health=health.state,
            reason=health.reason,
            needed_by=cat.dependents(ctx.config, service.id),
            probe=service.probe.url if service.probe else None,
        )
        _print_json(entry)
        return EXIT_OK
    rows = [("Health", f"{cat.badge(health.state)}  {health.reason}"), *cat.service_facts(ctx.config, service)]
    print(f"{clean_line(service.name)} ({service.id})")
    for label, value in rows:
        print(f"  {label:<11} {clean_line(value)}")
    if vendor is not None:
        history = ctx.store.observations(vendor_id=vendor.id, latest=8) if ctx.config.war_room_exists() else []
        for change in history:
            print(f"  {'Changed' if change is history[0] else '':<11} {clean_line(cat.change_line(change, ctx.config.tz))}")
    return EXIT_OK


def cmd_catalog_impact(ctx: Context) -> int:
    from ..domain import catalog as cat

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
    from ..base.files import open_shared_file
    from ..config.backstage import import_backstage

    result = import_backstage(ctx.args.paths)
    for line in result.summary():
        print(f"mopstui: {line}", file=sys.stderr)
    text = result.to_yaml()
    if not result.services and ctx.args.output:
        # Nothing imported (a mistyped path, no components): the file named keeps what it had.
        print(f"mopstui: nothing was imported; {ctx.args.output} was left as it was", file=sys.stderr)
        return EXIT_INPUT
    if ctx.args.output:
        with open_shared_file(ctx.args.output, ctx.config.database_group) as handle:
            handle.write(text)
        print(f"wrote {len(result.services)} services and {len(result.vendors)} vendors to {ctx.args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return EXIT_OK if result.services else EXIT_INPUT
