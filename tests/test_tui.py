"""Pilot tests of the war-room screen: actions end up as events; state shows what the log says.

The long walks through several dialogs, two screens at once and the repeated cases are marked
slow: `make test` runs them, `make test-fast` keeps one screen test per feature."""

from datetime import datetime, timedelta

import pytest
from textual.widgets import Input, OptionList, SelectionList

from mopstui.base.timeutil import UTC, utcnow
from mopstui.domain.grammar import Entry, parse_entry
from mopstui.store import Store
from mopstui.tui.screens import DeclareScreen

from .conftest import run_cli
from .tui_helpers import Clock, Said, choose, make_app, make_config, timeline, type_entry, wait_for


def events_of(db_path, incident=1):
    with Store(db_path) as store:
        return store.events(incident)


@pytest.mark.slow
async def test_declare_with_services_picked_by_touchpoint(config, db_path):
    app = make_app(config)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("N")
        assert isinstance(app.screen, DeclareScreen)
        app.screen.query_one("#declare-title", Input).value = "Forms down everywhere"
        touchpoints = app.screen.query_one("#declare-touchpoints", SelectionList)
        touchpoints.toggle("lead capture")
        services = app.screen.query_one("#declare-services", SelectionList)
        await wait_for(pilot, lambda: set(services.selected) == {"lead-form", "landing"}, message="the touchpoint's services")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.current is not None, message="the new incident")
        assert app.current.title == "Forms down everywhere"
        assert set(app.current.services) == {"lead-form", "landing"}
        assert app.current.severity == "SEV2"
    kinds = [e.kind for e in events_of(db_path)]
    assert kinds[:2] == ["declared", "catalog"]


async def test_declare_needs_a_title(config, db_path):
    app = make_app(config)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("N")
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, DeclareScreen)  # still open, with an error
    with Store(db_path) as store:
        assert store.count_events() == 0


@pytest.mark.parametrize(
    "key, kind",
    [
        ("n", "note"),
        ("c", "comms"),  # the two a change most often touches; the other kinds in the whole suite
        *(pytest.param(*case, marks=pytest.mark.slow) for case in [("a", "action"), ("d", "decision"), ("u", "customer")]),
        *(pytest.param(*case, marks=pytest.mark.slow) for case in [("t", "action_item"), ("l", "lesson")]),
    ],
)
async def test_logging_each_kind_with_one_key(config, declared, key, kind):
    app = make_app(config)
    async with app.run_test(size=(100, 30)) as pilot:
        await type_entry(pilot, key, f"a {kind} entry")
        await wait_for(pilot, lambda: any(e.text == f"a {kind} entry" for e in timeline(app).events), message="the entry")
        assert timeline(app).pending == []
    logged = [e for e in events_of(declared) if e.text == f"a {kind} entry"]
    assert len(logged) == 1 and logged[0].kind == kind and logged[0].author == "alice"


async def test_prefixes_choose_the_kind_and_back_date(config, declared):
    clock = Clock()
    app = make_app(config, clock=clock)
    earlier = (clock() - timedelta(minutes=5)).astimezone(UTC).strftime("%H:%M")
    async with app.run_test(size=(100, 30)) as pilot:
        await type_entry(pilot, "n", "/comms Posted a banner on the site")
        await type_entry(pilot, "n", "!Rolled back the GTM container")
        await type_entry(pilot, "n", f"@{earlier} first customer complaint")
        await wait_for(pilot, lambda: len(timeline(app).events) >= 4, message="three entries")
    by_text = {e.text: e for e in events_of(declared)}
    assert by_text["Posted a banner on the site"].kind == "comms"
    assert by_text["Rolled back the GTM container"].kind == "action"
    backdated = by_text["first customer complaint"]
    assert backdated.backdated and backdated.occurred_at.strftime("%H:%M") == earlier


def test_parse_entry_refuses_a_bad_time():
    from mopstui.base.timeutil import TimeError, utcnow

    with pytest.raises(TimeError):
        parse_entry("@99:99 x", "note", UTC, utcnow())
    assert parse_entry("//unknown x", "note", UTC, utcnow()) == Entry("note", "/unknown x", None)


