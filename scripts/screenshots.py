"""Regenerate screenshots/*.svg: the main screen at 80x24 and 120x40, and the help screen.

Usage: python scripts/screenshots.py [OUTPUT_DIR]
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mopstui.demo import picture_app

SHOTS = (((80, 24), "main-80x24", ()), ((120, 40), "main-120x40", ()), ((80, 24), "help", ("question_mark",)))


async def settle(pilot, settled, timeout: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not settled() and loop.time() < deadline:
        await pilot.pause(0.05)


async def shoot(out: Path) -> list[Path]:
    written = []
    for size, name, keys in SHOTS:
        with tempfile.TemporaryDirectory() as tmp:
            app, settled = picture_app(Path(tmp))
            async with app.run_test(size=size) as pilot:
                await settle(pilot, settled)
                for key in keys:
                    await pilot.press(key)
                await pilot.pause(0.2)
                path = out / f"{name}.svg"
                app.save_screenshot(str(path))
                written.append(path)
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "screenshots"
    target.mkdir(parents=True, exist_ok=True)
    for path in asyncio.run(shoot(target)):
        print(path)
