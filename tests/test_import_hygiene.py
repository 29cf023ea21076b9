"""What each module pulls in at import time, checked over the whole package in fresh processes (one
per module): Textual only with the screen, httpx only where vendors are fetched or webhooks sent,
sqlite-utils only to create or migrate a schema; and what the headless read commands load, so that
they stay quick to start. (lint-imports checks the static contract; this checks what really loads,
lazy imports included.)"""

import json
import pkgutil
import subprocess
import sys

import pytest

import mopstui
from mopstui.store import Store

ALL = sorted(m.name for m in pkgutil.walk_packages(mopstui.__path__, "mopstui.") if m.name != "mopstui.__main__")
SCREEN = ("mopstui.tui", "mopstui.serve")
# The MCP SDK brings its HTTP client along, even for stdio: loaded only by `mopstui mcp` (see below).
FETCHING = (
    "mopstui.status.fetch",
    "mopstui.status.connect",
    "mopstui.status.online",
    "mopstui.status.detect",
    "mopstui.room.poller",
    "mopstui.room.polling_round",
    "mopstui.room.moves",  # says a vendor page moved platform: it asks detection, which fetches
    "mopstui.tui",
    "mopstui.serve",
    "mopstui.demo.server",
    "mopstui.mcp_server.tools",
)


