"""Reading what a fetched page says about a lead form or a tag container. No I/O: the room's duty
fetches (bounded in size and time like vendor pages) and hands the answer here.

A bot wall is not an outage: a challenge page (403/429/503 saying "checking your browser", a
captcha), a 429, or the signal's own `blocked_selector` means we cannot see, never down."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..base.textsafe import clean_line
from .state import BLIND, FAIL, PASS, Reading

if TYPE_CHECKING:
    from selectolax.lexbor import LexborHTMLParser

    from ..config.signals import Signal

# Words and markers the common bot walls and challenges put on their pages (Cloudflare, Akamai,
# PerimeterX, DataDome, Imperva, Sucuri, hCaptcha / reCAPTCHA).
CHALLENGE = re.compile(
    rb"checking your browser|just a moment|cf-challenge|challenge-platform|cf_chl_|attention required|"
    rb"captcha|px-captcha|datadome|incapsula|sucuri website firewall|are you a robot|verify you are human|"
    rb"access denied|ddos protection",
    re.IGNORECASE,
)
CHALLENGE_STATUS = (403, 429, 503)
JS_TYPES = ("javascript", "ecmascript")


def challenged(status: int, body: bytes, headers: dict[str, str] | None = None) -> str | None:
    """Why the answer is a bot wall, or None."""
    if (headers or {}).get("cf-mitigated", "").lower() == "challenge":
        return f"a bot wall answered (HTTP {status}, challenge)"
    if status == 429:
        return "the site is rate-limiting us (HTTP 429)"
    if status in CHALLENGE_STATUS and CHALLENGE.search(body[:65536]):
        return f"a bot wall or challenge answered (HTTP {status})"
    return None


def _tree(body: bytes) -> LexborHTMLParser:
    from selectolax.lexbor import LexborHTMLParser

    return LexborHTMLParser(body.decode("utf-8", "replace"))


def unreachable(reason: str) -> Reading:
    return Reading(FAIL, f"the page did not answer ({reason})", "no answer")


def judge_form(signal: Signal, status: int, body: bytes, headers: dict[str, str] | None = None) -> Reading:
    """Healthy when the page answers 200 and the selector matches."""
    wall = challenged(status, body, headers)
    if wall:
        return Reading(BLIND, wall, f"HTTP {status}")
    tree = _tree(body)
    if signal.blocked_selector and tree.css_first(signal.blocked_selector) is not None:
        return Reading(BLIND, "a bot wall or challenge is on the page (blocked_selector matches)", f"HTTP {status}")
    if status != 200:
        return Reading(FAIL, f"the form's page answered HTTP {status}", f"HTTP {status}")
    assert signal.selector is not None  # a form signal's config cannot leave it out (config/signals.py)
    if tree.css_first(signal.selector) is None:
        # the selector itself means nothing to a marketer: the line already names the form
        return Reading(FAIL, "form missing from its page", "form missing")
    return Reading(PASS, "the form is on its page", "form found")


def judge_tag(signal: Signal, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> Reading:
    """The container serves: its script answers 200 with enough JavaScript, or the page still loads it."""
    wall = challenged(status, body, headers)
    if wall:
        return Reading(BLIND, wall, f"HTTP {status}")
    if status != 200:
        what = "the container's script" if signal.url else "the page"
        hint = " (not published, or the id is wrong?)" if status == 404 and signal.url else ""
        return Reading(FAIL, f"{what} answered HTTP {status}{hint}", f"HTTP {status}")
    if signal.page:
        return _page_loads(signal, body)
    size = len(body)
    looks_html = body.lstrip()[:1] == b"<" or "html" in content_type.lower()
    if looks_html and not any(t in content_type.lower() for t in JS_TYPES):
        return Reading(FAIL, "the container's address answers a web page, not JavaScript", _size(size))
    if size < signal.min_bytes:
        return Reading(
            FAIL, f"the container serves only {_size(size)} (a published one is at least {_size(signal.min_bytes)})", _size(size)
        )
    return Reading(PASS, f"the container serves {_size(size)} of JavaScript", _size(size))


def _page_loads(signal: Signal, body: bytes) -> Reading:
    container = signal.container or ""
    tree = _tree(body)
    for script in tree.css("script"):
        src = script.attributes.get("src") or ""
        if container in src or container in (script.text(deep=False) or ""):
            return Reading(PASS, f"the page loads {clean_line(container, 40)}", "tag on page")
    return Reading(FAIL, f"the page no longer loads {clean_line(container, 40)}", "tag missing")


def _size(size: int) -> str:
    return f"{size / 1024:.0f} KB" if size >= 10240 else f"{size:,} bytes"