async def test_status_severity_role_resolve(config, declared):
    app = make_app(config)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("s")
        await choose(pilot, "identified")
        await wait_for(pilot, lambda: app.current.status == "identified", message="status")
        await pilot.press("v")
        await choose(pilot, "SEV1")
        await wait_for(pilot, lambda: app.current.severity == "SEV1", message="severity")
        await pilot.press("r")
        await choose(pilot, "comms")
        await choose(pilot, "alice")
        await wait_for(pilot, lambda: app.current.roles.get("comms") == "alice", message="role")
        await pilot.press("R")
        await choose(pilot, "resolved")
        await wait_for(pilot, lambda: app.current is not None and app.current.resolved, message="resolved")
    kinds = [e.kind for e in events_of(declared)]
    assert kinds.count("status") == 2 and "severity" in kinds and "role" in kinds


async def test_star_and_correct_the_selected_entry(config, declared):
    with Store(declared) as store:
        wrong = store.append(1, "note", "Form broke at 10:15", author="bob")
    app = make_app(config)
    async with app.run_test(size=(100, 30)) as pilot:
        timeline(app).focus()
        await pilot.pause()
        timeline(app).move_cursor(timeline(app).events.index(next(e for e in timeline(app).events if e.id == wrong.id)))
        await pilot.press("asterisk")
        await wait_for(pilot, lambda: wrong.id in timeline(app).notes.starred, message="the star")
        await pilot.press("e")
        prompt = app.screen.query_one(Input)
        assert prompt.value == "Form broke at 10:15"
        prompt.value = "Form broke at 10:05"
        await pilot.press("enter")
        await wait_for(pilot, lambda: wrong.id in timeline(app).notes.corrections, message="the correction")
    events = events_of(declared)
    correction = next(e for e in events if e.kind == "correction")
    assert correction.ref == wrong.id and correction.text == "Form broke at 10:05"
    assert next(e for e in events if e.id == wrong.id).text == "Form broke at 10:15"  # never edited


async def test_star_without_a_selection_explains(config, declared):
    app = make_app(config)
    async with app.run_test(size=(100, 30)) as pilot:
        timeline(app).cursor = -1
        await pilot.press("asterisk")
        await pilot.pause()
    assert not any(e.kind == "star" for e in events_of(declared))


def clocks_shown(app) -> list:
    """The clocks the war-room shows for the current incident, as its last once-a-second tick saw them."""
    return [bar.clock for bar in app.war_room.query("ClockBar")]


