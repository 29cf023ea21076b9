"""Commands that run the room: the screen, vendor status, the headless watcher, serving to a
browser, the demo. Heavy modules (Textual, httpx) are imported only inside them."""

from __future__ import annotations

import os
import sys

from ..base.textsafe import cell, clean_line, column_width
from ..base.timeutil import utcnow
from ..domain.model import InputError
from .context import EXIT_INPUT, EXIT_OK, Context, _print_json


def cmd_tui(ctx: Context) -> int:
    from ..tui.app import run_app  # Textual only when the screen is wanted

    return run_app(ctx.config, ctx.user)


def cmd_mcp(ctx: Context) -> int:
    from ..mcp_server import serve  # the SDK only when an agent's host starts us

    serve(ctx)
    return EXIT_OK


def cmd_serve(ctx: Context) -> int:
    import shlex

    try:
        from ..serve import GuardedServer, end_screens, new_token
    except ImportError:
        from ..base.extras import install_hint

        raise InputError("serving to a browser needs the optional extra: " + install_hint("serve")) from None
    if ctx.args.host not in ("127.0.0.1", "localhost", "::1"):
        print(
            f"mopstui: warning: serving on {ctx.args.host}: anyone who can reach it and learns the link can write "
            "to the war-room; put it behind TLS and your own authentication",
            file=sys.stderr,
        )
    # Every browser tab runs the same screen as an SSH user would, on the same database.
    argv = [sys.executable, "-m", "mopstui", "--db", str(ctx.config.database_location), "--user", ctx.user]
    for path in ctx.config.sources:
        argv += ["--config", path]
    # `exec`: the shell textual-serve starts becomes the screen, so there is one process to end.
    # A serve is one person's screen in a browser: whoever opens its link writes as its starter.
    server = GuardedServer(
        "exec " + shlex.join(argv),
        host=ctx.args.host,
        port=ctx.args.port,
        title="mopstui war-room",
        token=new_token(),
        starter=ctx.user,
    )
    try:
        server.serve()
    finally:
        end_screens()
    return EXIT_OK


def cmd_status(ctx: Context) -> int:
    import asyncio

    from ..domain.catalog import badge
    from ..domain.vendor_line import vendor_mark, vendor_note
    from ..room.polling_round import CANNOT_SEE, poll, status_rows, targets
    from ..status.model import RANK

    order = [t.id for t in targets(ctx.config)]
    if not order:
        print("no vendors or probes configured (see config.example.yaml)", file=sys.stderr)
        return EXIT_OK
    progress = None
    if sys.stderr.isatty():  # a person is waiting: say how far the round is (never into a pipe)

        def progress(done: int, total: int) -> None:
            end = "\r\033[K" if done == total else ""
            print(f"\rchecking vendors and probes: {done}/{total}{end}", end="", file=sys.stderr, flush=True)

    statuses = asyncio.run(poll(ctx.config, progress=progress))
    observations: list[dict] = []
    if ctx.config.war_room_exists():  # the room's overrides and history, when there is a war-room
        from ..room.duties import statuses_as_ruled

        statuses = statuses_as_ruled(ctx.store, statuses)
        observations = ctx.store.observations()
    rows = status_rows(statuses, order)
    from ..domain.pagelag import lags

    for row in rows:  # how long each vendor's page lagged our own probes, its last episodes
        row["page_lag"] = [lag.to_dict() for lag in lags(ctx.config, observations, vendor_id=row["id"])]
    if ctx.args.json:
        _print_json(rows)
    else:
        if rows and all(row["state"] == "unknown" for row in rows) and any(CANNOT_SEE in row["reason"] for row in rows):
            print(f"!! {CANNOT_SEE}: every vendor and probe is unknown, not down", flush=True)
        # Columns as wide as what they hold (a long name is cut with …, never run into KIND).
        name_width = column_width("VENDOR", [row["name"] for row in rows], 32)
        kind_width = column_width("KIND", [row["kind"] for row in rows], 17)
        print(f"{'STATE':<13} {cell('VENDOR', name_width)} {cell('KIND', kind_width)} {'LATENCY':>8}  NOTE")
        for row in rows:
            status = statuses[row["id"]]
            latency = f"{row['latency_ms']} ms" if row["latency_ms"] is not None else ""
            state = vendor_mark(status) + badge(row["state"])
            note = vendor_note(status)
            print(
                f"{state:<13} {cell(row['name'], name_width)} {cell(row['kind'], kind_width)} {latency:>8}  "
                f"{clean_line(note, 80)}"
            )
            vendor = ctx.config.vendor(row["id"])
            shown, summary = _components_to_list(row["components"], watches=bool(vendor and vendor.components))
            for component in shown:
                label = f"{component['group']} / {component['name']}" if component["group"] else component["name"]
                note = f"  ({clean_line(component['note'], 100)})" if component.get("note") else ""
                print(f"  {badge(component['state']):<11} {clean_line(label, 60)}{note}")
            if summary:
                print(f"  {'':<11} {summary}")
            unwatched = [c for c in row["components"] if not c["watched"]]
            if unwatched:
                troubled = sum(c["state"] not in ("operational", "unknown") for c in unwatched)
                print(
                    f"  {'':<11} + {len(unwatched)} components not watched"
                    f"{f', {troubled} not operational' if troubled else ''} (status --json lists them)"
                )
            for incident in row["incidents"]:
                print(
                    f"  incident    {clean_line(incident['title'], 50)} ({clean_line(incident['status'] or 'open')}, "
                    f"updated {clean_line(incident['updated_at'] or '?', 25)})"
                )
            for maintenance in row["maintenances"]:
                when = " → ".join(clean_line(t, 25) for t in (maintenance["starts_at"], maintenance["ends_at"]) if t)
                print(
                    f"  maintenance {clean_line(maintenance['title'], 50)} ({clean_line(maintenance['status'])}"
                    f"{', ' + when if when else ''})"
                )
    threshold = {"degraded": RANK["degraded"], "outage": RANK["partial_outage"]}.get(ctx.args.fail_on or "")
    if threshold is not None and any(RANK.get(r["state"], -1) >= threshold for r in rows):
        return EXIT_INPUT
    return EXIT_OK


