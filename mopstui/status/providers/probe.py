"""Our own probe of what customers hit: the territory, measured by us.

A wrong status code, missing text or a failed request is a major outage; a slow answer is
degraded. (Unlike a vendor page, a probe that cannot connect *is* the measurement.)
"""

from __future__ import annotations

from ...config import Vendor
from ..model import DEGRADED, MAJOR, OPERATIONAL, Parsed
from . import Fetched, Provider, configured_url


def judge(fetched: Fetched, *, expect_status: int, expect_text: str | None, max_latency_ms: int) -> tuple[str, str]:
    """(state, reason) for one answer."""
    if fetched.status_code != expect_status:
        # in the marketer's words: `HTTP 503 (expected 200)` is the engineer's
        if fetched.status_code >= 400:
            return MAJOR, f"the page answers with an error ({fetched.status_code})"
        return MAJOR, f"the page answers {fetched.status_code}, not the {expect_status} it should"
    if expect_text and expect_text.encode("utf-8") not in fetched.body:
        return MAJOR, f"expected text {expect_text[:40]!r} missing"
    if fetched.latency_ms > max_latency_ms:
        return DEGRADED, f"slow: {fetched.latency_ms} ms (limit {max_latency_ms} ms)"
    return OPERATIONAL, f"HTTP {fetched.status_code} in {fetched.latency_ms} ms"


def parse(fetched: Fetched, vendor: Vendor) -> Parsed:
    state, _ = judge(fetched, expect_status=200, expect_text=None, max_latency_ms=2000)
    return Parsed(state)


PROVIDER = Provider("probe", configured_url, parse, own_check=True)
