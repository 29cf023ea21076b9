"""Components as people watch them: which of a page's components a config line means.

A watched component is named the way people read the page:

- a bare name (`Forms`): the one component or group of that name, in any group;
- `Group / Name`, or `{group: Europe, name: EU}`: the one in that group;
- `{group: "", name: X}`: the top-level one, not same-named copies inside groups;
- a group's own name: the group (its own status, else the worst of its children);
- `{id: ...}`: the page's id, for pages that repeat names (incident.io's).

A name that fits several is *ambiguous*: it is unknown, with the candidates, never silently the
worst of them. When none of the watched components is on the page, the vendor is unknown, with
a "did you mean", never the page's other components. Names compare without regard to case or
repeated spaces. No I/O.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, replace

from ..config import WatchedComponent
from .model import OPERATIONAL, UNKNOWN, Component, Group, Parsed, worst

NOT_ON_PAGE = "watched components not on the page"
LISTS_NONE = "this page lists no components, only the whole page: remove `components:` to watch it whole"


def _key(text: str | None) -> str:
    return " ".join((text or "").split()).casefold()


@dataclass(frozen=True)
class Match:
    """What one watched line found: exactly one component (`found`), or why not."""

    want: WatchedComponent
    found: Component | None = None
    candidates: tuple[str, ...] = ()  # several fit: how to name each of them
    suggestions: tuple[str, ...] = ()  # none fits: the page's closest names

    @property
    def ambiguous(self) -> bool:
        return self.found is None and len(self.candidates) > 1

    def note(self) -> str:
        if self.found is not None:
            return ""
        if self.ambiguous:
            return f"{len(self.candidates)} on the page have this name; name one: " + "; ".join(self.candidates)
        hint = f"; did you mean {' or '.join(repr(s) for s in self.suggestions)}?" if self.suggestions else ""
        return "not on the page" + hint


def group_component(group: Group, children: list[Component]) -> Component:
    """A watched group: its own status, else the worst of its children."""
    state = group.state if group.state != UNKNOWN else worst(c.state for c in children)
    return Component(group.name, state, None, True, group.id)


def how_to_name(component: Component, *, is_group: bool = False, repeated: bool = False) -> str:
    """The config words that name exactly this component on its page."""
    if repeated and component.id:
        return f"{{id: {component.id}}}"
    if is_group:
        return f"{component.name} (the group)"
    return component.label() if component.group else f'{{group: "", name: {component.name}}}'


class Index:
    """A page's components and groups by their compared names, made once per page: a page of
    1,463 components is matched line by line without reading it whole for each line."""

    def __init__(self, parsed: Parsed) -> None:
        self.parsed = parsed
        self.children: dict[str, list[Component]] = {g.name: [] for g in parsed.groups}
        self.by_name: dict[str, list[Component]] = {}
        self.by_label: dict[str, list[Component]] = {}
        self.by_id: dict[str, Component] = {}
        for c in parsed.components:
            if c.group in self.children:
                self.children[c.group].append(c)
            self.by_name.setdefault(_key(c.name), []).append(c)
            if c.group:
                self.by_label.setdefault(_key(c.label()), []).append(c)
            if c.id:
                self.by_id.setdefault(c.id, c)
        self.groups: dict[str, list[Group]] = {}
        for g in parsed.groups:
            self.groups.setdefault(_key(g.name), []).append(g)

    def group(self, group: Group) -> Component:
        return group_component(group, self.children[group.name])


def match(parsed: Parsed, want: WatchedComponent, index: Index | None = None) -> Match:
    index = index if index is not None and index.parsed is parsed else Index(parsed)
    components, groups = parsed.components, parsed.groups
    if want.id is not None:
        if want.id in index.by_id:
            return Match(want, index.by_id[want.id])
        for group in groups:
            if group.id == want.id:
                return Match(want, index.group(group))
        return Match(want)
    name = _key(want.name)
    fits: list[tuple[Component, bool]] = []  # (component, is a group)
    named = index.by_name.get(name, [])
    same_groups = [(index.group(g), True) for g in index.groups.get(name, [])]
    if want.group is not None:
        in_group = _key(want.group)
        fits += [(c, False) for c in named if _key(c.group) == in_group]
        if not in_group:
            fits += same_groups
    else:
        fits += [(c, False) for c in named] + [(c, False) for c in index.by_label.get(name, []) if c not in named]
        fits += same_groups
    if len(fits) == 1:
        return Match(want, fits[0][0])
    if fits:
        labels = [f.label() for f, _ in fits]
        return Match(want, candidates=tuple(how_to_name(f, is_group=g, repeated=labels.count(f.label()) > 1) for f, g in fits))
    names = {c.label(): None for c in components} | {g.name: None for g in groups} | {c.name: None for c in components}
    folded = {_key(n): n for n in names}
    return Match(want, suggestions=tuple(folded[c] for c in _closest(_key(want.label()), list(folded))))


def _closest(wanted: str, names: list[str]) -> list[str]:
    """Names that contain the wanted words ("Claude API" → "Claude API (api.anthropic.com)"),
    else the most alike by spelling."""
    containing = [n for n in names if wanted and (wanted in n or n in wanted) and len(n) > 2]
    if containing:
        return sorted(containing, key=lambda n: abs(len(n) - len(wanted)))[:2]
    return difflib.get_close_matches(wanted, names, n=2, cutoff=0.6)


def apply(parsed: Parsed, watched: tuple[WatchedComponent, ...]) -> Parsed:
    """Mark the components the config watches; the vendor's verdict is then theirs. The others
    stay, marked not watched, for the detail. A watched one the page lacks, or names several times,
    shows as unknown with why; when none is on the page the vendor is unknown, never the page's
    word on the rest of it (an incident elsewhere on the page is not ours)."""
    if not watched:
        return parsed
    index = Index(parsed)
    matches = [match(parsed, want, index) for want in watched]
    kept: list[Component] = []
    listless = not parsed.components and not parsed.groups and not parsed.affected_only
    for found in matches:
        if found.found is not None:
            if found.found not in kept:
                kept.append(found.found)
        elif parsed.affected_only and not found.ambiguous:
            # Not among what something affects: operational by the page's own word.
            name = found.want.label() if found.want.id is None else f"id {found.want.id}"
            kept.append(Component(name, OPERATIONAL, None, True, found.want.id))
        elif listless:
            name = found.want.label() if found.want.id is None else f"id {found.want.id}"
            kept.append(Component(name, UNKNOWN, None, True, found.want.id, LISTS_NONE))
        else:
            kept.append(
                Component(
                    found.want.label() if found.want.id is None else f"id {found.want.id}",
                    UNKNOWN,
                    None,
                    True,
                    found.want.id,
                    found.note(),
                )
            )
    others = [replace(c, watched=False) for c in parsed.components if c not in kept]
    known = [c.state for c in kept if c.state != UNKNOWN]
    if known:
        missing = [m for m in matches if m.found is None and (m.ambiguous or not parsed.affected_only)]
        note = ""
        if missing:
            note = f"{len(missing)} of {len(matches)} watched components unknown: " + "; ".join(
                f"{m.want.label()} ({m.note()})" for m in missing
            )
        return replace(parsed, components=tuple(kept + others), state=worst(known), note=note)
    if any(m.found is not None for m in matches):  # on the page, but the page says nothing of them
        return replace(
            parsed, components=tuple(kept + others), state=UNKNOWN, note="the page gives no status for the watched components"
        )
    if listless:
        return replace(parsed, components=tuple(kept), state=UNKNOWN, note=LISTS_NONE)
    if all(m.ambiguous for m in matches):
        note = "watched components are ambiguous on the page: " + "; ".join(f"{m.want.label()} ({m.note()})" for m in matches)
    else:
        hints = [s for m in matches for s in m.suggestions]
        note = NOT_ON_PAGE + (f"; did you mean {' or '.join(repr(h) for h in dict.fromkeys(hints))}?" if hints else "")
    return replace(parsed, components=tuple(kept + others), state=UNKNOWN, note=note)
