"""`mopstui mcp`: the real process, driven by the MCP SDK's own client over stdio, on SQLite and
PostgreSQL. Every process started here is proven gone at the end."""

from __future__ import annotations

import asyncio
import json
import os
import pwd
import subprocess
import sys
import time
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

pytest.importorskip("mcp")

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.types import Implementation

from mopstui.domain.contributions import contributor, pace_wait
from mopstui.domain.model import InputError
from mopstui.store import open_store

from .conftest import MOPSTUI, ROOT, run_cli, write

CONFIG = """\
vendors:
  - {id: hubspot, name: HubSpot, kind: statuspage, url: "http://127.0.0.1:9/hubspot", components: [Forms]}
  - {id: cloudflare, name: Cloudflare, kind: statuspage, url: "http://127.0.0.1:9/cloudflare"}
services:
  - {id: cdn, name: CDN, tier: 1, touchpoint: website, vendor: cloudflare}
  - {id: forms, name: Lead form, tier: 1, touchpoint: lead capture, vendor: hubspot, components: [Forms], depends_on: [cdn]}
  - {id: scoring, name: Lead scoring, tier: 2, touchpoint: sales handover, depends_on: [forms],
     probe: {url: "http://127.0.0.1:9/probe"}}
"""

# What an agent may call. A new tool is a deliberate change here, after asking whether it decides.
READ_TOOLS = {
    "active_incidents",
    "incident_timeline",
    "vendor_status",
    "service_catalog",
    "service_dependencies",
    "impact",
    "open_followups",
    "draft_customer_update",
    "wait_for_entries",
}
WRITE_TOOLS = {"add_evidence"}
# Words of what only people do in the room.
DECIDING_WORDS = (
    "declare",
    "resolve",
    "status_set",
    "set_status",
    "severity",
    "role",
    "comms",
    "log_",
    "override",
    "withdraw",
    "reopen",
    "edit",
    "star",
    "correct",
    "followup_",
    "lift",
    "assign",
    "post",
    "send",
)


def _seed(location: str) -> None:
    from mopstui.status.model import Component, VendorStatus

    with open_store(location) as store:
        store.declare("Lead form not submitting", severity="SEV1", author="ana", services=["forms"])
        store.append(1, "note", "Form returns 500 since the 09:50 deploy", author="ana")
        store.append(1, "action_item", "Add a probe on the thank-you page", author="sam", value=json.dumps({"owner": "sam"}))
        store.append(1, "comms", "Banner up: forms are failing, we are on it", author="sam")
        hubspot = VendorStatus(
            "hubspot",
            "HubSpot",
            "statuspage",
            state="degraded",
            reason="",
            checked_at="2026-12-01T09:00:00+00:00",
            last_good_at="2026-12-01T09:00:00+00:00",
            components=(Component("Forms", "degraded"),),
        )
        store.save_vendor_statuses({"hubspot": hubspot.to_dict()}, [])


@pytest.fixture
def room(location, tmp_path) -> tuple[str, Path]:
    """The seeded room on each engine."""
    _seed(location)
    return location, write(tmp_path / "config.yaml", CONFIG)


@pytest.fixture
def sqlite_room(tmp_path) -> tuple[str, Path]:
    """The seeded room on SQLite only, for what does not depend on the engine."""
    location = str(tmp_path / "warroom.db")
    _seed(location)
    return location, write(tmp_path / "config.yaml", CONFIG)