async def test_clocks_cross_thresholds_once_with_an_injected_clock(config, db_path):
    clock = Clock()
    with Store(db_path) as store:
        store.declare("x", severity="SEV3", author="alice", at=clock())
    app = make_app(config, clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        # The screen's own once-a-second tick reads the moved clock: each step waits for it.
        clock.advance(seconds=59)
        await wait_for(pilot, lambda: clocks_shown(app)[0].elapsed >= timedelta(seconds=59), message="a tick at 59 s")
        assert not [e for e in events_of(db_path) if e.kind == "system"]
        assert [c.crossed for c in clocks_shown(app)] == [False, False, False]
        clock.advance(seconds=2)
        await wait_for(pilot, lambda: any(e.kind == "system" for e in events_of(db_path)), message="the crossing")
        assert [c.crossed for c in clocks_shown(app)] == [True, False, False]
        assert "OVER" in app.war_room.query("ClockBar").first().render_text()
        assert app.bells == 1
        clock.advance(minutes=15)  # the update-due clock falls overdue too
        await wait_for(pilot, lambda: sum(e.kind == "system" for e in events_of(db_path)) == 2, message="overdue")
        await wait_for(pilot, lambda: app.bells == 2, message="the second bell")
    system = [e for e in events_of(db_path) if e.kind == "system"]
    assert [e.dedupe for e in system] == ["INC-1:threshold:abandon", "INC-1:overdue:0"]
    assert system[0].occurred_at == clock.value - timedelta(minutes=15, seconds=1)  # when it was crossed


async def test_a_comms_entry_resets_the_update_clock(config, db_path):
    clock = Clock()
    with Store(db_path) as store:
        store.declare("x", severity="SEV3", author="alice", at=clock() - timedelta(minutes=14))
    app = make_app(config, clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await type_entry(pilot, "c", "Banner posted")
        await wait_for(pilot, lambda: app.state.comms.get(1) is not None, message="comms")
        await wait_for(pilot, lambda: clocks_shown(app)[-1].elapsed < timedelta(minutes=1), message="the update clock reset")
        assert clocks_shown(app)[-1].kind == "update"


@pytest.mark.slow
async def test_two_sessions_write_a_crossing_exactly_once(config, db_path):
    clock = Clock()
    with Store(db_path) as store:
        store.declare("x", severity="SEV3", author="alice", at=clock() - timedelta(minutes=2))
    first, second = make_app(config, "alice", clock=clock), make_app(config, "bob", clock=clock)
    async with first.run_test(size=(100, 30)) as p1, second.run_test(size=(100, 30)) as p2:
        # Both screens' own once-a-second ticks see the crossing; each writes what it saw, and
        # both then read the war-room back: the line is there once, whoever wrote it.
        for app, pilot in ((first, p1), (second, p2)):
            await wait_for(
                pilot, lambda app=app: app.war_room.query("ClockBar") and clocks_shown(app)[0].crossed, message="the crossing"
            )
        for app, pilot in ((first, p1), (second, p2)):
            await wait_for(
                pilot, lambda app=app: any(e.kind == "system" for e in timeline(app).events), message="the line, read back"
            )
    thresholds = [e for e in events_of(db_path) if e.dedupe == "INC-1:threshold:abandon"]
    assert len(thresholds) == 1


async def test_another_process_entry_appears_within_a_second(config, declared):
    app = make_app(config)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: bool(timeline(app).events), message="the timeline")
        result = run_cli("--db", str(declared), "--user", "bob", "log", "1", "Written from the CLI")
        assert result.returncode == 0, result.stderr
        await wait_for(
            pilot,
            lambda: any(e.text == "Written from the CLI" for e in timeline(app).events),
            timeout=1.0,
            message="the CLI entry",
        )
        assert True


@pytest.mark.slow
async def test_a_new_entry_draws_one_line_and_a_star_redraws_the_line_it_marks(config, declared):
    """With 50 screens on a host, each entry made every screen redraw its whole timeline (a new
    line scrolls all of them up): lines are kept by event, so only the new one is drawn, and a
    star or a correction from another session redraws the line it marks, with its mark."""
    with Store(declared) as store:
        earlier = [store.append(1, "note", f"earlier {n}", author="bob") for n in range(10)]
    app = make_app(config)
    async with app.run_test(size=(120, 40)) as pilot:
        view = timeline(app)
        await wait_for(pilot, lambda: len(view.events) == 11, message="the timeline")
        await pilot.pause()
        drawn: list[int] = []
        original = view._render_event
        view._render_event = lambda event, width, highlighted: drawn.append(event.id) or original(event, width, highlighted)
        with Store(declared) as store:
            new = store.append(1, "note", "from another session", author="bob")
        await wait_for(pilot, lambda: new.id in drawn, message="the new line drawn")
        await pilot.pause()
        assert drawn == [new.id]
        drawn.clear()
        with Store(declared) as store:
            star = store.star(1, earlier[3].id, author="bob")
        await wait_for(pilot, lambda: earlier[3].id in drawn, message="the starred line redrawn")
        await pilot.pause()
        assert sorted(drawn) == [earlier[3].id, star.id]  # the marked line, and the star's own line
        assert any("★" in line and "earlier 3" in line for line in view.visible_lines())


@pytest.mark.slow
async def test_presence_lists_who_is_in_the_room(config, declared):
    first, second = make_app(config, "alice"), make_app(config, "bob")
    async with first.run_test(size=(100, 30)) as p1, second.run_test(size=(100, 30)):
        await wait_for(p1, lambda: "bob" in str(first.q("#room").render()), message="bob in alice's room line")
    with Store(declared) as store:
        assert store.present() == []  # both left cleanly
        assert {s["user"] for s in store.sessions_between(utcnow() - timedelta(minutes=1), utcnow())} == {"alice", "bob"}


INJECTIONS = ["[bold red]x[/]", "[@click=app.quit]click me[/]", "\x1b[2Jcleared?", "[/", "[link=http://evil]y[/link]"]


# Markup and an escape sequence in the fast run; the other three in the whole suite.
FAST_INJECTIONS = ("[bold red]x[/]", "\x1b[2Jcleared?")


@pytest.mark.parametrize("hostile", [h if h in FAST_INJECTIONS else pytest.param(h, marks=pytest.mark.slow) for h in INJECTIONS])
async def test_hostile_text_is_shown_literally(config, declared, hostile):
    result = run_cli("--db", str(declared), "--user", "mallory[/]", "log", "1", f"note {hostile} end")
    assert result.returncode == 0
    app = make_app(config)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(pilot, lambda: any(e.author == "mallory[/]" for e in timeline(app).events), message="the entry")
        view = timeline(app)
        line = next(i for i, e in enumerate(view.events) if e.author == "mallory[/]")
        view.scroll_to(y=0, animate=False, immediate=True)
        await pilot.pause()
        rendered = view.entry_text_shown(line)
        shown = hostile.replace("\x1b[2J", "")
        assert " ".join(f"note {shown}".split())[:25] in rendered
        assert "\x1b" not in rendered
        await pilot.click("#timeline")
        assert app.is_running  # no markup action was triggered
    assert app.return_code in (None, 0)


async def test_hostile_incident_title_and_config(tmp_path, db_path):
    from .tui_helpers import CONFIG

    config = make_config(tmp_path, db_path, CONFIG.replace("name: Lead form,", 'name: "[red]Lead[/] \\x1b[31mform",'))
    with Store(db_path) as store:
        store.declare("[@click=app.quit]Title[/]", severity="SEV1", author="a")
    app = make_app(config)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: "[@click=app.quit]Title[/]" in str(app.q("#summary").render()), message="the title")
        assert app.is_running


