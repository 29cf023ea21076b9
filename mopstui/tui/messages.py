"""Messages the screen's workers send back to the app (posted from their threads)."""

from __future__ import annotations

from collections.abc import Callable

from textual.message import Message


class WriteDone(Message):
    def __init__(self, token: int, result: object) -> None:
        super().__init__()
        self.token, self.result = token, result


class WriteFailed(Message):
    """A write the database refused or that failed; `action` can be queued again (ctrl+r)."""

    def __init__(self, token: int, reason: str, action: Callable | None = None) -> None:
        super().__init__()
        self.token, self.reason, self.action = token, reason, action


class WriteWaiting(Message):
    def __init__(self, reason: str) -> None:
        super().__init__()
        self.reason = reason
