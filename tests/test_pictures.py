"""The postmortem's pictures: an SVG timeline that parses, puts each band where the scripted
incident says, escapes every text, and renders; Mermaid blocks in the Markdown."""

from __future__ import annotations

import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest

from mopstui.base.timeutil import utcnow
from mopstui.store import Store

from .conftest import write
from .test_properties import run_main

CONFIG = """
timezone: UTC
comms: {update_every: 15m}
thresholds: {abandon: 1m, resolve: 30m}
vendors:
  - {id: hubspot, name: "HubSpot <Forms> & \\"co\\"", kind: statuspage, url: "http://127.0.0.1:9"}
services:
  - {id: lead-form, name: "Lead form: EU; #1", vendor: hubspot, touchpoint: lead capture, probe: {url: "http://127.0.0.1:9/h"}}
"""
LEFT, PLOT = 190, 800


@pytest.fixture
def exported(tmp_path):
    config_path = write(tmp_path / "c.yaml", CONFIG)
    db = tmp_path / "w.db"
    start = (utcnow() - timedelta(hours=2)).replace(microsecond=0)
    at = lambda minutes: (start + timedelta(minutes=minutes)).isoformat()  # noqa: E731
    with Store(db) as store:
        store.declare(
            "Lead form </svg><script>alert(1)</script>", severity="SEV2", author="alice", services=["lead-form"], at=start
        )
        store.append(1, "comms", "Banner up", author="sam", at=start + timedelta(minutes=5))
        store.append(1, "comms", "Still on it", author="sam", at=start + timedelta(minutes=35))
        store.set_status(1, "identified", author="alice", at=start + timedelta(minutes=20))
        store.set_status(1, "resolved", author="alice", at=start + timedelta(minutes=60))
        store.save_vendor_statuses({}, [
            {"vendor_id": "probe:lead-form", "component": None, "state": "major_outage", "previous_state": "operational",
             "seen_at": at(8)},
            {"vendor_id": "hubspot", "component": None, "state": "major_outage", "previous_state": "operational",
             "seen_at": at(10)},
            {"vendor_id": "probe:lead-form", "component": None, "state": "operational", "previous_state": "major_outage",
             "seen_at": at(38)},
            {"vendor_id": "hubspot", "component": None, "state": "operational", "previous_state": "major_outage",
             "seen_at": at(40)},
        ])  # fmt: skip
    target = tmp_path / "out" / "INC-1.md"
    target.parent.mkdir()
    code, _, err = run_main(["--config", str(config_path), "--db", str(db), "export", "1", "-o", str(target)])
    assert code == 0, err
    return target


def x_at(minutes: float) -> float:
    return round(LEFT + minutes / 60 * PLOT, 1)


def test_the_svg_puts_the_bands_where_the_incident_was(exported):
    svg = exported.with_suffix(".svg")
    root = ET.parse(svg).getroot()  # it parses: every text was escaped
    ns = {"s": "http://www.w3.org/2000/svg"}
    rects = list(root.iterfind(".//s:rect[@data-row]", ns))
    vendor_down = [r for r in rects if r.get("data-row") == "source:hubspot" and r.get("data-state") == "major_outage"]
    assert [(float(r.get("x")), float(r.get("width"))) for r in vendor_down] == [(x_at(10), round(x_at(40) - x_at(10), 1))]
    probe_down = [r for r in rects if r.get("data-row") == "source:probe:lead-form" and r.get("data-state") == "major_outage"]
    assert float(probe_down[0].get("x")) == x_at(8)
    touchpoint = [r for r in rects if r.get("data-row") == "touchpoint:lead capture" and r.get("data-state") == "major_outage"]
    assert (float(touchpoint[0].get("x")), float(touchpoint[0].get("x")) + float(touchpoint[0].get("width"))) == (
        x_at(8),
        x_at(40),
    )
    thresholds = {line.get("data-threshold"): float(line.get("x1")) for line in root.iterfind(".//s:line[@data-threshold]", ns)}
    assert thresholds == {"abandon": x_at(1), "resolve": x_at(30)}
    dues = [float(line.get("x1")) for line in root.iterfind(".//s:line[@data-due]", ns)]
    assert dues == [x_at(20), x_at(50)]  # after +5 one was due at +20 (written at +35); after +35, at +50
    assert {t.get("data-tick") for t in root.iterfind(".//s:line[@data-tick]", ns)} == {"comms", "entry"}
    text = svg.read_text()
    assert "<script>" not in text and "&lt;/svg&gt;&lt;script&gt;" in text and "HubSpot &lt;Forms&gt; &amp;" in text


def test_the_markdown_links_it_and_carries_mermaid(exported):
    markdown = exported.read_text()
    assert "![Timeline of INC-1" in markdown and "(INC-1.svg)" in markdown
    assert "```mermaid\ngantt" in markdown and "```mermaid\nflowchart LR" in markdown
    flowchart = markdown.split("```mermaid\nflowchart LR")[1].split("```")[0]
    assert '"Lead form#58; EU#59; #35;1"' in flowchart and '(["lead capture"])' in flowchart
    assert "crit," in markdown.split("```mermaid\ngantt")[1].split("```")[0]


def test_the_svg_renders(exported, tmp_path):
    if not shutil.which("rsvg-convert"):
        if os.environ.get("CI"):
            pytest.fail("rsvg-convert is missing in CI (.ci/run installs librsvg2-bin)")
        pytest.skip("rsvg-convert is not installed (apt-get install librsvg2-bin)")
    png = tmp_path / "timeline.png"
    done = subprocess.run(["rsvg-convert", "-o", str(png), str(exported.with_suffix(".svg"))], capture_output=True, timeout=30)
    assert done.returncode == 0, done.stderr
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 2000


def test_the_svg_escapes_are_the_standard_library_s():
    """pictures.escape/quoteattr stand in for xml.sax.saxutils' (whose import pulls in urllib,
    http and ssl): the same output for any text, quotes, ampersands and line breaks included."""
    from xml.sax.saxutils import escape as sax_escape
    from xml.sax.saxutils import quoteattr as sax_quoteattr

    from hypothesis import given, settings
    from hypothesis import strategies as st

    from mopstui.export.pictures import escape, quoteattr

    @settings(max_examples=500)
    @given(st.text(alphabet=st.sampled_from(list("a&<>\"'\n\r\t ;#")), max_size=12) | st.text(max_size=10))
    def check(text):
        assert escape(text) == sax_escape(text) and quoteattr(text) == sax_quoteattr(text)

    check()
