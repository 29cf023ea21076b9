"""Key press to repaint on a real screen: `mopstui` in a pseudo-terminal, a key written to the
terminal, the time until the screen's answering bytes arrive. On a war-room with 100,000 events
and a vendor page of 1,000 watched components, against the same screen on 100 events and one
small vendor, in the same run.
Usage: python bench/bench_keys.py [PRESSES]
"""

from __future__ import annotations

import os
import select
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from common import big_database, p95  # noqa: E402
from pty_harness import PtyProcess  # noqa: E402

from mopstui.base.timeutil import to_store, utcnow  # noqa: E402
from mopstui.status.model import Component, VendorStatus  # noqa: E402
from mopstui.store import Store  # noqa: E402

MOPSTUI = str(Path(sys.executable).parent / "mopstui")
KEYS = (b"\x1b[A", b"\x1b[A", b"\x1b[B", b"\x1b[5~", b"\x1b[6~")  # up, up, down, page up, page down


def war_room(workdir: Path, events: int, components: int) -> tuple[Path, Path]:
    database = big_database(workdir, events)
    names = [f"Component {n:04d}" for n in range(components)]
    config = workdir / f"config-{events}.yaml"
    config.write_text(
        "timezone: UTC\npolling: {interval: 1h}\nvendors:\n"
        "  - {id: big, name: Big Vendor, kind: statuspage, url: 'http://127.0.0.1:9/x', components: ["
        + ", ".join(f"'{n}'" for n in names)
        + "]}\n"
    )
    now = to_store(utcnow())
    status = VendorStatus(
        id="big",
        name="Big Vendor",
        kind="statuspage",
        state="degraded_performance",
        reason="",
        checked_at=now,
        last_good_at=now,
        components=tuple(
            Component(n, "degraded_performance" if i % 7 == 0 else "operational", f"Region {i % 10}") for i, n in enumerate(names)
        ),
    )
    with Store(database) as store:
        store.save_vendor_statuses({"big": status.to_dict()}, [])
    return database, config


def presses(database: Path, config: Path, count: int) -> list[float]:
    screen = PtyProcess([MOPSTUI, "--config", str(config), "--db", str(database), "--user", "bench"], cols=120, rows=40)
    delays = []
    try:
        screen.wait_for(b"Big incident", timeout=120)
        screen.read_for(3.0)  # start-up work done
        for n in range(count):
            os.write(screen.fd, KEYS[n % len(KEYS)])
            sent = time.perf_counter()
            ready, _, _ = select.select([screen.fd], [], [], 5.0)
            if not ready:
                raise TimeoutError("no repaint within 5 s")
            delays.append(time.perf_counter() - sent)
            screen.read_for(0.15)  # the rest of the frame, and the clocks' next tick out of step
    finally:
        screen.close()
    return delays


def line(label: str, delays: list[float]) -> str:
    return f"  {label:<38}: p50 {statistics.median(delays) * 1000:6.1f} ms, p95 {p95(delays) * 1000:6.1f} ms"


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 60
    with tempfile.TemporaryDirectory(dir="/var/tmp") as tmp:
        workdir = Path(tmp)
        for name in ("small", "big"):
            (workdir / name).mkdir()
        small = war_room(workdir / "small", 100, 3)
        big = war_room(workdir / "big", 100_000, 1_000)
        print(f"key press to repaint, {count} presses (up, down, page up/down in the timeline), 120x40 pty")
        few = presses(*small, count)
        many = presses(*big, count)
        print(line("100 events, 3 components", few))
        print(line("100,000 events, 1,000 components", many))
        print(f"  ratio p95: {p95(many) / p95(few):.2f}x")


if __name__ == "__main__":
    main()
