"""`mopstui vendors ...`: what a vendor's page really has, and the config lines to watch it."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from ..base.textsafe import clean_line
from ..config import directory
from ..domain.model import InputError
from .context import EXIT_INPUT, EXIT_OK, Context

if TYPE_CHECKING:
    from ..config import Vendor


def _vendor(ctx: Context, wanted: str) -> Vendor:
    import difflib

    from ..config import Vendor

    if wanted.startswith(("http://", "https://")):
        return Vendor(id="page", name=wanted, kind=ctx.args.kind or "auto", url=wanted)
    vendor = ctx.config.vendor(wanted)
    entry = directory.find(wanted) if vendor is None else None
    if entry is not None:
        if not entry.readable:
            raise InputError(directory.not_readable(entry))
        return Vendor(id=entry.id, name=entry.name, kind=entry.kind or "auto", url=entry.url, product=entry.product)
    if vendor is None:
        ids = [v.id for v in ctx.config.vendors]
        hint = difflib.get_close_matches(wanted, ids, n=1)
        raise InputError(
            f"no vendor {wanted!r} in the config or the vendor directory"
            + (
                f"; did you mean {hint[0]!r}?"
                if hint
                else " (give its id, or a status page's URL; `mopstui vendors search WORD`)"
            )
        )
    if vendor.kind == "probe":
        raise InputError(f"{vendor.id} is our own probe, not a status page: it has no components")
    return vendor


def cmd_vendors_components(ctx: Context) -> int:
    import asyncio

    from ..status.online import page_listing, read_pages

    vendor = _vendor(ctx, ctx.args.vendor)
    read = asyncio.run(read_pages(ctx.config, [vendor]))[0]
    if read.parsed is None:
        page = (
            f"the page at {vendor.url}"
            if vendor.name in (vendor.url, vendor.id) or "://" in vendor.name
            else f"{vendor.name}'s page"
        )
        print(f"mopstui: cannot read {clean_line(page)}: {clean_line(read.reason, 200)}", file=sys.stderr)
        return EXIT_INPUT
    rows = page_listing(read.parsed)
    if ctx.args.json:
        from .context import _print_json

        _print_json(
            [
                {
                    "component": r.label,
                    "is_group": r.is_group,
                    "in_group": r.in_group,
                    "state": r.state,
                    "id": r.id,
                    "watch_with": r.watch_with,
                }
                for r in rows
            ]
        )
        return EXIT_OK
    groups = sum(r.is_group for r in rows)
    count = len(rows) - groups
    print(
        f"{clean_line(vendor.name)}: {count} component{'s' * (count != 1)} in {groups} group{'s' * (groups != 1)}, "
        f"page state {read.parsed.state.replace('_', ' ')}\n  read from {clean_line(read.url, 200)} ({read.kind})"
    )
    if read.parsed.affected_only:
        print(
            "  this page lists only the components something affects right now: name the ones you watch as the page\n"
            "  shows them; one nothing affects is operational"
        )
        if not rows:
            return EXIT_OK
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


def cmd_vendors_search(ctx: Context) -> int:
    checked, _ = directory.directory()
    found = directory.search(" ".join(ctx.args.words))
    if ctx.args.json:
        from .context import _print_json

        _print_json(
            [
                {
                    "id": e.id,
                    "name": e.name,
                    "touchpoint": e.touchpoint,
                    "kind": e.kind or None,
                    "url": e.url,
                    "machine_readable": e.readable,
                    "instead": e.probe or None,
                    "product": e.product,
                    "clusters": list(e.clusters),
                    "components": list(e.components),
                    "needs": e.needs or None,
                    "note": e.note or None,
                    "checked": e.checked,
                }
                for e in found
            ]
        )
        return EXIT_OK
    if not found:
        print(
            f"no vendor in the directory matches {' '.join(ctx.args.words)!r}; a vendor not listed works with its "
            "url: (kind is found by asking the page)",
            file=sys.stderr,
        )
        return EXIT_INPUT
    print(f"{'ID':<17} {'NAME':<24} {'TOUCHPOINT':<13} {'FORMAT':<12} STATUS PAGE")
    for e in found:
        print(f"{e.id:<17} {e.name[:24]:<24} {e.touchpoint[:13]:<13} {(e.kind or 'none')[:12]:<12} {e.url}")
        if not e.readable:
            print(f"{'':<17} no machine-readable page ({e.none}): watch {e.probe} instead")
        for extra in (
            f"clusters: {', '.join(e.clusters)}" if e.clusters else "",
            f"add {e.needs}" if e.needs else "",
            e.note,
            f"last checked {e.checked}" if e.checked != checked else "",
        ):
            if extra:
                print(f"{'':<17} {extra}")
    print(
        f"\nChecked {checked} from public material; anything in a config entry (url:, kind:, components:) overrides "
        "it.\nWatch one with `vendors: [ID]` (Braze: `{id: braze, cluster: US 03}`); `mopstui vendors components ID` "
        "lists its page."
    )
    return EXIT_OK
