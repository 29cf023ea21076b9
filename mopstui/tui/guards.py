"""Guards and small helpers the screen's parts share: what a timer may meet (a screen being torn
down, a server gone away), the presence timings, and dialog callbacks."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Concatenate, ParamSpec, TypeVar

from textual.css.query import NoMatches

from ..base.plain import said
from ..store import StoreError
from ..store.sessions import HEARTBEAT_EVERY, PRESENCE_WINDOW  # noqa: F401 - the screen's timings

if TYPE_CHECKING:
    from .state import AppState

P = ParamSpec("P")
R = TypeVar("R")
App = TypeVar("App", bound="AppState")


def _skip_when_screen_gone(method: Callable[P, R]) -> Callable[P, R | None]:
    """Timers and resizes can fire while the war-room screen is being built or torn down:
    there is nothing to draw then, and nothing is lost (the next tick redraws)."""

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R | None:
        try:
            return method(*args, **kwargs)
        except NoMatches:
            return None

    return wrapper


def _said_when_unreachable(method: Callable[Concatenate[App, P], R]) -> Callable[Concatenate[App, P], R | None]:
    """A read of a war-room on a server that has gone away: said once, tried again on the next
    tick, and the return said too (entries written meanwhile wait as NOT SAVED)."""

    @functools.wraps(method)
    def wrapper(self: App, /, *args: P.args, **kwargs: P.kwargs) -> R | None:
        try:
            result = method(self, *args, **kwargs)
        except StoreError as error:
            if not self.state.unreachable:
                self.state.unreachable = True
                self._render_room_bar()
                self.notify(
                    f"{said(error)}. Entries you write are kept as NOT SAVED (ctrl+r saves them once it is back).",
                    title="Database unreachable",
                    severity="error",
                    timeout=10,
                )
            return None
        if self.state.unreachable:
            self.state.unreachable = False
            self._render_room_bar()
            self.notify("The war-room database is back; what happened meanwhile is on screen.", title="Reconnected")
        return result

    return wrapper


def _if_given(action: Callable[[str], object]) -> Callable[[str | None], None]:
    """A dialog's callback that acts only on a non-empty answer (Escape or "No" give nothing)."""

    def callback(value: str | None) -> None:
        if value:
            action(value)

    return callback


def _unless_cancelled(action: Callable[[str], object]) -> Callable[[str | None], None]:
    """A dialog's callback that acts on any answer, the empty one included, but not on Escape."""

    def callback(value: str | None) -> None:
        if value is not None:
            action(value)

    return callback