def _mcp_processes(marker: str) -> list[int]:
    """Live `mopstui mcp` processes whose command line names `marker` (the test's own config)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if marker.encode() in argv and b"mcp" in argv and state != "Z":
            found.append(int(entry.name))
    return found


def _wait_gone(pids: set[int], marker: str, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while pids & set(_mcp_processes(marker)):
        assert time.monotonic() < deadline, f"`mopstui mcp` still running: {pids & set(_mcp_processes(marker))}"
        time.sleep(0.05)


@asynccontextmanager
async def session(location: str, config: Path, *, user: str = "ana", client: str = "claude"):
    """The SDK's client on a real `mopstui mcp`; on leaving, that process is proven gone."""
    params = StdioServerParameters(
        command=MOPSTUI,
        args=["--config", str(config), "--db", location, "--user", user, "mcp"],
        env={**os.environ},
        cwd=str(ROOT),
    )
    before = set(_mcp_processes(str(config)))
    with open(config.parent / "mcp-stderr.log", "a") as errlog:
        async with (
            stdio_client(params, errlog=errlog) as (reader, writer),
            ClientSession(reader, writer, client_info=Implementation(name=client, version="1.0")) as client_session,
        ):
            await client_session.initialize()
            mine = set(_mcp_processes(str(config))) - before
            assert mine, "no `mopstui mcp` process found"
            yield client_session
    _wait_gone(mine, str(config))


def facts(location: str) -> dict:
    """Everything a person decided, and every kind of entry there is: what no tool may change."""
    with open_store(location) as store:
        incident = store.incident(1).to_dict()
        kinds = sorted({e.kind for e in store.events(1)})
        return {
            "incident": incident,
            "overrides": [e.id for e in store.room_events("override")],
            "incidents": [i.id for i in store.incidents(include_resolved=True)],
            "kinds": kinds,
            "comms": store.last_customer_update(1).id,
        }  # type: ignore[union-attr]


