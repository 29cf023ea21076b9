"""Commands on incidents and their log: declare, log, status, severity, roles, stars,
corrections, listing, timelines, verify, export."""

from __future__ import annotations

import io
import json
import os
import re
import stat
import sys
from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING

from ..base.plain import os_words
from ..base.textsafe import clean_line
from ..base.timeutil import humanize_duration, utcnow
from ..domain.model import KIND_LABELS, Event, Incident, InputError, account_label, parse_incident_ref
from ..domain.takeback import ANNOTATION_KINDS, check_reopen, check_state_time, early_note
from .context import EXIT_INPUT, EXIT_OK, Context, _print_json

if TYPE_CHECKING:
    from ..domain.timeline import Annotations


def check_services(ctx: Context, named: Iterable[str]) -> None:
    """Services an incident is given by id, as `declare` and `edit` check them: an unknown one is
    refused, with the near id, when a service list is configured; without one it cannot be checked,
    so it is kept and that is said (`services +nope` was taken silently)."""
    unknown = [s for s in named if ctx.config.service(s) is None]
    if not unknown:
        return
    if not ctx.config.services:
        names = ", ".join(repr(clean_line(s, 60)) for s in unknown)
        print(f"mopstui: no service list is configured, so {names} cannot be checked", file=sys.stderr)
        return
    from difflib import get_close_matches  # only on a slip

    near = get_close_matches(unknown[0], [s.id for s in ctx.config.services], n=1, cutoff=0.6)
    hint = f"did you mean {near[0]}?" if near else "see `mopstui catalog`"
    raise InputError(f"unknown service {clean_line(unknown[0], 60)!r}: {hint}")


def cmd_declare(ctx: Context) -> int:
    check_services(ctx, ctx.args.service)
    from ..domain.catalog import catalog_snapshot

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
    from ..domain.grammar import parse_entry

    incident = parse_incident_ref(ctx.args.incident)
    # The screen's entry grammar: `/comms …`, `!…` (an action), `@10:02 …` (back-dated).
    entry = parse_entry(" ".join(ctx.args.text), ctx.args.kind or "note", ctx.config.tz, utcnow())
    if ctx.args.kind and entry.kind != ctx.args.kind:
        said, typed = KIND_LABELS[ctx.args.kind], KIND_LABELS[entry.kind]
        raise InputError(f"--kind {said} and the text's /{typed} disagree; give the kind once")
    if entry.at and ctx.args.at:
        raise InputError("--at and the text's @TIME both give a time; give it once")
    at = entry.at or ctx.at()
    before = ctx.store.incident(incident) if at is not None else None  # to say if it is dated before the declaration
    event = ctx.store.append(incident, entry.kind, entry.text, author=ctx.user, at=at, value=entry.value)
    print(f"#{event.id}")
    note = early_note(before, event.occurred_at, ctx.config.tz, entry_id=event.id) if before else None
    if note:
        print(f"mopstui: {note}", file=sys.stderr)
    return EXIT_OK


def cmd_set_status(ctx: Context) -> int:
    return _change_status(ctx, ctx.args.status)


def cmd_resolve(ctx: Context) -> int:
    return _change_status(ctx, "resolved")


def _change_status(ctx: Context, status: str) -> int:
    incident, at = parse_incident_ref(ctx.args.incident), ctx.at()
    check_state_time(ctx.store.incident(incident), "status", at, ctx.config.tz)  # said in the room's time
    event = ctx.store.set_status(incident, status, author=ctx.user, at=at)
    print(f"#{event.id}")
    return EXIT_OK


def cmd_reopen(ctx: Context) -> int:
    incident, at = parse_incident_ref(ctx.args.incident), ctx.at()
    current = ctx.store.incident(incident)
    check_reopen(current, ctx.args.status, at, ctx.config.tz)
    check_state_time(current, "reopen", at, ctx.config.tz)
    event = ctx.store.reopen(incident, ctx.args.reason, author=ctx.user, status=ctx.args.status, at=at)
    print(f"#{event.id}")
    return EXIT_OK


def cmd_withdraw(ctx: Context) -> int:
    incident = parse_incident_ref(ctx.args.incident)
    event = ctx.store.withdraw(incident, _event_ref(ctx.args.entry), ctx.args.reason, author=ctx.user)
    print(f"#{event.id}")
    return EXIT_OK


