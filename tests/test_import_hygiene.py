"""The core stays free of Textual (and the CLI of httpx) so that headless commands start fast."""

import subprocess
import sys

import pytest

CORE = [
    "mopstui.config",
    "mopstui.store",
    "mopstui.cli",
    "mopstui.domain.model",
    "mopstui.timeline",
    "mopstui.domain.catalog",
    "mopstui.domain.clocks",
    "mopstui.demo",
    "mopstui.demo_server",
    "mopstui.status.model",
    "mopstui.status.providers",
    "mopstui.status.fetch",
    "mopstui.status.poller",
]


@pytest.mark.parametrize("module", CORE)
def test_core_module_does_not_import_textual(module):
    code = f"import sys, {module}; bad = [m for m in sys.modules if m == 'textual' or m.startswith('textual.')]; print(bad)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]", f"{module} imports {result.stdout}"


def test_cli_does_not_import_httpx():
    code = "import sys, mopstui.cli; print('httpx' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
