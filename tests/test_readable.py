"""The story readable on screen, as an on-call marketer sees it: the real binary in tmux at 80x24
and 120x40, read back with capture-pane."""

from __future__ import annotations

import getpass
import re
import time

import pytest

from mopstui.store import Store

from .conftest import MOPSTUI, run_cli
from .tmux import Tmux

KINDS = (
    "note",
    "action",
    "decision",
    "comms",
    "customer",
    "todo",
    "lesson",
    "declared",
    "status",
    "severity",
    "role",
    "star",
    "correct",
    "system",
    "vendor",
    "catalog",
    "override",
    "edit",
    "followup",
)
HEADER = re.compile(r"^\s*(?:\d\d:\d\d:\d\d\s+)?[+-]\d+[smhd]")
SCROLLBAR = "▁▂▃▄▅▆▇█"


@pytest.fixture
def tmux():
    server = Tmux()
    yield server
    server.kill_server()


def incident_pane(screen: str) -> list[str]:
    """The rightmost pane's inside, line by line (the incident pane, whatever sits beside it)."""
    rows = []
    for line in screen.splitlines():
        line = line.rstrip()
        if not line.endswith("│"):
            continue
        inner = line[:-1]
        left = inner.rfind("│")
        rows.append(inner[left + 1 :].rstrip(SCROLLBAR + " "))
    return rows


def timeline_entries(screen: str) -> list[str]:
    """Each timeline entry as read off the screen: its first line from the text column on, and its
    wrapped lines joined to it with one space."""
    entries: list[str] = []
    inside = False
    for row in incident_pane(screen):
        kind = re.search(r"\s(" + "|".join(KINDS) + r")\s+", row[10:]) if HEADER.match(row) else None
        if kind is not None:
            entries.append(row[10 + kind.end() :].strip())
            inside = True
        elif inside and row.startswith(" " * 20) and row.strip():
            entries[-1] += " " + row.strip()
        else:
            inside = False
    return entries


def wait_for_entry(tmux: Tmux, name: str, predicate, timeout: float = 30) -> list[str]:
    deadline = time.monotonic() + timeout
    entries: list[str] = []
    while time.monotonic() < deadline:
        entries = timeline_entries(tmux.screen(name))
        if any(predicate(entry) for entry in entries):
            return entries
        time.sleep(0.2)
    raise AssertionError(f"no such entry on screen within {timeout}s; the screen was:\n{tmux.screen(name)}")


def quit_screen(tmux: Tmux, name: str) -> None:
    tmux.send(name, "q")
    assert tmux.wait_gone(name), "q did not end the screen:\n" + tmux.screen(name)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_the_demo_s_point_is_read_whole_on_screen(tmux, tmp_path, size):
    """Our probe says down, the vendor says operational: at 80x24 that entry was cut to 18
    characters (`Website chat widge…`), at 120x40 to 30. Every entry's whole text is on screen."""
    width, height = size
    tmux.start(
        "demo",
        [MOPSTUI, "demo"],
        env={"TMPDIR": str(tmp_path), "MOPSTUI_USER": "priya", "TERM": "xterm-256color"},
        width=width,
        height=height,
    )
    entries = wait_for_entry(tmux, "demo", lambda entry: "page still says" in entry)
    (database,) = tmp_path.glob("mopstui-demo-*/demo.db")
    with Store(database) as store:
        logged = [" ".join(e.text.split()) for e in store.events(1) if "page still says" in e.text]
    shown = [entry for entry in entries if "page still says" in entry]
    assert shown and all(entry in logged for entry in shown), (shown, logged)
    assert not any(entry.endswith("…") for entry in entries), entries
    quit_screen(tmux, "demo")


def test_the_real_login_shows_beside_the_chosen_name_never_cut(tmux, tmp_path, db_path):
    """`--user priya` on another account: the screen said `priya` in a 7-wide column and put the
    `(login …)` after the text, where a narrow pane cut it."""
    login = getpass.getuser()
    run_cli("--db", str(db_path), "--user", "ops", "declare", "Lead form down", "--severity", "SEV2", check=True)
    text = "Checked the form from three browsers and two networks; submissions stop at the consent step"
    run_cli("--db", str(db_path), "--user", "priya", "log", "1", text, check=True)
    tmux.start("room", [MOPSTUI, "--db", str(db_path), "--user", login], env={"TERM": "xterm-256color"}, width=80, height=24)
    wait_for_entry(tmux, "room", lambda entry: entry == text)
    assert f"priya≠login {login}" in tmux.screen("room")
    quit_screen(tmux, "room")


def demo(tmux: Tmux, tmp_path, width: int, height: int) -> None:
    tmux.start(
        "demo",
        [MOPSTUI, "demo"],
        env={"TMPDIR": str(tmp_path), "MOPSTUI_USER": "priya", "TERM": "xterm-256color"},
        width=width,
        height=height,
    )


