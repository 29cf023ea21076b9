"""Who does the room's duties (vendor rounds, crossings, notifications, the anchor): one session
at a time holds them, renewing its claim every tick. The claim is its heartbeat: a holder that
stops renewing is taken over when its claim runs out, and no claim may run longer than the
longest any session asks for, so a row a member plants with a far-off end silences nobody:
it is void, and the session that takes over says so."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from ..base.textsafe import clean_line

# The longest claim any session makes. A holder renews every tick (at most every 15 s), so this
# only bounds how long the room waits for a holder that died without letting go.
LONGEST_LEASE = timedelta(minutes=2)


@dataclass(frozen=True)
class Claim:
    """The outcome of asking for the duties: held by us or not, by whom, and the void claim
    that was set aside on the way (its holder and the end it claimed), if any."""

    held: bool
    holder: str | None
    void: tuple[str, str] | None = None

    def void_words(self) -> str | None:
        if self.void is None:
            return None
        holder, until = self.void
        return (
            f"the room's duties were claimed by {holder_words(holder)} until {clean_line(until, 40)!r}, longer than "
            "any session may hold them (someone wrote that claim by hand): it was set aside, and this session does "
            "the duties"
        )


def lease_ttl(wanted: timedelta) -> timedelta:
    return min(wanted, LONGEST_LEASE)


def standing(expires_at: str | None, now: datetime) -> str:
    """'live', 'expired' or 'void' (an end later than any claim may reach, or not a time at all)."""
    try:
        end = datetime.fromisoformat(expires_at or "")
    except ValueError:
        return "void"
    if end.tzinfo is None:
        return "void"
    if end > now + LONGEST_LEASE:
        return "void"
    return "live" if end > now else "expired"


def holder_name(kind: str, login: str, host: str, pid: int, session: str = "") -> str:
    """What a session writes as the holder: what it is, whose, where (read back by holder_words)."""
    return ":".join(part for part in (kind, f"{login}@{host}", str(pid), session) if part)


def holder_words(holder: str | None) -> str:
    """A holder in plain words ("priya's screen on jump1, process 4242"); anything else (a claim
    written by hand) as the text it is."""
    if not holder:
        return "nobody"
    parts = holder.split(":")
    what = {"watch": "watch", "tui": "screen", "serve": "screen"}.get(parts[0])
    if what and len(parts) >= 3 and "@" in parts[1] and parts[2].isdigit():
        login, _, host = parts[1].partition("@")
        return clean_line(f"{login}'s {what} on {host}, process {parts[2]}", 120)
    return repr(clean_line(holder, 120))