@pytest.mark.slow  # real MCP server processes
async def test_an_agent_reads_the_room_and_adds_evidence_seen_in_the_timeline(room):
    location, config = room
    async with session(location, config) as client:
        listed = await client.list_tools()
        assert {t.name for t in listed.tools} == READ_TOOLS | WRITE_TOOLS
        assert all(t.outputSchema for t in listed.tools)  # structured output, with a schema

        incidents = await client.call_tool("active_incidents", {})
        assert not incidents.isError
        first = incidents.structuredContent["incidents"][0]
        assert (first["label"], first["severity"], first["status"], first["roles"]) == (
            "INC-1",
            "SEV1",
            "investigating",
            {"commander": "ana"},
        )
        assert {c["kind"] for c in first["clocks"]} == {"threshold", "update"} and first["update_due_at"]
        assert "INC-1 SEV1 investigating" in incidents.content[0].text and "update due" in incidents.content[0].text

        timeline = await client.call_tool("incident_timeline", {"incident": "INC-1"})
        texts = [e["text"] for e in timeline.structuredContent["entries"]]
        assert "Form returns 500 since the 09:50 deploy" in texts
        last = timeline.structuredContent["last_entry_id"]

        searched = await client.call_tool("incident_timeline", {"incident": 1, "search": "kind:comms"})
        assert [e["kind"] for e in searched.structuredContent["entries"]] == ["comms"]
        searched = await client.call_tool("incident_timeline", {"incident": 1, "search": "author:sam probe"})
        assert [e["text"] for e in searched.structuredContent["entries"]] == ["Add a probe on the thank-you page"]

        added = await client.call_tool(
            "add_evidence", {"incident": "INC-1", "text": "HubSpot Forms API answers 503", "source": "https://status.hubspot.com"}
        )
        assert not added.isError, added.content
        entry = added.structuredContent["entry"]
        assert entry["author"] == "claude for ana" and entry["kind"] == "evidence"

        new = await client.call_tool("incident_timeline", {"incident": 1, "since": last})
        assert [e["id"] for e in new.structuredContent["entries"]] == [entry["id"]]
        assert new.structuredContent["entries"][0]["withdrawn_by"] is None

        # A person takes a wrong reading back; the agent sees it withdrawn.
        wrong = await client.call_tool("add_evidence", {"incident": 1, "text": "Chat is down too"})
        withdrawn = await asyncio.to_thread(
            run_cli,
            "--db",
            location,
            "--user",
            "ana",
            "withdraw",
            "1",
            str(wrong.structuredContent["entry"]["id"]),
            "--reason",
            "that was staging",
        )
        assert withdrawn.returncode == 0, withdrawn.stderr
        seen = await client.call_tool("incident_timeline", {"incident": 1, "search": "chat"})
        assert seen.structuredContent["entries"][0]["withdrawn_by"] is not None
        assert "withdrawn" in seen.content[0].text.lower()

        vendors = (await client.call_tool("vendor_status", {})).structuredContent["vendors"]
        by_id = {v["id"]: v for v in vendors}
        assert by_id["hubspot"]["state"] == "degraded" and not by_id["hubspot"]["cannot_see"]
        assert by_id["cloudflare"]["cannot_see"] and by_id["probe:scoring"]["cannot_see"]

        catalog = (await client.call_tool("service_catalog", {})).structuredContent
        assert {s["id"] for s in catalog["services"]} == {"cdn", "forms", "scoring"}
        forms = (await client.call_tool("service_dependencies", {"service": "forms"})).structuredContent
        assert (forms["depends_on"], forms["needed_by"]) == (["cdn"], ["scoring"])
        reach = (await client.call_tool("impact", {"target": "cloudflare"})).structuredContent
        assert (reach["direct"], reach["at_risk"]) == (["cdn"], ["forms", "scoring"])
        todo = (await client.call_tool("open_followups", {})).structuredContent["followups"]
        assert [(f["text"], f["owner"]) for f in todo] == [("Add a probe on the thank-you page", "sam")]
        draft = await client.call_tool("draft_customer_update", {"incident": 1, "template": "site-banner"})
        assert draft.structuredContent["posted"] is False and "lead capture" in draft.structuredContent["text"]

    # The person's own view: the entry is there, marked, attributed to the agent for ana, and to the account.
    shown = run_cli("--db", location, "timeline", "1", check=True).stdout
    line = next(line for line in shown.splitlines() if "HubSpot Forms API answers 503" in line)
    # On PostgreSQL the account is the server's word (session_user, the test server's role).
    login = "mopstui" if location.startswith("postgresql://") else pwd.getpwuid(os.getuid()).pw_name
    assert "evidence ◇ HubSpot Forms API answers 503 (source: https://status.hubspot.com)" in line
    assert "claude for" in line and f"(login {login})" in line
    events = json.loads(run_cli("--db", location, "timeline", "1", "--json", check=True).stdout)["events"]
    evidence = [e for e in events if e["kind"] == "evidence"]
    uid = None if location.startswith("postgresql://") else os.getuid()  # a server's role has no Unix uid
    assert [(e["author"], e["login"], e["uid"]) for e in evidence] == [("claude for ana", login, uid)] * 2
    assert json.loads(evidence[0]["value"]) == {"client": "claude", "for": "ana", "source": "https://status.hubspot.com"}
    assert run_cli("--db", location, "verify", check=True).stdout.startswith("ok: ")  # inside the hashed chain
    exported = run_cli("--db", location, "export", "1", check=True).stdout
    assert "| claude for ana (login " in exported and "| evidence | ◇ HubSpot Forms API answers 503" in exported


@pytest.mark.slow  # real MCP server processes
async def test_no_tool_can_decide_anything(room):
    location, config = room
    before = facts(location)
    async with session(location, config) as client:
        listed = (await client.list_tools()).tools
        for tool in listed:
            assert tool.name in READ_TOOLS | WRITE_TOOLS, f"{tool.name}: a new tool; does it decide anything?"
            assert not any(word in tool.name for word in DECIDING_WORDS), tool.name
            assert tool.annotations.readOnlyHint is (tool.name in READ_TOOLS), tool.name
            assert tool.annotations.destructiveHint is False
        # Every tool, called, changes nothing anyone decided; the entry grammar of people does not apply.
        calls = [
            ("active_incidents", {}),
            ("incident_timeline", {"incident": 1}),
            ("vendor_status", {}),
            ("service_catalog", {}),
            ("service_dependencies", {"service": "forms"}),
            ("impact", {"target": "hubspot"}),
            ("open_followups", {}),
            ("draft_customer_update", {"incident": 1}),
            ("wait_for_entries", {"timeout_seconds": 0.1}),
        ]
        grammar = (
            "/comms All fixed, sorry!",
            "!Rolled back the deploy",
            "@09:00 backdated?",
            "/todo owner:claude due:+1d",
            "status → resolved",
            "severity → SEV4",
        )
        calls += [("add_evidence", {"incident": 1, "text": text}) for text in grammar]
        for name, arguments in calls:
            result = await client.call_tool(name, arguments)
            assert not result.isError, (name, result.content)
        for name in ("declare", "resolve", "set_status", "log", "override"):
            refused = await client.call_tool(name, {"incident": 1})
            assert refused.isError and "Unknown tool" in refused.content[0].text
    after = facts(location)
    assert after["incident"] == before["incident"] and after["overrides"] == before["overrides"]
    assert after["incidents"] == before["incidents"] and after["comms"] == before["comms"]  # no update logged
    assert set(after["kinds"]) - set(before["kinds"]) == {"evidence"}
    with open_store(location) as store:
        written = [e for e in store.events(1) if e.kind == "evidence"]
        assert tuple(e.text for e in written) == grammar  # as written: evidence, never a person's kind or time
        assert not any(e.backdated for e in written)