@pytest.mark.slow
async def test_search_and_filter(config, declared):
    with Store(declared) as store:
        store.append(1, "note", "Forms endpoint returns 503", author="alice")
        store.append(1, "comms", "Status banner posted", author="bob")
    app = make_app(config)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("slash")
        app.screen.query_one(Input).value = "forms"
        await pilot.press("enter")
        await pilot.pause()
        assert [e.text for e in timeline(app).events] == ["Forms endpoint returns 503"]
        await pilot.press("slash")
        app.screen.query_one(Input).value = "kind:comms author:bob"
        await pilot.press("enter")
        await pilot.pause()
        assert [e.text for e in timeline(app).events] == ["Status banner posted"]
        await pilot.press("escape")
        await pilot.pause()
        assert len(timeline(app).events) == 3


async def test_switching_incidents(config, db_path):
    with Store(db_path) as store:
        store.declare("first", severity="SEV3", author="a")
        store.declare("second", severity="SEV2", author="a")
    app = make_app(config)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert app.current.title == "second"
        await pilot.press("left_square_bracket")
        assert app.current.title == "first"
        assert "[1/2]" in str(app.q("#summary").render())


@pytest.mark.slow
async def test_help_screen_and_palette_commands(config, declared):
    app = make_app(config)
    async with app.run_test(size=(100, 34)) as pilot:
        await pilot.press("question_mark")
        assert app.screen.__class__.__name__ == "HelpScreen"
        # how to close it is said at the top, not only two pages down
        body = app.screen.query_one("#help-body")
        first = body.children[0]
        assert "Escape to close" in str(first.render()) and first.region.y <= body.region.y + 2
        await pilot.press("escape")
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for name in ("declare", "log", "set-status", "set-severity", "role", "star", "correct", "resolve", "export"):
            assert name in titles


