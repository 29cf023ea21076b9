"""mopstui's command line: the war-room screen, and headless commands for scripts and bots.

This interface is a contract: scripts, cron jobs and chat bots rely on its commands, options,
output and exit codes (0 ok, 1 bad input or refused, 2 bad config or usage).
Heavy modules (Textual, httpx) are imported only by the commands that need them.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Sequence

from ..base.files import UnsafeFile
from ..base.textsafe import clean_line
from ..base.timeutil import TimeError
from ..domain.model import InputError, TooLong
from .context import EXIT_CONFIG, EXIT_INPUT, EXIT_OK, Context
from .parser import COMMANDS, _lazy, build_parser, read_command_line, screen_args

__all__ = ["COMMANDS", "build_parser", "main"]


def main(argv: Sequence[str] | None = None) -> int:
    args = screen_args(argv)  # the screen needs only the global options
    if args is None:
        args = read_command_line(argv)  # a command needs only its own grammar
    func = getattr(args, "func", None)
    if func is None:
        func = _lazy("room", "cmd_tui")
        if argv is None:
            # A screen of its own process: no garbage-collector rounds until its first frame (the
            # screen turns them back on then): start-up makes ~300,000 objects that all live on,
            # and the rounds over them were a tenth of the time to the first frame.
            gc.disable()
    ctx = None
    from ..base.plain import os_words, show_detail

    verbose = bool(getattr(args, "verbose", False))
    show_detail(verbose)  # a toast on the screen, too, then carries the driver's or the system's words
    from ..config import ConfigError, secret_warnings  # here, not at the top: `--version` and `--help` need neither
    from ..store import StoreError

    try:
        ctx = Context(args)
        for warning in secret_warnings(ctx.config):
            print(f"mopstui: warning: {warning}", file=sys.stderr)
        with ctx.reading():
            return func(ctx)
    except ConfigError as error:
        for line in error.errors:
            print(line, file=sys.stderr)
        return EXIT_CONFIG
    except TooLong as error:
        print(f"mopstui: {error}", file=sys.stderr)
        return EXIT_CONFIG
    except (InputError, StoreError, TimeError, UnsafeFile) as error:
        print(f"mopstui: {error}", file=sys.stderr)
        _detail(error, verbose)
        return EXIT_INPUT
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except OSError as error:
        print(f"mopstui: {os_words(error)}", file=sys.stderr)
        _detail(error, verbose)
        return EXIT_INPUT
    except Exception as error:
        print(
            "mopstui: internal error; nothing more was done. This is a bug in mopstui: please report it"
            + (f" ({type(error).__name__}: {clean_line(str(error), 200)})" if verbose else " (--verbose shows its detail)"),
            file=sys.stderr,
        )
        return EXIT_INPUT
    finally:
        if ctx is not None:
            ctx.close()
        show_detail(False)  # for the next command run in this process (tests, the MCP server)


def _detail(error: BaseException, verbose: bool) -> None:
    """Under --verbose, what the driver or the system said behind the plain sentence."""
    from ..base.plain import detail

    said = detail(error) if verbose else None
    if said:
        print(f"mopstui: detail: {clean_line(said, 500)}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