def wait_screen(tmux: Tmux, name: str, predicate, timeout: float = 20, every: float = 0.1) -> str:
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        screen = tmux.screen(name)
        if predicate(screen):
            return screen
        time.sleep(every)
    raise AssertionError(f"the screen never showed what was waited for within {timeout}s:\n{screen}")


def settled(tmux: Tmux, name: str, timeout: float = 10) -> str:
    """The screen once two looks 0.1 s apart agree (a scroll or a redraw has ended)."""
    deadline = time.monotonic() + timeout
    before = tmux.screen(name)
    while time.monotonic() < deadline:
        time.sleep(0.1)
        now = tmux.screen(name)
        if now == before:
            return now
        before = now
    raise AssertionError(f"the screen never stood still within {timeout}s:\n{before}")


def test_at_80x24_the_incident_gets_the_width_and_the_side_panes_are_one_key_away(tmux, tmp_path):
    """At 80 columns the timeline's text column was 18 characters wide beside two side panes.
    Now the incident pane spans the screen, one line keeps the worst touchpoint and vendor in
    sight, and 2 / 3 show the services / vendors (1 or Escape comes back)."""
    demo(tmux, tmp_path, 80, 24)
    screen = wait_screen(tmux, "demo", lambda s: "page still says" in s and "≠ disagree chat" in s, timeout=30)
    lines = screen.splitlines()
    # The room strip takes one line, or two when its keys do not fit beside the names (never cut).
    top = next(i for i, line in enumerate(lines) if line.startswith("╭─ Incident"))
    assert top in (2, 3) and lines[top].rstrip().endswith("╮") and len(lines[top].rstrip()) == 80, lines[:4]
    strip = " ".join(lines[1:top])
    assert strip.startswith("≠ disagree chat via Website chat widget") and "✖ down Website chat widget" in strip, strip
    assert "2 services" in strip and "3 vendors" in strip, strip
    tmux.send("demo", "2")
    services = wait_screen(tmux, "demo", lambda s: "╭─ Services" in s and "╭─ Incident" not in s and "Touchpoint" in s)
    assert "Website lead form" in services
    tmux.send("demo", "3")
    vendors = wait_screen(tmux, "demo", lambda s: "╭─ Vendors" in s and "╭─ Services" not in s)
    assert "Website chat widget (probe)" in vendors
    tmux.send("demo", "Escape")
    wait_screen(tmux, "demo", lambda s: "╭─ Incident" in s and "╭─ Vendors" not in s)
    tmux.send("demo", "3")
    wait_screen(tmux, "demo", lambda s: "╭─ Vendors" in s)
    tmux.send("demo", "n")  # a kind key brings the entry line back into sight
    wait_screen(tmux, "demo", lambda s: "╭─ Incident" in s and "╭─ Vendors" not in s)
    tmux.send("demo", "Escape")
    time.sleep(0.5)  # or the terminal reads ESC q as Alt+q
    quit_screen(tmux, "demo")


def test_the_line_under_vendors_names_the_highlighted_row(tmux, tmp_path):
    """The highlighted row was the chat widget's probe and the line under the table still named
    AWS (`AWS 24h ? unknown · no history yet`): a probe's id holds a colon."""
    demo(tmux, tmp_path, 120, 40)
    wait_screen(tmux, "demo", lambda s: re.search(r"│ ✖ down\s+Website chat wid", s) is not None, timeout=30)
    # The poll moved the probe to the top: the highlight follows it there with no key pressed
    # (it stayed on AWS, and the line under the table spoke of AWS).
    screen = wait_screen(
        tmux, "demo", lambda s: any(line.startswith("│Website cha") and "24h" in line for line in s.splitlines()), timeout=5
    )
    assert "AWS 24h" not in screen
    tmux.send("demo", "3")  # to the vendors, then up to the probe's row, the first
    for _ in range(3):
        tmux.send("demo", "Up")
    screen = wait_screen(
        tmux, "demo", lambda s: any(line.startswith("│Website cha") and "24h" in line for line in s.splitlines()), timeout=5
    )
    assert "AWS 24h" not in screen
    time.sleep(0.3)  # a q in the same burst as the arrows is dropped as stray typing, by design
    quit_screen(tmux, "demo")


def test_the_tables_are_sized_for_their_pane_from_the_first_frame(tmux, tmp_path):
    """At 120x40 every column was 4 wide for the first second (`Serv  Tier  Owne`), laid out for
    the narrow side pane before the screen knew its width."""
    demo(tmux, tmp_path, 120, 40)
    screen = wait_screen(tmux, "demo", lambda s: "Health" in s, every=0.05)
    header = next(line for line in screen.splitlines() if "Health" in line)
    # Laid out for the pane's real width: names whole (the Owner column gives way when names need it).
    assert "Service " in header and "Touchpoint" in header and "Tier" in header, header
    assert "Serv " not in header and "Owne " not in header and "Touc " not in header, header
    quit_screen(tmux, "demo")