async def test_a_slow_write_shows_pending_then_confirmed(config, declared):
    import sqlite3

    blocker = sqlite3.connect(declared, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    app = make_app(config)
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await type_entry(pilot, "n", "typed while locked")
            await wait_for(pilot, lambda: [p.text for p in timeline(app).pending] == ["typed while locked"], message="pending")
            assert app.is_running  # the screen did not freeze
            blocker.execute("COMMIT")
            await wait_for(pilot, lambda: not timeline(app).pending, timeout=15, message="confirmation")
            assert any(e.text == "typed while locked" for e in timeline(app).events)
    finally:
        blocker.close()


async def test_no_color_is_respected(config, declared, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(config)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert app.no_color


def test_animations_off_over_ssh(config, monkeypatch):
    from mopstui.tui.app import WarRoomApp

    monkeypatch.setenv("SSH_CONNECTION", "10.0.0.9 5555 10.0.0.1 22")
    assert WarRoomApp(config, "a").animation_level == "none"
    monkeypatch.delenv("SSH_CONNECTION")
    assert WarRoomApp(config, "a", animations=True).animation_level != "none"


async def test_vendor_pane_shows_what_the_poller_found(tmp_path, db_path):
    from .status_server import StatusServer
    from .tui_helpers import CONFIG

    with StatusServer() as server:
        server.serve_fixture("/hubspot/api/v2/summary.json", "statuspage/github-components-with-problem.json")
        text = CONFIG.replace("http://127.0.0.1:9/hubspot", server.url("/hubspot")).replace(
            "components: [Forms]}\n  - {id: intercom", "components: [Git Operations, GitHub Actions]}\n  - {id: intercom"
        )
        config = make_config(
            tmp_path, db_path, text.replace("timezone: UTC", "timezone: UTC\npolling: {interval: 1s, timeout: 1s}")
        )
        app = make_app(config, poll_vendors=True)
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_for(
                pilot,
                lambda: app.state.statuses.get("hubspot") is not None and app.state.statuses["hubspot"].last_good_at,
                timeout=10,
                message="the first poll",
            )
            await wait_for(
                pilot, lambda: app.state.statuses["intercom"].reason == "connection refused", timeout=10, message="intercom"
            )
            table = app.q("#vendors")
            assert str(table.get_cell("v:hubspot", "state")) == "▲ partial"
            assert str(table.get_cell("v:intercom", "state")) == "? unknown"
        assert server.requests["/hubspot/api/v2/summary.json"] >= 1


@pytest.mark.slow
async def test_catalog_filter_and_service_detail(config, declared):
    from mopstui.tui.screens import DetailScreen

    app = make_app(config)
    async with app.run_test(size=(120, 40)) as pilot:
        table = app.q("#catalog")
        table.focus()
        await pilot.press("slash")
        app.screen.query_one(Input).value = "support"
        await pilot.press("enter")
        await pilot.pause()
        assert [row.value for row in table.rows] == ["chat"]
        assert "filter: support" in app.q("#catalog-pane").border_title
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DetailScreen)
        body = str(app.screen.query_one("#detail-body").render())
        assert "Chat widget" in app.screen.title_text and "Owner" in body and "support" in body
        await pilot.press("escape")
        table.focus()
        await pilot.press("slash")
        app.screen.query_one(Input).value = ""
        await pilot.press("enter")
        await pilot.pause()
        assert len(table.rows) == 4


async def test_runbook_key_shows_the_link(config, declared):
    app = make_app(config)
    said = Said()
    async with app.run_test(message_hook=said.append, size=(120, 40)) as pilot:
        table = app.q("#catalog")
        table.focus()
        table.move_cursor(row=[row.value for row in table.rows].index("lead-form"))
        await pilot.press("o")
        await pilot.pause()
        assert said.told("https://wiki.example.com/lead")


async def test_export_key_writes_markdown_next_to_the_database(config, declared):
    app = make_app(config)
    said = Said()
    async with app.run_test(message_hook=said.append, size=(100, 30)) as pilot:
        await pilot.press("x")
        await wait_for(pilot, lambda: app.exported is not None, message="the export")
        await pilot.pause()
        assert app.exported == declared.parent / "INC-1-postmortem.md"
        assert app.exported.read_text().startswith("# INC-1: Lead form not submitting")
        assert said.told(str(app.exported))


@pytest.mark.slow
async def test_a_paste_past_the_entry_limit_is_refused_whole(config, declared):
    from textual import events

    app = make_app(config)
    said = Said()
    async with app.run_test(message_hook=said.append, size=(100, 30)) as pilot:
        await pilot.press("n")
        entry = app.q("#entry", Input)
        await wait_for(pilot, lambda: entry.has_focus, message="the entry line")
        entry.post_message(events.Paste("x" * 20_000))
        await wait_for(pilot, lambda: said.told("Paste refused"), message="the refusal")
        assert entry.value == ""
        entry.post_message(events.Paste("short paste"))
        await wait_for(pilot, lambda: entry.value == "short paste", message="a paste within the limit")
        assert entry.max_length == 10_000
    assert not any(e.text.startswith("xxx") for e in events_of(declared))


@pytest.mark.parametrize("typed", [pytest.param("@[/nope] x", marks=pytest.mark.slow), "@[bold]12:00[/] x"])
async def test_an_error_notice_quoting_markup_does_not_crash(config, declared, typed):
    app = make_app(config)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("n")
        await type_entry(pilot, "n", typed)
        # said beside the entry line, as text (the markup-looking words are shown, not parsed)
        await wait_for(pilot, lambda: "is not a time" in str(app.q("#entry-error").render()), message="the word")
        assert typed.split()[0][1:] in str(app.q("#entry-error").render())
        await pilot.pause()  # the word drawn
        assert app.is_running
    assert app.return_code in (None, 0)


async def test_searching_for_fts_syntax_finds_text(config, declared):
    with Store(declared) as store:
        store.append(1, "note", 'the "quoted" word and NOT this *', author="alice")
    app = make_app(config)
    async with app.run_test(size=(100, 30)) as pilot:
        for query in ('"', '"quoted', "NOT", "*", "kind:note NOT"):
            app.search(query)
            await pilot.pause()
            assert app.is_running, query
        app.search('"quoted"')
        await pilot.pause()
        assert any("quoted" in e.text for e in timeline(app).events)


@pytest.mark.parametrize("opener", ["s", pytest.param("slash", marks=pytest.mark.slow)])
async def test_a_double_enter_on_a_dialog_never_closes_the_war_room(config, declared, opener):
    app = make_app(config)
    async with app.run_test(size=(100, 30)) as pilot:
        war_room = app.screen
        await pilot.press(opener)
        await wait_for(pilot, lambda: app.screen is not war_room, message="the dialog")
        dialog = app.screen
        dialog.dismiss(None)
        dialog.dismiss(None)  # the second Enter of a burst reaches the same dialog
        await wait_for(pilot, lambda: app.screen is war_room, message="the war-room again")
        assert app.is_running
        await pilot.press(opener, "enter", "enter")
        await pilot.pause()  # every key handled
        assert app.is_running and war_room in app.screen_stack


async def test_keys_of_one_burst_land_in_the_entry_line_not_in_bindings(config, declared):
    """A paste, a laggy link or a busy host delivers `n` and the rest of the line in one read:
    every key after `n` must be text, never a command (this once set the status, or resolved)."""
    from textual import events

    app = make_app(config)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: bool(timeline(app).events), message="the timeline")
        for char in "nsecond fast note":  # all queued before the app handles the first
            app.post_message(events.Key(char, char))
        app.post_message(events.Key("enter", "\r"))
        await wait_for(pilot, lambda: any(e.text == "second fast note" for e in timeline(app).events), message="the note")
        assert app.screen is app.war_room and len(app.screen_stack) == 1  # no dialog was opened
    kinds = [e.kind for e in events_of(declared)]
    assert "status" not in kinds and "severity" not in kinds


