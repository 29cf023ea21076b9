"""The set-up check on the screen: the doctor's cheap checks (no network), once, after the first
frame, in a worker; what would hurt during an incident is said once, in plain words."""

from __future__ import annotations

from ..base.plain import said
from ..store import SQLStore, open_store
from .state import AppState


def check_setup(app: AppState) -> None:
    """The doctor's cheap checks (no network), once, after the first frame: a finding that
    would hurt during an incident is said once, in plain words, with where to read the fix."""

    def check() -> None:
        from ..room import doctor

        def open_own() -> SQLStore:
            return open_store(app.config.database_location, group=app.config.database_group)

        try:
            findings = doctor.screen_findings(app.config, open_own)
        except Exception as error:  # a check that cannot run is said, never a crash
            app.call_from_thread(app.notify, f"The set-up check could not run ({said(error)}).", title="Set-up")
            return
        problems = doctor.problems(findings)
        if problems:
            found = " ".join(f.text for f in problems[:3])
            more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
            app.call_from_thread(
                app.notify,
                f"{found}{more} Run `mopstui doctor` for the fixes.",
                title="Set-up problem",
                severity="warning",
                timeout=20,
            )

    app.run_worker(check, name="checkup", thread=True, exit_on_error=False)
