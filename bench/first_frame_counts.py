"""What the war-room's first frame costs, counted rather than timed (a loaded machine makes times
noisy; counts do not move): modules imported, stylesheet applications to nodes, style passes
(`update_nodes` calls), `set_class` calls, layout refreshes, up to the first frame that shows the
marker, for the floor (floor_app.py) and for mopstui, each in a real 80x24 pseudo-terminal.

Usage: python bench/first_frame_counts.py [--modules]   (--modules: list what mopstui imports and the floor does not)
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

STARTED = time.perf_counter()


def _child(marker: str, report: str, argv: list[str]) -> None:
    """Count, then run the program in this process; at the frame that shows `marker`, write the
    counts to `report` and end at once."""
    from textual import dom
    from textual.css import stylesheet
    from textual.drivers import linux_driver
    from textual.screen import Screen

    counts = {"apply": 0, "update_nodes": 0, "set_class": 0, "refresh_layout": 0}

    def counting(cls, name, key):
        original = getattr(cls, name)

        def wrapper(*args, **kwargs):
            counts[key] += 1
            return original(*args, **kwargs)

        setattr(cls, name, wrapper)

    counting(stylesheet.Stylesheet, "apply", "apply")
    counting(stylesheet.Stylesheet, "update_nodes", "update_nodes")
    counting(dom.DOMNode, "set_class", "set_class")
    counting(Screen, "_refresh_layout", "refresh_layout")
    from textual.app import App

    app_init = App.__init__

    def starting(self, *args, **kwargs):
        counts.setdefault("app", round(time.perf_counter() - STARTED, 3))
        app_init(self, *args, **kwargs)

    App.__init__ = starting
    write = linux_driver.LinuxDriver.write
    wanted = marker.encode()

    def watching(self, data: str) -> None:
        write(self, data)
        if wanted.decode() in data:
            counts["seconds"] = round(time.perf_counter() - STARTED, 3)
            counts["modules"] = sorted(sys.modules)
            Path(report).write_text(json.dumps(counts))
            os._exit(0)

    linux_driver.LinuxDriver.write = watching
    sys.argv = argv
    if argv[0].endswith(".py"):
        import runpy

        runpy.run_path(argv[0], run_name="__main__")
    else:
        from mopstui.cli import main

        main()


def _measure(argv: list[str], marker: str) -> dict:
    from pty_harness import PtyProcess

    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "counts.json"
        proc = PtyProcess([sys.executable, __file__, "--child", marker, str(report), *argv])
        try:
            deadline = time.perf_counter() + 60
            while not report.exists() and time.perf_counter() < deadline:
                proc.read_for(0.05)
        finally:
            proc.close()
        return json.loads(report.read_text())


def main() -> None:
    from common import big_database

    from mopstui import demo
    from mopstui.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        seeded = workdir / "demo.db"
        with Store(seeded) as store:
            demo.seed(store, demo.demo_config(seeded))
        small = big_database(workdir, 100)
        figures = {
            "floor": _measure([str(HERE / "floor_app.py")], "FLOOR-READY"),
            "demo": _measure(["mopstui", "--db", str(seeded), "--user", "bench"], "Chat widget"),
            "100": _measure(["mopstui", "--db", str(small), "--user", "bench"], "INC-1"),
        }
    print("to the first painted frame, 80x24 pty (counts; the seconds, to App() and to the frame, only for scale)")
    print(f"  {'':10} {'modules':>8} {'applied':>8} {'passes':>7} {'set_class':>10} {'layouts':>8} {'to App()':>9} {'frame':>7}")
    for name, f in figures.items():
        print(
            f"  {name:10} {len(f['modules']):8} {f['apply']:8} {f['update_nodes']:7} {f['set_class']:10} "
            f"{f['refresh_layout']:8} {f['app']:9.3f} {f['seconds']:7.3f}"
        )
    if "--modules" in sys.argv:
        extra = sorted(set(figures["demo"]["modules"]) - set(figures["floor"]["modules"]))
        print(f"\nimported by mopstui (demo) and not by the floor: {len(extra)}")
        print("  " + " ".join(name for name in extra if not name.startswith("mopstui.")))
        print("  " + " ".join(name for name in extra if name.startswith("mopstui.")))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        _child(sys.argv[2], sys.argv[3], sys.argv[4:])
    else:
        main()
