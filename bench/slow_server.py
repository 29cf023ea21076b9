"""A loopback HTTP/1.1 server (asyncio streams, keep-alive) answering every GET after a delay
with a ~5 KB Statuspage summary. Runs in its own process so the poller's CPU is measured alone.
Usage: python bench/slow_server.py PORT_FILE [DELAY_SECONDS]
"""

import asyncio
import sys
from pathlib import Path

FIXTURE = Path(__file__).resolve().parent.parent / "tests/fixtures/status/statuspage/cloudamqp-summary-maintenance.json"
BODY = FIXTURE.read_bytes()[:5000]
BODY = (
    b'{"status": {"indicator": "none"}, "components": ['
    + b",".join(b'{"id": "c%d", "name": "Component %d", "status": "operational"}' % (i, i) for i in range(60))
    + b"]}"
)


async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, delay: float) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            if not head:
                break
            await asyncio.sleep(delay)
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(BODY), BODY))
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionResetError):
        pass
    finally:
        writer.close()


async def main() -> None:
    delay = float(sys.argv[2]) if len(sys.argv) > 2 else 0.1
    server = await asyncio.start_server(lambda r, w: handle(r, w, delay), "127.0.0.1", 0, backlog=1024)
    Path(sys.argv[1]).write_text(str(server.sockets[0].getsockname()[1]))
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
