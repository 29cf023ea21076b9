"""The command line's grammar: every command, its options and its help."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn, cast

from .. import __version__
from ..base.errors import InputError
from ..domain.model import ENTRY_KIND_WORDS, ROLES, SEVERITIES, STATUSES, entry_kind_named
from .context import Context


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """argparse's own, given the terminal's width the way shutil would find it: argparse makes a
    formatter for every option it adds, and without a width each one imports shutil (and with it
    bz2, lzma and fnmatch), which a command that prints no help does not need."""

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24, width: int | None = None) -> None:
        if width is None:
            width = _columns() - 2
        super().__init__(prog, indent_increment, max_help_position, width)


def _columns() -> int:
    """shutil.get_terminal_size().columns, without shutil: $COLUMNS, else the terminal's, else 80."""
    try:
        return int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        pass
    try:
        return os.get_terminal_size(sys.__stdout__.fileno()).columns or 80 if sys.__stdout__ else 80
    except (ValueError, OSError):
        return 80


def _entry_kind(word: str) -> str:
    """`--kind todo` (the word the screen shows) or `--kind action_item` (older scripts)."""
    try:
        return entry_kind_named(word)
    except InputError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


_KIND_METAVAR = "{" + ",".join(ENTRY_KIND_WORDS) + "}"


def _lazy(module: str, name: str) -> Callable[[Context], int]:
    """A command's function, its module (`mopstui.cli.<module>`) imported only when the command
    runs: `mopstui incidents` loads none of the other commands' modules, nor what they import."""

    def run(ctx: Context) -> int:
        func: Callable[[Context], int] = getattr(importlib.import_module(f".{module}", __package__), name)
        return func(ctx)

    run.__name__ = run.__qualname__ = name
    return run


def _global_options(parser: argparse.ArgumentParser, *, top: bool) -> None:
    # On the subcommands the defaults are suppressed so that `mopstui --user a log ...` and
    # `mopstui log ... --user a` both work and neither overwrites the other.
    default = (lambda value: value) if top else (lambda value: argparse.SUPPRESS)
    parser.add_argument(
        "--config",
        action="append",
        metavar="FILE",
        default=default(None),
        help="config file; repeat to layer (later files win). Default: $MOPSTUI_CONFIG, "
        "else /etc/mopstui/config.yaml and ~/.config/mopstui/config.yaml",
    )
    parser.add_argument(
        "--db",
        metavar="FILE|URL",
        default=default(None),
        help="the war-room: an SQLite file, or postgresql://HOST/DBNAME (password from ~/.pgpass or "
        "$PGPASSWORD, never here). Default: $MOPSTUI_DB, else the config's "
        "`database`, else ~/.local/share/mopstui/warroom.db",
    )
    parser.add_argument(
        "--user", metavar="NAME", default=default(None), help="who you are (default: $MOPSTUI_USER, $SUDO_USER, your login)"
    )
    parser.add_argument(
        "--verbose",
        "-v",
        action="store_true",
        default=default(False),
        help="the engineer's detail too: what the database or the system said, checksums, which process does the room's duties",
    )


def _at_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--at", metavar="TIME", help="when it happened, if not now: HH:MM (today, configured zone) or ISO 8601")


COMMANDS: dict[str, Callable[[Context], int]] = {}


def screen_args(argv: Sequence[str] | None) -> argparse.Namespace | None:
    """`mopstui [--config FILE] [--db FILE|URL] [--user NAME]`, the screen, read by a parser of
    those options alone: the whole grammar is some 40 parsers, built for nothing on the way to the
    screen's first frame. None for anything else (a command, --help, --version, a mistake): the
    whole grammar reads it then, with its help and its errors."""
    parser = argparse.ArgumentParser(
        prog="mopstui", add_help=False, allow_abbrev=False, exit_on_error=False, formatter_class=_Formatter
    )
    _global_options(parser, top=True)
    try:
        args, rest = parser.parse_known_args(argv)
    except argparse.ArgumentError:
        return None
    return None if rest else args