def loaded_after(code: str) -> set[str]:
    """The modules loaded in a fresh interpreter once `code` has run."""
    result = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys, json; print(json.dumps(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        check=True,
    )
    return set(json.loads(result.stdout.splitlines()[-1]))


def test_every_module_is_checked():
    assert len(ALL) > 40 and "mopstui.domain.grammar" in ALL and "mopstui.store.events" in ALL


@pytest.mark.slow  # a fresh interpreter per module
@pytest.mark.parametrize("module", ALL)
def test_textual_only_with_the_screen_and_httpx_only_where_pages_are_fetched(module):
    tops = {name.split(".")[0] for name in loaded_after(f"import {module}")}
    if not module.startswith(SCREEN):
        assert "textual" not in tops, f"{module} imports Textual"
    if not module.startswith(FETCHING):
        assert "httpx" not in tops, f"{module} imports httpx"


def test_the_mcp_sdk_loads_only_for_mopstui_mcp():
    assert "mcp" not in loaded_after("import mopstui.cli, mopstui.mcp_server, mopstui.mcp_server.views")


def test_an_ordinary_command_needs_no_sqlite_utils(tmp_path):
    db = tmp_path / "w.db"
    Store(db).close()  # created (and migrated) here, with sqlite-utils
    loaded = loaded_after(
        "from mopstui.cli import main\n"
        f"main(['--db', {str(db)!r}, '--user', 'a', 'declare', 'x', '-s', 'SEV3'])\n"
        f"main(['--db', {str(db)!r}, '--user', 'a', 'log', '1', 'hello'])"
    )
    assert "sqlite_utils" not in loaded and "yaml" not in loaded  # no config file: no YAML to read


# What a read command has no use for: the other commands' modules and what they bring (the
# screen, vendor pages, the room's duties, exports), writing files (tempfile, and shutil, bz2 and
# lzma behind it), the host name by socket (os.uname has it), the config cache of big catalogs
# (pickle, hashlib), "did you mean" (difflib: only an error needs it), YAML with no config, and
# zoneinfo (and sysconfig behind it) with no zone of its own.
NOT_FOR_READING = {
    "textual", "httpx", "rich", "sqlite_utils", "yaml", "tempfile", "shutil", "bz2", "lzma", "socket", "pickle",
    "hashlib", "difflib", "random", "zoneinfo", "sysconfig", "mopstui.tui", "mopstui.status", "mopstui.room",
    "mopstui.export", "mopstui.demo", "mopstui.mcp_server", "mcp",
}  # fmt: skip

# Each of mopstui's own modules a read command may load, and nothing else of mopstui's: the
# command's own module and grammar (not the other commands' modules nor their parsers), the config
# with no section read that it does not have (no signals, keys, touchpoints, templates, vendor
# directory), the store and the rules it reads with. A module added to this path fails here first:
# make it lazy, or add it with the reason it is needed.
READING = {
    "mopstui", "mopstui.base", "mopstui.base.errors", "mopstui.base.files", "mopstui.base.identity",
    "mopstui.base.locations", "mopstui.base.plain", "mopstui.base.textsafe", "mopstui.base.timeutil",
    "mopstui.cli", "mopstui.cli.context", "mopstui.cli.incidents", "mopstui.cli.parser",
    "mopstui.config", "mopstui.config.build", "mopstui.config.cache", "mopstui.config.checks", "mopstui.config.load", "mopstui.config.model",
    "mopstui.config.templates", "mopstui.config.tree", "mopstui.config.validate",
    "mopstui.domain", "mopstui.domain.edits", "mopstui.domain.leases", "mopstui.domain.model", "mopstui.domain.rules",
    "mopstui.domain.takeback",
    "mopstui.store", "mopstui.store.backend", "mopstui.store.base", "mopstui.store.chain", "mopstui.store.connection",
    "mopstui.store.digest", "mopstui.store.events", "mopstui.store.export_rows", "mopstui.store.observations",
    "mopstui.store.sessions", "mopstui.store.sidecars", "mopstui.store.signals", "mopstui.store.takeback",
    "mopstui.store.timeline",
}  # fmt: skip
# What one command adds: timeline its lines' rules and fast row path; log the entry grammar
# (/todo, /comms ...) and a hash for the chain (a todo's owner and due date only for a todo).
# (Never the store's interface, a protocol of some 70 methods built for the type checker.)
READING_ALSO = {
    "timeline": {"mopstui.domain.timeline", "mopstui.domain.rows"},
    "log": {"mopstui.domain.grammar", "hashlib"},
}


@pytest.mark.parametrize(
    "argv",
    [["incidents"], ["incidents", "--all"], ["timeline", "1"], ["log", "1", "a note"]],
    ids=["incidents", "incidents --all", "timeline", "log"],
)
def test_a_read_command_loads_what_it_uses(tmp_path, argv):
    db = tmp_path / "w.db"
    with Store(db) as store:
        store.declare("Lead form down", severity="SEV2", author="a")
        store.append(1, "note", "the form returns 500", author="a")
    loaded = loaded_after(f"from mopstui.cli import main\nmain(['--db', {str(db)!r}, '--user', 'a', *{argv!r}])")
    allowed = READING_ALSO.get(argv[0], set())
    found = {
        name
        for name in loaded
        if name in NOT_FOR_READING
        or name.split(".")[0] in NOT_FOR_READING
        or any(name.startswith(prefix + ".") for prefix in NOT_FOR_READING)
    } - allowed
    assert found == set()
    assert {name for name in loaded if name.startswith("mopstui")} - READING - allowed == set()


# What the screen loads before it is first filled, beyond what Textual itself loads: not
# the other commands' modules (nor their parsers: see screen_args), not YAML with no config file,
# nor what only an error ("did you mean"), the cache of big catalogs, a file written, a vendor
# page fetched or an export needs. Each was once paid before the first frame.
NOT_FOR_THE_FIRST_FRAME = {
    "yaml", "difflib", "pickle", "hashlib", "tempfile", "socket", "shutil", "bz2", "lzma", "httpx", "sqlite_utils",
    "mopstui.export", "mopstui.demo", "mopstui.mcp_server", "mopstui.status.fetch", "mopstui.room.poller",
    "mopstui.room.polling_round",
    "mopstui.room.doctor", "mopstui.cli.incidents", "mopstui.cli.catalog", "mopstui.cli.followups",
    "mopstui.cli.overrides", "mopstui.cli.stores", "mopstui.cli.vendors", "mopstui.cli.doctor", "mopstui.cli.signals",
}  # fmt: skip


def test_the_screen_loads_what_its_first_frame_needs(tmp_path):
    db = tmp_path / "w.db"
    with Store(db) as store:
        store.declare("Lead form down", severity="SEV2", author="a")
        store.append(1, "note", "the form returns 500", author="a")
    # The real start (mopstui --db ... --user ...), headless, its modules taken once it is filled.
    code = (
        "import json, sys\n"
        "from textual.app import App\n"
        "from mopstui.tui import app as screen\n"
        "run, fill, seen = App.run, screen.WarRoomApp._initial_load, set()\n"
        "def filled(self):\n"
        "    fill(self)\n"
        "    seen.update(sys.modules)\n"
        "    self.exit()\n"
        "screen.WarRoomApp._initial_load = filled\n"
        "screen.WarRoomApp.run = lambda self: run(self, headless=True, size=(80, 24))\n"
        "from mopstui.cli import main\n"
        f"assert main(['--db', {str(db)!r}, '--user', 'a']) == 0\n"
        "print(json.dumps(sorted(seen)))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    loaded = set(json.loads(result.stdout.splitlines()[-1]))
    assert "mopstui.tui.war_room" in loaded and "mopstui.store" in loaded
    loaded -= loaded_after("import textual.app")  # Textual's own (it loads difflib, tempfile, pickle ... itself)
    found = {
        name
        for name in loaded
        if name in NOT_FOR_THE_FIRST_FRAME
        or name.split(".")[0] in NOT_FOR_THE_FIRST_FRAME
        or any(name.startswith(prefix + ".") for prefix in NOT_FOR_THE_FIRST_FRAME)
    }
    assert found == set()