def cmd_unstar(ctx: Context) -> int:
    incident = parse_incident_ref(ctx.args.incident)
    event = ctx.store.unstar(incident, _event_ref(ctx.args.entry), author=ctx.user)
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
    event = ctx.store.correct(incident, _event_ref(ctx.args.entry), ctx.args.text or "", author=ctx.user, kind=ctx.args.kind)
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
    print(f"{'ID':<8} {'SEV':<5} {'STATUS':<14} {'OPEN FOR':>9}  {'COMMANDER':<12} TITLE")
    for incident in incidents:
        end = incident.resolved_at or now
        print(
            f"{incident.label:<8} {incident.severity:<5} {incident.status:<14} "
            f"{humanize_duration(end - incident.started_at):>9}  {clean_line(incident.roles.get('commander', ''))[:12]:<12} "
            f"{clean_line(incident.title)}"
        )
    return EXIT_OK


def cmd_timeline(ctx: Context) -> int:
    from ..domain.timeline import Annotations, format_line  # the timeline's, not every command's

    incident = ctx.store.incident(parse_incident_ref(ctx.args.incident))
    query = None
    if ctx.args.search:  # the search grammar only for a search
        from ..domain.grammar import parse_search

        query = parse_search(ctx.args.search)
    # Streamed: a 100,000-event timeline is written as it is read, never built in memory first.
    events: Iterable[Event]
    if query is None or query.empty:
        events = ctx.store.iter_events(incident.id)
        notes = Annotations.of(ctx.store.events_of_kinds((*ANNOTATION_KINDS, "followup"), incident.id))
    else:
        found = ctx.store.search(incident.id, query.words, kind=query.kind, author=query.author)
        events, notes = found, Annotations.of(ctx.store.events_of_kinds((*ANNOTATION_KINDS, "followup"), incident.id))
    if ctx.args.json:
        write = sys.stdout.write
        write('{\n  "incident": ' + json.dumps(incident.to_dict(), ensure_ascii=False) + ',\n  "events": [')
        separator = "\n    "
        for event in events:
            # What was said about it since, as the export's events say it.
            withdrawal = notes.withdrawn.get(event.id)
            item = {
                **event.to_dict(),
                "starred": event.id in notes.starred,
                "withdrawn_by": withdrawal.id if withdrawal else None,
                "kind_now": notes.taken_back.kinds.get(event.id),
            }
            write(separator + json.dumps(item, ensure_ascii=False))
            separator = ",\n    "
        write("\n  ]\n}\n")
        return EXIT_OK
    print(f"{incident.label} {incident.severity} {incident.status}: {clean_line(incident.title)}")
    if query is None or query.empty:
        _write_timeline_rows(ctx, incident, notes)
        return EXIT_OK
    for event in events:
        print(f"#{event.id:<5} " + format_line(event, incident.started_at, ctx.config.tz, notes, today=_today(ctx)))
    return EXIT_OK


def _today(ctx: Context) -> date:
    return utcnow().astimezone(ctx.config.tz).date()


def _write_timeline_rows(ctx: Context, incident: Incident, notes: Annotations) -> None:
    """A whole timeline the way the exports write theirs: from raw rows, with each distinct
    second's clock, each author's name, each kind's label and account worked out once, written
    5,000 lines at a time (an Event, a strftime and three cleanings per line, printed one by one,
    cost twice `sqlite-utils rows --csv` on 100,000 events). A row in any other shape than the
    store's own, or one withdrawn or given another kind since, is formatted from its Event by
    `format_line`, the obviously right way, which tests/test_cli.py holds this to."""
    from ..domain.rows import Memo, RowTimes, store_shaped
    from ..domain.timeline import entry_words, format_line
    from ..store.events import _event

    start, tz, starred, corrected = incident.started_at, ctx.config.tz, notes.starred, notes.corrections
    # An entry withdrawn or given another kind since carries words about that: the few of them go
    # the Event's way, which says it.
    retold = notes.withdrawn.keys() | notes.taken_back.kinds.keys()
    today = _today(ctx)  # a todo's line says its owner and due date, and whether it is overdue
    times = RowTimes(start, tz)
    names = Memo(lambda author: f"{clean_line(author)[:10]:<10}")
    kinds = Memo(lambda kind: f"{str(KIND_LABELS.get(kind, kind))[:8]:<8}")
    accounts = Memo(lambda who: f"  ({clean_line(label)})" if (label := account_label(*who)) else "")
    write, lines = sys.stdout.write, []
    for row in ctx.store.iter_event_rows(incident.id):
        id_, occurred, recorded, author, kind, text, ref, login = (
            row[0],
            row[2],
            row[3],
            row[4],
            row[5],
            row[6],
            row[8],
            row[10],
        )
        if store_shaped(occurred, recorded) and id_ not in retold and kind != "action_item":
            since, local = times.at(occurred)
            later = "✎" if id_ in corrected else "↶" if times.at(recorded)[0] - since > 60_000_000 else " "
            lines.append(
                f"#{id_:<5} {local[11:]} {times.elapsed(since, signed=True, units=True):>8} {'★' if id_ in starred else ' '}"
                f"{later} {names[author]} {kinds[kind]} {entry_words(kind, ref, text)}{accounts[author, login]}\n"
            )
        else:
            lines.append(f"#{id_:<5} " + format_line(_event(row), start, tz, notes, today=today) + "\n")
        if len(lines) >= 5000:
            write("".join(lines))
            lines.clear()
    write("".join(lines))


