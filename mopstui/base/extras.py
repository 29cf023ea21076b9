"""How to add an optional part (`mcp`, `serve`, `postgresql`), said the way that works here."""

from __future__ import annotations

import sys
from pathlib import Path


def install_hint(extra: str) -> str:
    """Both ways to install an extra: as a package (`pip install 'mopstui[mcp]'`) and, when this
    mopstui runs from a source checkout (as `make demo` does), that checkout's own pip."""
    package = f"pip install 'mopstui[{extra}]'"
    checkout = Path(__file__).resolve().parents[2]
    if not (checkout / "pyproject.toml").is_file():
        return package
    pip = Path(sys.executable).with_name("pip")
    return f"{pip} install -e '{checkout}[{extra}]' (this checkout), or {package} (an installed mopstui)"
