"""The signals duty: run each tick by whichever session holds the room's duties (`watch`, or
the first screen open). Polls the `form` and `tag` signals when due (through the vendors'
fetcher: bounded in size and time, redirects guarded), judges every `silence` signal against
what arrived, stores each state, and writes each change to the incidents it reaches, with the
source's time and ours."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from ..base.textsafe import clean_line
from ..base.timeutil import from_store, to_store, utcnow
from ..config import Config
from ..signals import DEGRADED, DOWN, Reading, SignalState, blank, changes, step
from ..signals.deliverability import judge_deliverability
from ..signals.judge import judge_form, judge_tag, unreachable
from ..signals.silence import judge_silence, span_words
from ..signals.state import BLIND, MAX_WHY
from ..store import SQLStore, StoreError
from .metrics import read_metric


def stored_states(store: SQLStore, config: Config) -> dict[str, SignalState]:
    """Each configured signal's last stored state (a blank one for those not checked yet)."""
    stored = {k: SignalState.from_dict(v) for k, v in store.signal_state_payloads().items()}
    found = {}
    for signal in config.signals:
        state = stored.get(signal.id)
        found[signal.id] = state if state is not None and state.kind == signal.kind else blank(signal)
    return found


def arrival_times(store: SQLStore, signal: Any, now: datetime) -> list[datetime]:
    """The arrivals the judgement needs: the learning window's (or a few expected gaps'), and at
    least the last one ever, however long ago (a long silence is the point)."""
    window = signal.learn if signal.learn is not None else (signal.expect_every or timedelta(hours=1)) * 4
    rows = store.arrivals(signal.id, since=to_store(now - window)) or store.arrivals(signal.id, latest=1)
    times = []
    for row in rows:
        try:
            times.append(from_store(row["arrived_at"]))
        except ValueError:
            continue
    return times


PRUNE_EVERY = 600.0  # seconds between forgetting old arrivals


def prune_arrivals(store: SQLStore, config: Config, now: datetime) -> None:
    """Forget the arrivals no judgement reads any more (Signal.keeps_arrivals_for)."""
    for signal in config.signals:
        if signal.kind in ("silence", "deliverability", "metric"):
            store.prune_arrivals(signal.id, to_store(now - signal.keeps_arrivals_for))