def test_the_help_fits_80x24_has_a_legend_and_says_how_to_read_an_entry(tmux, tmp_path, db_path):
    """`?` at 80x24 wrapped mid-phrase (`c  comms (customer` / `update)`), had no legend for
    ★ ↶ ✎ ≠ ! ◐ ▲ and did not say how to read an entry whole."""
    from mopstui.domain import catalog
    from mopstui.domain.timeline import EVIDENCE_MARK
    from mopstui.tui.widgets import STATUS_SYMBOLS

    run_cli("--db", str(db_path), "--user", "ops", "declare", "Lead form down", "--severity", "SEV2", check=True)
    # A catalog of one: with none, a 15-second notice about the empty catalog sits over the help's
    # right column (where `c  comms (update)` is) for as long as a page takes to read.
    config = tmp_path / "one-service.yaml"
    config.write_text("services:\n  - {id: lead-form, name: Website lead form, tier: 1}\n")
    argv = [MOPSTUI, "--config", str(config), "--db", str(db_path), "--user", "ops"]
    tmux.start("room", argv, env={"TERM": "xterm-256color"}, width=80, height=24)
    tmux.wait_for("room", "Lead form down")
    tmux.send("room", "?")
    from mopstui.tui.help import help_lines

    # Its start only: a notice may sit over the right half of the screen.
    last = next(line for line in reversed(help_lines()) if line.strip()).strip()[:20]
    tmux.wait_for("room", "Reading the story")
    pages = [settled(tmux, "room")]
    for _ in range(12):  # scroll to the end, a page at a time, each page read once it is drawn
        if last in pages[-1]:
            break
        tmux.send("room", "PageDown")
        wait_screen(tmux, "room", lambda s, before=pages[-1]: s != before, timeout=10)
        pages.append(settled(tmux, "room"))  # a page scrolls in steps: read it once it stands still
    assert last in pages[-1], "the help's last line was never reached"
    shown = "\n".join(pages)
    lines = {line.strip(" │┃▎▊█▌▐▆▇▅▄▃▂▁") for page in pages for line in page.splitlines()}
    assert "c  comms (update)" in shown and not any(line == "update)" for line in lines)
    assert "Every entry is shown whole" in shown and "What the marks mean" in shown
    marks = set("★↶✎⊘≠!~└⋯") | {EVIDENCE_MARK} | set(catalog.SYMBOLS.values()) | set(STATUS_SYMBOLS.values())
    legend = shown.split("What the marks mean", 1)[1]
    assert {mark for mark in marks if mark not in legend} == set()
    tmux.send("room", "Escape")
    time.sleep(0.5)
    quit_screen(tmux, "room")


def test_plain_words_durations_with_units_and_times_to_the_second(db_path):
    """`ELAPSED 01:16` read as a clock time; the vendor detail showed the stored
    `2026-12-06T14:48:27.709908+00:00`."""
    from datetime import UTC, datetime, timedelta

    from mopstui.base.timeutil import zone
    from mopstui.tui.vendor_detail import when

    started = datetime.now(UTC) - timedelta(hours=1, minutes=16, seconds=5)
    with Store(db_path) as store:
        store.declare("Lead form down", severity="SEV2", author="ops", at=started)
    listed = run_cli("--db", str(db_path), "incidents", check=True).stdout
    assert "OPEN FOR" in listed and "1h 16m" in listed and "ELAPSED" not in listed, listed
    now = datetime(2026, 12, 6, 14, 50, 0, tzinfo=UTC)
    shown = when("2026-12-06T14:48:27.709908+00:00", zone("Europe/Berlin"), now)
    assert shown == "15:48:27 (1m 32s ago)"
    assert when("2026-12-05T14:48:27+00:00", zone("UTC"), now).startswith("Sat 05 Dec 14:48:27")
    assert when(None, zone("UTC")) == "never"


def test_one_glossary_in_the_docs_and_the_code():
    """The README's "Words on the screen" names every word and mark of the vocabulary module."""
    from mopstui.domain.vocabulary import GLOSSARY, SYMBOLS

    from .conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Words on the screen", 1)[1].split("\n## ", 1)[0]
    rows = {line.split("|")[1].strip().strip("`") for line in section.splitlines() if line.startswith("| ")}
    assert {term for term, _ in GLOSSARY} <= rows
    assert {symbol for symbol, _ in SYMBOLS if symbol} <= rows