LISTED_WHOLE = 12  # a page with more components than this, none of them watched, is summed up


def _components_to_list(components: list[dict], *, watches: bool) -> tuple[list[dict], str]:
    """The watched components to print, and a line for the rest. A vendor whose config watches
    nothing shows its whole page when it is short, else only what is not operational (Salesforce
    lists 1,463 instances: nobody reads that in a terminal)."""
    watched = [c for c in components if c["watched"]]
    if watches or len(watched) <= LISTED_WHOLE:
        return watched, ""
    troubled = [c for c in watched if c["state"] != "operational"]
    shown = troubled[:LISTED_WHOLE]
    rest = len(watched) - len(shown)
    calm = "all operational" if len(troubled) == len(shown) else f"{len(troubled) - len(shown)} more not operational"
    return shown, (
        f"+ {rest} more components ({calm}); `components:` in the config picks the ones you watch, status --json lists them all"
    )


def cmd_watch(ctx: Context) -> int:
    import asyncio
    import signal
    import threading

    from ..base.identity import hostname
    from ..domain.leases import holder_name, holder_words
    from ..room.poller import Poller

    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    holder = holder_name("watch", ctx.store.account.login, hostname(), os.getpid())
    quiet = ctx.args.quiet

    def report(summary: dict) -> None:
        stamp = utcnow().astimezone(ctx.config.tz).strftime("%H:%M:%S")
        if "problem" in summary:
            print(f"mopstui: warning: {summary['problem']}", file=sys.stderr, flush=True)
        elif not quiet and "signals" in summary:
            print(f"{stamp} signals: {summary['signal_changes']} changed (see mopstui signals)", flush=True)
        elif "duties" in summary:
            # Said even when quiet: a watch that is not doing the room's duties must say whose they are.
            if summary["ours"]:
                print(
                    f"{stamp} this watch does the room's duties (checks vendors, writes thresholds crossed and "
                    "updates overdue, sends notifications)",
                    flush=True,
                )
            else:
                print(
                    f"{stamp} the room's duties are with {holder_words(summary['duties'])}; this watch takes them "
                    "over when it stops" + (f" (lease holder {summary['duties']!r})" if ctx.verbose else ""),
                    flush=True,
                )
        elif not quiet:
            print(f"{stamp} polled {summary['polled']}, {summary['changes']} changes, {summary['unknown']} unknown", flush=True)

    poller = Poller(ctx.config, ctx.store, holder, on_round=report)
    if not quiet:
        signals = f" and {len(ctx.config.signals)} signals" if ctx.config.signals else ""
        print(
            f"watching {len(ctx.config.vendors)} vendors{signals} for {ctx.config.database_label} as {holder_words(holder)}; "
            "Ctrl-C stops" + (f" (lease holder {holder!r})" if ctx.verbose else ""),
            flush=True,
        )
    asyncio.run(poller.run(stop))
    return EXIT_OK


def cmd_demo(ctx: Context) -> int:
    from ..demo import run_demo

    return run_demo(ctx.user)