@pytest.mark.slow  # real MCP server processes
async def test_bad_arguments_are_mcp_errors_and_the_process_lives_on(sqlite_room):
    location, config = sqlite_room
    async with session(location, config) as client:
        for name, arguments, said in [
            ("incident_timeline", {"incident": "zzz"}, "'zzz' is not an incident (write 7 or INC-7)"),
            ("incident_timeline", {"incident": 99}, "INC-99"),
            ("incident_timeline", {"limit": "many"}, "bad arguments"),
            ("impact", {"target": "nope"}, "unknown vendor 'nope'"),
            ("service_dependencies", {"service": "form"}, "did you mean 'forms'"),
            ("draft_customer_update", {"incident": 1, "template": "fax"}, "no template 'fax'"),
            ("add_evidence", {"incident": 1, "text": "x" * 10_001}, "the limit is 10,000"),
            ("add_evidence", {"incident": 1, "text": "   "}, "empty"),
            ("add_evidence", {"incident": 1, "text": "ok", "source": "s" * 501}, "the limit is 500"),
            ("add_evidence", {"incident": 7, "text": "nowhere"}, "INC-7"),
            ("wait_for_entries", {"timeout_seconds": 3600}, "bad arguments"),
        ]:
            result = await client.call_tool(name, arguments)
            assert result.isError, (name, arguments)
            text = result.content[0].text
            assert said in text, text
            assert "Traceback" not in text and "pydantic.dev" not in text
        # Untrusted text is cleaned as everywhere: no escape sequence or bidi control is stored.
        added = await client.call_tool("add_evidence", {"incident": 1, "text": "\x1b[31mred\x1b[0m \u202eevil\x07"})
        assert added.structuredContent["entry"]["text"] == "red evil"
        assert not (await client.call_tool("active_incidents", {})).isError  # still serving
    with open_store(location) as store:
        assert [e.text for e in store.events(1) if e.kind == "evidence"] == ["red evil"]
    assert "Traceback" not in (config.parent / "mcp-stderr.log").read_text()


@pytest.mark.slow  # real MCP server processes
async def test_evidence_is_paced_a_burst_of_ten_then_one_a_second_across_processes(sqlite_room):
    location, config = sqlite_room
    # Two processes of the same client for the same person share one pace: it is counted from the log.
    async with session(location, config) as first, session(location, config) as second:
        started = time.monotonic()
        results = await asyncio.gather(
            *(
                client.call_tool("add_evidence", {"incident": 1, "text": f"reading {n}"})
                for n in range(8)
                for client in (first, second)
            )
        )
        elapsed = time.monotonic() - started
        other = await first.call_tool("add_evidence", {"incident": 1, "text": "now on INC-1 only"})
    refused = [r for r in results if r.isError]
    allowed = 10 + int(elapsed) + 1
    assert len(results) - len(refused) <= allowed and len(refused) >= 16 - allowed
    assert all("one a second" in r.content[0].text and "nothing was written" in r.content[0].text for r in refused)
    with open_store(location) as store:
        written = sum(e.kind == "evidence" for e in store.events(1))
        assert written == 16 - len(refused) + (not other.isError)


