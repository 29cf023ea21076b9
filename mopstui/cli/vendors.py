"""`mopstui vendors ...`: what a vendor's page really has, and the config lines to watch it."""

from __future__ import annotations

import sys

from ..base.textsafe import clean_line
from ..domain.model import InputError
from .context import EXIT_INPUT, EXIT_OK, Context


def _vendor(ctx: Context, wanted: str):
    import difflib

    from ..config import Vendor

    if wanted.startswith(("http://", "https://")):
        return Vendor(id="page", name=wanted, kind=ctx.args.kind or "auto", url=wanted)
    vendor = ctx.config.vendor(wanted)
    if vendor is None:
        ids = [v.id for v in ctx.config.vendors]
        hint = difflib.get_close_matches(wanted, ids, n=1)
        raise InputError(f"no vendor {wanted!r} in the config" + (f"; did you mean {hint[0]!r}?" if hint else
                         " (give its id from `vendors:`, or a status page's URL)"))
    if vendor.kind == "probe":
        raise InputError(f"{vendor.id} is our own probe, not a status page: it has no components")
    return vendor


def cmd_vendors_components(ctx: Context) -> int:
    import asyncio

    from ..status.online import page_listing, read_pages

    vendor = _vendor(ctx, ctx.args.vendor)
    read = asyncio.run(read_pages(ctx.config, [vendor]))[0]
    if read.parsed is None:
        print(f"mopstui: cannot read {clean_line(vendor.name)}'s page: {clean_line(read.reason, 200)}", file=sys.stderr)
        return EXIT_INPUT
    rows = page_listing(read.parsed)
    if ctx.args.json:
        from .context import _print_json

        _print_json([{"component": r.label, "is_group": r.is_group, "in_group": r.in_group, "state": r.state, "id": r.id,
                      "watch_with": r.watch_with} for r in rows])
        return EXIT_OK
    groups = sum(r.is_group for r in rows)
    print(f"{clean_line(vendor.name)}: {len(rows) - groups} components in {groups} groups, "
          f"page state {read.parsed.state.replace('_', ' ')}\n  read from {clean_line(read.url, 200)} ({read.kind})")
    if not rows:
        print("  the page lists no components: the vendor can only be watched whole")
        return EXIT_OK
    width = min(50, max(len(r.label) + 2 * r.in_group for r in rows))
    print(f"  {'COMPONENT':<{width}}  {'STATE':<14} ID")
    for r in rows:
        label = ("  " if r.in_group else "") + clean_line(r.label, width - 2 * r.in_group)
        print(f"  {label:<{width}}  {r.state.replace('_', ' '):<14} {clean_line(r.id, 40)}")
    print("\nTo watch some, list them under this vendor in the config:\n    components:")
    for r in rows:
        remark = "    # the group: its own status" if r.is_group else ""
        print(f"      - {clean_line(r.watch_with, 120)}{remark}")
    return EXIT_OK
