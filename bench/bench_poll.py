"""A full poll of N vendors served on loopback, each answering after 100 ms, versus a sequential
fetch loop of the same URLs; and one shared httpx client versus the poller's partitioned pools.
Prints wall time, the ratio, and the CPU the poll cost.
Usage: python bench/bench_poll.py [VENDORS] [CONCURRENCY]
"""

from __future__ import annotations

import asyncio
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import httpx  # noqa: E402

from mopstui.config import load  # noqa: E402
from mopstui.status.fetch import Fetcher  # noqa: E402
from mopstui.status.poller import poll  # noqa: E402


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def timed(label: str, action) -> tuple[float, float]:
    start_wall, start_cpu = time.perf_counter(), cpu()
    action()
    wall, used = time.perf_counter() - start_wall, cpu() - start_cpu
    print(f"  {label:<42} {wall:6.2f} s wall  {used:5.2f} s CPU")
    return wall, used


def main() -> None:
    vendors = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    concurrency = int(sys.argv[2]) if len(sys.argv) > 2 else 50
    with tempfile.TemporaryDirectory() as tmp:
        port_file = Path(tmp) / "port"
        server = subprocess.Popen([sys.executable, str(HERE / "slow_server.py"), str(port_file), "0.1"])
        try:
            while not port_file.exists() or not port_file.read_text():
                time.sleep(0.05)
            base = f"http://127.0.0.1:{port_file.read_text()}"
            config_path = Path(tmp) / "c.yaml"
            lines = [f"polling: {{concurrency: {concurrency}, timeout: 10s}}", "vendors:"]
            lines += [f'  - {{id: v{i}, kind: statuspage, url: "{base}/v{i}"}}' for i in range(vendors)]
            config_path.write_text("\n".join(lines) + "\n")
            config = load([config_path])
            urls = [f"{base}/v{i}/api/v2/summary.json" for i in range(vendors)]

            def sequential() -> None:
                with httpx.Client() as client:
                    for url in urls:
                        client.get(url).json()

            def poller(partitions: int | None):
                def run() -> None:
                    async def go():
                        fetcher = Fetcher(config.polling, partitions=partitions, retries=0)
                        try:
                            statuses = await poll(config, fetcher=fetcher)
                        finally:
                            await fetcher.aclose()
                        bad = [s for s in statuses.values() if s.state != "operational"]
                        assert not bad, bad[0].reason
                    asyncio.run(go())
                return run

            print(f"{vendors} vendors, each answering after 100 ms (~4 KB), concurrency {concurrency}")
            seq_wall, _ = timed("sequential httpx.Client loop", sequential)
            one_wall, one_cpu = timed("poller, one shared AsyncClient", poller(1))
            part_wall, part_cpu = timed("poller, partitioned pools (default)", poller(None))
            print(f"  ratio sequential / poller: {seq_wall / part_wall:.1f}x faster; "
                  f"partitioned vs one client: {one_wall / part_wall:.2f}x wall, {one_cpu / max(part_cpu, 1e-3):.2f}x CPU")
        finally:
            server.terminate()
            server.wait()


if __name__ == "__main__":
    main()
