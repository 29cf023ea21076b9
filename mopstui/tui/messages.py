"""The messages of the screen: what its workers send back to the app (posted from their threads),
and what its panes say the person asked for (the app acts on them; a pane never reaches into
another)."""

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


class VendorHighlighted(Message):
    """The vendor pane's highlight moved to this vendor (the app shows its last 24 hours)."""

    def __init__(self, vendor_id: str) -> None:
        super().__init__()
        self.vendor_id = vendor_id


class VendorChosen(Message):
    """Enter on a vendor (or one of its components): the app opens its detail."""

    def __init__(self, vendor_id: str, component: str | None) -> None:
        super().__init__()
        self.vendor_id, self.component = vendor_id, component


class OverrideRequested(Message):
    """O: overrule the highlighted vendor's (or component's) page; `vendor_id` None when the pane
    has no vendor highlighted. The pane says which, the app asks why and writes it."""

    def __init__(self, vendor_id: str | None, component: str | None) -> None:
        super().__init__()
        self.vendor_id, self.component = vendor_id, component


class RunbookRequested(Message):
    """o: the highlighted service's runbook link; `service_id` None when none is highlighted."""

    def __init__(self, service_id: str | None) -> None:
        super().__init__()
        self.service_id = service_id


class ServiceChosen(Message):
    """Enter on a service: the app opens its detail."""

    def __init__(self, service_id: str) -> None:
        super().__init__()
        self.service_id = service_id


class EntrySubmitted(Message):
    """Enter on the entry line: the app parses the text and logs it in the kind the line had when
    Enter was typed (a kind key right behind it already picked the next line's), or says why not."""

    def __init__(self, text: str, kind: str | None = None) -> None:
        super().__init__()
        self.text = text
        self.kind = kind


class SubmitEntry(Message):
    """Enter, as it arrived, for the entry line: queued behind the keys typed before it, so the
    line takes exactly its own text (the keys after it already go to the next line or the room)."""

    def __init__(self, kind: str) -> None:
        super().__init__()
        self.kind = kind