def test_the_pace_rule():
    ten = [0.0] * 10
    assert pace_wait([], 0.0) == 0.0 and pace_wait(ten[:9], 0.0) == 0.0  # a burst of ten
    assert pace_wait(ten, 0.0) == pytest.approx(1.0) and pace_wait(ten, 0.5) == pytest.approx(0.5)
    assert pace_wait(ten, 1.0) == 0.0 and pace_wait([*ten, 1.0], 1.0) == pytest.approx(1.0)  # then one a second
    assert pace_wait([float(t) for t in range(-59, 1)], 1.0) == 0.0  # one a second goes on for ever
    assert pace_wait([float(t) / 10 for t in range(-590, 1)], 1.0) > 0  # ten a second does not


def test_the_author_is_the_client_for_the_person():
    assert contributor("claude", "ana") == "claude for ana"
    assert contributor("\x1b[2Jclaude\u202e", "ana") == "claude for ana"
    assert contributor("sam for bob", "ana") == "sam bob for ana"  # cannot pose as working for another
    assert contributor("", "ana") == contributor("mopstui", "ana") == "mcp client for ana"
    long = contributor("a" * 80, "b" * 50)
    assert long == "a" * 8 + "… for " + "b" * 50 and len(long) == 64
    with pytest.raises(InputError, match="shorter --user"):
        contributor("claude", "b" * 60)  # never cut the person's name
    assert len(contributor("x" * 80, "ana")) <= 64


@pytest.mark.slow  # real MCP server processes
async def test_waiting_for_what_is_new_and_presence_in_the_room(room):
    location, config = room
    async with session(location, config, client="cursor") as client:
        await client.list_tools()
        with open_store(location) as store:
            here = [(p["user"], p["client"]) for p in store.present()]
        assert ("cursor for ana", "mcp") in here

        waiting = asyncio.create_task(client.call_tool("wait_for_entries", {"incident": "INC-1", "timeout_seconds": 60}))
        await asyncio.sleep(0)  # the request is on its way before the entry is written
        written = await asyncio.to_thread(run_cli, "--db", location, "--user", "sam", "log", "1", "Forms back for EU")
        assert written.returncode == 0
        result = await asyncio.wait_for(waiting, 60)
        assert not result.structuredContent["timed_out"]
        assert "Forms back for EU" in [e["text"] for e in result.structuredContent["entries"]]

        quiet = await client.call_tool(
            "wait_for_entries", {"since": result.structuredContent["last_entry_id"], "timeout_seconds": 0.3}
        )
        assert quiet.structuredContent["timed_out"] and quiet.structuredContent["entries"] == []
    with open_store(location) as store:
        assert "cursor for ana" not in [p["user"] for p in store.present()]  # left when its client closed


