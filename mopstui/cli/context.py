"""What every command gets: the loaded config, who is typing, and a lazily opened store."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING

from ..base.identity import current_user
from ..base.timeutil import parse_at

if TYPE_CHECKING:
    import argparse

    from ..config import Config
    from ..store import SQLStore

EXIT_OK, EXIT_INPUT, EXIT_CONFIG = 0, 1, 2
# The commands that may start a new war-room where none is (besides the screen): an incident
# declared, an entry logged, and the room's duties service, which may run before the first one.
CREATING = frozenset({"declare", "log", "watch", "init"})


class Context:
    """What every command gets: the loaded config, who is typing, and a lazily opened store."""

    def __init__(self, args: argparse.Namespace):
        self.args = args
        from ..config import load_default

        self.config: Config = load_default(getattr(args, "config", None) or (), database=getattr(args, "db", None))
        self.user = current_user(getattr(args, "user", None))
        self.verbose: bool = bool(getattr(args, "verbose", False))
        self._store: SQLStore | None = None

    @property
    def store(self) -> SQLStore:
        if self._store is None:
            from ..store import open_store

            # Only what adds to the log starts a war-room; a mistyped --db for anything else is said.
            create = getattr(self.args, "command", None) in CREATING
            self._store = open_store(self.config.database_location, group=self.config.database_group, create=create)
            notice = self._store.snapshot_notice()
            if notice:
                print(f"mopstui: warning: {notice}", file=sys.stderr)
        return self._store

    @contextmanager
    def reading(self) -> Iterator[None]:
        """Around a command: what the store's driver raised reading a damaged war-room leaves as
        the store's own `StoreUnreadable`, whichever the engine."""
        try:
            yield
        except Exception as error:
            unreadable = self._store.unreadable(error) if self._store is not None else None
            if unreadable is None:
                raise
            raise unreadable from None

    def at(self) -> datetime | None:
        value = getattr(self.args, "at", None)
        return parse_at(value, self.config.tz) if value else None

    def close(self) -> None:
        if self._store is not None:
            self._store.close()


def _print_json(data: object) -> None:
    import json  # only for JSON output

    json.dump(data, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
