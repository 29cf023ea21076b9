"""One round of checks: every due vendor page and probe fetched, then read, into a state each.

`poll` is the round (used by `mopstui status`, `doctor`, the demo and the poller); a check is split
in two, its network half (`fetch_target`) and its reading half (`judge_target`, `judge_detected`),
so that reading a big page never runs on the loop that times the requests. `status_rows` is the
shape `mopstui status --json` prints.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, replace

from ..base.timeutil import utcnow
from ..config import Config, Probe, Vendor
from ..domain import catalog as cat
from ..status import watch
from ..status.detect import Detection, Memory, check_auto
from ..status.fetch import Fetcher, Outcome, Validators
from ..status.model import Parsed, VendorStatus, grouped
from ..status.providers import ParseError, provider
from ..status.providers.probe import judge
from .moves import carried_move

CANNOT_SEE = "we cannot see: nothing answered, this host may be offline"


@dataclass(frozen=True)
class Target:
    """One thing to poll: a vendor's status page, or a service's own probe."""

    id: str
    name: str
    kind: str
    url: str
    interval: float
    vendor: Vendor | None = None
    probe: Probe | None = None


def targets(config: Config) -> list[Target]:
    default = config.polling.interval.total_seconds()
    found = [
        Target(
            v.id,
            v.name,
            v.kind,
            v.url if v.kind == "auto" else provider(v.kind).url(v),
            (v.interval.total_seconds() if v.interval else default),
            vendor=v,
        )
        for v in config.vendors
    ]
    found += [
        Target(cat.probe_id(s.id), f"{s.name} (probe)", "probe", s.probe.url, default, probe=s.probe)
        for s in config.services
        if s.probe
    ]
    return found


async def fetch_target(target: Target, fetcher: Fetcher, validators: Validators, slot: int) -> Outcome:
    """The network half of a check: only I/O, so nothing else on this loop skews its timing."""
    if target.probe is not None:
        return await fetcher.fetch(target.url, slot=slot, conditional=False, judge_any_status=True)
    return await fetcher.fetch(target.url, validators, slot=slot)


def judge_target(target: Target, outcome: Outcome, previous: VendorStatus, checked_at: str) -> tuple[VendorStatus, Validators]:
    """The reading half of a check: parse and judge what was fetched; never raises."""
    if target.probe is not None:
        if outcome.fetched is None:
            # Our own probe failing to connect is the measurement: customers cannot connect either.
            failed = replace(
                previous,
                state="major_outage",
                stale=False,
                reason=outcome.reason,
                checked_at=checked_at,
                last_good_at=checked_at,
                latency_ms=outcome.latency_ms,
            )
            return failed, outcome.validators
        state, reason = judge(
            outcome.fetched,
            expect_status=target.probe.expect_status,
            expect_text=target.probe.expect_text,
            max_latency_ms=int(target.probe.max_latency.total_seconds() * 1000),
        )
        measured = previous.with_parsed(Parsed(state), checked_at=checked_at, latency_ms=outcome.latency_ms)
        return replace(measured, reason=reason), outcome.validators
    assert target.vendor is not None  # a target is a probe or a vendor
    if outcome.skipped:
        return previous.with_failure(outcome.reason, checked_at=previous.checked_at or checked_at), outcome.validators
    if outcome.not_modified and previous.last_good_at:
        fresh = replace(
            previous,
            stale=False,
            reason="" if previous.stale else previous.reason,
            checked_at=checked_at,
            last_good_at=checked_at,
            latency_ms=outcome.latency_ms,
        )
        return fresh, outcome.validators
    if outcome.fetched is None:
        reason = outcome.reason
        if reason.startswith("HTTP 4") and target.url != target.vendor.url:
            reason += f" from {target.url}"  # the URL we made from the configured one: say which
        return previous.with_failure(reason, checked_at=checked_at, latency_ms=outcome.latency_ms), outcome.validators
    try:
        parsed = provider(target.kind).parse(outcome.fetched, target.vendor)
    except ParseError as error:
        return previous.with_failure(str(error), checked_at=checked_at, latency_ms=outcome.latency_ms), Validators()
    except Exception as error:  # a provider's bug on one vendor's payload must not end the round
        reason = f"unreadable payload ({type(error).__name__})"
        return previous.with_failure(reason, checked_at=checked_at, latency_ms=outcome.latency_ms), Validators()
    parsed = watch.apply(parsed.sanitized(), target.vendor.components)
    return previous.with_parsed(parsed, checked_at=checked_at, latency_ms=outcome.latency_ms), outcome.validators


def judge_detected(target: Target, found: Detection, previous: VendorStatus, checked_at: str) -> tuple[VendorStatus, Validators]:
    """A `kind: auto` vendor's check: read as the format it was found to speak."""
    assert target.vendor is not None
    moved_from, moved_at, note = carried_move(found, previous)

    def moved(status: VendorStatus) -> VendorStatus:
        return replace(status, moved_from=moved_from, moved_at=moved_at)

    if found.parsed is not None:
        parsed = watch.apply(found.parsed.sanitized(), target.vendor.components)
        if note:
            parsed = replace(parsed, note="; ".join(n for n in (note, parsed.note) if n))
        status = previous.with_parsed(parsed, checked_at=checked_at, latency_ms=found.outcome.latency_ms)
        return moved(replace(status, kind=found.kind)), found.outcome.validators
    if found.reason:
        failed = previous.with_failure(found.reason, checked_at=checked_at, latency_ms=found.outcome.latency_ms)
        return moved(failed), Validators()
    status, valid = judge_target(replace(target, kind=found.kind, url=found.url), found.outcome, previous, checked_at)
    return moved(status), valid