class SignalDuty:
    def __init__(self, config: Config, store: SQLStore) -> None:
        self.config = config
        self.store = store
        self.due: dict[str, float] = {}
        self.pruned_at = -PRUNE_EVERY

    def _interval(self, signal: Any) -> float:
        return (signal.interval or self.config.polling.interval).total_seconds()

    async def round(self, fetcher: Any, *, force: bool = False, now: datetime | None = None) -> dict:
        if not self.config.signals:
            return {}
        clock = time.monotonic()
        due = [s for s in self.config.signals if s.polled and (force or self.due.get(s.id, 0) <= clock)]
        for signal in due:
            self.due[signal.id] = clock + self._interval(signal)
        polled = [s for s in due if s.kind in ("form", "tag")]
        metrics = [s for s in due if s.kind == "metric"]
        now = now or utcnow()
        metric_readings = asyncio.gather(*(read_metric(s, fetcher, self.store, now, self.config.tz) for s in metrics))
        outcomes = await asyncio.gather(
            *(fetcher.fetch(s.url or s.page, conditional=False, judge_any_status=True) for s in polled)
        )
        readings: dict[str, Reading] = dict(zip((s.id for s in polled), await asyncio.to_thread(self._read, polled, outcomes)))
        if len(polled) >= 2 and all(o.unreachable for o in outcomes):
            # Nothing answered at all: this host cannot see, which is not every form being down.
            readings = {k: Reading(BLIND, "nothing answered, this host may be offline", "no answer") for k in readings}
        readings.update(zip((s.id for s in metrics), await metric_readings))
        numbers = [
            (s.id, to_store(now), 1, repr(readings[s.id].number), "metric") for s in metrics if readings[s.id].number is not None
        ]
        if numbers:
            self.store.record_arrivals(numbers)  # the metric's history: the same hour of earlier weeks
        if clock - self.pruned_at >= PRUNE_EVERY:
            self.pruned_at = clock
            prune_arrivals(self.store, self.config, now)
        for signal in self.config.signals:
            if signal.kind == "silence":
                readings[signal.id] = judge_silence(signal, arrival_times(self.store, signal, now), now, self.config.tz)
            elif signal.kind == "deliverability":
                rows = self.store.arrivals(signal.id, since=to_store(now - signal.window))
                readings[signal.id] = judge_deliverability(signal, [r["value"] for r in rows], span_words(signal.window))
        return self.record(readings, now)

    @staticmethod
    def _read(polled: list, outcomes: list) -> list[Reading]:
        found = []
        for signal, outcome in zip(polled, outcomes):
            fetched = outcome.fetched
            if fetched is None:
                found.append(unreachable(outcome.reason))
            elif signal.kind == "form":
                found.append(judge_form(signal, fetched.status_code, fetched.body))
            else:
                found.append(judge_tag(signal, fetched.status_code, fetched.body, fetched.content_type))
        return found

    def record(self, readings: dict[str, Reading], now: datetime) -> dict:
        """Move each state by its reading, store them and their changes, write the evidence."""
        from .duties import record_evidence

        previous = stored_states(self.store, self.config)
        at = to_store(now)
        fresh: dict[str, SignalState] = {}
        for signal in self.config.signals:
            reading = readings.get(signal.id)
            if reading is not None:
                after = 1 if signal.kind in ("silence", "deliverability") else signal.after
                fresh[signal.id] = step(previous[signal.id], reading, after=after, now=at)
        fresh = suppressed(self.config, previous, fresh)
        found = [c for signal_id, state in fresh.items() for c in changes(previous.get(signal_id), state)]
        found += self._disagreements(previous, {**previous, **fresh}, at)
        ids = self.store.save_signal_states({k: v.to_dict() for k, v in fresh.items()}, found)
        names = {s.source_id: s.label for s in self.config.signals}
        record_evidence(self.store, self.config, found, ids, names)
        if any(s.confirms for s in self.config.signals):
            self._confirm_mitigations({**previous, **fresh})
        return {"signals": len(fresh), "signal_changes": len(found)}

    def _disagreements(self, before: dict[str, SignalState], after: dict[str, SignalState], at: str) -> list[dict]:
        """Map versus territory: one observation when a service's vendor page and its own signal
        start to disagree, one when they agree again (as the poller writes them for probes)."""
        watched = [s for s in self.config.services if s.vendor and any(g.service == s.id for g in self.config.signals)]
        if not watched:
            return []
        from ..domain import catalog as cat
        from .duties import statuses_as_ruled

        pages = statuses_as_ruled(self.store)
        was, now = cat.service_health(self.config, pages, before), cat.service_health(self.config, pages, after)
        found = []
        for service in watched:
            then_disagree, now_disagree = was[service.id].state == cat.DISAGREE, now[service.id].state == cat.DISAGREE
            if then_disagree != now_disagree:
                found.append({
                    "vendor_id": f"service:{service.id}", "component": None, "group_name": None,
                    "state": cat.DISAGREE if now_disagree else "agree",
                    "previous_state": "agree" if now_disagree else cat.DISAGREE,
                    "vendor_time": None, "seen_at": at, "reason": (now if now_disagree else was)[service.id].reason,
                })  # fmt: skip
        return found

    def _confirm_mitigations(self, states: dict[str, SignalState]) -> None:
        """Read back each logged mitigation (pause ads …) once its status signal says it happened."""
        from ..signals.mitigation import confirmations

        open_ids = {i.id for i in self.store.incidents()}
        actions = [e for e in self.store.events_of_kinds(("action",)) if e.incident_id in open_ids]
        for item in confirmations(self.config, actions, states, self.config.tz):
            try:
                self.store.append(item.incident_id, "system", item.text, author="mopstui", dedupe=item.dedupe)
            except StoreError:
                pass  # the next round writes it: the key makes it once


def suppressed(config: Config, previous: dict[str, SignalState], fresh: dict[str, SignalState]) -> dict[str, SignalState]:
    """Silence on a touchpoint whose form is down, or failing its checks, is that same cause: the
    silence says so and raises no alarm of its own (one cause, one alarm): no timeline entry, no
    weight in the touchpoint's health."""
    forms: dict[str, str] = {}
    for signal in config.signals:
        state = fresh.get(signal.id) or previous.get(signal.id)
        if signal.kind == "form" and state is not None and (state.state == DOWN or state.failures):
            forms.setdefault(signal.touchpoint, f"{signal.label} is {'down' if state.state == DOWN else 'failing its checks'}")
    result = dict(fresh)
    for signal in config.signals:
        state = fresh.get(signal.id)
        if signal.kind == "silence" and state is not None and signal.touchpoint in forms and state.state in (DEGRADED, DOWN):
            said = forms[signal.touchpoint]
            result[signal.id] = replace(
                state,
                suppressed_by=said.split(" is ")[0],
                why=clean_line(f"{state.why}; not alarmed: {said} (one cause, one alarm)", MAX_WHY),
            )
    return result
