"""Regenerate screenshots/*.svg: the main screen at 80x24 and 120x40, and the help screen.

The demo incident is seeded against a frozen clock, so the pictures only change when the screen does.
Usage: python scripts/screenshots.py [OUTPUT_DIR]
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mopstui import demo  # noqa: E402
from mopstui.store import Store  # noqa: E402
from mopstui.tui.app import WarRoomApp  # noqa: E402

FROZEN = datetime(2026, 11, 23, 10, 6, 0, tzinfo=timezone.utc)


def demo_app(workdir: Path) -> WarRoomApp:
    database = workdir / "warroom.db"
    config = demo.demo_config(database)
    with Store(database) as store:
        demo.seed(store, config, now=FROZEN)
    return WarRoomApp(config, "alice", now=lambda: FROZEN, demo=True, animations=False)


async def shoot(out: Path) -> list[Path]:
    written = []
    for size, name, keys in (((80, 24), "main-80x24", ()), ((120, 40), "main-120x40", ()), ((100, 34), "help", ("question_mark",))):
        with tempfile.TemporaryDirectory() as tmp:
            app = demo_app(Path(tmp))
            async with app.run_test(size=size) as pilot:
                await pilot.pause(0.3)
                for key in keys:
                    await pilot.press(key)
                await pilot.pause(0.3)
                path = out / f"{name}.svg"
                app.save_screenshot(str(path))
                written.append(path)
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "screenshots"
    target.mkdir(parents=True, exist_ok=True)
    for path in asyncio.run(shoot(target)):
        print(path)
