"""Asking the live pages: what a vendor's page really has, and whether the components a config
watches are on it, each exactly once.

`check_watched_components(config)` is the plain function `check-config --online` (and any other
health check) calls; `page_listing` is what `mopstui vendors components ID` prints.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from ..config import Config, Vendor, WatchedComponent
from .detect import Memory, check_auto
from .fetch import Fetcher, Validators
from .model import Component, Parsed
from .providers import ParseError, provider
from .watch import LISTS_NONE, Index, Match, match


@dataclass(frozen=True)
class PageRead:
    vendor: Vendor
    url: str
    parsed: Parsed | None = None
    reason: str = ""  # why there is nothing to read
    kind: str = ""  # the format it was read as (found, for `kind: auto`)


@dataclass(frozen=True)
class ComponentCheck:
    """One vendor's watched components against its live page."""

    vendor_id: str
    vendor_name: str
    problems: tuple[str, ...] = ()  # a sentence each: a watched line that is not on the page, or ambiguous
    unreadable: str = ""  # the page could not be read: nothing was compared

    @property
    def ok(self) -> bool:
        return not self.problems and not self.unreadable


async def read_pages(config: Config, vendors: list[Vendor], *, fetcher: Fetcher | None = None) -> list[PageRead]:
    """Fetch and read each vendor's page once, with the poller's bounds; never raises."""
    own = fetcher is None
    fetcher = fetcher or Fetcher(config.polling, retries=1)

    memory = Memory() if any(v.kind == "auto" for v in vendors) else None

    async def one(vendor: Vendor) -> PageRead:
        if vendor.kind == "auto" and memory is not None:
            found = await check_auto(vendor, fetcher, memory, Validators())
            return PageRead(
                vendor, found.url or vendor.url, found.parsed.sanitized() if found.parsed else None, found.reason, found.kind
            )
        chosen = provider(vendor.kind)
        url = chosen.url(vendor)
        outcome = await fetcher.fetch(url, conditional=False)
        if outcome.fetched is None:
            return PageRead(vendor, url, reason=outcome.reason + (f" from {url}" if url != vendor.url else ""))
        try:
            return PageRead(vendor, url, chosen.parse(outcome.fetched, vendor).sanitized(), kind=vendor.kind)
        except ParseError as error:
            return PageRead(vendor, url, reason=str(error))
        except Exception as error:  # a reader's bug on one page must not end the check
            return PageRead(vendor, url, reason=f"unreadable payload ({type(error).__name__})")

    try:
        return list(await asyncio.gather(*(one(v) for v in vendors)))
    finally:
        if memory is not None:
            memory.save()
        if own:
            await fetcher.aclose()


def problems(parsed: Parsed, watched: tuple[WatchedComponent, ...]) -> tuple[str, ...]:
    found = []
    if watched and not parsed.components and not parsed.groups and not parsed.affected_only:
        return (f"{LISTS_NONE} (watched: {', '.join(repr(w.label()) for w in watched)})",)
    for want in watched:
        result: Match = match(parsed, want)
        if result.found is None and (result.ambiguous or not parsed.affected_only):
            # A page listing only what is affected cannot show a calm component: absent is not wrong there.
            found.append(f"watched component {want.label()!r}: {result.note()}")
    return tuple(found)


def check_watched_components(config: Config, vendor_ids: list[str] | None = None) -> list[ComponentCheck]:
    """Every vendor that watches components (or those named), against its live page."""
    vendors = [v for v in config.vendors if v.components and v.kind != "probe" and (vendor_ids is None or v.id in vendor_ids)]
    reads = asyncio.run(read_pages(config, vendors)) if vendors else []
    return [
        ComponentCheck(r.vendor.id, r.vendor.name, unreadable=r.reason)
        if r.parsed is None
        else ComponentCheck(r.vendor.id, r.vendor.name, problems(r.parsed, r.vendor.components))
        for r in reads
    ]


# --------------------------------------------------------------------------- what a page has


def config_words(parsed: Parsed, component: Component, *, is_group: bool = False, index: Index | None = None) -> str:
    """The shortest config words that name exactly this component (or group) on this page."""
    if is_group:
        tries = [WatchedComponent(component.name), WatchedComponent(component.name, "")]
    else:
        tries = [WatchedComponent(component.name)]
        tries.append(WatchedComponent(component.name, component.group or ""))
    if component.id:
        tries.append(WatchedComponent("", None, component.id))
    for want in tries:
        found = match(parsed, want, index).found
        if found is not None and found.id == component.id and found.name == component.name:
            return _yaml(want)
    return _yaml(tries[-1])


def _yaml(want: WatchedComponent) -> str:
    def quoted(text: str) -> str:
        plain = text and not any(ch in text for ch in ":#{}[],&*!|>'\"%@`") and text.strip() == text and text[0] not in "-?"
        return text if plain else '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    if want.id is not None:
        return f"{{id: {quoted(want.id)}}}"
    if want.group == "":
        return f'{{group: "", name: {quoted(want.name)}}}'
    if want.group:
        return quoted(f"{want.group} / {want.name}")
    return quoted(want.name)


@dataclass(frozen=True)
class Row:
    label: str  # the component's name; a group's with "(group)"
    state: str
    id: str
    watch_with: str  # the config words
    is_group: bool = False
    in_group: bool = False


def page_listing(parsed: Parsed) -> list[Row]:
    """Every group (then its components) and every top-level component, in the page's order."""
    rows = []
    index = Index(parsed)
    group_names = {g.name for g in parsed.groups}
    for group in parsed.groups:
        children = index.children[group.name]
        as_component = Component(group.name, group.state, None, True, group.id)
        words = config_words(parsed, as_component, is_group=True, index=index)
        rows.append(Row(f"{group.name} (group)", index.group(group).state, group.id or "", words, is_group=True))
        rows += [Row(c.name, c.state, c.id or "", config_words(parsed, c, index=index), in_group=True) for c in children]
    rows += [
        Row(c.label(), c.state, c.id or "", config_words(parsed, c, index=index))
        for c in parsed.components
        if c.group is None or c.group not in group_names
    ]
    return rows
