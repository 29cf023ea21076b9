"""Commands on marketing signals: list their states, and say that something arrived."""

from __future__ import annotations

import difflib

from ..base.textsafe import clean_line
from ..base.timeutil import to_store, utcnow
from ..domain.evidence import local_time
from ..domain.model import InputError
from .context import EXIT_OK, Context, _print_json

MAX_COUNT = 1_000_000


def _states(ctx: Context) -> dict:
    from ..room.signals import stored_states
    from ..signals import blank

    if not ctx.config.war_room_exists():
        return {s.id: blank(s) for s in ctx.config.signals}
    return stored_states(ctx.store, ctx.config)


def cmd_signals(ctx: Context) -> int:
    states = _states(ctx)
    rows = []
    for signal in ctx.config.signals:
        state = states[signal.id]
        rows.append({"id": signal.id, "name": signal.label, "kind": signal.kind, "touchpoint": signal.touchpoint,
                     "service": signal.service, "state": state.state, "since": state.since, "why": state.why,
                     "value": state.value, "checked_at": state.checked_at, "source_time": state.source_time,
                     "suppressed_by": state.suppressed_by})
    if ctx.args.json:
        _print_json(rows)
        return EXIT_OK
    if not rows:
        print("no signals configured (see `signals:` in config.example.yaml)")
        return EXIT_OK
    tz = ctx.config.tz
    print(f"{'STATE':<11} {'SIGNAL':<20} {'KIND':<8} {'TOUCHPOINT':<16} {'SINCE':<6} WHY")
    for signal, row in zip(ctx.config.signals, rows):
        state = states[signal.id]
        since = local_time(row["since"], tz) if row["since"] else "—"
        print(f"{state.badge():<11} {clean_line(signal.label)[:20]:<20} {signal.kind:<8} "
              f"{clean_line(signal.touchpoint)[:16]:<16} {since:<6} {clean_line(state.why, 120)}")
    return EXIT_OK


def cmd_signal(ctx: Context) -> int:
    """`mopstui signal leads --count 3`: for cron jobs, CRM workflows and Zapier steps."""
    signal = ctx.config.signal(ctx.args.id)
    if signal is None:
        ids = [s.id for s in ctx.config.signals]
        hint = difflib.get_close_matches(ctx.args.id, ids, n=1)
        raise InputError(f"there is no signal {clean_line(ctx.args.id, 64)!r}"
                         + (f"; did you mean {hint[0]!r}?" if hint else f" (signals: {', '.join(ids) or 'none configured'})"))
    if signal.kind != "silence":
        raise InputError(f"{signal.id} is a {signal.kind} signal: mopstui checks it itself; only silence signals are "
                         "told that something arrived")
    count = ctx.args.count
    if not 0 <= count <= MAX_COUNT:
        raise InputError(f"--count is how many arrived: 0 to {MAX_COUNT:,}, not {count}")
    at = ctx.at() or utcnow()
    if at > utcnow():
        raise InputError("--at is in the future: say when it arrived")
    ctx.store.record_arrivals([(signal.id, to_store(at), count, None, f"cli:{ctx.user}")])
    what = signal.what or "arrivals"
    print(f"{signal.id}: {count} {what} at {local_time(to_store(at), ctx.config.tz)} recorded")
    return EXIT_OK
