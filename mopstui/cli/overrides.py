"""The room overruling a vendor's page: `override`, `override --lift`, `overrides`."""

from __future__ import annotations

from ..base.textsafe import clean_line
from ..domain import overrides as ov
from ..domain.model import InputError
from .context import EXIT_OK, Context, _print_json


def _target(text: str) -> tuple[str, str | None]:
    """`hubspot` or `hubspot/Forms` or `hubspot/EU / Forms` -> (vendor id, component label)."""
    vendor, _, component = text.partition("/")
    return vendor.strip(), (component.strip() or None)


def cmd_override(ctx: Context) -> int:
    from ..room.duties import lift_override, set_override

    vendor_id, component = _target(ctx.args.target)
    if ctx.args.lift:
        event = lift_override(
            ctx.store, ctx.config, vendor_id=vendor_id, component=component, author=ctx.user, reason=ctx.args.reason or "lifted"
        )
        print(f"#{event.id} override on {clean_line(ctx.args.target)} lifted")
        return EXIT_OK
    if ctx.args.verdict is None:
        raise InputError("say what the room rules: down (for us) or unaffected (not us), or --lift")
    event = set_override(
        ctx.store,
        ctx.config,
        vendor_id=vendor_id,
        component=component,
        verdict=ctx.args.verdict,
        reason=ctx.args.reason or "",
        until="lifted" if ctx.args.until_lifted else "page-changes",
        author=ctx.user,
    )
    words = ov.VERDICT_WORDS[ctx.args.verdict]
    until = "until lifted" if ctx.args.until_lifted else "until the vendor's page changes"
    print(f"#{event.id} {clean_line(ctx.args.target)}: {words}, {until}")
    return EXIT_OK


def cmd_overrides(ctx: Context) -> int:
    from ..status.model import from_payloads

    found = list(ov.current(ctx.store.room_events("override")).values())  # no war-room: said, none made
    raw = from_payloads(ctx.store.vendor_status_payloads())
    rows: list[dict] = [
            {"vendor": o.vendor_id, "component": o.component, "verdict": o.verdict, "reason": o.reason, "until": o.until,
             "page_state_then": o.page_state, "page_state_now": ov.page_state(raw.get(o.vendor_id), o.component),
             "lapsed": ov.lapsed(o, raw), "author": o.author, "set_at": o.at, "event": o.event_id}
            for o in found]  # fmt: skip
    if ctx.args.json:
        _print_json(rows)
        return EXIT_OK
    if not rows:
        print("no overrides: every vendor shows as its page says")
        return EXIT_OK
    for row in rows:
        words = ov.VERDICT_WORDS.get(row["verdict"], row["verdict"])
        lapsed = " (lapsed: the page changed)" if row["lapsed"] else ""
        print(
            f"{clean_line(row['vendor'])}{' / ' + clean_line(row['component']) if row['component'] else ''}: {words}"
            f"{lapsed} — {clean_line(row['reason'], 120)} ({clean_line(row['author'])}, {row['set_at'][:16]}, "
            f"{'until lifted' if row['until'] == 'lifted' else 'until the page changes'}; page then: "
            f"{row['page_state_then'].replace('_', ' ')}, now: {row['page_state_now'].replace('_', ' ')})"
        )
    return EXIT_OK