def read_command_line(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line, read by the grammar of the command it names alone when it names one
    (or asks only for the version): the whole grammar is some 40 parsers and 280 options, a
    third of `mopstui incidents`'s start-up, for one command's. Anything that grammar cannot read
    (a mistake, an abbreviation) is read again by the whole grammar, with its help and errors."""
    word = _command_word(argv)
    if word is not None:
        try:
            return build_parser(only=word).parse_args(argv)
        except _Unsure:
            pass
    return build_parser().parse_args(argv)


class _Unsure(Exception):
    """The one command's grammar could not read the command line: the whole grammar will."""


class _OneCommandParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise _Unsure(message)


class _Unbuilt:
    """Another command's parser, not built: whatever is asked of it, it takes and answers itself."""

    def __getattr__(self, name: str) -> Callable[..., _Unbuilt]:
        return lambda *args, **kwargs: self


def _command_word(argv: Sequence[str] | None) -> str | None:
    """The command the line names (after the global options), "" for `--version` alone, or None."""
    parser = argparse.ArgumentParser(
        prog="mopstui", add_help=False, allow_abbrev=False, exit_on_error=False, formatter_class=_Formatter
    )
    _global_options(parser, top=True)
    try:
        _, rest = parser.parse_known_args(argv)
    except argparse.ArgumentError:
        return None
    if rest == ["--version"]:
        return ""
    return rest[0] if rest and not rest[0].startswith("-") else None


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole grammar; `only`: that command's parser alone (with the global options and
    `--version`), the others registered in COMMANDS but not built."""
    parser = (argparse.ArgumentParser if only is None else _OneCommandParser)(
        prog="mopstui",
        description="The incident war-room for marketing operations, in a terminal.\n\n"
        "Run with no command to open the war-room screen.",
        formatter_class=_Formatter,
        epilog="INCIDENT is 7 or INC-7. Exit codes: 0 ok, 1 bad input or refused, 2 bad config or usage.",
    )
    parser.add_argument("--version", action="version", version=f"mopstui {__version__}")
    _global_options(parser, top=True)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(
        name: str,
        func: Callable[[Context], int],
        help_text: str,
        description: str = "",
        *,
        under: argparse._SubParsersAction | None = None,
        prefix: str = "",
    ) -> argparse.ArgumentParser:
        COMMANDS[prefix + name] = func
        if under is None and only is not None and name != only:
            return cast(argparse.ArgumentParser, unbuilt)
        built.append(name)
        p = (under or sub).add_parser(name, help=help_text, description=description or help_text, formatter_class=_Formatter)
        _global_options(p, top=False)
        p.set_defaults(func=func)
        return p

    unbuilt, built = _Unbuilt(), cast(list[str], [])

    command(
        "demo",
        _lazy("room", "cmd_demo"),
        "offline demo: a seeded incident on a temporary database",
        "Open the war-room on a temporary database seeded with a bundled marketing catalog and an\n"
        "incident under way, with a scripted vendor outage served from this machine. No network.",
    )
    p = command(
        "check-config",
        _lazy("catalog", "cmd_check_config"),
        "validate the config; exit 2 with FILE:LINE errors",
        "Validate the config; exit 2 with FILE:LINE errors. With --online, also read every vendor's live\n"
        "page and compare the components the config watches against it: a name the page does not have,\n"
        "or has several times, is named with what the page does have (exit 1).",
    )
    p.add_argument("--online", action="store_true", help="compare watched components against the vendors' live pages")

    p = command(
        "vendors",
        _lazy("vendors", "cmd_vendors_components"),
        "vendor status pages: what each really has",
        "Vendor status pages. `vendors components ID` lists what a vendor's page really has.",
    )
    vendors_sub = p.add_subparsers(dest="vendors_command", metavar="SUBCOMMAND", required=True)
    q = command(
        "components",
        _lazy("vendors", "cmd_vendors_components"),
        "what a vendor's page has: groups, components, ids, states, and the config lines to watch them",
        under=vendors_sub,
        prefix="vendors ",
    )
    q.add_argument("vendor", metavar="ID", help="a vendor id from the config or the vendor directory, or a status page's URL")
    q.add_argument("--kind", help="with a URL: the page's format (default: found by asking the page)")
    q.add_argument("--json", action="store_true", help="as JSON")
    q = command(
        "search",
        _lazy("vendors", "cmd_vendors_search"),
        "the vendor directory: the SaaS tools marketing runs, with their status page, its format and when it was checked",
        under=vendors_sub,
        prefix="vendors ",
    )
    q.add_argument("words", nargs="+", metavar="WORD", help="words of the name, id, touchpoint or format (email, forms, braze)")
    q.add_argument("--json", action="store_true", help="as JSON")
    p = command(
        "doctor",
        _lazy("doctor", "cmd_doctor"),
        "check the room's set-up as you: folder, group, files, watch service, anchor, "
        "database role, webhooks, vendors; exit 1 when something would hurt during an incident",
        "Check what the war-room depends on, as the person who runs it, and say each finding in one\n"
        "plain sentence with its fix. Exit 1 when something would hurt during an incident.\n"
        "--verbose (-v) lists the checks that passed too.",
    )
    p.add_argument("--json", action="store_true", help="the findings as JSON, for scripts")
    p.add_argument("--offline", action="store_true", help="skip the network checks (webhooks, vendor pages and probes)")

    p = command("declare", _lazy("incidents", "cmd_declare"), "declare an incident; prints its id (INC-n)")
    p.add_argument("title", help="what customers see, e.g. 'Lead form not submitting'")
    p.add_argument("--severity", "-s", required=True, type=str.upper, choices=SEVERITIES, help="SEV1 (worst) .. SEV4")
    p.add_argument("--service", action="append", default=[], metavar="ID", help="an affected service id; repeat")
    _at_option(p)

    p = command("log", _lazy("incidents", "cmd_log"), "add an entry to an incident's timeline; prints its #id")
    p.add_argument("incident", metavar="INCIDENT")
    p.add_argument(
        "text",
        nargs="+",  # `log 2 Form is down again` unquoted, as a marketer types it: the words are joined
        metavar="TEXT",
        help="what happened (quotes optional); the screen's grammar works here too: /comms …, /todo …, !… (an action), "
        "@10:02 … (back-dated)",
    )
    p.add_argument(
        "--kind",
        "-k",
        type=_entry_kind,
        metavar=_KIND_METAVAR,
        help="default: note, or what the text says as on screen: /comms …, !… (action), @10:02 … (back-dated)",
    )
    _at_option(p)

    p = command("set-status", _lazy("incidents", "cmd_set_status"), "move an incident along " + " → ".join(STATUSES))
    p.add_argument("incident", metavar="INCIDENT")
    p.add_argument("status", type=str.lower, choices=STATUSES)
    _at_option(p)

    p = command("resolve", _lazy("incidents", "cmd_resolve"), "mark an incident resolved (same as set-status INCIDENT resolved)")
    p.add_argument("incident", metavar="INCIDENT")
    _at_option(p)

    p = command("set-severity", _lazy("incidents", "cmd_set_severity"), "change an incident's severity")
    p.add_argument("incident", metavar="INCIDENT")
    p.add_argument("severity", type=str.upper, choices=SEVERITIES)
    _at_option(p)

    p = command("role", _lazy("incidents", "cmd_role"), "take or assign a role (commander, comms, scribe)")
    p.add_argument("incident", metavar="INCIDENT")
    p.add_argument("role", choices=ROLES)
    p.add_argument("name", nargs="?", help="who takes it (default: you)")
    p.add_argument("--release", action="store_true", help="leave the role empty")
    _at_option(p)

    p = command("star", _lazy("incidents", "cmd_star"), "star an entry for the postmortem")
    p.add_argument("incident", metavar="INCIDENT")
    p.add_argument("entry", metavar="ENTRY", help="the entry's number, 12 or #12")

    p = command("unstar", _lazy("incidents", "cmd_unstar"), "take a star off an entry (a new entry; the star stays in the log)")
    p.add_argument("incident", metavar="INCIDENT")
    p.add_argument("entry", metavar="ENTRY", help="the entry's number, 12 or #12")

    p = command(
        "correct",
        _lazy("incidents", "cmd_correct"),
        "correct an entry's words or kind (a new entry that points at it; nothing is edited)",
        "Correct an entry: new words, a new kind, or both. The entry stays as written, marked ✎;\n"
        "the correction is a new entry pointing at it. A new kind counts from then on: a note\n"
        "corrected to comms resets the customer-update clock.\n\n"
        "  mopstui correct 1 12 'Form returns 500 since 09:55'\n"
        "  mopstui correct 1 12 --kind comms",
    )
    p.add_argument("incident", metavar="INCIDENT")
    p.add_argument("entry", metavar="ENTRY", help="the entry's number, 12 or #12")
    p.add_argument("text", nargs="?", help="the corrected text (leave out to change only the kind)")
    p.add_argument("--kind", "-k", type=_entry_kind, metavar=_KIND_METAVAR, help="the entry's right kind")

    p = command(
        "withdraw",
        _lazy("incidents", "cmd_withdraw"),
        "withdraw an entry logged by mistake (it stays in the log, marked withdrawn)",
        "Withdraw an entry written by mistake, or in the wrong incident. Nothing is deleted: the entry\n"
        "stays in the log and the export, marked withdrawn with who and why, and stops counting for\n"
        "the clocks and figures (a withdrawn customer update no longer resets the update clock).\n\n"
        "  mopstui withdraw 1 12 --reason 'wrong incident: meant INC-2'",
    )
    p.add_argument("incident", metavar="INCIDENT")
    p.add_argument("entry", metavar="ENTRY", help="the entry's number, 12 or #12")
    p.add_argument("--reason", "-r", required=True, help="why, for the others and the postmortem")

    p = command(
        "reopen",
        _lazy("incidents", "cmd_reopen"),
        "reopen a resolved incident when the trouble comes back",
        "Reopen a resolved incident: its clocks resume, and the postmortem shows each span\n"
        "(resolved at, reopened at, resolved again at).\n\n"
        "  mopstui reopen 2 --reason 'form errors are back after the second deploy'",
    )
    p.add_argument("incident", metavar="INCIDENT")
    p.add_argument("--reason", "-r", required=True, help="why it is reopened")
    p.add_argument(
        "--status",
        type=str.lower,
        choices=("investigating", "identified", "monitoring"),
        default="investigating",
        help="where it stands now (default: investigating)",
    )
    _at_option(p)

    p = command(
        "edit",
        _lazy("followups", "cmd_edit"),
        "change what was declared: title, summary, affected services (as new events)",
        "Change an incident's title, summary or affected services. Nothing is overwritten: each\n"
        "change is a new `edit` event, so the timeline and the export show what it was before.\n\n"
        "  mopstui edit 1 --title 'Lead form rejects EU visitors' --add-service cdn\n"
        "  mopstui edit 1 --summary 'Consent banner update blocks the form script'",
    )
    p.add_argument("incident", metavar="INCIDENT")
    p.add_argument("--title", help="the new title (what customers see)")
    p.add_argument("--summary", help="the new summary (empty to clear it)")
    p.add_argument(
        "--service", action="append", default=[], metavar="ID", help="the affected services, replacing the list; repeat"
    )
    p.add_argument("--add-service", action="append", default=[], metavar="ID", help="add an affected service; repeat")
    p.add_argument("--remove-service", action="append", default=[], metavar="ID", help="remove one; repeat")

    p = command(
        "followup",
        _lazy("followups", "cmd_followup"),
        "change an action item: done, won't do, reopen, owner, due date",
        "Action items are entries written with /todo (owner:NAME and due:DATE or due:+3d may ride\n"
        "along). This moves one to closure, as a new event on its incident.\n\n"
        "  mopstui followup 1 42 --owner sam --due 2026-12-05\n"
        "  mopstui followup 1 42 --done",
    )
    p.add_argument("incident", metavar="INCIDENT")
    p.add_argument("entry", metavar="ENTRY", help="the action item's entry number (#42 or 42)")
    state = p.add_mutually_exclusive_group()
    state.add_argument("--done", action="store_true", help="it is done")
    state.add_argument("--wont-do", action="store_true", help="it will not be done")
    state.add_argument("--reopen", action="store_true", help="open again")
    p.add_argument("--owner", metavar="NAME", help="who owns it")
    p.add_argument("--due", metavar="DATE", help="friday, tomorrow, next week, in 3 days, +2w or YYYY-MM-DD")

    p = command(
        "draft",
        _lazy("followups", "cmd_draft"),
        "draft a customer update from a channel's template (site banner, email, ...)",
        "Fill a customer-update template from the incident as it stands: {title}, {touchpoints},\n"
        "{status}, {next_update}, {elapsed} ... Templates are per channel in the config's\n"
        "`templates:` (built in: site-banner, email, social, support-macro). Log what you send with\n"
        "`mopstui log INC --kind comms TEXT`: it counts as a customer update.\n\n"
        "  mopstui draft INC-1 --template site-banner",
    )
    p.add_argument("incident", metavar="INCIDENT", nargs="?")
    p.add_argument("--template", "-t", default="site-banner", metavar="CHANNEL", help="default: site-banner")
    p.add_argument("--list", action="store_true", help="list the templates")

    p = command("followups", _lazy("followups", "cmd_followups"), "action items across incidents, with owner, due date and state")
    p.add_argument("--open", action="store_true", help="only the open ones")
    p.add_argument("--owner", metavar="NAME", help="only this owner's")
    p.add_argument("--json", action="store_true", help="a list with one object per action item")

    p = command("incidents", _lazy("incidents", "cmd_incidents"), "list active incidents")
    p.add_argument("--all", action="store_true", help="include resolved incidents")
    p.add_argument("--json", action="store_true", help="JSON for scripts")

    p = command("timeline", _lazy("incidents", "cmd_timeline"), "print an incident's timeline")
    p.add_argument("incident", metavar="INCIDENT")
    p.add_argument("--search", metavar="QUERY", help="only matching entries: words, kind:comms, author:sam (as on screen)")
    p.add_argument("--json", action="store_true", help="JSON for scripts")

    p = command(
        "catalog",
        _lazy("catalog", "cmd_catalog"),
        "the service catalog: owner, tier, touchpoint and health of every service",
        "The service catalog, worst first, with the customer touchpoints at the top. Health is the\n"
        "last status the poller stored (run `mopstui watch` or keep a screen open).",
    )
    p.add_argument("--json", action="store_true", help="JSON for scripts")
    catalog_sub = p.add_subparsers(dest="catalog_command", metavar="SUBCOMMAND")

    def catalog_command(name: str, func: Callable[[Context], int], help_text: str) -> argparse.ArgumentParser:
        return command(name, func, help_text, under=catalog_sub, prefix="catalog ")

    q = catalog_command(
        "show", _lazy("catalog", "cmd_catalog_show"), "one service: runbook, contacts, dependencies both ways, vendor history"
    )
    q.add_argument("id", metavar="ID")
    q.add_argument("--json", action="store_true", help="JSON for scripts")
    q = catalog_command(
        "impact", _lazy("catalog", "cmd_catalog_impact"), "which services and touchpoints a vendor (or one component) reaches"
    )
    q.add_argument("target", metavar="VENDOR[:COMPONENT]")
    q.add_argument("--json", action="store_true", help="JSON for scripts")
    q = catalog_command(
        "import-backstage",
        _lazy("catalog", "cmd_import_backstage"),
        "Backstage catalog-info.yaml files to services: YAML: relations followed, proposals marked, one "
        "summary of what was skipped and what is left to decide",
    )
    q.add_argument("paths", nargs="+", metavar="FILE|DIR")
    q.add_argument("-o", "--output", metavar="FILE", help="write here instead of standard output")

    p = command(
        "export",
        _lazy("incidents", "cmd_export"),
        "postmortem export of an incident: Markdown, JSON or CSV",
        "Turn an incident's log into a postmortem draft (md), data for other tools (json) or a\n"
        "spreadsheet (csv): summary, impact and its estimated cost, key figures, thresholds\n"
        "crossed, overdue updates, vendor changes and how late each page admitted them, the room's\n"
        "overrides, participants, the full timeline and the follow-ups. Markdown written with -o\n"
        "FILE.md gets its SVG timeline beside it (FILE.svg) and Mermaid diagrams inside.",
    )
    p.add_argument("incident", metavar="INCIDENT")
    p.add_argument("--format", "-f", default="md", choices=("md", "json", "csv"), help="default: md")
    p.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="write to this file, a new name or a regular file it replaces "
        "whole (with FILE.svg beside a Markdown one, both or neither); `-o -` or none: standard output",
    )
    p.add_argument("--tz", metavar="ZONE", help="show times in this IANA zone (default: the configured one)")
    p.add_argument("--starred-only", action="store_true", help="only starred entries in the timeline")

    p = command(
        "serve",
        _lazy("room", "cmd_serve"),
        "serve the war-room screen to a browser (needs the 'serve' extra)",
        "Serve the same screen to a web browser, for people who cannot SSH. Bound to this machine\n"
        "(127.0.0.1) unless --host says otherwise. Only the link printed at start (it carries a random\n"
        "token) opens it; other users of the host, and other sites in your browser, are refused.",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default: 8000)")

    command(
        "mcp",
        _lazy("room", "cmd_mcp"),
        "the war-room for an agent: a Model Context Protocol server on stdio (needs the 'mcp' extra)",
        "Serve the war-room to an agent (Claude Code, an IDE, any MCP client) over standard input\n"
        'and output, started by the agent\'s host: {"command": "mopstui", "args": ["mcp"]}.\n'
        "It reads the room (active incidents and their clocks, timelines, vendors and probes with the\n"
        "room's overrides, the catalog, dependencies, impact, open follow-ups, draft customer updates)\n"
        "and may add evidence to a timeline, shown as '<agent> for <you>'. It decides nothing: no\n"
        "declaring, resolving, status, severity, roles, customer updates or overrides.\n"
        "Ends when the host closes its input. Install: pip install 'mopstui[mcp]'",
    )

    p = command(
        "status",
        _lazy("room", "cmd_status"),
        "poll every vendor and probe once: components under their groups, open incidents "
        "with their status and last update, maintenances with their times (exit 0 even when vendors are down)",
    )
    p.add_argument("--json", action="store_true", help="a list with one object per vendor or probe")
    p.add_argument("--fail-on", choices=("degraded", "outage"), help="exit 1 when any vendor is at least this bad")

    p = command(
        "override",
        _lazy("overrides", "cmd_override"),
        "overrule a vendor's page: it is down for us, or it does not affect us",
        "The room knows better than the page: say a vendor (or one component) is down for us, or\n"
        "that its trouble does not affect us, with a reason. Health, impact, the touchpoint roll-up,\n"
        "`status`, webhooks and exports follow it, shown as an override beside the page's own word.\n"
        "It holds until the vendor's page changes (the default) or until lifted. Written to the log,\n"
        "and to the timeline of every active incident the vendor reaches.\n\n"
        "  mopstui override hubspot down --reason 'forms fail for us since 10:02'\n"
        "  mopstui override qualys/'EU / Scanner' unaffected --reason 'we only use US' --until-lifted\n"
        "  mopstui override hubspot --lift",
    )
    p.add_argument("target", metavar="VENDOR[/COMPONENT]", help="a vendor id, or vendor id/component as the page names it")
    p.add_argument("verdict", nargs="?", choices=("down", "unaffected"), help="down (for us) or unaffected (not us)")
    p.add_argument("--reason", "-r", metavar="TEXT", help="why the room overrules the page (required unless --lift)")
    p.add_argument("--until-lifted", action="store_true", help="hold until lifted, even when the page changes")
    p.add_argument("--lift", action="store_true", help="lift the override on this vendor or component")
    p = command(
        "overrides", _lazy("overrides", "cmd_overrides"), "the overrides in force: who set them, why, and what the page says now"
    )
    p.add_argument("--json", action="store_true", help="a list with one object per override")

    p = command(
        "signals",
        _lazy("signals", "cmd_signals"),
        "the marketing signals: form, tag, silence ...: state, since when, why",
        "Each signal from the config's `signals:` as the session holding the room's duties (`watch`,\n"
        "or the first screen open) last judged it: ok, degraded, down, or unknown (we cannot see:\n"
        "a bot wall, nothing answered; never down). Since when, why, the last value read.",
    )
    p.add_argument("--json", action="store_true", help="a list with one object per signal")
    p = command(
        "signal",
        _lazy("signals", "cmd_signal"),
        "tell a silence signal that something arrived (for cron, CRM workflows, Zapier)",
        "Record that leads, orders, syncs ... arrived, for a `silence` signal: silence longer than\n"
        "its expect_every (or, with learn: 7d, than the usual gap for this hour of the week) turns it\n"
        "degraded, then down.\n\n"
        "  mopstui signal leads                 # one lead, now\n"
        "  mopstui signal leads --count 12      # twelve since the last call\n"
        "  mopstui signal leads --at 10:02",
    )
    p.add_argument("id", metavar="ID", help="the signal's id in the config")
    p.add_argument("--count", type=int, default=1, metavar="N", help="how many arrived (default 1; 0: checked, none)")
    _at_option(p)

    p = command(
        "mitigate",
        _lazy("signals", "cmd_mitigate"),
        "log a marketing mitigation (pause ads, pause sends, banner up, switch channel); a status signal reads it back",
        "Log what the playbook says to do, as an action with your name and the time. mopstui never\n"
        "pauses anything itself: a metric signal with gives: status and confirms: WHAT reads the\n"
        "campaign's status, and when it says so (expect:) the timeline gets 'Ads campaign status:\n"
        "PAUSED, confirmed 14:32'.\n\n"
        "  mopstui mitigate INC-1 pause-ads --note 'all search campaigns'",
    )
    p.add_argument("incident", metavar="INCIDENT")
    p.add_argument("what", choices=("pause-ads", "pause-sends", "banner-up", "switch-channel"))
    p.add_argument("--note", metavar="TEXT", help="what exactly (which campaigns, which sends)")
    _at_option(p)

    p = command(
        "listen",
        _lazy("signals", "cmd_listen"),
        "receive arrivals over HTTP for silence and deliverability signals (webhooks)",
        "An HTTP receiver for CRM workflows, Zapier steps and ESP event webhooks (SendGrid's event\n"
        "array, Mailgun's events). POST to /signal/ID/TOKEN, or to /signal/ID with the token in an\n"
        "X-Mopstui-Token or Authorization: Bearer header; the token is the value of the signal's\n"
        "token_env variable here (never in the config file). A silence signal's body may say\n"
        '{"count": N}. Bodies are at most 1 MB; each signal takes 60 at once, then 10 a second.\n'
        "Bound to this machine unless --host says otherwise: put a reverse proxy (TLS) in front for\n"
        "SaaS webhooks.\n\n"
        "  MOPSTUI_LEADS_TOKEN=... mopstui listen --port 8787\n"
        "  curl -X POST http://127.0.0.1:8787/signal/leads -H 'X-Mopstui-Token: ...'",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    p.add_argument("--port", type=int, default=8787, help="port (default: 8787; 0 picks a free one)")

    p = command(
        "watch",
        _lazy("room", "cmd_watch"),
        "run the room's duties headless (for systemd); one at a time per war-room",
        "A complete war-room without a screen: poll vendors and probes, store every state change and\n"
        "write it to the incidents it affects; write threshold crossings and overdue customer updates\n"
        "at the moment they happen; send webhook notifications; note the log's fingerprint in\n"
        "anchor.file. One screen or watch per war-room does these duties at a time (the others wait and\n"
        "take over if it stops): run this from systemd and every screen reads its results.",
    )
    p.add_argument("--quiet", action="store_true", help="print nothing but errors")

    p = command(
        "copy-store",
        _lazy("stores", "cmd_copy_store"),
        "move a war-room between SQLite and PostgreSQL, every entry kept as it was written",
        "Copy every entry (numbers, times, authors and accounts as they are), vendor history,\n"
        "presence and notification progress from FROM into TO, an empty war-room, all at once:\n"
        "the copy is whole or absent. FROM must verify; TO must verify to the same fingerprint\n"
        "afterwards, which is printed. Either side is an SQLite file or a postgresql://HOST/DBNAME URL.\n\n"
        "  mopstui copy-store ~/.local/share/mopstui/warroom.db postgresql://db.internal/warroom",
    )
    p.add_argument("source", metavar="FROM", help="the war-room to copy: a file or a postgresql:// URL")
    p.add_argument("destination", metavar="TO", help="an empty (or new) war-room: a file or a postgresql:// URL")

    command(
        "init",
        _lazy("stores", "cmd_init"),
        "start an empty war-room where --db points (on PostgreSQL: the schema, as its owner)",
        "Start a new, empty war-room where the config or --db points: a file, or the schema in an\n"
        "empty PostgreSQL database (run it as the owner role). Only this, declare, log, watch and the\n"
        "screen start a war-room; every other command says there is none.",
    )

    p = command(
        "verify",
        _lazy("incidents", "cmd_verify"),
        "check that nothing in the war-room's history was changed or removed; exit 1 naming the first entry that was",
        "Check every entry against the checksum it was written with, and the database's own check\n"
        "(SQLite's, or that the log's guards are in place on PostgreSQL); print the history's\n"
        "fingerprint (entries, last entry, checksum). Note the fingerprint somewhere the war-room group\n"
        "cannot write (every export and webhook notification carries it): a later\n"
        "`verify --since FINGERPRINT` fails if entries up to it were removed or rewritten, even by\n"
        "someone who recomputed every checksum. --verbose adds the engineer's account.",
    )
    p.add_argument(
        "--since",
        dest="since_head",
        action="append",
        default=[],
        metavar="FINGERPRINT",
        help="a fingerprint noted earlier (64 hex digits, or the first 12+); repeat for several",
    )
    p.add_argument(
        "--fingerprints", dest="heads", metavar="FILE", help="a file of fingerprints noted earlier (an anchor file, an export)"
    )
    # The names older scripts use (--since-head HASH, --heads FILE): kept, out of the help.
    p.add_argument("--since-head", dest="since_head", action="append", help=argparse.SUPPRESS)
    p.add_argument("--heads", dest="heads", help=argparse.SUPPRESS)

    if only and only not in built:
        raise _Unsure(f"no command {only!r}")  # the whole grammar says so, with the commands there are
    return parser
