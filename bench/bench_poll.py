"""A full poll of N vendors served on loopback, each answering after 100 ms, at the default
settings (concurrency 16) unless told otherwise, against the bare-asyncio floor measured in the
same run: raw asyncio streams, the same concurrency, kept-alive connections, each body read and
parsed as JSON and nothing else. Also one shared httpx client versus the poller's partitioned
pools. Prints wall time, the ratio to the floor, and the CPU each cost.
Usage: python bench/bench_poll.py [VENDORS] [CONCURRENCY]
"""

from __future__ import annotations

import asyncio
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


from mopstui.config import load  # noqa: E402
from mopstui.room.poller import poll  # noqa: E402
from mopstui.status.fetch import Fetcher  # noqa: E402


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def timed(label: str, action) -> tuple[float, float]:
    start_wall, start_cpu = time.perf_counter(), cpu()
    action()
    wall, used = time.perf_counter() - start_wall, cpu() - start_cpu
    print(f"  {label:<42} {wall:6.2f} s wall  {used:5.2f} s CPU")
    return wall, used


async def bare_floor(host: str, port: int, paths: list[str], concurrency: int) -> None:
    """The least any poller can do: `concurrency` kept-alive connections, one GET at a time each."""
    queue: asyncio.Queue[str] = asyncio.Queue()
    for path in paths:
        queue.put_nowait(path)

    async def worker() -> None:
        reader, writer = await asyncio.open_connection(host, port)
        try:
            while not queue.empty():
                path = queue.get_nowait()
                writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
                await writer.drain()
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.split(b"\r\n")
                length = int(next(line.split(b":")[1] for line in lines if line.lower().startswith(b"content-length")))
                json.loads(await reader.readexactly(length))
        finally:
            writer.close()

    await asyncio.gather(*(worker() for _ in range(min(concurrency, len(paths)))))


def main() -> None:
    from mopstui.config import Polling

    vendors = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    concurrency = int(sys.argv[2]) if len(sys.argv) > 2 else Polling().concurrency
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
            paths = [f"/v{i}/api/v2/summary.json" for i in range(vendors)]

            def floor() -> None:
                asyncio.run(bare_floor("127.0.0.1", int(port_file.read_text()), paths, concurrency))

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
            floor_wall, _ = timed("bare asyncio floor (streams, keep-alive)", floor)
            one_wall, one_cpu = timed("poller, one shared AsyncClient", poller(1))
            part_wall, part_cpu = timed("poller, partitioned pools (default)", poller(None))
            print(
                f"  poller / floor: {part_wall / floor_wall:.2f}x (goal: at most 3x); "
                f"partitioned vs one client: {one_wall / part_wall:.2f}x wall, {one_cpu / max(part_cpu, 1e-3):.2f}x CPU"
            )
        finally:
            server.terminate()
            server.wait()


if __name__ == "__main__":
    main()
