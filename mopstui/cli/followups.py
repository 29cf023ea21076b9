"""Changing what was declared (`edit`) and follow-ups to closure (`followup`, `followups`)."""

from __future__ import annotations

from ..base.textsafe import clean_line
from ..base.timeutil import utcnow
from ..domain.model import FOLLOWUP_KINDS, InputError, incident_label, parse_incident_ref
from .context import EXIT_OK, Context, _print_json
from .incidents import _event_ref, check_services


def cmd_edit(ctx: Context) -> int:
    incident_id = parse_incident_ref(ctx.args.incident)
    incident = ctx.store.incident(incident_id)
    services = list(incident.services)
    if ctx.args.service:
        services = list(dict.fromkeys(ctx.args.service))
    for sid in ctx.args.add_service:
        if sid not in services:
            services.append(sid)
    services = [s for s in services if s not in ctx.args.remove_service]
    check_services(ctx, [s for s in services if s not in incident.services])
    event = ctx.store.edit_incident(
        incident_id,
        author=ctx.user,
        title=ctx.args.title,
        summary=ctx.args.summary,
        services=services if services != list(incident.services) else None,
    )
    print(f"#{event.id} {incident_label(incident_id)} {clean_line(event.text)}")
    return EXIT_OK


def cmd_followup(ctx: Context) -> int:
    from ..domain.followups import parse_due

    incident_id = parse_incident_ref(ctx.args.incident)
    state = "done" if ctx.args.done else "wont_do" if ctx.args.wont_do else "open" if ctx.args.reopen else None
    due = parse_due(ctx.args.due, utcnow().astimezone(ctx.config.tz).date()) if ctx.args.due else None
    event = ctx.store.change_followup(
        incident_id, _event_ref(ctx.args.entry), author=ctx.user, state=state, owner=ctx.args.owner, due=due
    )
    print(f"#{event.id} {clean_line(event.text)}")
    return EXIT_OK


def cmd_followups(ctx: Context) -> int:
    from ..domain.followups import STATE_WORDS, followups

    items = followups(ctx.store.events_of_kinds(FOLLOWUP_KINDS))  # no war-room: said, none made
    if ctx.args.open:
        items = [f for f in items if f.state == "open"]
    if ctx.args.owner:
        items = [f for f in items if (f.owner or "").casefold() == ctx.args.owner.casefold()]
    if ctx.args.json:
        _print_json([f.to_dict() for f in items])
        return EXIT_OK
    if not items:
        whose = f" for {clean_line(ctx.args.owner)}" if ctx.args.owner else ""
        print("no follow-ups" + (" open" if ctx.args.open else "") + whose)
        return EXIT_OK
    today = utcnow().astimezone(ctx.config.tz).date()
    print(f"{'INCIDENT':<9} {'ENTRY':>6}  {'STATE':<9} {'OWNER':<14} {'DUE':<11} ACTION ITEM")
    for item in items:
        due = (item.due or "—") + (" !" if item.overdue(today) else "")
        print(
            f"{incident_label(item.incident_id):<9} {'#' + str(item.event_id):>6}  {STATE_WORDS[item.state]:<9} "
            f"{clean_line(item.owner or '—', 14):<14} {due:<11} {clean_line(item.text, 80)}"
        )
    return EXIT_OK


def cmd_draft(ctx: Context) -> int:
    from ..domain.drafts import draft

    if ctx.args.list:
        for channel, template in sorted(ctx.config.templates.items()):
            print(f"{channel}: {clean_line(template, 100)}")
        return EXIT_OK
    if not ctx.args.incident:
        raise InputError("name the incident: mopstui draft INC-1 --template site-banner (or --list)")
    incident = ctx.store.incident(parse_incident_ref(ctx.args.incident))
    print(draft(ctx.config, incident, ctx.args.template, utcnow()))
    return EXIT_OK
