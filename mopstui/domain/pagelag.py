"""How honest is a vendor's page? For each service with both a probe and a vendor: how long the
page took to admit what our probe saw (first probe failure → first problem on the page that
service follows), and the same for the recovery. From the stored observations; no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..config import Config, Service
from ..status.model import OPERATIONAL, is_problem
from . import catalog as cat

MAX_EPISODES = 10  # a vendor's history: its last episodes


@dataclass(frozen=True)
class PageLag:
    service_id: str
    vendor_id: str
    probe_failed_at: str
    page_admitted_at: str | None  # None: the page has not admitted it (yet)
    probe_recovered_at: str | None
    page_recovered_at: str | None

    @staticmethod
    def _minutes(start: str | None, end: str | None) -> float | None:
        if not start or not end:
            return None
        return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds() / 60

    @property
    def outage_lag_min(self) -> float | None:
        """Minutes from our probe's failure to the page's admission (negative: the page was first)."""
        return self._minutes(self.probe_failed_at, self.page_admitted_at)

    @property
    def recovery_lag_min(self) -> float | None:
        return self._minutes(self.probe_recovered_at, self.page_recovered_at)

    def to_dict(self) -> dict:
        return {"service": self.service_id, "vendor": self.vendor_id, "probe_failed_at": self.probe_failed_at,
                "page_admitted_at": self.page_admitted_at, "outage_lag_min": _round(self.outage_lag_min),
                "probe_recovered_at": self.probe_recovered_at, "page_recovered_at": self.page_recovered_at,
                "recovery_lag_min": _round(self.recovery_lag_min)}  # fmt: skip

    def sentence(self, vendor_name: str) -> str:
        """ "HubSpot's page admitted the outage 14 min after our probe", and the recovery."""
        lag = self.outage_lag_min
        if lag is None:
            said = f"{vendor_name}'s page has not admitted the outage our probe saw at {self.probe_failed_at[11:16]} UTC"
        elif lag < 0:
            said = f"{vendor_name}'s page admitted the outage {_words(-lag)} before our probe saw it"
        else:
            said = f"{vendor_name}'s page admitted the outage {_words(lag)} after our probe"
        recovery = self.recovery_lag_min
        if recovery is not None:
            said += f"; it showed the recovery {_words(abs(recovery))} {'after' if recovery >= 0 else 'before'} our probe"
        elif self.probe_recovered_at and self.page_admitted_at:
            said += "; it has not shown the recovery our probe saw"
        return said


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _words(minutes: float) -> str:
    return f"{minutes * 60:.0f} s" if minutes < 1 else f"{minutes:.0f} min"


def _follows(service: Service, change: dict) -> bool:
    """Whether a page observation is about what this service follows (overall or its components)."""
    if change["component"] is None:
        return True  # the page's overall word counts for every service on that vendor
    return cat.follows(service, change["vendor_id"], change["component"], change.get("group_name"))


def lags(config: Config, observations: Iterable[dict], *, vendor_id: str | None = None) -> list[PageLag]:
    """Every probe episode of every service with a probe and a vendor, oldest first."""
    changes = sorted(observations, key=lambda c: (c["seen_at"], c.get("id") or 0))
    found: list[PageLag] = []
    for service in config.services:
        if not (service.probe and service.vendor) or (vendor_id and service.vendor != vendor_id):
            continue
        probe = [c for c in changes if c["vendor_id"] == cat.probe_id(service.id) and c["component"] is None]
        page = [c for c in changes if c["vendor_id"] == service.vendor and _follows(service, c)]
        failed_at: str | None = None
        for change in probe:
            if failed_at is None and is_problem(change["state"]):
                failed_at = change["seen_at"]
            elif failed_at is not None and change["state"] == OPERATIONAL:
                found.append(_episode(service, page, failed_at, change["seen_at"]))
                failed_at = None
        if failed_at is not None:
            found.append(_episode(service, page, failed_at, None))
    return sorted(found, key=lambda lag: lag.probe_failed_at)[-MAX_EPISODES * max(1, len(config.services)) :]


def _episode(service: Service, page: list[dict], failed_at: str, recovered_at: str | None) -> PageLag:
    # The page's admission: its first problem from an hour before our probe failed (a page may be
    # first) to six hours after our probe recovered (a page may be that late); its recovery: back
    # to operational after admitting it.
    window_start, window_end = _shift(failed_at, -60), (_shift(recovered_at, 360) if recovered_at else None)
    admitted = next(
        (
            c["seen_at"]
            for c in page
            if is_problem(c["state"]) and window_start <= c["seen_at"] and (window_end is None or c["seen_at"] <= window_end)
        ),
        None,
    )
    page_recovered = None
    if admitted is not None and recovered_at is not None:
        page_recovered = next((c["seen_at"] for c in page if c["seen_at"] > admitted and c["state"] == OPERATIONAL), None)
    assert service.vendor is not None
    return PageLag(service.id, service.vendor, failed_at, admitted, recovered_at, page_recovered)


def _shift(moment: str, minutes: float) -> str:
    return (datetime.fromisoformat(moment) + timedelta(minutes=minutes)).isoformat()