@pytest.mark.slow
async def test_feedback_a_user_expects(tmp_path, db_path, config, declared):
    from mopstui.config import load

    # a back-dated entry says where it went
    clock = Clock()
    app = make_app(config, clock=clock)
    earlier = (clock() - timedelta(minutes=5)).astimezone(UTC).strftime("%H:%M")
    said = Said()
    async with app.run_test(message_hook=said.append, size=(100, 30)) as pilot:
        await type_entry(pilot, "n", f"@{earlier} first complaint")
        await wait_for(pilot, lambda: said.told("back-dated"), message="notice")
        # Escape clears the catalog filter, set as a person sets it: / on the catalog, words, Enter
        app.q("#catalog").focus()
        await pilot.press("slash")
        await wait_for(pilot, lambda: app.screen.query("#prompt"), message="the filter prompt")
        app.screen.query_one("#prompt", Input).value = "zzz-nothing"
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.state.catalog_filter == "zzz-nothing", message="the filter set")
        await wait_for(pilot, lambda: app.q("#catalog").has_focus, message="the catalog focused again")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.state.catalog_filter == "", message="the filter cleared")
    # an empty catalog says why
    empty = load([], database=str(db_path))
    app = make_app(empty)
    said = Said()
    async with app.run_test(message_hook=said.append, size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: said.told("No catalog configured"), message="the hint")