@pytest.mark.slow  # real MCP server processes
def test_the_process_ends_when_its_client_closes_stdin_and_stdout_is_only_protocol(tmp_path, db_path):
    run_cli("--db", str(db_path), "--user", "ana", "declare", "Chat widget gone", "--severity", "SEV2", check=True)
    lines = [
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "raw", "version": "0"}},
        },
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {
            "jsonrpc": "2.0",
            "id": 2,
            "method": "tools/call",
            "params": {"name": "incident_timeline", "arguments": {"incident": "nope"}},
        },
    ]
    process = subprocess.Popen(
        [MOPSTUI, "--db", str(db_path), "--user", "ana", "mcp"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )
    try:
        assert process.stdin is not None and process.stdout is not None
        for message in lines[:2]:
            process.stdin.write((json.dumps(message) + "\n").encode())
        process.stdin.write(b"not json at all {\n")  # a broken line: said on stderr, never a crash
        process.stdin.write((json.dumps(lines[2]) + "\n").encode())
        process.stdin.flush()
        answers = []
        while len([a for a in answers if "id" in a]) < 2:
            line = process.stdout.readline()
            assert line, "the server ended before answering"
            answers.append(json.loads(line))  # every line on stdout is protocol
        by_id = {a["id"]: a for a in answers if "id" in a}
        assert by_id[1]["result"]["serverInfo"]["name"] == "mopstui"
        assert by_id[2]["result"]["isError"] is True
        assert "is not an incident" in by_id[2]["result"]["content"][0]["text"]
        # A long wait in flight when the client goes away does not keep the process.
        waiting = {
            "jsonrpc": "2.0",
            "id": 3,
            "method": "tools/call",
            "params": {"name": "wait_for_entries", "arguments": {"timeout_seconds": 300}},
        }
        process.stdin.write((json.dumps(waiting) + "\n").encode())
        process.stdin.flush()
        process.stdin.close()  # the client goes away
        assert process.wait(timeout=30) == 0
        rest = process.stdout.read().decode()
        assert all(json.loads(line) for line in rest.splitlines())
        assert "Traceback" not in process.stderr.read().decode()  # type: ignore[union-attr]
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
    assert process.returncode == 0


def test_without_the_extra_it_says_how_to_install_it(db_path):
    code = (
        f"import sys; sys.modules['mcp'] = None; from mopstui.cli import main; sys.exit(main(['--db', {str(db_path)!r}, 'mcp']))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=ROOT, stdin=subprocess.DEVNULL
    )
    assert result.returncode == 1 and result.stdout == ""
    # Run from this checkout (as `make demo` does): its own pip, and the installed-package way too.
    pip = Path(sys.executable).with_name("pip")
    assert result.stderr.strip() == (
        f"mopstui: `mopstui mcp` needs the optional extra: {pip} install -e "
        f"'{Path(ROOT).resolve()}[mcp]' (this checkout), or pip install 'mopstui[mcp]' "
        "(an installed mopstui)"
    )


@pytest.mark.slow  # real MCP server processes
def test_a_client_that_stops_reading_ends_the_process_quietly(db_path):
    run_cli("--db", str(db_path), "init", check=True)  # mcp serves a war-room, it never starts one
    process = subprocess.Popen(
        [MOPSTUI, "--db", str(db_path), "--user", "ana", "mcp"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )
    try:
        assert process.stdin is not None and process.stdout is not None and process.stderr is not None
        hello = {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "raw", "version": "0"}},
        }
        process.stdin.write((json.dumps(hello) + "\n").encode())
        process.stdin.flush()
        assert json.loads(process.stdout.readline())["id"] == 1
        process.stdout.close()  # the client stops reading, and keeps asking (its input stays open)
        # Its input stays open, so only the failed answer can end the process (reading a line is
        # where it notices, so the client keeps asking until it is gone).
        deadline, number = time.monotonic() + 30, 2
        while process.poll() is None:
            assert time.monotonic() < deadline, "the process outlived its client's output"
            try:
                process.stdin.write((json.dumps({"jsonrpc": "2.0", "id": number, "method": "tools/list"}) + "\n").encode())
                process.stdin.flush()
            except BrokenPipeError:
                break
            number += 1
            try:
                process.wait(timeout=0.5)
            except subprocess.TimeoutExpired:
                pass
        assert process.wait(timeout=30) == 0
        said = process.stderr.read().decode()
        assert "internal error" not in said and "Traceback" not in said
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


def test_a_client_name_cannot_pose_as_a_person_or_the_room():
    """Blanks that print as nothing padded "priya" so that " for ana" fell out of the author
    column; a no-break space got " for " past the rule; a zero-width space got past the reserved
    names. Names are folded to what they show before the rules."""
    from mopstui.domain.contributions import contributor

    assert contributor("priya" + "\u2800" * 18, "ana") == "priya for ana"
    assert contributor("priya\u00a0for\u00a0sam", "ana") == "priya sam for ana"
    assert (
        contributor("Mopstui\u200b", "ana") == contributor("\uff53\uff59\uff53\uff54\uff45\uff4d", "ana") == "mcp client for ana"
    )
    assert contributor("Claude Code", "ana") == "Claude Code for ana"
