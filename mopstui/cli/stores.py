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
    counts = ", ".join(f"{rows:,} {table.replace('_', ' ')}" for table, rows in copied.rows.items() if rows)
    print(f"copied {shown(source)} → {shown(destination)}: {counts or 'an empty war-room'}")
    print(f"both verify to {copied.head.line()}")
    return EXIT_OK