def blank_status(target: Target) -> VendorStatus:
    return VendorStatus(target.id, target.name, target.kind)


async def poll(
    config: Config,
    *,
    fetcher: Fetcher | None = None,
    previous: dict[str, VendorStatus] | None = None,
    validators: dict[str, Validators] | None = None,
    only: list[Target] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, VendorStatus]:
    """One round over `only` (default: every target). Fills `validators` for the next round.

    Every target is fetched first and read after, in a worker thread: parsing a big page on the
    loop that times the requests would add its CPU time to every request in flight (a 50 ms
    probe measured 400-700 ms next to a dozen pages). `progress(done, total)` follows the fetches.
    """
    own_fetcher = fetcher is None
    fetcher = fetcher or Fetcher(config.polling)
    previous = previous or {}
    validators = validators if validators is not None else {}
    chosen = only if only is not None else targets(config)
    done = 0
    memory = Memory() if any(t.kind == "auto" for t in chosen) else None
    detections: dict[str, Detection] = {}

    async def fetch_one(target: Target, slot: int) -> tuple[Outcome, str]:
        nonlocal done
        if memory is not None and target.kind == "auto" and target.vendor is not None:
            found = await check_auto(target.vendor, fetcher, memory, validators.get(target.id, Validators()), slot=slot)
            detections[target.id] = found
            outcome = found.outcome
        else:
            outcome = await fetch_target(target, fetcher, validators.get(target.id, Validators()), slot)
        done += 1
        if progress is not None:
            progress(done, len(chosen))
        return outcome, utcnow().isoformat()

    try:
        outcomes = await asyncio.gather(*(fetch_one(t, slot) for slot, t in enumerate(chosen)))
    finally:
        if own_fetcher:
            await fetcher.aclose()
        if memory is not None:
            memory.save()

    def read_all() -> list[tuple[VendorStatus, Validators]]:
        # A vendor whose config names its format has no move to tell of (any earlier one is settled).
        return [
            judge_detected(t, detections[t.id], previous.get(t.id) or blank_status(t), at)
            if t.id in detections
            else judge_target(t, outcome, replace(previous.get(t.id) or blank_status(t), moved_from="", moved_at=""), at)
            for t, (outcome, at) in zip(chosen, outcomes)
        ]

    results = await asyncio.to_thread(read_all)
    statuses = {}
    for target, (status, valid) in zip(chosen, results):
        statuses[target.id] = status
        validators[target.id] = valid
    if len(chosen) >= 2 and all(outcome.unreachable for outcome, _ in outcomes):
        # Nothing answered at all: this host cannot see, which is not an outage of our probes'
        # sites ("customers cannot buy"); every target is unknown, with the reason.
        for target in chosen:
            if target.probe is not None:
                before = previous.get(target.id) or blank_status(target)
                statuses[target.id] = before.with_failure(
                    f"{CANNOT_SEE} ({statuses[target.id].reason})",
                    checked_at=statuses[target.id].checked_at or utcnow().isoformat(),
                )
    return statuses


def status_rows(statuses: dict[str, VendorStatus], order: list[str]) -> list[dict]:
    """The `mopstui status --json` shape: one object per vendor or probe."""
    rows = []
    for target_id in order:
        s = statuses[target_id]
        rows.append({
            "id": s.id, "name": s.name, "kind": s.kind, "state": s.state, "stale": s.stale, "reason": s.reason,
            "checked_at": s.checked_at, "latency_ms": s.latency_ms,
            "override": s.override or None, "page_state": s.page_state or s.state,
            "components": [{"name": c.name, "group": c.group, "state": c.state, "watched": c.watched, "id": c.id,
                            "note": c.note}
                           for c in grouped(s.components)],
            "incidents": [{"title": i.title, "impact": i.impact, "status": i.status, "updated_at": i.updated_at,
                           "latest_update": i.latest_update} for i in s.incidents],
            "maintenances": [{"title": m.title, "status": m.status, "starts_at": m.starts_at, "ends_at": m.ends_at}
                             for m in s.maintenances],
        })  # fmt: skip
    return rows
