"""`mopstui doctor`: the room's set-up checked as whoever runs it, one plain sentence a finding."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

from .context import EXIT_INPUT, EXIT_OK, Context

if TYPE_CHECKING:
    from ..store import SQLStore

MARKS = {"problem": "✖", "note": "!", "ok": "✓"}


def cmd_doctor(ctx: Context) -> int:
    from ..base.textsafe import clean_line
    from ..room import doctor

    config = ctx.config

    def open_store() -> SQLStore:  # the war-room as it is: the doctor never creates one
        from ..store import open_store as open_any

        return open_any(config.database_location, group=config.database_group)

    online = not ctx.args.offline
    from ..base.identity import current_account

    account = current_account().login
    if not ctx.args.json:
        print(
            f"Checking the war-room {config.database_label} as {account}{' (without the network)' if not online else ''}…",
            flush=True,
        )
    findings = doctor.all_findings(config, open_store, online=online)
    trouble = doctor.problems(findings)
    if ctx.args.json:
        json.dump(
            {"problems": len(trouble), "findings": [f.as_dict() for f in findings]}, sys.stdout, indent=2, ensure_ascii=False
        )
        sys.stdout.write("\n")
        return EXIT_INPUT if trouble else EXIT_OK
    for finding in findings:
        if finding.level == "ok" and not ctx.args.verbose:
            continue
        print(f"  {MARKS[finding.level]} {clean_line(finding.text, 400)}")
        if finding.fix:
            print(f"      fix: {clean_line(finding.fix, 400)}")
    notes = sum(f.level == "note" for f in findings)
    fine = sum(f.level == "ok" for f in findings)
    if trouble:
        listed = "" if ctx.args.verbose else " (--verbose lists them)"
        print(
            f"{len(trouble)} problem{'s' if len(trouble) != 1 else ''} that would hurt during an incident, "
            f"{notes} note{'s' if notes != 1 else ''}, {fine} check{'s' if fine != 1 else ''} fine{listed}."
        )
        return EXIT_INPUT
    print(
        f"All set: {fine} check{'s' if fine != 1 else ''} fine, {notes} note{'s' if notes != 1 else ''}"
        f"{'' if ctx.args.verbose else ' (--verbose lists the checks)'}."
    )
    return EXIT_OK