_HASH = re.compile(r"[0-9a-f]{64}")


def _noted_heads(ctx: Context) -> list[str]:
    heads = []
    for value in ctx.args.since_head:
        value = value.strip().lower()
        if not re.fullmatch(r"[0-9a-f]{12,64}", value):
            raise InputError(f"{clean_line(value, 80)!r} is not a fingerprint (64 hex digits, or at least the first 12)")
        heads.append(value)
    if ctx.args.heads:
        try:
            # O_NONBLOCK and a regular file only: a FIFO put where an export was must not hang verify.
            fd = os.open(ctx.args.heads, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
            with os.fdopen(fd, "rb") as handle:
                if not stat.S_ISREG(os.fstat(fd).st_mode):
                    raise InputError(f"{ctx.args.heads} is not a regular file")
                found = _HASH.findall(handle.read(16 * 1024 * 1024).decode("utf-8", "replace").lower())
        except OSError as error:
            raise InputError(f"cannot read {os_words(error)}") from None
        if not found:
            raise InputError(f"{ctx.args.heads} holds no fingerprint (a line with 64 hex digits)")
        heads.extend(found)
    return heads


def cmd_verify(ctx: Context) -> int:
    heads = _noted_heads(ctx)
    result = ctx.store.verify(heads)
    if result.ok and result.head is not None:  # the next export re-hashes only what comes after
        from ..room import verified

        verified.save(ctx.store.location, result.head)
    out = sys.stdout if result.ok else sys.stderr
    notice = ctx.store.snapshot_notice()
    # Plain words first (what a marketer reads); the engineer's account under --verbose.
    print(("ok: " if result.ok else "FAILED: ") + result.sentence + (f" ({notice})" if notice else ""), file=out)
    if result.head is not None:
        print(result.head.line() if ctx.verbose else result.head.plain_line(), file=out)
    if ctx.verbose:
        print(f"detail: {result.message}", file=out)
    return EXIT_OK if result.ok else EXIT_INPUT


def cmd_export(ctx: Context) -> int:
    from ..base.timeutil import zone
    from ..export import FORMATS, export_incident, export_to_file

    incident = parse_incident_ref(ctx.args.incident)
    tz = zone(ctx.args.tz) if ctx.args.tz else None
    fmt = ctx.args.format
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r} (use {', '.join(FORMATS)})")
    options = dict(tz=tz, starred_only=ctx.args.starred_only)
    made: list = []
    if ctx.args.output and ctx.args.output != "-":
        for path in export_to_file(ctx.store, incident, ctx.config, fmt, ctx.args.output, made=made, **options):
            print(f"wrote {path}", file=sys.stderr)
    else:
        if fmt == "csv" and isinstance(sys.stdout, io.TextIOWrapper):
            sys.stdout.reconfigure(newline="")
        made.append(export_incident(ctx.store, incident, ctx.config, fmt, sys.stdout, **options))
    if made and made[0].verified is not None and not made[0].verified.ok:
        # Said here too: a spreadsheet has no line for it, and a file written is not read at once.
        print(f"mopstui: warning: {clean_line(made[0].verified.sentence, 300)}", file=sys.stderr)
    return EXIT_OK
