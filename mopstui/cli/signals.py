"""Commands on marketing signals: list their states, and say that something arrived."""

from __future__ import annotations

import difflib
import os

from ..base.textsafe import cell, clean_line, column_width
from ..base.timeutil import to_store, utcnow
from ..domain.evidence import local_time
from ..domain.model import InputError, parse_incident_ref
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
        rows.append(
            {
                "id": signal.id,
                "name": signal.label,
                "kind": signal.kind,
                "touchpoint": signal.touchpoint,
                "service": signal.service,
                "state": state.state,
                "since": state.since,
                "why": state.why,
                "value": state.value,
                "checked_at": state.checked_at,
                "source_time": state.source_time,
                "suppressed_by": state.suppressed_by,
            }
        )
    if ctx.args.json:
        _print_json(rows)
        return EXIT_OK
    if not rows:
        print("no signals configured (see `signals:` in config.example.yaml)")
        return EXIT_OK
    tz = ctx.config.tz
    signals = ctx.config.signals
    name_width = column_width("SIGNAL", [s.label for s in signals], 32)
    kind_width = column_width("KIND", [s.kind for s in signals], 14)
    place_width = column_width("TOUCHPOINT", [s.touchpoint or "" for s in signals], 16)
    print(
        f"{'STATE':<11} {cell('SIGNAL', name_width)} {cell('KIND', kind_width)} {cell('TOUCHPOINT', place_width)} "
        f"{'SINCE':<8} WHY"
    )
    for signal, row in zip(ctx.config.signals, rows):
        state = states[signal.id]
        since = local_time(row["since"], tz) if row["since"] else "—"
        badge = "◌ held" if state.suppressed_by else state.badge()  # its alarm is another signal's (one cause)
        print(
            f"{badge:<11} {cell(signal.label, name_width)} {cell(signal.kind, kind_width)} "
            f"{cell(signal.touchpoint or '', place_width)} {since:<8} {clean_line(state.why, 120)}"
        )
    return EXIT_OK


def cmd_signal(ctx: Context) -> int:
    """`mopstui signal leads --count 3`: for cron jobs, CRM workflows and Zapier steps."""
    signal = ctx.config.signal(ctx.args.id)
    if signal is None:
        ids = [s.id for s in ctx.config.signals]
        hint = difflib.get_close_matches(ctx.args.id, ids, n=1)
        raise InputError(
            f"there is no signal {clean_line(ctx.args.id, 64)!r}"
            + (f"; did you mean {hint[0]!r}?" if hint else f" (signals: {', '.join(ids) or 'none configured'})")
        )
    if signal.kind != "silence":
        raise InputError(
            f"{signal.id} is a {signal.kind} signal: mopstui checks it itself; only silence signals are "
            "told that something arrived"
        )
    count = ctx.args.count
    if not 0 <= count <= MAX_COUNT:
        raise InputError(f"--count is how many arrived: 0 to {MAX_COUNT:,}, not {count}")
    at = ctx.at() or utcnow()
    if at > utcnow():
        raise InputError("--at is in the future: say when it arrived")
    ctx.store.record_arrivals([(signal.id, to_store(at), count, None, f"cli:{ctx.user}")])
    what = f" ({signal.what})" if signal.what else ""
    print(f"{signal.id}: {count} recorded{what}, at {local_time(to_store(at), ctx.config.tz)}")
    return EXIT_OK


def cmd_listen(ctx: Context) -> int:
    """Receive arrivals for silence and deliverability signals over HTTP until stopped."""
    import signal as os_signal
    import sys
    import threading
    import time

    from ..base.timeutil import utcnow
    from ..room.listen import Receiver
    from ..room.signals import PRUNE_EVERY, prune_arrivals

    receivable = [s for s in ctx.config.signals if s.kind in ("silence", "deliverability")]
    if not receivable:
        raise InputError("no silence or deliverability signals to receive for (see `signals:` in config.example.yaml)")
    store = ctx.store
    writer: dict = {}

    def write(rows: list) -> None:
        # The receiver's one writing thread opens its own connection (one per thread).
        if "store" not in writer:
            from ..store import open_store

            writer["store"] = open_store(ctx.config.database_location, group=ctx.config.database_group)
        writer["store"].record_arrivals(rows)
        if time.monotonic() - writer.get("pruned_at", -PRUNE_EVERY) >= PRUNE_EVERY:
            writer["pruned_at"] = time.monotonic()  # a flood of posts is forgotten once its signal no longer needs it
            prune_arrivals(writer["store"], ctx.config, utcnow())

    store.record_arrivals([])  # the war-room opens before anyone posts: a missing or read-only one is said now
    try:
        receiver = Receiver(ctx.config, (ctx.args.host, ctx.args.port), write)
    except OSError as error:
        raise InputError(f"cannot listen on {ctx.args.host}:{ctx.args.port}: {error.strerror or error}") from None
    for signal in receivable:
        if not signal.token_env or not os.environ.get(signal.token_env):
            print(
                f"mopstui: warning: {signal.id} has no token (set token_env and that variable): its posts are refused",
                file=sys.stderr,
                flush=True,
            )
    host, port = str(receiver.server_address[0]), receiver.server_address[1]
    print(f"listening on http://{host}:{port}/signal/ID for {', '.join(s.id for s in receivable)}; Ctrl-C stops", flush=True)
    stop = threading.Event()
    for signum in (os_signal.SIGINT, os_signal.SIGTERM):
        os_signal.signal(signum, lambda *_: stop.set())
    serving = threading.Thread(target=receiver.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
    serving.start()
    said = 0
    while not stop.wait(0.5):
        for problem in receiver.problems[said:]:
            print(f"mopstui: warning: {problem}", file=sys.stderr, flush=True)
        said = len(receiver.problems)
    receiver.close()
    for problem in receiver.problems[said:]:  # what went wrong in the last moments is said too
        print(f"mopstui: warning: {problem}", file=sys.stderr, flush=True)
    if "store" in writer:
        writer["store"].close()
    return EXIT_OK


def cmd_mitigate(ctx: Context) -> int:
    """Log a marketing mitigation as an action; a status signal that confirms it reads it back."""
    from ..config.signals import MITIGATIONS
    from ..signals.mitigation import mitigation_value

    what = ctx.args.what
    words = MITIGATIONS[what]
    note = f": {ctx.args.note}" if ctx.args.note else ""
    event = ctx.store.append(
        parse_incident_ref(ctx.args.incident),
        "action",
        f"Mitigation: {words}{note}",
        author=ctx.user,
        value=mitigation_value(what),
        at=ctx.at(),
    )
    readers = [f"{s.label} confirms it when it reads {s.expect}" for s in ctx.config.signals if s.confirms == what]
    then = (
        f"; {'; '.join(readers)}"
        if readers
        else f"; no signal reads it back (a metric with gives: status and confirms: {what} would)"
    )
    print(f"#{event.id} {words} logged{then}")
    return EXIT_OK
