"""What each module pulls in at import time, checked over the whole package in fresh processes:
Textual only with the screen, httpx only where vendors are fetched or webhooks sent, sqlite-utils
only to create or migrate a schema. (lint-imports checks the static contract; this checks what
really loads, lazy imports included.)"""

import pkgutil
import subprocess
import sys

import pytest

import mopstui

ALL = sorted(m.name for m in pkgutil.walk_packages(mopstui.__path__, "mopstui.") if m.name != "mopstui.__main__")
SCREEN = ("mopstui.tui", "mopstui.serve")
# The MCP SDK brings its HTTP client along, even for stdio: loaded only by `mopstui mcp` (see below).
FETCHING = ("mopstui.status.fetch", "mopstui.room.poller", "mopstui.tui", "mopstui.serve", "mopstui.demo.server",
            "mopstui.mcp_server.tools")


def loaded(module: str, prefixes: tuple[str, ...]) -> list[str]:
    code = (f"import sys, {module}; print(sorted({{m.split('.')[0] for m in sys.modules}} & {set(prefixes)!r}))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return eval(result.stdout)  # a printed list of names


def test_every_module_is_checked():
    assert len(ALL) > 40 and "mopstui.domain.grammar" in ALL and "mopstui.store.events" in ALL


@pytest.mark.parametrize("module", [m for m in ALL if not m.startswith(SCREEN)])
def test_no_textual_outside_the_screen(module):
    assert loaded(module, ("textual",)) == [], f"{module} imports Textual"


@pytest.mark.parametrize("module", [m for m in ALL if not m.startswith(FETCHING)])
def test_no_httpx_outside_fetching(module):
    assert loaded(module, ("httpx",)) == [], f"{module} imports httpx"


def test_the_mcp_sdk_loads_only_for_mopstui_mcp():
    code = "import sys, mopstui.cli, mopstui.mcp_server, mopstui.mcp_server.views; print('mcp' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_an_ordinary_command_needs_no_sqlite_utils(tmp_path):
    from mopstui.store import Store

    db = tmp_path / "w.db"
    Store(db).close()  # created (and migrated) here, with sqlite-utils
    code = ("import sys\nfrom mopstui.cli import main\n"
            f"main(['--db', {str(db)!r}, '--user', 'a', 'declare', 'x', '-s', 'SEV3'])\n"
            f"main(['--db', {str(db)!r}, '--user', 'a', 'log', '1', 'hello'])\n"
            "print('sqlite_utils' in sys.modules, 'yaml' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip().splitlines()[-1] == "False True"
