"""A real session's poller in its own process: `python -m tests.poller_process CONFIG DB NAME`."""

import asyncio
import sys
import threading

from mopstui.config import load
from mopstui.room.poller import Poller
from mopstui.store import Store


def main() -> None:
    config_path, db_path, name = sys.argv[1:4]
    config = load([config_path], database=db_path)
    with Store(db_path) as store:
        poller = Poller(config, store, name, on_round=lambda s: print("round", s, flush=True))
        asyncio.run(poller.run(threading.Event()))


if __name__ == "__main__":
    main()
