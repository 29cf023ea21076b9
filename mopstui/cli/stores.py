"""Moving a war-room between engines: `mopstui copy-store FROM TO`."""

from __future__ import annotations

import sys

from ..base.locations import is_server_url, shown, url_problem
from ..domain.model import InputError
from .context import EXIT_OK, Context


def _location(value: str) -> str:
    problem = url_problem(value) if is_server_url(value) else None
    if problem:
        raise InputError(problem)
    return value


# What was copied, in the room's words (the tables' own names under --verbose).
TABLE_WORDS = {
    "events": "entries",
    "status_observations": "vendor and signal readings",
    "vendor_status": "vendors' last states",
    "signal_status": "signals' last states",
    "signal_arrivals": "signal arrivals",
    "presence": "sessions",
    "cursors": "notification marks",
}


def cmd_copy_store(ctx: Context) -> int:
    from ..store import open_store
    from ..store.copy import copy_store

    source, destination = _location(ctx.args.source), _location(ctx.args.destination)
    if source == destination:
        raise InputError("FROM and TO are the same war-room")
    if not is_server_url(source):
        from pathlib import Path

        if not Path(source).exists():
            raise InputError(f"{source} does not exist: nothing to copy")
    report = sys.stderr.isatty()

    def progress(table: str, rows: int) -> None:
        if report:
            print(f"\r  {table}: {rows:,} rows", end="", file=sys.stderr, flush=True)

    with open_store(source, readonly=True) as origin, open_store(destination, group=ctx.config.database_group) as target:
        copied = copy_store(origin, target, progress=progress)
    if report:
        print(file=sys.stderr)
    counts = ", ".join(
        f"{rows:,} {table.replace('_', ' ') if ctx.verbose else TABLE_WORDS.get(table, table.replace('_', ' '))}"
        for table, rows in copied.rows.items()
        if rows
    )
    print(f"copied {shown(source)} → {shown(destination)}: {counts or 'an empty war-room'}")
    print(f"both verify to {copied.head.line() if ctx.verbose else copied.head.plain_line()}")
    return EXIT_OK


def cmd_init(ctx: Context) -> int:
    """Start an empty war-room where the config or --db points (on a server: its schema, run as
    the owner role), or say that one is there; schema steps an older one lacks are applied."""
    from ..store import NoWarRoom, open_store

    location = ctx.config.database_location
    try:
        open_store(location, group=ctx.config.database_group, create=False).close()
        print(f"a war-room is already at {ctx.config.database_label}: nothing to do")
        return EXIT_OK
    except NoWarRoom:
        pass
    open_store(location, group=ctx.config.database_group, create=True).close()
    print(f"new war-room at {ctx.config.database_label}")
    return EXIT_OK