def test_a_released_command_is_empty_and_the_future_is_refused(declared):
    from mopstui.base.timeutil import TimeError, parse_at

    with Store(declared) as store:
        store.assign_role(1, "commander", None, author="alice")
        assert "commander" not in store.incident(1).roles
        store.assign_role(1, "commander", "sam", author="alice")
        assert store.incident(1).roles["commander"] == "sam"
    now = utcnow()
    with pytest.raises(TimeError):
        parse_at((now + timedelta(minutes=5)).astimezone(UTC).strftime("%H:%M"), UTC, now=now)


async def test_an_mcp_client_is_shown_in_the_room_its_evidence_marked_and_never_offered_a_role(config, declared):
    with Store(declared) as store:
        store.heartbeat("mcp-1", user="claude for alice", host="h", client="mcp", pid=1, incident_id=None)
        store.heartbeat("screen-2", user="bob", host="h", client="", pid=2, incident_id=1)
        store.append(1, "evidence", "Forms API answers 503 (source: curl)", author="claude for alice")
    app = make_app(config)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: "here: bob, claude for alice" in str(app.q("#room").render()), message="presence")
        line = next(e for e in timeline(app).events if e.kind == "evidence")
        view = timeline(app)
        assert "◇ Forms API answers 503" in view.entry_text_shown(view.events.index(line))
        await pilot.press("r")
        await choose(pilot, "comms")
        await pilot.pause()
        options = app.screen.query_one(OptionList)
        offered = [options.get_option_at_index(i).id for i in range(options.option_count)]
        assert "bob" in offered and "claude for alice" not in offered


@pytest.mark.slow
async def test_a_screen_that_starts_the_war_room_says_so_in_its_top_line(config, db_path):
    """The screen may start a war-room (a mistyped path too): its top line says "new war-room"."""
    assert not db_path.exists()
    app = make_app(config, "alice")
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: "(new war-room)" in str(app.q("#room").render()), message="new war-room said")
    again = make_app(config, "alice")
    async with again.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: "alice" in str(again.q("#room").render()), message="the top line")
        assert "new war-room" not in str(again.q("#room").render())


def test_a_time_of_day_typed_after_midnight_is_the_evening_before():
    """At 00:20, `@23:50` was refused as the future: an incident that ran past midnight could not
    be back-dated to the evening it started. The nearer of today's and yesterday's is meant."""
    from mopstui.base.timeutil import TimeError, parse_at

    now = datetime(2026, 12, 8, 0, 20, tzinfo=UTC)
    assert parse_at("23:50", UTC, now=now) == datetime(2026, 12, 7, 23, 50, tzinfo=UTC)
    assert parse_at("20:15", UTC, now=now) == datetime(2026, 12, 7, 20, 15, tzinfo=UTC)
    assert parse_at("00:05", UTC, now=now) == datetime(2026, 12, 8, 0, 5, tzinfo=UTC)
    with pytest.raises(TimeError, match="in the future"):
        parse_at("00:30", UTC, now=now)  # ten minutes ahead is a slip, not yesterday
